package vault

import (
	"errors"
	"fmt"
	"path/filepath"
	"strings"
	"testing"
	"time"

	bolt "go.etcd.io/bbolt"
)

// TestUnknownUserLooksLikeWrongPassphrase (issue 14 item 13): a name with no slot gets the
// same answer (the same error value and text), the same Argon2id derivation and the same
// backoff as a real name with a wrong passphrase. Before the fix it answered "unknown user"
// at once, with no derivation and no backoff.
func TestUnknownUserLooksLikeWrongPassphrase(t *testing.T) {
	clock := &fakeClock{t: testEpoch}
	v, sup := newTestVault(t, clock)
	addAndUnlock(t, v, sup, "TESTPERSON OFFICER", Officer).Lock()
	try := func(name string) (error, uint64) {
		before := kdfRuns.Load()
		_, err := v.Unlock(name, []byte("a wrong guess"))
		return err, kdfRuns.Load() - before
	}
	for i := 1; i <= freeAttempts; i++ {
		errKnown, runsKnown := try("TESTPERSON OFFICER")
		errUnknown, runsUnknown := try("TESTPERSON NOBODY")
		if errKnown != errUnknown || errKnown.Error() != errUnknown.Error() || !errors.Is(errUnknown, ErrBadPassphrase) {
			t.Fatalf("attempt %d: known name %v, unknown name %v: the answers differ", i, errKnown, errUnknown)
		}
		if runsKnown != 1 || runsUnknown != 1 {
			t.Fatalf("attempt %d: %d derivations for a known name, %d for an unknown one, want 1 each", i, runsKnown, runsUnknown)
		}
	}
	var beKnown, beUnknown *BackoffError
	errKnown, _ := try("TESTPERSON OFFICER")
	errUnknown, runs := try("TESTPERSON NOBODY")
	if !errors.As(errKnown, &beKnown) || !errors.As(errUnknown, &beUnknown) || *beKnown != *beUnknown || runs != 0 {
		t.Fatalf("after %d failures: known %v, unknown %v (%d derivations)", freeAttempts, errKnown, errUnknown, runs)
	}
	// the counters of names with no slot are bounded: the oldest goes
	for i := 0; i < maxUnknownCounters+10; i++ {
		clock.Add(time.Second)
		try(fmt.Sprintf("TESTPERSON SPRAY %d", i))
	}
	n := 0
	v.view(func(btx *bolt.Tx) error {
		return btx.Bucket(bUnlock).ForEach(func(k, _ []byte) error {
			if len(k) == 17 {
				n++
			}
			return nil
		})
	})
	if n != maxUnknownCounters {
		t.Fatalf("%d counters for names with no slot, want the cap %d", n, maxUnknownCounters)
	}
}

// readRaw returns a copy of a raw value in a top-level bucket.
func readRaw(t *testing.T, v *Vault, bucket, key []byte) []byte {
	t.Helper()
	var out []byte
	v.view(func(btx *bolt.Tx) error {
		out = append([]byte(nil), btx.Bucket(bucket).Get(key)...)
		return nil
	})
	return out
}

// TestCounterCopyBack (issue 14 item 7): copying an old failed-unlock counter record back
// (alone, or with the binding record of the same age) no longer buys free guesses: the
// counters are bound to the audit chain, which only grows. Before the fix the copied-back
// counter (0 failures, a valid MAC) let the next guess through.
func TestCounterCopyBack(t *testing.T) {
	for _, withBind := range []bool{false, true} {
		t.Run(fmt.Sprintf("binding copied too %v", withBind), func(t *testing.T) {
			clock := &fakeClock{t: testEpoch}
			v, sup := newTestVault(t, clock)
			const name, good = "TESTPERSON OFFICER", "pass of TESTPERSON OFFICER"
			addAndUnlock(t, v, sup, name, Officer).Lock()
			sup.Lock()
			sk := v.slotKey(name)
			oldCounter := readRaw(t, v, bUnlock, sk)
			oldBind := readRaw(t, v, bMeta, metaUnlockBind)
			for i := 0; i < freeAttempts+2; i++ {
				v.Unlock(name, []byte("guess"))
			}
			var be *BackoffError
			if _, err := v.Unlock(name, []byte(good)); !errors.As(err, &be) {
				t.Fatalf("no backoff after %d failures: %v", freeAttempts+2, err)
			}
			dir := v.Dir()
			if err := v.Close(); err != nil {
				t.Fatal(err)
			}
			// the attacker's edit, with the app closed
			db, err := bolt.Open(filepath.Join(dir, dbName), 0o600, nil)
			if err != nil {
				t.Fatal(err)
			}
			err = db.Update(func(btx *bolt.Tx) error {
				if withBind {
					if err := btx.Bucket(bMeta).Put(metaUnlockBind, oldBind); err != nil {
						return err
					}
				}
				return btx.Bucket(bUnlock).Put(sk, oldCounter)
			})
			db.Close()
			if err != nil {
				t.Fatal(err)
			}
			v2, err := Open(dir, testOptions(clock))
			if err != nil {
				t.Fatal(err)
			}
			defer v2.Close()
			if s, err := v2.Unlock(name, []byte(good)); !errors.As(err, &be) || be.Wait != backoffMax {
				if s != nil {
					s.Lock()
				}
				t.Fatalf("after copying the counter back: %v, want a %v backoff", err, backoffMax)
			}
			clock.Add(backoffMax)
			s, err := v2.Unlock(supName, []byte(supPass))
			if err != nil {
				t.Fatalf("after the penalty: %v", err)
			}
			aud := addAndUnlock(t, v2, s, "TESTPERSON AUDITOR", Auditor)
			if es, _ := aud.AuditEntries(AuditFilter{Action: "unlock.counter-invalid"}); len(es) == 0 {
				t.Fatal("the copy-back was not audited")
			}
		})
	}
}

// TestUnauthenticatedAuditCap (issue 14 item 1): failed and refused unlocks need no
// passphrase, so they may add only unauthPerWindow entries per window; the rest are counted
// and written as one summary entry when the window is over (or at the next successful
// unlock). Before the fix 300 attempts added 300 entries.
func TestUnauthenticatedAuditCap(t *testing.T) {
	clock := &fakeClock{t: testEpoch.Truncate(time.Hour)}
	v, sup := newTestVault(t, clock)
	aud := addAndUnlock(t, v, sup, "TESTPERSON AUDITOR", Auditor)
	aud.Lock()
	sup.Lock()
	entries := func() uint64 {
		rep, err := v.VerifyAudit()
		if err != nil {
			t.Fatal(err)
		}
		return rep.Entries
	}
	start := entries()
	for i := 0; i < 300; i++ {
		clock.Add(time.Second)
		v.Unlock(fmt.Sprintf("TESTPERSON GUESS %d", i%40), []byte("guess")) // unknown names, failed and refused
	}
	if grew := entries() - start; grew != unauthPerWindow {
		t.Fatalf("300 unauthenticated attempts in one window added %d entries, want the cap %d", grew, unauthPerWindow)
	}
	clock.Add(unauthWindow)
	v.Unlock("TESTPERSON GUESS X", []byte("guess"))
	if grew := entries() - start; grew != unauthPerWindow+2 { // the summary and the new window's first entry
		t.Fatalf("next window: %d entries since the start, want %d", grew, unauthPerWindow+2)
	}
	a, err := v.Unlock("TESTPERSON AUDITOR", []byte("pass of TESTPERSON AUDITOR"))
	if err != nil {
		t.Fatal(err)
	}
	sum, err := a.AuditEntries(AuditFilter{Action: "unlock.suppressed"})
	if err != nil || len(sum) != 1 || !strings.Contains(sum[0].Detail, "280 unauthenticated unlock attempts") {
		t.Fatalf("summary entries %+v %v", sum, err)
	}
	// a successful unlock writes a pending summary at once
	for i := 0; i < unauthPerWindow+5; i++ {
		v.Unlock(fmt.Sprintf("TESTPERSON LATER %d", i), []byte("guess"))
	}
	a.Lock()
	a, err = v.Unlock("TESTPERSON AUDITOR", []byte("pass of TESTPERSON AUDITOR"))
	if err != nil {
		t.Fatal(err)
	}
	sum, _ = a.AuditEntries(AuditFilter{Action: "unlock.suppressed"})
	if len(sum) != 2 || !strings.Contains(sum[1].Detail, "unknown user 6;") {
		t.Fatalf("summary at unlock: %+v", sum)
	}
}
