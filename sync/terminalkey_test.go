package sync_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"testing"

	fsync "github.com/fieldscreen/fieldscreen/sync"
	"github.com/fieldscreen/fieldscreen/sync/central"
	"github.com/fieldscreen/fieldscreen/vault"
)

// TestTerminalKeyOnlyForRolesThatSync (issue 14 item 14): the terminal's Ed25519 key used to
// sit in the enrolment record of the sync class, which technicians hold too, and to stay in
// memory after lock. Now it lives in the signing class: a technician's session reads the
// enrolment without it and cannot sign or send; a supervisor's copy is zeroed at lock.
func TestTerminalKeyOnlyForRolesThatSync(t *testing.T) {
	c := startCentral(t, central.Options{})
	term := newTerminal(t)
	enrol(t, term, c, "")
	if err := term.s.AddUser("tec1", vault.Technician, []byte(testPass)); err != nil {
		t.Fatal(err)
	}
	tec, err := term.v.Unlock("tec1", []byte(testPass))
	if err != nil {
		t.Fatal(err)
	}
	defer tec.Lock()
	en, err := fsync.LoadEnrolmentFrom(tec)
	if err != nil {
		t.Fatalf("the technician cannot read the enrolment (sync status needs it): %v", err)
	}
	if en.Key != nil {
		t.Fatal("a technician's session holds the terminal's private key")
	}
	if _, err := fsync.NewWorker(term.v, tec, fsync.Options{}); !errors.Is(err, fsync.ErrNoTerminalKey) {
		t.Fatalf("a technician's worker: %v, want ErrNoTerminalKey", err)
	}
	// the sync-class record itself carries no key any more
	tec.View(func(tx *vault.Tx) error {
		b, err := tx.Get(vault.Sync, "terminal", "enrolment")
		if err != nil {
			t.Fatal(err)
		}
		var raw map[string]json.RawMessage
		json.Unmarshal(b, &raw)
		if _, ok := raw["key"]; ok {
			t.Error("the enrolment record in the sync class still holds the key")
		}
		return nil
	})
	// a technician cannot enrol again (that would spend a token for a key it cannot keep)
	if _, err := fsync.Enrol(context.Background(), tec, c.url, "unused"); err == nil {
		t.Fatal("a technician enrolled")
	}
	// the supervisor's worker signs; lock zeroes its copy of the key
	w, err := fsync.NewWorker(term.v, term.s, fsync.Options{})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := w.RunOnce(context.Background()); err != nil {
		t.Fatal(err)
	}
	sup, err := fsync.LoadEnrolmentFrom(term.s)
	if err != nil || len(sup.Key) != 64 {
		t.Fatalf("the supervisor's enrolment: %v", err)
	}
	copyOf := sup.Key[:64:64] // the bytes the session handed out
	term.s.Lock()
	if !bytes.Equal(copyOf, make([]byte, 64)) {
		t.Fatal("the terminal key is still in memory after lock")
	}
}

// TestLegacyEnrolmentKeyMoved: an enrolment stored before issue 14 (the key in the sync
// record) is moved into the signing class by the first unlock of a role that holds it.
func TestLegacyEnrolmentKeyMoved(t *testing.T) {
	c := startCentral(t, central.Options{})
	term := newTerminal(t)
	en := enrol(t, term, c, "")
	legacy := *en
	legacy.Key = append([]byte(nil), en.Key...)
	b, _ := json.Marshal(&legacy)
	if err := term.s.Update(func(tx *vault.Tx) error {
		if err := tx.Put(vault.Sync, "terminal", "enrolment", b); err != nil {
			return err
		}
		return tx.Put(vault.Signing, "terminal", "key", make([]byte, 64)) // stale: the legacy record wins until moved
	}); err != nil {
		t.Fatal(err)
	}
	if err := fsync.SeparateKey(term.s); err != nil {
		t.Fatal(err)
	}
	term.s.View(func(tx *vault.Tx) error {
		rec, _ := tx.Get(vault.Sync, "terminal", "enrolment")
		k, _ := tx.Get(vault.Signing, "terminal", "key")
		if bytes.Contains(rec, []byte(`"key"`)) || !bytes.Equal(k, legacy.Key) {
			t.Fatalf("after SeparateKey: sync record %d bytes with key %v, signing key moved %v", len(rec), bytes.Contains(rec, []byte(`"key"`)), bytes.Equal(k, legacy.Key))
		}
		return nil
	})
	w, err := fsync.NewWorker(term.v, term.s, fsync.Options{})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := w.RunOnce(context.Background()); err != nil {
		t.Fatalf("sync after the move: %v", err)
	}
}
