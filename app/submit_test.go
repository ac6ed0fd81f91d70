package app

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/fieldscreen/fieldscreen/forms"
	"github.com/fieldscreen/fieldscreen/sync/central"
	"github.com/fieldscreen/fieldscreen/sync/central/centraltest"
)

// startCentral runs the reference central in-process with a watch list.
func startCentral(t testing.TB, watch []string) (*central.Server, string) {
	return centraltest.Start(t, central.Options{Watchlist: watch})
}

// TestSubmitChecksAndApplyResults: two cases are sent; each system answers on its own.
// The one whose name is on central's SIS watch list comes back as a hit in SIS and nowhere
// else, the other as no hit; ECRIS-TCN, which central cannot reach, is not possible on both
// (an error is never a no hit).
func TestSubmitChecksAndApplyResults(t *testing.T) {
	srv, url := centraltest.Start(t, central.Options{Watchlist: []string{"SIS: TESTPERSON WATCHED"}, Unavailable: []string{"ECRIS_TCN"}})
	term := newTestTerminal(t, time.Hour)
	_, off := staff(t, term)
	enrolAt(t, off, srv, url)
	watched := adultCase(time.Now())
	watched.Identity.Surnames, watched.Identity.GivenNames = []string{"TESTPERSON"}, []string{"WATCHED"}
	clean := adultCase(time.Now())
	ids, err := off.CreateCases([]*forms.Case{watched, clean})
	if err != nil {
		t.Fatal(err)
	}
	for _, id := range ids {
		pk, err := off.Submit(id)
		if err != nil || len(pk) != 1 {
			t.Fatalf("submit: %v %v", pk, err)
		}
		again, err := off.Submit(id)
		if err != nil || len(again) != 0 {
			t.Fatalf("a second submit queued %v (%v)", again, err)
		}
		c, _ := off.Case(id)
		if len(c.Checks) == 0 || c.Checks[0].Status != forms.CheckPending {
			t.Fatalf("checks after submit: %+v", c.Checks)
		}
	}
	st, err := off.SyncStatus()
	if err != nil || st.Pending != 2 {
		t.Fatalf("status before sync: %+v %v", st, err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	rep, err := off.SyncOnce(ctx)
	if err != nil || rep.Delivered != 2 {
		t.Fatalf("sync: %+v %v", rep, err)
	}
	// results may need one more pull once central's downstream has answered
	for i := 0; i < 20; i++ {
		c, _ := off.Case(ids[1])
		if len(c.PendingChecks()) == 0 {
			break
		}
		time.Sleep(100 * time.Millisecond)
		if _, err := off.SyncOnce(ctx); err != nil {
			t.Fatal(err)
		}
	}
	for i := range ids {
		c, _ := off.Case(ids[i])
		if len(c.Checks) != len(forms.QueriedSystems(c)) {
			t.Errorf("case %d: %d checks, want one per system of %v", i, len(c.Checks), forms.QueriedSystems(c))
		}
		for _, ch := range c.Checks {
			want := forms.CheckNoHit
			switch {
			case ch.System == "ECRIS_TCN":
				want = forms.CheckNotPossible
			case ch.System == "SIS" && i == 0:
				want = forms.CheckHit
			}
			if ch.Status != want {
				t.Errorf("case %d check %s: %s, want %s", i, ch.System, ch.Status, want)
			}
			if want == forms.CheckNotPossible && !strings.Contains(ch.Reason, "unavailable") {
				t.Errorf("case %d check %s: reason %q", i, ch.System, ch.Reason)
			}
		}
	}
	if st, _ := off.SyncStatus(); st.Pending != 0 || st.Delivered != 2 {
		t.Errorf("status after sync: %+v", st)
	}
}

// TestCIRQueriedOnceBiometricsTaken: SR Art 14(2), the identification through the CIR is
// made with the biometric data, so a case sent before its capture queries the Art 15(2)
// systems first and the CIR with its next submission after the capture, in a packet of
// its own that central answers for the CIR (here a hit listed for the CIR only).
func TestCIRQueriedOnceBiometricsTaken(t *testing.T) {
	srv, url := centraltest.Start(t, central.Options{Watchlist: []string{"CIR: TESTPERSON DELTA"}})
	term := newTestTerminal(t, time.Hour)
	tech, off := staff(t, term)
	enrolAt(t, off, srv, url)
	scanner, camera := pairedSims(t, tech, 11)
	person := adultCase(time.Now())
	person.Identity.Nationalities = []string{"SYR"}
	id, err := off.CreateCase(person)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := off.Submit(id); err != nil {
		t.Fatal(err)
	}
	c, _ := off.Case(id)
	if len(c.Checks) != len(forms.SecuritySystems) {
		t.Fatalf("before capture: %d checks, want the %d of Art 15(2)", len(c.Checks), len(forms.SecuritySystems))
	}
	if _, err := off.CaptureBiometrics(context.Background(), id, scanner, camera, nil); err != nil {
		t.Fatal(err)
	}
	pk, err := off.Submit(id)
	if err != nil || len(pk) != 2 {
		t.Fatalf("submit after capture: %v %v, want the CIR query and the Eurodac transaction", pk, err)
	}
	c, _ = off.Case(id)
	cir := c.Checks[len(c.Checks)-1]
	if cir.System != forms.IdentificationSystem || cir.Status != forms.CheckPending || cir.Reference == c.Checks[0].Reference {
		t.Fatalf("CIR check %+v (first check under %s)", cir, c.Checks[0].Reference)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	for i := 0; i < 30 && len(c.PendingChecks()) > 0; i++ {
		if _, err := off.SyncOnce(ctx); err != nil {
			t.Fatal(err)
		}
		c, _ = off.Case(id)
	}
	for _, ch := range c.Checks {
		want := forms.CheckNoHit
		if ch.System == forms.IdentificationSystem {
			want = forms.CheckHit
		}
		if ch.Status != want {
			t.Errorf("%s: %s, want %s", ch.System, ch.Status, want)
		}
	}
}
