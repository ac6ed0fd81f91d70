package app

import (
	"errors"
	"sync"
	"testing"
	"time"

	"github.com/fieldscreen/fieldscreen/forms"
	fsync "github.com/fieldscreen/fieldscreen/sync"
	"github.com/fieldscreen/fieldscreen/vault"
)

// queriedCase creates a case whose security checks were sent (as Submit marks them, without
// the packet): the state in which the sync worker can apply a result while an officer has
// the case open. It returns the case at revision 2.
func queriedCase(t testing.TB, s *Session, now time.Time) vault.CaseID {
	t.Helper()
	id, err := s.CreateCase(adultCase(now))
	if err != nil {
		t.Fatal(err)
	}
	err = s.vs.Update(func(tx *vault.Tx) error {
		_, err := updateCase(tx, id, 1, now, func(c *forms.Case) error {
			for _, sys := range forms.QueriedSystems(c) {
				c.Checks = append(c.Checks, forms.SecurityCheck{System: sys, Status: forms.CheckPending, Reference: "pk-1", QueriedAt: now})
			}
			return nil
		})
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return id
}

// hitResult is central's answer "hit" in SIS (the case's first check) for its check packet.
func hitResult(id vault.CaseID, at time.Time) fsync.Result {
	return fsync.Result{Seq: 1, Type: fsync.ResultCheck, CaseID: string(id), PacketID: "pk-1", System: "SIS", Outcome: fsync.OutcomeHit, At: at}
}

// TestResultSurvivesAnOpenScreen is the lost update through app: an officer reads the case,
// the worker applies a hit, and the officer's change made against the revision read is
// refused with the fresh case (carrying the hit); redone at the fresh revision it keeps the
// hit. Before commands, SaveCase wrote the officer's copy (checks pending) over the hit.
func TestResultSurvivesAnOpenScreen(t *testing.T) {
	term := newTestTerminal(t, time.Hour)
	_, off := staff(t, term)
	now := time.Now()
	id := queriedCase(t, off, now)
	open, rev, err := off.ReadCase(id)
	if err != nil || rev != 2 {
		t.Fatalf("read: rev %d, %v", rev, err)
	}
	var heard []CaseChange
	var mu sync.Mutex
	stop := off.OnCaseChanged(func(ch CaseChange) { mu.Lock(); heard = append(heard, ch); mu.Unlock() })
	defer stop()
	if err := off.vs.Update(func(tx *vault.Tx) error { return off.applyResult(tx, hitResult(id, now)) }); err != nil {
		t.Fatal(err)
	}
	mu.Lock()
	if len(heard) != 1 || heard[0] != (CaseChange{ID: id, Revision: 3, By: "result"}) {
		t.Fatalf("feed after the result: %+v", heard)
	}
	mu.Unlock()

	idn := open.Identity
	idn.GivenNames = []string{"EPSILON"}
	_, err = off.Do(id, rev, SetIdentity{idn})
	var stale *StaleError
	if !errors.As(err, &stale) || !errors.Is(err, ErrStale) {
		t.Fatalf("a change at the old revision: %v, want *StaleError", err)
	}
	if stale.Read != 2 || stale.Current != 3 || stale.Case.Checks[0].Status != forms.CheckHit {
		t.Fatalf("stale error: read %d current %d checks %+v", stale.Read, stale.Current, stale.Case.Checks)
	}
	mu.Lock()
	if len(heard) != 1 {
		t.Fatalf("a refused change was announced: %+v", heard)
	}
	mu.Unlock()
	next, err := off.Do(id, stale.Current, SetIdentity{idn})
	if err != nil || next != 4 {
		t.Fatalf("redo at the fresh revision: %d %v", next, err)
	}
	got, rev, err := off.ReadCase(id)
	if err != nil || rev != 4 {
		t.Fatal(rev, err)
	}
	if got.Checks[0].Status != forms.CheckHit || got.Identity.GivenNames[0] != "EPSILON" {
		t.Fatalf("after the redo: checks %+v identity %+v", got.Checks, got.Identity)
	}
}

// TestConcurrentCommandsOneWins: two commands read at the same revision race; exactly one
// is stored, the other gets the revision error carrying the winner's case.
func TestConcurrentCommandsOneWins(t *testing.T) {
	term := newTestTerminal(t, time.Hour)
	_, off := staff(t, term)
	id, err := off.CreateCase(adultCase(time.Now()))
	if err != nil {
		t.Fatal(err)
	}
	for round := 0; round < 5; round++ {
		c, rev, err := off.ReadCase(id)
		if err != nil {
			t.Fatal(err)
		}
		var wg sync.WaitGroup
		errs := make([]error, 2)
		names := []string{"ALPHA", "BRAVO"}
		start := make(chan struct{})
		for i := range errs {
			wg.Add(1)
			go func() {
				defer wg.Done()
				idn := c.Identity
				idn.GivenNames = []string{names[i]}
				<-start
				_, errs[i] = off.Do(id, rev, SetIdentity{idn})
			}()
		}
		close(start)
		wg.Wait()
		won := -1
		for i, err := range errs {
			if err == nil {
				if won >= 0 {
					t.Fatalf("round %d: both commands were stored", round)
				}
				won = i
			}
		}
		if won < 0 {
			t.Fatalf("round %d: neither won: %v", round, errs)
		}
		var stale *StaleError
		if !errors.As(errs[1-won], &stale) || stale.Current != rev+1 || stale.Case.Identity.GivenNames[0] != names[won] {
			t.Fatalf("round %d: loser got %v", round, errs[1-won])
		}
		got, now, _ := off.ReadCase(id)
		if now != rev+1 || got.Identity.GivenNames[0] != names[won] {
			t.Fatalf("round %d: stored rev %d %v, winner %s", round, now, got.Identity.GivenNames, names[won])
		}
	}
}

// rogue is a command that tries to write a section only the system fills.
type rogue struct{ change func(c *forms.Case) }

func (rogue) Name() string                             { return "rogue" }
func (r rogue) run(c *forms.Case, _ *cmdContext) error { r.change(c); return nil }

// TestCommandsNeverWriteSystemSections: Do refuses, as a whole, a command that changes the
// checks, the Eurodac registration, captured prints, the status or the history.
func TestCommandsNeverWriteSystemSections(t *testing.T) {
	term := newTestTerminal(t, time.Hour)
	_, off := staff(t, term)
	id := queriedCase(t, off, time.Now())
	for _, tc := range []struct {
		name, field string
		change      func(c *forms.Case)
	}{
		{"check", "securityChecks", func(c *forms.Case) { c.Checks[0].Status = forms.CheckNoHit }},
		{"eurodac", "eurodac", func(c *forms.Case) { c.Eurodac.Reference = "X" }},
		{"capture", "biometrics", func(c *forms.Case) {
			c.Biometrics.Fingers = append(c.Biometrics.Fingers, forms.Finger{Position: 1, Status: forms.FingerCaptured})
		}},
		{"status", "status", func(c *forms.Case) { c.Status = forms.StatusClosed }},
		{"history", "history", func(c *forms.Case) {
			c.History = append(c.History, forms.StatusChange{From: forms.StatusOpened, To: forms.StatusClosed})
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, rev, _ := off.ReadCase(id)
			idn := forms.Identity{Surnames: []string{"CHANGED"}}
			_, err := off.Do(id, rev, SetIdentity{idn}, rogue{tc.change})
			var pe *ProtectedError
			if !errors.As(err, &pe) || len(pe.Field) < len(tc.field) || pe.Field[:len(tc.field)] != tc.field {
				t.Fatalf("got %v, want a refusal naming %s", err, tc.field)
			}
			got, after, _ := off.ReadCase(id)
			if after != rev || got.Identity.Surnames[0] == "CHANGED" {
				t.Fatal("a refused change was partly stored")
			}
		})
	}
}

// TestMedicCannotRunOfficerCommands: a medic's officer command is refused (Art 12(1)).
func TestMedicCannotRunOfficerCommands(t *testing.T) {
	term := newTestTerminal(t, time.Hour)
	sup, _ := term.Unlock("sup", []byte(testPass))
	if err := sup.AddUser("med", vault.Medic, []byte(testPass)); err != nil {
		t.Fatal(err)
	}
	id, err := sup.CreateCase(adultCase(time.Now()))
	if err != nil {
		t.Fatal(err)
	}
	med, _ := term.Unlock("med", []byte(testPass))
	if _, err := med.Do(id, 1, SetIdentity{forms.Identity{Surnames: []string{"X"}}}); !errors.Is(err, ErrMedicEdit) {
		t.Fatalf("medic set-identity: %v", err)
	}
}
