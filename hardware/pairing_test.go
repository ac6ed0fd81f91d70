package hardware_test

import (
	"errors"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/fieldscreen/fieldscreen/hardware"
	"github.com/fieldscreen/fieldscreen/hardware/sim"
	"github.com/fieldscreen/fieldscreen/vault"
)

// vaultRecords backs the registry with the vault's devices class, as the app does.
type vaultRecords struct{ tx *vault.Tx }

func (v vaultRecords) Get(b, k string) ([]byte, error) {
	x, err := v.tx.Get(vault.Devices, b, k)
	if errors.Is(err, vault.ErrNotFound) {
		return nil, nil
	}
	return x, err
}
func (v vaultRecords) Put(b, k string, x []byte) error { return v.tx.Put(vault.Devices, b, k, x) }
func (v vaultRecords) Delete(b, k string) error        { return v.tx.Delete(vault.Devices, b, k) }
func (v vaultRecords) ForEach(b string, fn func(string, []byte) error) error {
	return v.tx.ForEach(vault.Devices, b, fn)
}
func (v vaultRecords) Audit(a, d string) error {
	return v.tx.Audit(vault.AuditEvent{Action: a, Class: vault.Devices, Detail: d})
}

func TestPairingInVault(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "vault") // the vault makes its directory 0700 (t.TempDir's is 0755)
	pass := []byte("correct horse battery staple 1")
	v, err := vault.Create(dir, "sup", pass, vault.Options{KDF: vault.TestKDF()})
	if err != nil {
		t.Fatal(err)
	}
	defer v.Close()
	sup, err := v.Unlock("sup", pass)
	if err != nil {
		t.Fatal(err)
	}
	for _, u := range []struct {
		name string
		role vault.Role
	}{{"tech", vault.Technician}, {"off", vault.Officer}, {"aud", vault.Auditor}} {
		if err := sup.AddUser(u.name, u.role, pass); err != nil {
			t.Fatal(err)
		}
	}
	sup.Lock()
	tech, err := v.Unlock("tech", pass)
	if err != nil {
		t.Fatal(err)
	}
	scanner := sim.New(hardware.Finger, sim.Options{Seed: 2})
	id := scanner.Identity()
	now := time.Date(2026, 11, 29, 4, 0, 0, 0, time.UTC)
	err = tech.Update(func(tx *vault.Tx) error {
		r := vaultRecords{tx}
		if _, err := hardware.Lookup(r, id.ID()); !errors.Is(err, hardware.ErrNotPaired) {
			t.Errorf("lookup before pairing: %v", err)
		}
		_, err := hardware.Pair(r, id, 41, now)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	var ps []hardware.Pairing
	if err := tech.View(func(tx *vault.Tx) (err error) { ps, err = hardware.Pairings(vaultRecords{tx}); return }); err != nil {
		t.Fatal(err)
	}
	if len(ps) != 1 || ps[0].ID != id.ID() || ps[0].TestScore != 41 || !ps[0].PairedAt.Equal(now) {
		t.Fatalf("pairings %+v", ps)
	}
	if err := hardware.Check(ps, scanner.Identity()); err != nil {
		t.Fatalf("paired device refused: %v", err)
	}
	scanner.SetFirmware("sim-9")
	var ic *hardware.IdentityChangedError
	if err := hardware.Check(ps, scanner.Identity()); !errors.As(err, &ic) || ic.Fields[0] != "firmware" {
		t.Fatalf("changed device: %v", err)
	}
	// An officer cannot pair (no devices class write).
	off, err := v.Unlock("off", pass)
	if err != nil {
		t.Fatal(err)
	}
	err = off.Update(func(tx *vault.Tx) error { _, err := hardware.Pair(vaultRecords{tx}, id, 50, now); return err })
	var pe *vault.PermissionError
	if !errors.As(err, &pe) {
		t.Fatalf("officer pairing: got %v, want a vault permission error", err)
	}
	off.Lock()
	if err := tech.Update(func(tx *vault.Tx) error { return hardware.Unpair(vaultRecords{tx}, id.ID()) }); err != nil {
		t.Fatal(err)
	}
	if err := tech.Update(func(tx *vault.Tx) error { return hardware.Unpair(vaultRecords{tx}, id.ID()) }); !errors.Is(err, hardware.ErrNotPaired) {
		t.Fatalf("second unpair: %v", err)
	}
	tech.Lock()
	aud, err := v.Unlock("aud", pass)
	if err != nil {
		t.Fatal(err)
	}
	defer aud.Lock()
	for action, want := range map[string]int{hardware.AuditPair: 1, hardware.AuditUnpair: 1} {
		es, err := aud.AuditEntries(vault.AuditFilter{Action: action})
		if err != nil {
			t.Fatal(err)
		}
		if len(es) != want || es[0].User != "tech" || !strings.Contains(es[0].Detail, id.ID()) {
			t.Fatalf("audit %s: %+v", action, es)
		}
	}
}
