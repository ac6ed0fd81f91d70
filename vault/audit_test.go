package vault

import (
	"errors"
	"strings"
	"testing"
	"time"
)

var testEpoch = time.Date(2026, 6, 12, 8, 0, 0, 0, time.UTC)

func TestAuditChainAndEntries(t *testing.T) {
	clock := &fakeClock{t: testEpoch}
	v, sup := newTestVault(t, clock)
	officer := addAndUnlock(t, v, sup, "TESTPERSON OFFICER", Officer)
	auditor := addAndUnlock(t, v, sup, "TESTPERSON AUDITOR", Auditor)
	clock.Add(time.Minute)
	var id CaseID
	if err := officer.Update(func(tx *Tx) error {
		var err error
		if id, err = tx.NewCase(); err != nil {
			return err
		}
		if err := tx.PutCase(id, Core, "summary", []byte("{}")); err != nil {
			return err
		}
		return tx.Audit(AuditEvent{Action: "case.create", Case: id, Class: Core, Detail: "trigger 5(1)(a)"})
	}); err != nil {
		t.Fatal(err)
	}
	if _, err := v.Unlock("TESTPERSON OFFICER", []byte("wrong")); !errors.Is(err, ErrBadPassphrase) {
		t.Fatal(err)
	}
	officer.Lock()

	rep, err := v.VerifyAudit()
	if err != nil || rep.FirstBroken != 0 {
		t.Fatalf("VerifyAudit = %v, %v", rep, err)
	}
	seq, head, err := v.AuditHead()
	if err != nil || seq != rep.Entries || head != rep.Head {
		t.Fatalf("AuditHead = %d %x, report %v", seq, head, rep)
	}
	all, err := auditor.AuditEntries(AuditFilter{})
	if err != nil {
		t.Fatal(err)
	}
	if uint64(len(all)) != rep.Entries {
		t.Fatalf("%d entries decrypted, chain has %d", len(all), rep.Entries)
	}
	var actions []string
	for i, e := range all {
		if e.Seq != uint64(i+1) {
			t.Fatalf("entry %d has seq %d", i, e.Seq)
		}
		actions = append(actions, e.Action)
	}
	want := "vault.create user.add unlock.ok user.add unlock.ok user.add unlock.ok case.create unlock.failed lock"
	if got := strings.Join(actions, " "); got != want {
		t.Fatalf("actions:\n got %s\nwant %s", got, want)
	}
	c := all[7]
	if c.User != "TESTPERSON OFFICER" || c.Role != Officer || c.Case != id || c.Class != Core ||
		c.Detail != "trigger 5(1)(a)" || !c.At.Equal(testEpoch.Add(time.Minute)) {
		t.Fatalf("case.create entry = %+v", c)
	}
	if all[8].User != "TESTPERSON OFFICER" || !strings.Contains(all[8].Detail, "failure 1") {
		t.Fatalf("failed unlock entry = %+v", all[8])
	}
	got, err := auditor.AuditEntries(AuditFilter{Case: id})
	if err != nil || len(got) != 1 || got[0].Action != "case.create" {
		t.Fatalf("filter by case = %+v %v", got, err)
	}
	got, err = auditor.AuditEntries(AuditFilter{Action: "unlock.ok", Limit: 2})
	if err != nil || len(got) != 2 {
		t.Fatalf("filter by action = %d %v", len(got), err)
	}
	var raw int
	if err := v.RawAuditEntries(rep.Entries-2, func(seq uint64, e []byte) error { raw++; return nil }); err != nil || raw != 2 {
		t.Fatalf("RawAuditEntries = %d %v", raw, err)
	}
}

// TestRemoveAuditorRotatesAuditKey: after an auditor leaves, new entries are sealed to a new
// audit key pair that the leaver's copied keys cannot open; remaining and new auditors read the
// whole log.
func TestRemoveAuditorRotatesAuditKey(t *testing.T) {
	v, sup := newTestVault(t, nil)
	leaving := addAndUnlock(t, v, sup, "TESTPERSON AUDITOR ONE", Auditor)
	staying := addAndUnlock(t, v, sup, "TESTPERSON AUDITOR TWO", Auditor)
	copied := map[keyRef][]byte{}
	for r, k := range leaving.keys {
		copied[r] = append([]byte(nil), k...)
	}
	leaving.Lock()
	if err := sup.RemoveUser("TESTPERSON AUDITOR ONE"); err != nil {
		t.Fatal(err)
	}
	if err := sup.Update(func(tx *Tx) error { return tx.Audit(AuditEvent{Action: "case.export", Detail: "after removal"}) }); err != nil {
		t.Fatal(err)
	}
	late := addAndUnlock(t, v, sup, "TESTPERSON AUDITOR THREE", Auditor)
	rep, err := v.VerifyAudit()
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range []*Session{staying, late} {
		all, err := s.AuditEntries(AuditFilter{})
		if err != nil || uint64(len(all)) != rep.Entries {
			t.Fatalf("%s reads %d of %d entries: %v", s.User(), len(all), rep.Entries, err)
		}
	}
	after, err := staying.AuditEntries(AuditFilter{Action: "case.export"})
	if err != nil || len(after) != 1 {
		t.Fatalf("entry after removal: %v %v", after, err)
	}
	// The copied audit key opens entries from before the removal only.
	opened := map[bool]int{}
	err = v.RawAuditEntries(0, func(seq uint64, raw []byte) error {
		r, err := parseAuditRec(raw)
		if err != nil {
			return err
		}
		ok := false
		for ref, k := range copied {
			if ref.tag != tagAudit {
				continue
			}
			if _, err := openFrom(k, "audit", aad("fieldscreen/audit/v1", seqKey(seq)), r.box); err == nil {
				ok = true
			}
		}
		if ok && r.keyVer != 1 {
			t.Errorf("copied key opens entry %d sealed to audit key version %d", seq, r.keyVer)
		}
		opened[ok]++
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if opened[true] == 0 || opened[false] == 0 {
		t.Fatalf("copied key opened %d entries and failed on %d; want both", opened[true], opened[false])
	}
}

// TestCheckAuditAgainst: the chain is compared with a countersigned (size, head): it
// passes when it extends it, and is a rollback when it is shorter or its entry at that
// size is another one. AuditLinks' ciphertexts rebuild the same head from h_from.
func TestCheckAuditAgainst(t *testing.T) {
	clock := &fakeClock{t: testEpoch}
	v, sup := newTestVault(t, clock)
	audit := func(n int) {
		for range n {
			if err := sup.Update(func(tx *Tx) error { return tx.Audit(AuditEvent{Action: "test.action"}) }); err != nil {
				t.Fatal(err)
			}
		}
	}
	audit(3)
	size, head, err := v.AuditHead()
	if err != nil {
		t.Fatal(err)
	}
	audit(2)
	if err := v.CheckAuditAgainst(size, head); err != nil {
		t.Fatalf("a longer chain through the countersigned head: %v", err)
	}
	var re *AuditRollbackError
	if err := v.CheckAuditAgainst(size+10, head); !errors.As(err, &re) || re.Countersigned != size+10 || re.Have != size+2 {
		t.Fatalf("countersigned beyond the chain: %v", err)
	}
	other := head
	other[0] ^= 1
	if err := v.CheckAuditAgainst(size, other); !errors.As(err, &re) || !strings.Contains(re.Reason, "differs") || !errors.Is(err, ErrAuditRollback) {
		t.Fatalf("another entry at the countersigned size: %v", err)
	}
	fromHead, cts, err := v.AuditLinks(size, 100, 1<<20)
	if err != nil || fromHead != head || len(cts) != 2 {
		t.Fatalf("links after %d: %x %d %v", size, fromHead, len(cts), err)
	}
	h := fromHead
	for i, ct := range cts {
		h = AuditChainHash(h, size+uint64(i)+1, ct)
	}
	if end, endHead, _ := v.AuditHead(); end != size+2 || endHead != h {
		t.Fatalf("links rebuild %x, head is %x", h, endHead)
	}
	if _, cts, _ := v.AuditLinks(0, 2, 1<<20); len(cts) != 2 {
		t.Fatalf("maxEntries: %d links", len(cts))
	}
	if _, _, err := v.AuditLinks(size+50, 10, 1<<20); !errors.Is(err, ErrAuditRollback) {
		t.Fatalf("links after a size beyond the chain: %v", err)
	}
}
