package vault

import (
	"errors"
	"testing"
)

// TestUnlockForOpensOnlyItsClasses: a co-signer's session from UnlockFor reads the one class
// it was opened for and no other, though the role holds more (a medic co-signing an access
// report opens health, not core); it keeps no private key to open another grant; a wrong
// passphrase is ErrBadLogin as for Unlock.
func TestUnlockForOpensOnlyItsClasses(t *testing.T) {
	v, sup := newTestVault(t, nil)
	medic := addAndUnlock(t, v, sup, "medic-1", Medic)
	id := putCase(t, sup, Core, "case", []byte("core value"))
	if err := medic.Update(func(tx *Tx) error { return tx.PutCase(id, Health, "health", []byte("SYNTHETIC finding")) }); err != nil {
		t.Fatal(err)
	}
	medic.Lock()

	if _, err := v.UnlockFor("medic-1", []byte("not the passphrase"), Health); !errors.Is(err, ErrBadLogin) {
		t.Fatalf("wrong passphrase: %v, want ErrBadLogin", err)
	}
	co, err := v.UnlockFor("medic-1", []byte("pass of medic-1"), Health)
	if err != nil {
		t.Fatal(err)
	}
	defer co.Lock()
	for ref := range co.keys {
		if ref.tag != tagHealth {
			t.Errorf("the co-signer's session holds a key of class tag %d", ref.tag)
		}
	}
	if co.priv != nil {
		t.Error("the co-signer's session keeps the private key")
	}
	err = co.View(func(tx *Tx) error {
		b, err := tx.GetCase(id, Health, "health")
		if err != nil || string(b) != "SYNTHETIC finding" {
			t.Errorf("health read: %q %v", b, err)
		}
		var pe *PermissionError
		if _, err := tx.GetCase(id, Core, "case"); !errors.As(err, &pe) {
			t.Errorf("core read by a session opened for health: %v, want *PermissionError", err)
		}
		if tx.Can(Core, false) || !tx.Can(Health, false) {
			t.Errorf("Can: core %v, health %v", tx.Can(Core, false), tx.Can(Health, false))
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := co.AuditEntries(AuditFilter{}); err == nil {
		t.Error("a medic's health-only session reads the audit log")
	}
	if _, err := v.UnlockFor("medic-1", []byte("pass of medic-1"), Class("nonsense")); err == nil {
		t.Error("UnlockFor an unknown class succeeded")
	}
}
