package vault

import (
	"bytes"
	"errors"
	"testing"
	"time"

	bolt "go.etcd.io/bbolt"
)

func TestChangePassphrase(t *testing.T) {
	v, sup := newTestVault(t, nil)
	officer := addAndUnlock(t, v, sup, "TESTPERSON OFFICER", Officer)
	id := putCase(t, officer, Core, "person", []byte("alpha"))
	if err := officer.ChangePassphrase([]byte("not the passphrase"), []byte("new one")); !errors.Is(err, ErrBadPassphrase) {
		t.Fatalf("change with a wrong old passphrase: %v", err)
	}
	if err := officer.ChangePassphrase([]byte("pass of TESTPERSON OFFICER"), []byte("new one")); err != nil {
		t.Fatal(err)
	}
	if _, err := v.Unlock("TESTPERSON OFFICER", []byte("pass of TESTPERSON OFFICER")); !errors.Is(err, ErrBadPassphrase) {
		t.Fatalf("old passphrase after change: %v", err)
	}
	s2, err := v.Unlock("TESTPERSON OFFICER", []byte("new one"))
	if err != nil {
		t.Fatalf("new passphrase: %v", err)
	}
	if got, err := getCase(s2, id, Core, "person"); err != nil || string(got) != "alpha" {
		t.Fatalf("data after passphrase change: %q %v", got, err)
	}
	// Exactly one slot generation (the second) is left.
	var gens []uint32
	v.view(func(btx *bolt.Tx) error {
		sk := v.slotKey("TESTPERSON OFFICER")
		c := btx.Bucket(bSlots).Cursor()
		for k, _ := c.Seek(sk); k != nil && bytes.HasPrefix(k, sk); k, _ = c.Next() {
			gens = append(gens, uint32(k[19]))
		}
		return nil
	})
	if len(gens) != 1 || gens[0] != 2 {
		t.Fatalf("slot generations after change: %v", gens)
	}
	s2.Lock()
	if err := s2.ChangePassphrase([]byte("new one"), []byte("x")); !errors.Is(err, ErrLocked) {
		t.Fatalf("change on a locked session: %v", err)
	}
}

func TestRemoveUserRotatesKeys(t *testing.T) {
	v, sup := newTestVault(t, nil)
	leaving := addAndUnlock(t, v, sup, "TESTPERSON LEAVING", Officer)
	staying := addAndUnlock(t, v, sup, "TESTPERSON STAYING", Officer)
	oldCase := putCase(t, leaving, Biometric, "face", []byte("old face"))

	// Keep a copy of the leaving user's keys, as a user who dumped memory would.
	copied := map[keyRef][]byte{}
	for r, k := range leaving.keys {
		copied[r] = append([]byte(nil), k...)
	}
	leaving.Lock()
	if err := sup.RemoveUser("TESTPERSON LEAVING"); err != nil {
		t.Fatal(err)
	}
	if _, err := v.Unlock("TESTPERSON LEAVING", []byte("pass of TESTPERSON LEAVING")); !errors.Is(err, ErrBadLogin) {
		t.Fatalf("removed user unlocks: %v", err)
	}
	if err := sup.RemoveUser("TESTPERSON LEAVING"); !errors.Is(err, ErrUnknownUser) {
		t.Fatalf("removing twice: %v", err)
	}
	names, _ := v.UserNames()
	for _, n := range names {
		if n == "TESTPERSON LEAVING" {
			t.Fatal("removed user still listed")
		}
	}
	// The session of the user who stayed (unlocked before the rotation) writes with the new version.
	newCase := putCase(t, staying, Biometric, "face", []byte("new face"))
	var oldVer, newVer uint32
	v.view(func(btx *bolt.Tx) error {
		env, _ := parseEnvelope(btx.Bucket(bCases).Bucket([]byte(oldCase)).Bucket(bCaseKey).Get([]byte{tagBiometric}))
		oldVer = env.keyVer
		env, _ = parseEnvelope(btx.Bucket(bCases).Bucket([]byte(newCase)).Bucket(bCaseKey).Get([]byte{tagBiometric}))
		newVer = env.keyVer
		return nil
	})
	if oldVer != 1 || newVer != 2 {
		t.Fatalf("biometric key versions old %d new %d, want 1 and 2", oldVer, newVer)
	}
	// The copied keys open the old case's data key but not the new one's.
	opens := func(id CaseID) bool {
		ok := false
		v.view(func(btx *bolt.Tx) error {
			env, _ := parseEnvelope(btx.Bucket(bCases).Bucket([]byte(id)).Bucket(bCaseKey).Get([]byte{tagBiometric}))
			for _, k := range copied {
				if _, err := openSym(k, dekAAD(id, tagBiometric, env.keyVer), env.box); err == nil {
					ok = true
				}
			}
			return nil
		})
		return ok
	}
	if !opens(oldCase) || opens(newCase) {
		t.Fatalf("copied keys: old case %v (want true), new case %v (want false)", opens(oldCase), opens(newCase))
	}
	// Remaining and newly added users read both.
	late := addAndUnlock(t, v, sup, "TESTPERSON LATE", Officer)
	for _, s := range []*Session{staying, late} {
		for id, want := range map[CaseID]string{oldCase: "old face", newCase: "new face"} {
			if got, err := getCase(s, id, Biometric, "face"); err != nil || string(got) != want {
				t.Fatalf("%s reads %s: %q %v", s.User(), id, got, err)
			}
		}
	}
}

func TestRemoveSupervisorRotatesGrantKey(t *testing.T) {
	v, sup := newTestVault(t, nil)
	sup2 := addAndUnlock(t, v, sup, "TESTPERSON SUPERVISOR TWO", Supervisor)
	id := putCase(t, sup, Core, "person", []byte("alpha"))
	if err := sup.RemoveUser(supName); err == nil {
		t.Fatal("a supervisor removed themself")
	}
	if err := sup2.RemoveUser(supName); err != nil {
		t.Fatal(err)
	}
	if err := sup2.RemoveUser("TESTPERSON SUPERVISOR TWO"); err == nil {
		t.Fatal("the last supervisor removed themself")
	}
	var grantVer, coreVer uint32
	v.view(func(btx *bolt.Tx) error {
		grantVer, coreVer = keyring{btx}.cur(tagGrant), keyring{btx}.cur(tagCore)
		return nil
	})
	if grantVer != 2 || coreVer != 2 {
		t.Fatalf("after removing a supervisor: grant version %d, core version %d; want 2 and 2", grantVer, coreVer)
	}
	// The remaining supervisor still grants keys: a new medic reads old core data.
	medic := addAndUnlock(t, v, sup2, "TESTPERSON MEDIC", Medic)
	if got, err := getCase(medic, id, Core, "person"); err != nil || string(got) != "alpha" {
		t.Fatalf("medic added after rotation: %q %v", got, err)
	}
	users, err := sup2.Users()
	if err != nil || len(users) != 2 || users[0].Name != "TESTPERSON MEDIC" || users[1].Role != Supervisor {
		t.Fatalf("Users = %+v %v", users, err)
	}
	var pe *PermissionError
	if _, err := medic.Users(); !errors.As(err, &pe) {
		t.Fatalf("medic lists users: %v", err)
	}
}

func TestUnlockBackoff(t *testing.T) {
	clock := &fakeClock{t: testEpoch}
	v, sup := newTestVault(t, clock)
	auditor := addAndUnlock(t, v, sup, "TESTPERSON AUDITOR", Auditor)
	const name, good = "TESTPERSON OFFICER", "pass of TESTPERSON OFFICER"
	addAndUnlock(t, v, sup, name, Officer).Lock()
	bad := []byte("guess")
	for i := 1; i <= freeAttempts; i++ {
		if _, err := v.Unlock(name, bad); !errors.Is(err, ErrBadPassphrase) {
			t.Fatalf("failure %d: %v", i, err)
		}
	}
	var be *BackoffError
	// Even the right passphrase is refused during the wait, without a derivation.
	if _, err := v.Unlock(name, []byte(good)); !errors.As(err, &be) || be.Failures != 3 || be.Wait != backoffBase {
		t.Fatalf("after 3 failures: %v", err)
	}
	clock.Add(backoffBase - time.Second)
	if _, err := v.Unlock(name, bad); !errors.As(err, &be) || be.Wait != time.Second {
		t.Fatalf("1 s before the end of the wait: %v", err)
	}
	clock.Add(time.Second)
	if _, err := v.Unlock(name, bad); !errors.Is(err, ErrBadPassphrase) {
		t.Fatalf("after the wait: %v", err)
	}
	if _, err := v.Unlock(name, bad); !errors.As(err, &be) || be.Failures != 4 || be.Wait != 2*backoffBase {
		t.Fatalf("after 4 failures: %v", err)
	}
	// Backoff is per user: the supervisor is not slowed down.
	if s, err := v.Unlock(supName, []byte(supPass)); err != nil {
		t.Fatalf("other user during backoff: %v", err)
	} else {
		s.Lock()
	}
	clock.Add(2 * backoffBase)
	s, err := v.Unlock(name, []byte(good))
	if err != nil {
		t.Fatal(err)
	}
	if s.FailedUnlocksBefore() != 4 {
		t.Fatalf("FailedUnlocksBefore = %d, want 4", s.FailedUnlocksBefore())
	}
	// Success resets the counter.
	for i := 0; i < freeAttempts; i++ {
		if _, err := v.Unlock(name, bad); !errors.Is(err, ErrBadPassphrase) {
			t.Fatalf("after reset, failure %d: %v", i+1, err)
		}
	}
	// The wait is capped.
	for i := 0; i < 12; i++ {
		clock.Add(backoffMax)
		v.Unlock(name, bad)
	}
	if _, err := v.Unlock(name, bad); !errors.As(err, &be) || be.Wait != backoffMax {
		t.Fatalf("capped wait: %v", err)
	}
	// Failed unlocks are audited.
	failed, err := auditor.AuditEntries(AuditFilter{Action: "unlock.failed"})
	if err != nil || len(failed) != 4+freeAttempts+12 {
		t.Fatalf("audited failures = %d %v", len(failed), err)
	}
	refused, _ := auditor.AuditEntries(AuditFilter{Action: "unlock.refused"})
	if len(refused) < 4 {
		t.Fatalf("audited refusals = %d", len(refused))
	}
}

func TestUnlockCounterTamper(t *testing.T) {
	clock := &fakeClock{t: testEpoch}
	v, sup := newTestVault(t, clock)
	addAndUnlock(t, v, sup, "TESTPERSON OFFICER", Officer).Lock()
	sk := v.slotKey("TESTPERSON OFFICER")
	// Resetting the counter by hand (failures = 0, a forged MAC) does not give free attempts.
	flipRaw(t, v, [][]byte{bUnlock}, sk, 14)
	var be *BackoffError
	if _, err := v.Unlock("TESTPERSON OFFICER", []byte("pass of TESTPERSON OFFICER")); !errors.As(err, &be) || be.Wait != backoffMax {
		t.Fatalf("forged counter: %v", err)
	}
	// Deleting it is the same.
	clock.Add(backoffMax)
	if _, err := v.Unlock("TESTPERSON OFFICER", []byte("pass of TESTPERSON OFFICER")); err != nil {
		t.Fatalf("after the wait: %v", err)
	}
	if err := v.update(func(btx *bolt.Tx) error { return btx.Bucket(bUnlock).Delete(sk) }); err != nil {
		t.Fatal(err)
	}
	if _, err := v.Unlock("TESTPERSON OFFICER", []byte("pass of TESTPERSON OFFICER")); !errors.As(err, &be) {
		t.Fatalf("deleted counter: %v", err)
	}
}

// TestSessionConcurrentUseAndLock saves from several goroutines on one session while another
// locks it: every save either commits whole or fails with ErrLocked.
func TestSessionConcurrentUseAndLock(t *testing.T) {
	v, s := newTestVault(t, nil)
	const workers, each = 4, 20
	errs := make(chan error, workers*each)
	saved := make(chan CaseID, workers*each)
	done := make(chan struct{})
	for w := 0; w < workers; w++ {
		go func() {
			defer func() { done <- struct{}{} }()
			for i := 0; i < each; i++ {
				var id CaseID
				err := s.Update(func(tx *Tx) error {
					var err error
					if id, err = tx.NewCase(); err != nil {
						return err
					}
					return tx.PutCase(id, Core, "summary", []byte(id))
				})
				if err != nil {
					errs <- err
					continue
				}
				saved <- id
			}
		}()
	}
	time.Sleep(5 * time.Millisecond)
	s.Lock()
	for w := 0; w < workers; w++ {
		<-done
	}
	close(errs)
	close(saved)
	for err := range errs {
		if !errors.Is(err, ErrLocked) {
			t.Fatalf("save during lock: %v", err)
		}
	}
	s2, err := v.Unlock(supName, []byte(supPass))
	if err != nil {
		t.Fatal(err)
	}
	for id := range saved {
		if got, err := getCase(s2, id, Core, "summary"); err != nil || string(got) != string(id) {
			t.Fatalf("case %s: %q %v", id, got, err)
		}
	}
}

// TestTrainedForMinors: only a supervisor records the minors' training (Eurodac Art 14(1)), as
// a sealed staff credential; the user reads their own entry; the change is audited and
// survives a passphrase change.
func TestTrainedForMinors(t *testing.T) {
	v, sup := newTestVault(t, nil)
	officer := addAndUnlock(t, v, sup, "TESTPERSON OFFICER", Officer)
	if u, err := officer.Self(); err != nil || u.TrainedForMinors || u.Role != Officer {
		t.Fatalf("before: %+v %v", u, err)
	}
	if err := officer.SetTrainedForMinors("TESTPERSON OFFICER", true); err == nil {
		t.Fatal("an officer recorded their own training")
	}
	if err := sup.SetTrainedForMinors("nobody", true); !errors.Is(err, ErrUnknownUser) {
		t.Fatalf("unknown user: %v", err)
	}
	if err := sup.SetTrainedForMinors("testperson officer", true); err != nil {
		t.Fatal(err)
	}
	if u, err := officer.Self(); err != nil || !u.TrainedForMinors {
		t.Fatalf("after: %+v %v", u, err)
	}
	if err := officer.ChangePassphrase([]byte("pass of TESTPERSON OFFICER"), []byte("new one")); err != nil {
		t.Fatal(err)
	}
	users, err := sup.Users()
	if err != nil {
		t.Fatal(err)
	}
	for _, u := range users {
		if u.Name == "TESTPERSON OFFICER" && !u.TrainedForMinors {
			t.Fatalf("training lost: %+v", u)
		}
	}
	aud := addAndUnlock(t, v, sup, "TESTPERSON AUDITOR", Auditor)
	evs, err := aud.AuditEntries(AuditFilter{Action: "user.trained-minors"})
	if err != nil || len(evs) != 1 {
		t.Fatalf("the training change is not audited once: %v %v", evs, err)
	}
}
