package app

import (
	"errors"
	"path/filepath"
	"testing"
	"time"

	"github.com/fieldscreen/fieldscreen/vault"
)

const testPass = "correct horse battery staple"

// newTestTerminal makes a terminal with a fresh vault and its first supervisor "sup".
func newTestTerminal(t testing.TB, idle time.Duration) *Terminal {
	t.Helper()
	cfg := DefaultConfig()
	cfg.VaultDir = filepath.Join(t.TempDir(), "vault")
	cfg.IdleTimeout = idle
	term, err := OpenTerminal(cfg, vault.Options{KDF: vault.TestKDF()})
	if err != nil {
		t.Fatal(err)
	}
	if !term.NeedsSetup() {
		t.Fatal("a new directory should need setup")
	}
	if err := term.Setup("sup", []byte(testPass)); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { term.Close() })
	return term
}

func TestSetupRefusesWeakInput(t *testing.T) {
	cfg := DefaultConfig()
	cfg.VaultDir = filepath.Join(t.TempDir(), "vault")
	term, err := OpenTerminal(cfg, vault.Options{KDF: vault.TestKDF()})
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct{ user, pass string }{
		{"sup", "short"},
		{"", testPass},
		{"bad\x01name", testPass},
	} {
		if err := term.Setup(tc.user, []byte(tc.pass)); err == nil {
			t.Errorf("Setup(%q, %q) succeeded, want refusal", tc.user, tc.pass)
		}
	}
	if !term.NeedsSetup() || vault.Exists(cfg.VaultDir) {
		t.Fatal("a refused setup must not leave a vault behind")
	}
}

func TestIdleLockDropsKeys(t *testing.T) {
	// Wall-clock margins wide enough for a loaded CI machine: each gap between touches is a
	// third of the idle time, and the touches span almost twice the idle time.
	term := newTestTerminal(t, time.Second)
	s, err := term.Unlock("sup", []byte(testPass))
	if err != nil {
		t.Fatal(err)
	}
	locked := make(chan LockReason, 1)
	s.OnLock(func(r LockReason) { locked <- r })
	// activity keeps it open past the idle time
	for i := 0; i < 6; i++ {
		time.Sleep(300 * time.Millisecond)
		s.Touch()
	}
	if s.Locked() {
		t.Fatal("session locked despite activity")
	}
	select {
	case r := <-locked:
		if r != LockedIdle {
			t.Fatalf("lock reason %v, want idle", r)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("session never locked after the idle time")
	}
	err = s.Vault().View(func(tx *vault.Tx) error { _, err := tx.CaseIDs(); return err })
	if !errors.Is(err, vault.ErrLocked) {
		t.Fatalf("vault use after idle lock: %v, want ErrLocked", err)
	}
}

func TestLockByUserRunsCallbacksOnce(t *testing.T) {
	term := newTestTerminal(t, time.Hour)
	s, err := term.Unlock("sup", []byte(testPass))
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	s.OnLock(func(r LockReason) {
		if r != LockedByUser {
			t.Errorf("reason %v", r)
		}
		n++
	})
	s.Lock(LockedByUser)
	s.Lock(LockedByUser)
	if n != 1 || !s.Locked() || s.IdleRemaining() != 0 {
		t.Fatalf("callbacks %d, locked %v", n, s.Locked())
	}
}

func TestReopenExistingVaultNeedsNoSetup(t *testing.T) {
	term := newTestTerminal(t, time.Hour)
	dir := term.Config().VaultDir
	term.Close()
	again, err := OpenTerminal(term.Config(), vault.Options{KDF: vault.TestKDF()})
	if err != nil {
		t.Fatal(err)
	}
	defer again.Close()
	if again.NeedsSetup() {
		t.Fatalf("vault at %s exists but setup requested", dir)
	}
	names, err := again.UserNames()
	if err != nil || len(names) != 1 || names[0] != "sup" {
		t.Fatalf("user names %v, %v", names, err)
	}
}

func TestConfigFile(t *testing.T) {
	p := filepath.Join(t.TempDir(), "settings.json")
	c := DefaultConfig()
	c.Language = "nl"
	c.IdleTimeout = 2 * time.Minute
	if err := c.Save(p); err != nil {
		t.Fatal(err)
	}
	got, err := LoadConfig(p)
	if err != nil {
		t.Fatal(err)
	}
	if got.Language != "nl" || got.IdleTimeout != 2*time.Minute {
		t.Fatalf("loaded %+v", got)
	}
	missing, err := LoadConfig(filepath.Join(t.TempDir(), "none.json"))
	if err != nil || missing.IdleTimeout != DefaultIdleTimeout {
		t.Fatalf("missing file: %+v %v", missing, err)
	}
}
