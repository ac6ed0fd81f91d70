package vault

import (
	"bytes"
	"errors"
	"testing"

	bolt "go.etcd.io/bbolt"
)

// TestGrantTable pins the default matrix of the API contract.
func TestGrantTable(t *testing.T) {
	type want struct {
		read, write []Class
		manage      bool
	}
	table := map[Role]want{
		Officer:    {read: []Class{Core, Biometric, Devices, Sync, Oversight, Signing}, write: []Class{Core, Biometric, Sync, Oversight, Signing}},
		Registrar:  {read: []Class{Core, Devices, Sync, Oversight, Signing}, write: []Class{Core, Sync, Oversight, Signing}},
		Medic:      {read: []Class{Health, Core, Sync, Oversight, Signing}, write: []Class{Health, Core, Sync, Oversight, Signing}},
		Supervisor: {read: []Class{Core, Sync, Oversight, Signing}, write: []Class{Core, Sync, Oversight, Signing}, manage: true},
		Technician: {read: []Class{Devices, Sync}, write: []Class{Devices, Sync}},
		Auditor:    {read: []Class{Audit}},
		// Screening Art 10: the monitoring mechanism reads summaries and the audit log only.
		Monitor: {read: []Class{Oversight, Audit}},
	}
	for _, r := range Roles() {
		w := table[r]
		for _, c := range Classes() {
			if got, exp := r.Can(c, false), contains(w.read, c); got != exp {
				t.Errorf("%s read %s = %v, want %v", r, c, got, exp)
			}
			if got, exp := r.Can(c, true), contains(w.write, c); got != exp {
				t.Errorf("%s write %s = %v, want %v", r, c, got, exp)
			}
		}
		if r.ManagesUsers() != w.manage {
			t.Errorf("%s manages users = %v", r, r.ManagesUsers())
		}
		if p, err := ParseRole(string(r)); err != nil || p != r {
			t.Errorf("ParseRole(%s) = %v, %v", r, p, err)
		}
	}
	if _, err := ParseRole("root"); err == nil {
		t.Error("ParseRole accepted an unknown role")
	}
}

func contains(cs []Class, c Class) bool {
	for _, x := range cs {
		if x == c {
			return true
		}
	}
	return false
}

// heldKeyTags lists the distinct key tags a session holds (after loading every grant it has).
func heldKeyTags(s *Session) map[byte]bool {
	out := map[byte]bool{}
	for ref := range s.keys {
		out[ref.tag] = true
	}
	return out
}

// canOpenDEK reports whether any key the session holds opens the case's wrapped data key for c.
func canOpenDEK(t *testing.T, v *Vault, s *Session, id CaseID, c Class) bool {
	t.Helper()
	tag := classTags[c]
	opened := false
	err := v.view(func(btx *bolt.Tx) error {
		w := btx.Bucket(bCases).Bucket([]byte(id)).Bucket(bCaseKey).Get([]byte{tag})
		env, err := parseEnvelope(w)
		if err != nil {
			return err
		}
		for _, k := range s.keys {
			if _, err := openSym(k, dekAAD(id, tag, env.keyVer), env.box); err == nil {
				opened = true
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return opened
}

func TestRolesSeparateData(t *testing.T) {
	v, sup := newTestVault(t, nil)
	officer := addAndUnlock(t, v, sup, "TESTPERSON OFFICER", Officer)
	medic := addAndUnlock(t, v, sup, "TESTPERSON MEDIC", Medic)
	tech := addAndUnlock(t, v, sup, "TESTPERSON TECH", Technician)
	auditor := addAndUnlock(t, v, sup, "TESTPERSON AUDITOR", Auditor)
	monitor := addAndUnlock(t, v, sup, "TESTPERSON MONITOR", Monitor)

	id := putCase(t, officer, Core, "person", []byte(`{"name":"TESTPERSON ALPHA"}`))
	if err := officer.Update(func(tx *Tx) error {
		return tx.PutCase(id, Biometric, "finger-01", []byte("ridge bytes"))
	}); err != nil {
		t.Fatal(err)
	}
	health := []byte(`{"condition":"synthetic"}`)
	if err := medic.Update(func(tx *Tx) error { return tx.PutCase(id, Health, "check", health) }); err != nil {
		t.Fatal(err)
	}

	// The medic reads health and core; the officer cannot read health.
	if got, err := getCase(medic, id, Health, "check"); err != nil || !bytes.Equal(got, health) {
		t.Fatalf("medic health = %q, %v", got, err)
	}
	if _, err := getCase(medic, id, Core, "person"); err != nil {
		t.Fatalf("medic core read: %v", err)
	}
	var pe *PermissionError
	if _, err := getCase(officer, id, Health, "check"); !errors.As(err, &pe) || pe.Class != Health || pe.Role != Officer {
		t.Fatalf("officer health read: %v, want *PermissionError", err)
	}
	if canOpenDEK(t, v, officer, id, Health) {
		t.Fatal("the officer's session holds a key that opens the health data key")
	}
	// The medic may not read biometrics (core write is granted for the health outcome; the
	// app layer limits what medics change on a case).
	if _, err := getCase(medic, id, Biometric, "person"); !errors.As(err, &pe) || pe.Class != Biometric {
		t.Fatalf("medic biometric read: %v, want *PermissionError", err)
	}

	// Technician, auditor and monitor: a permission error, and no key that opens any personal
	// class of the case (the monitor's oversight key opens only the oversight class).
	for _, s := range []*Session{tech, auditor, monitor} {
		for _, c := range []Class{Core, Biometric, Health} {
			_, err := getCase(s, id, c, "person")
			if !errors.As(err, &pe) {
				t.Fatalf("%s reads %s: %v, want *PermissionError", s.Role(), c, err)
			}
			if canOpenDEK(t, v, s, id, c) {
				t.Fatalf("%s session holds a key that opens %s", s.Role(), c)
			}
		}
		held := heldKeyTags(s)
		for _, c := range []Class{Core, Biometric, Health} {
			if held[classTags[c]] {
				t.Fatalf("%s holds a %s key", s.Role(), c)
			}
		}
		if pe.Error() != "role "+string(s.Role())+" may not read health data" {
			t.Fatalf("message %q", pe.Error())
		}
	}
	// A technician pairs devices; an officer reads the pairings (to refuse unpaired
	// scanners) but may not change them.
	if err := tech.Update(func(tx *Tx) error { return tx.Put(Devices, "pairings", "scanner-1", []byte("identity")) }); err != nil {
		t.Fatal(err)
	}
	if err := officer.View(func(tx *Tx) error { _, err := tx.Get(Devices, "pairings", "scanner-1"); return err }); err != nil {
		t.Fatalf("officer reads pairings: %v", err)
	}
	if err := officer.Update(func(tx *Tx) error { return tx.Put(Devices, "pairings", "scanner-2", []byte("x")) }); !errors.As(err, &pe) || !pe.Write {
		t.Fatalf("officer writes pairings: %v", err)
	}
	// Only managers administer users; only auditors read the audit log.
	if err := officer.AddUser("TESTPERSON X", Officer, []byte("p")); !errors.As(err, &pe) {
		t.Fatalf("officer AddUser: %v", err)
	}
	if _, err := sup.AuditEntries(AuditFilter{}); !errors.As(err, &pe) {
		t.Fatalf("supervisor reads audit: %v", err)
	}
	if _, err := auditor.AuditEntries(AuditFilter{}); err != nil {
		t.Fatalf("auditor reads audit: %v", err)
	}
	// Nobody writes the audit class through Put.
	if err := auditor.Update(func(tx *Tx) error { return tx.Put(Audit, "x", "y", nil) }); !errors.As(err, &pe) {
		t.Fatalf("Put(Audit): %v", err)
	}
}

func TestPurgeShredsCase(t *testing.T) {
	clock := &fakeClock{t: testEpoch}
	v, sup := newTestVault(t, clock)
	officer := addAndUnlock(t, v, sup, "TESTPERSON OFFICER", Officer)
	id := putCase(t, officer, Core, "person", []byte("alpha"))
	keep := putCase(t, officer, Core, "person", []byte("beta"))
	if err := officer.Update(func(tx *Tx) error { return tx.PutCase(id, Biometric, "face", []byte("img")) }); err != nil {
		t.Fatal(err)
	}
	clock.Add(72 * 3600e9)
	if err := officer.Update(func(tx *Tx) error { return tx.PurgeCase(id) }); err != nil {
		t.Fatal(err)
	}
	err := officer.View(func(tx *Tx) error {
		if _, err := tx.GetCase(id, Core, "person"); !errors.Is(err, ErrNotFound) {
			t.Errorf("purged case read: %v", err)
		}
		at, ok, err := tx.Purged(id)
		if err != nil || !ok || !at.Equal(clock.Now()) {
			t.Errorf("tombstone = %v %v %v", at, ok, err)
		}
		ids, _ := tx.CaseIDs()
		if len(ids) != 1 || ids[0] != keep {
			t.Errorf("CaseIDs after purge = %v", ids)
		}
		if got, err := tx.GetCase(keep, Core, "person"); err != nil || string(got) != "beta" {
			t.Errorf("other case = %q %v", got, err)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	// No wrapped key and no record of the case is left in the file's live data.
	err = v.view(func(btx *bolt.Tx) error {
		if btx.Bucket(bCases).Bucket([]byte(id)) != nil {
			t.Error("case bucket survived the purge")
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if err := officer.Update(func(tx *Tx) error { return tx.PurgeCase(id) }); !errors.Is(err, ErrNotFound) {
		t.Fatalf("second purge: %v", err)
	}
	if err := officer.Update(func(tx *Tx) error { return tx.PutCase(id, Core, "person", []byte("again")) }); !errors.Is(err, ErrNotFound) {
		t.Fatalf("write to a purged case: %v", err)
	}
}

// TestMonitorReadsOversightOnly: the monitoring mechanism (Screening Art 10) reads the
// pseudonymised summaries an officer writes and the audit log, may write neither, and holds
// no key that opens a personal class of the case, whatever the app asks.
func TestMonitorReadsOversightOnly(t *testing.T) {
	v, sup := newTestVault(t, nil)
	officer := addAndUnlock(t, v, sup, "TESTPERSON OFFICER", Officer)
	monitor := addAndUnlock(t, v, sup, "TESTPERSON MONITOR", Monitor)
	id := putCase(t, officer, Core, "person", []byte(`{"name":"TESTPERSON ALPHA"}`))
	if err := officer.Update(func(tx *Tx) error {
		if err := tx.PutCase(id, Biometric, "face", []byte("face bytes")); err != nil {
			return err
		}
		return tx.Put(Oversight, "cases", string(id), []byte(`{"trigger":"ART5_1_A_IRREGULAR_CROSSING"}`))
	}); err != nil {
		t.Fatal(err)
	}
	var got []byte
	if err := monitor.View(func(tx *Tx) error {
		return tx.ForEach(Oversight, "cases", func(k string, v []byte) error { got = v; return nil })
	}); err != nil || !bytes.Contains(got, []byte("ART5_1_A")) {
		t.Fatalf("monitor reads oversight: %q %v", got, err)
	}
	var pe *PermissionError
	if err := monitor.Update(func(tx *Tx) error { return tx.Put(Oversight, "cases", string(id), []byte("{}")) }); !errors.As(err, &pe) || !pe.Write {
		t.Fatalf("monitor writes oversight: %v", err)
	}
	if _, err := monitor.AuditEntries(AuditFilter{}); err != nil {
		t.Fatalf("monitor reads the audit log: %v", err)
	}
	held := heldKeyTags(monitor)
	for _, c := range Classes() {
		if want := c == Oversight || c == Audit; held[classTags[c]] != want {
			t.Errorf("monitor holds a %s key: %v, want %v", c, held[classTags[c]], want)
		}
	}
	for _, c := range []Class{Core, Biometric} {
		if canOpenDEK(t, v, monitor, id, c) {
			t.Fatalf("the monitor's session holds a key that opens %s", c)
		}
		if _, err := getCase(monitor, id, c, "person"); !errors.As(err, &pe) {
			t.Fatalf("monitor reads %s: %v, want *PermissionError", c, err)
		}
	}
}

// TestOlderVaultGainsOversightKey: a vault made before the oversight class existed gets the
// class's first key at the next unlock (no secret needed), so saving a case keeps working.
func TestOlderVaultGainsOversightKey(t *testing.T) {
	v, sup := newTestVault(t, nil)
	officer := addAndUnlock(t, v, sup, "TESTPERSON OFFICER", Officer)
	officer.Lock()
	// Make the vault look older: no oversight key version and no grants of it.
	if err := v.update(func(btx *bolt.Tx) error {
		keys := btx.Bucket(bKeys)
		if err := keys.Bucket(bCur).Delete([]byte{tagOversight}); err != nil {
			return err
		}
		if err := keys.Bucket(bEscrow).Delete(refKey(tagOversight, 1)); err != nil {
			return err
		}
		c := keys.Bucket(bGrants).Cursor()
		for k, _ := c.First(); k != nil; k, _ = c.Next() {
			if len(k) == 21 && k[16] == tagOversight {
				if err := c.Delete(); err != nil {
					return err
				}
			}
		}
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	s, err := v.Unlock("TESTPERSON OFFICER", []byte("pass of TESTPERSON OFFICER"))
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Update(func(tx *Tx) error { return tx.Put(Oversight, "cases", "x", []byte("{}")) }); err != nil {
		t.Fatalf("write oversight after upgrade: %v", err)
	}
	auditor := addAndUnlock(t, v, sup, "TESTPERSON AUDITOR", Auditor)
	es, err := auditor.AuditEntries(AuditFilter{})
	if err != nil {
		t.Fatal(err)
	}
	found := false
	for _, e := range es {
		found = found || e.Action == "vault.class-added"
	}
	if !found {
		t.Fatal("the new class key is not audited")
	}
}
