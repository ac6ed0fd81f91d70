package ui

import (
	"strings"
	"testing"
	"time"

	"github.com/fieldscreen/fieldscreen/app"
	"github.com/fieldscreen/fieldscreen/forms"
	"github.com/fieldscreen/fieldscreen/vault"
)

// TestCaseListShowsBiometricsDue (issue 12, ER Art 15(1) second subparagraph): a case whose
// capture was deferred on health grounds shows "biometrics due" in the case list once the
// medic ends the hold, not only in its header; never while the hold stands. In Dutch too.
func TestCaseListShowsBiometricsDue(t *testing.T) {
	u, w, term := newTestUI(t, time.Hour)
	firstRun(t, u, w)
	if err := u.Session().AddUser("off1", vault.Officer, []byte(supPass)); err != nil {
		t.Fatal(err)
	}
	off, err := term.Unlock("off1", []byte(supPass))
	if err != nil {
		t.Fatal(err)
	}
	med := medicSession(t, u, term)
	_, hold := deferredCase(t, off, med, []string{"DEFERRED"})
	u.showCaseList()
	if strings.Contains(labelsText(w), T("cases.biometricsDue")) {
		t.Fatalf("biometrics due while the health hold stands:\n%s", labelsText(w))
	}
	hold(false)
	u.showCaseList()
	if !strings.Contains(labelsText(w), T("cases.biometricsDue")) {
		t.Fatalf("the case list does not show biometrics due after the hold ended:\n%s", labelsText(w))
	}
	SetLanguage("nl")
	defer SetLanguage("en")
	u.showCaseList()
	if !strings.Contains(labelsText(w), "BIOMETRIE AFNEMEN") {
		t.Fatalf("the Dutch case list does not show biometrics due:\n%s", labelsText(w))
	}
}

// deferredCase creates an adult's case whose capture a medic deferred on health grounds
// (status biometrics_deferred) and returns it with the medic's hold: hold(false) ends it.
func deferredCase(t *testing.T, off, med *app.Session, given []string) (vault.CaseID, func(defers bool)) {
	t.Helper()
	now := off.Now()
	id, err := off.CreateCase(&forms.Case{Trigger: forms.Trigger{Reason: forms.TriggerIrregularCrossing, Place: "BCP", At: now.Add(-time.Hour)},
		Identity: forms.Identity{Surnames: []string{"TESTPERSON"}, GivenNames: given, BirthDate: forms.DateOf(now.AddDate(-30, 0, 0))}})
	if err != nil {
		t.Fatal(err)
	}
	hold := func(defers bool) {
		t.Helper()
		_, rev, err := off.ReadCase(id)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := med.Do(id, rev, app.RecordHealth{Outcome: forms.HealthOutcome{Result: forms.HealthNoFurtherCheck, DefersBiometrics: defers}}); err != nil {
			t.Fatal(err)
		}
	}
	hold(true)
	_, rev, _ := off.ReadCase(id)
	if _, err := off.Do(id, rev, app.ChangeStatus{To: forms.StatusBiometricsDeferred}); err != nil {
		t.Fatal(err)
	}
	return id, hold
}
