package ui

import (
	"context"
	"strings"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"

	"github.com/fieldscreen/fieldscreen/app"
	"github.com/fieldscreen/fieldscreen/forms"
	"github.com/fieldscreen/fieldscreen/sync/central"
	"github.com/fieldscreen/fieldscreen/vault"
)

// openQueriedCase enrols the terminal with a central whose watch list names the person, and
// opens a case whose checks were sent from its form step: the screen stays open on it.
func openQueriedCase(t *testing.T) (*UI, vault.CaseID) {
	t.Helper()
	srv, url := startTestCentral(t, central.Options{Watchlist: []string{"TESTPERSON WATCHED"}})
	u, w, _ := newTestUI(t, time.Hour)
	firstRun(t, u, w)
	tok, _ := srv.CreateToken()
	if err := u.Session().Enrol(context.Background(), url, tok); err != nil {
		t.Fatal(err)
	}
	u.stopSyncWorker() // the test plays the background worker itself
	id, err := u.Session().CreateCase(&forms.Case{
		Trigger:  forms.Trigger{Reason: forms.TriggerApplicationAtBCP, Place: "NLSPL", At: u.Session().Now()},
		Identity: forms.Identity{Surnames: []string{"TESTPERSON"}, GivenNames: []string{"WATCHED"}},
	})
	if err != nil {
		t.Fatal(err)
	}
	u.showCase(id)
	u.openCase.Step(len(caseSteps) - 1)
	test.Tap(button(t, u.win, T("form.send")))
	if !strings.Contains(labelsText(u.win), "sealed and queued") {
		t.Fatalf("send: %s", labelsText(u.win))
	}
	return u, id
}

// workerAppliesHit runs what the background worker does until central's hit is on the
// stored case; the case screen stays open meanwhile.
func workerAppliesHit(t *testing.T, u *UI, id vault.CaseID) {
	t.Helper()
	for i := 0; i < 20; i++ {
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		_, err := u.Session().SyncOnce(ctx)
		cancel()
		if err != nil {
			t.Fatal(err)
		}
		if c, _ := u.Session().Case(id); hasHit(c) {
			return
		}
		time.Sleep(100 * time.Millisecond)
	}
	t.Fatal("central's hit never reached the case")
}

// hitKept checks the stored case still carries the hit and the officer's change.
func hitKept(t *testing.T, u *UI, id vault.CaseID, when string) {
	t.Helper()
	c, err := u.Session().Case(id)
	if err != nil {
		t.Fatal(err)
	}
	if !hasHit(c) || len(c.PendingChecks()) > 0 {
		t.Fatalf("after %s the hit is gone: %+v", when, c.Checks)
	}
	if c.Referral.Authority != "IND Ter Apel" {
		t.Fatalf("after %s the officer's change is gone: %+v", when, c.Referral)
	}
}

// TestHitSurvivesSaveAndPrint is the lost update through the screens: the worker applies a
// hit while the case screen is open with an unsaved change; Save and then Print keep both
// the hit and the change. (Before case commands, Save wrote the screen's copy, checks
// pending, over the hit, and the results cursor had already moved on.)
func TestHitSurvivesSaveAndPrint(t *testing.T) {
	u, id := openQueriedCase(t)
	w := u.win
	entries(w)[0].SetText("IND Ter Apel") // typed, not saved yet
	workerAppliesHit(t, u, id)
	if got := entries(w)[0].Text; got != "IND Ter Apel" {
		t.Fatalf("the result's reload lost what the officer typed: %q", got)
	}
	test.Tap(button(t, w, T("common.save")))
	hitKept(t, u, id, "Save")
	test.Tap(button(t, w, T("form.print"))) // saves first; no printer is set, so it stops there
	if !strings.Contains(labelsText(w), T("form.noPrinter")) {
		t.Fatalf("print: %s", labelsText(w))
	}
	hitKept(t, u, id, "Print")
}

// TestHitSurvivesSaveBeforeTheScreenHears: the same race when the screen has not yet heard
// of the result (its fyne.Do still queued): the save at the old revision is refused by app,
// the screen takes the fresh case (only the system's sections changed) and saves the
// officer's change again, so the hit stays; the late notice changes nothing.
func TestHitSurvivesSaveBeforeTheScreenHears(t *testing.T) {
	u, id := openQueriedCase(t)
	w := u.win
	entries(w)[0].SetText("IND Ter Apel")
	var late []func()
	direct := uiDo
	uiDo = func(f func()) { late = append(late, f) }
	workerAppliesHit(t, u, id)
	uiDo = direct
	test.Tap(button(t, w, T("common.save")))
	hitKept(t, u, id, "Save")
	for _, f := range late {
		direct(f)
	}
	test.Tap(button(t, w, T("common.save")))
	hitKept(t, u, id, "the late notice and another Save")
}

func hasHit(c *forms.Case) bool {
	for _, ch := range c.Checks {
		if ch.Status == forms.CheckHit {
			return true
		}
	}
	return false
}

// TestChangedSinceOpenedShowsFreshValues: someone else changes the identity while the case
// screen is open with an unsaved edit of the same step. The screen's save at the old
// revision is refused; it says the case changed since it was opened and shows the stored
// values, and nothing the other person wrote is overwritten.
func TestChangedSinceOpenedShowsFreshValues(t *testing.T) {
	u, w, _ := newTestUI(t, time.Hour)
	firstRun(t, u, w)
	id, err := u.Session().CreateCase(&forms.Case{
		Trigger:  forms.Trigger{Reason: forms.TriggerApplicationAtBCP, Place: "NLSPL", At: u.Session().Now()},
		Identity: forms.Identity{Surnames: []string{"TESTPERSON"}, GivenNames: []string{"GOLF"}},
	})
	if err != nil {
		t.Fatal(err)
	}
	u.showCase(id)
	gotoStep(t, w, "identity")
	entries(w)[1].SetText("Hotel") // the officer's unsaved edit
	// another terminal user (a script through fieldscreenctl) changes the given names; the
	// screen does not hear of it before the save
	c, rev, err := u.Session().ReadCase(id)
	if err != nil {
		t.Fatal(err)
	}
	idn := c.Identity
	idn.GivenNames = []string{"INDIA"}
	var late []func()
	direct := uiDo
	uiDo = func(f func()) { late = append(late, f) }
	if _, err := u.Session().Do(id, rev, app.SetIdentity{Identity: idn}); err != nil {
		t.Fatal(err)
	}
	uiDo = direct
	test.Tap(button(t, w, T("common.save")))
	if !strings.Contains(labelsText(w), Tf("case.changedSince", rev, rev+1)) {
		t.Fatalf("no changed-since notice: %s", labelsText(w))
	}
	if got := entries(w)[1].Text; got != "INDIA" {
		t.Fatalf("the screen shows %q, not the stored value", got)
	}
	if c, _ := u.Session().Case(id); c.Identity.GivenNames[0] != "INDIA" {
		t.Fatalf("the other change was overwritten: %v", c.Identity.GivenNames)
	}
	for _, f := range late {
		direct(f)
	}
}

// TestEndAtDeadlineOfferedOnTheFormStep: a case whose screening limit has passed with its
// checks still pending shows, on the form step, the Art 18(5) end listing the open checks;
// choosing it records that outcome (the form completes with the checks listed as open).
func TestEndAtDeadlineOfferedOnTheFormStep(t *testing.T) {
	srv, url := startTestCentral(t, central.Options{})
	u, w, term := newTestUI(t, time.Hour)
	firstRun(t, u, w)
	tok, _ := srv.CreateToken()
	if err := u.Session().Enrol(context.Background(), url, tok); err != nil {
		t.Fatal(err)
	}
	u.stopSyncWorker() // central never answers in this test: the checks stay pending
	sup := u.Session()
	if err := sup.AddUser("med1", vault.Medic, []byte("a passphrase for med1")); err != nil {
		t.Fatal(err)
	}
	trigger := u.Session().Now().Add(-8 * 24 * time.Hour) // past the 7-day limit of Art 8(3)
	id, err := sup.CreateCase(&forms.Case{
		Trigger: forms.Trigger{Reason: forms.TriggerApplicationAtBCP, Place: "NLSPL", At: trigger},
		Identity: forms.Identity{Surnames: []string{"TESTPERSON"}, GivenNames: []string{"QUEBEC"},
			BirthDate: forms.DateOf(trigger.AddDate(-30, 0, 0)), Sex: forms.SexFemale, Nationalities: []string{"XXX"},
			PlaceOfBirth: "ALEPPO", Languages: []string{"ara"}, Residences: []forms.Residence{{Country: "TUR"}}},
		FamilyInMemberState: forms.AnswerNo, Cooperation: forms.Cooperation{Complied: "yes"},
	})
	if err != nil {
		t.Fatal(err)
	}
	rev, err := sup.Do(id, 1, app.RecordInformation{Information: forms.Information{LeafletLanguage: "ar"}},
		app.RecordVulnerability{Vulnerability: forms.Vulnerability{Checked: true}})
	if err != nil {
		t.Fatal(err)
	}
	med, err := term.Unlock("med1", []byte("a passphrase for med1"))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := med.Do(id, rev, app.RecordHealth{Outcome: forms.HealthOutcome{Result: forms.HealthNoFurtherCheck}}); err != nil {
		t.Fatal(err)
	}
	med.Lock(app.LockedClosed)
	u.showCase(id)
	u.openCase.Step(len(caseSteps) - 1)
	if hasButtonPrefix(w, strings.TrimSuffix(Tf("form.endAtDeadline", ""), ")")) {
		t.Fatal("the deadline end is offered while no check is pending")
	}
	test.Tap(button(t, w, T("form.send")))
	u.showCase(id) // the step offers what the case allows when it is opened
	u.openCase.Step(len(caseSteps) - 1)
	c, _ := u.Session().Case(id)
	offer := Tf("form.endAtDeadline", strings.Join(c.PendingChecks(), ", "))
	test.Tap(button(t, w, T("form.complete")))
	if got, _ := u.Session().Case(id); got.Status == forms.StatusFormCompleted {
		t.Fatal("the form completed with checks pending")
	}
	test.Tap(button(t, w, offer))
	got, _ := u.Session().Case(id)
	if got.Status != forms.StatusFormCompleted || got.Outcome != forms.OutcomeEndedAtDeadlineWithOpenChecks || len(got.OpenChecks) != len(c.PendingChecks()) {
		t.Fatalf("after the deadline end: %s %s %v\n%s", got.Status, got.Outcome, got.OpenChecks, labelsText(w))
	}
}

func hasButtonPrefix(w fyne.Window, prefix string) bool {
	found := false
	find(w, func(b *widget.Button) bool {
		found = found || strings.HasPrefix(b.Text, prefix)
		return false
	})
	return found
}
