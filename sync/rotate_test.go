package sync_test

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"testing"
	"time"

	fsync "github.com/fieldscreen/fieldscreen/sync"
	"github.com/fieldscreen/fieldscreen/sync/central"
	"github.com/fieldscreen/fieldscreen/vault"
)

// TestRotatedPacketKey: central's operator rotates the packet key while a terminal still
// holds a packet sealed to the old one. After central restarts, that packet is delivered
// and opened by the downstream (central keeps the old identity); the drain's config pull
// moves the terminal to the new recipient, its next packet is sealed to it (the old
// identity alone cannot open it), and the age command opens both with central's identity
// file.
func TestRotatedPacketKey(t *testing.T) {
	c := startCentral(t, central.Options{})
	term := newTerminal(t)
	en := enrol(t, term, c, "")
	oldIDs := c.srv.Keys().AgeIdentities()
	mk := func(i int, id vault.CaseID) *fsync.Packet {
		return fsync.NewCheckPacket(string(id), []string{"TESTPERSON OSCAR"}, nil)
	}
	first := enqueueCases(t, term, 1, "TESTPERSON OSCAR", mk)
	c.stop()

	newRecipient, err := central.RotateRecipient(c.dir)
	if err != nil {
		t.Fatal(err)
	}
	if newRecipient == en.Recipient {
		t.Fatal("rotation kept the recipient")
	}
	c = c.restart(t, central.Options{})
	if c.srv.Keys().Identity.Recipient().String() != newRecipient || len(c.srv.Keys().Identities) != 2 {
		t.Fatalf("central after the rotation: current %s, %d identities", c.srv.Keys().Identity.Recipient(), len(c.srv.Keys().Identities))
	}
	var results []fsync.Result
	w, err := fsync.NewWorker(term.v, term.s, fsync.Options{MaxWait: time.Millisecond, ResultWait: 20 * time.Second,
		Applier: func(tx *vault.Tx, r fsync.Result) error { results = append(results, r); return nil }})
	if err != nil {
		t.Fatal(err)
	}
	if rep, err := w.RunOnce(context.Background()); err != nil || rep.Delivered != 1 {
		t.Fatalf("drain of the packet sealed before the rotation: %+v %v", rep, err)
	}
	stored, err := fsync.LoadEnrolmentFrom(term.s)
	if err != nil || stored.Recipient != newRecipient {
		t.Fatalf("terminal seals to %s after the config pull, want %s (%v)", stored.Recipient, newRecipient, err)
	}
	second := enqueueCases(t, term, 1, "TESTPERSON OSCAR", mk)
	if rep, err := w.RunOnce(context.Background()); err != nil || rep.Delivered != 1 {
		t.Fatalf("drain of the packet sealed after the rotation: %+v %v", rep, err)
	}
	for _, r := range results {
		if r.Type == fsync.ResultRejected {
			t.Fatalf("central could not open a packet: %s", r.Reason)
		}
	}
	if len(results) != 4 { // validated + check for each
		t.Fatalf("results %+v", results)
	}
	out := t.TempDir()
	if n, _, err := central.ExportDir(c.srv.Store(), out); err != nil || n != 2 {
		t.Fatalf("export %d %v", n, err)
	}
	data, _ := os.ReadFile(filepath.Join(out, en.DeviceID+"-"+second[0]+".age"))
	if _, err := fsync.OpenStream(bytes.NewReader(data), second[0], en.DeviceID, oldIDs...); err == nil {
		t.Fatal("the packet sealed after the rotation opens with the old identity: it was sealed to the old recipient")
	}
	for _, id := range []string{first[0], second[0]} {
		if plain := ageDecrypt(t, filepath.Join(c.dir, "age-identity.txt"), filepath.Join(out, en.DeviceID+"-"+id+".age")); len(plain) == 0 {
			t.Fatalf("age -d opened %s to nothing", id)
		}
	}
}
