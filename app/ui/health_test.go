package ui

import (
	"testing"
	"time"

	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"

	"github.com/fieldscreen/fieldscreen/app"
	"github.com/fieldscreen/fieldscreen/forms"
)

// TestMedicRecordsHealthThroughTheScreen: the medic chooses the outcome and types findings;
// one save stores both (the outcome stamped with the medic and the time, the findings in the
// health class). The officer then sees the outcome read-only, and the officer's save of
// another step keeps it (Art 12(1): only medical staff record it).
func TestMedicRecordsHealthThroughTheScreen(t *testing.T) {
	u, w, _ := newTestUI(t, time.Hour)
	firstRun(t, u, w)
	addStaff(t, u, w, "medic", "officer")
	id, err := u.Session().CreateCase(&forms.Case{
		Trigger:  forms.Trigger{Reason: forms.TriggerApplicationAtBCP, Place: "NLSPL", At: u.Session().Now()},
		Identity: forms.Identity{Surnames: []string{"TESTPERSON"}, GivenNames: []string{"ROMEO"}},
	})
	if err != nil {
		t.Fatal(err)
	}
	signInAs(t, u, w, "med1", "a passphrase for med1")
	u.showCase(id)
	gotoStep(t, w, "health")
	find(w, func(s *widget.Select) bool { return len(s.Options) == len(forms.HealthResults) }).SetSelected(T("health." + string(forms.HealthCareNeeded)))
	find(w, func(e *widget.Entry) bool { return e.MultiLine }).SetText("synthetic finding: blister")
	test.Tap(button(t, w, T("common.save")))
	c, err := u.Session().Case(id)
	if err != nil || c.Health.Result != forms.HealthCareNeeded || c.Health.Examiner != "med1" || c.Health.At.IsZero() {
		t.Fatalf("after the medic's save: %+v %v\n%s", c.Health, err, labelsText(w))
	}
	if d, err := u.Session().Health(id); err != nil || d == nil || d.Findings != "synthetic finding: blister" {
		t.Fatalf("findings: %+v %v", d, err)
	}
	signInAs(t, u, w, "off1", "a passphrase for off1")
	u.showCase(id)
	gotoStep(t, w, "health")
	if !find(w, func(s *widget.Select) bool { return len(s.Options) == len(forms.HealthResults) }).Disabled() {
		t.Fatal("the officer can choose a health outcome")
	}
	gotoStep(t, w, "identity")
	entries(w)[1].SetText("Sierra")
	test.Tap(button(t, w, T("common.save")))
	if c, _ := u.Session().Case(id); c.Health.Result != forms.HealthCareNeeded || c.Identity.GivenNames[0] != "SIERRA" && c.Identity.GivenNames[0] != "Sierra" {
		t.Fatalf("after the officer's save: %+v %v", c.Health, c.Identity.GivenNames)
	}
}

// TestSaveWithoutChangesSendsNothing: walking every step of a stored case and saving without
// typing anything sends no command: the revision stays, so a screen never rewrites a value it
// only showed (the trigger time to the minute, a document's source, a stamp).
func TestSaveWithoutChangesSendsNothing(t *testing.T) {
	u, w, _ := newTestUI(t, time.Hour)
	firstRun(t, u, w)
	at := u.Session().Now().Add(-90 * time.Second) // seconds the trigger field does not show
	id, err := u.Session().CreateCase(&forms.Case{
		Trigger: forms.Trigger{Reason: forms.TriggerIrregularCrossing, Place: "BCP", At: at},
		Identity: forms.Identity{Surnames: []string{"TESTPERSON"}, GivenNames: []string{"TANGO"}, BirthDate: forms.DateOf(at.AddDate(-40, 0, 0)),
			Sex: forms.SexMale, Nationalities: []string{"XXX"}, Languages: []string{"ara"}},
		Documents: []forms.Document{{Type: "P", Number: "X1234567", IssuingState: "UTO", ExpiryDate: forms.PartialDate{Year: 2031, Month: 1, Day: 31}}},
	})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := u.Session().Do(id, 1, app.RecordInformation{Information: forms.Information{LeafletLanguage: "ar"}},
		app.RecordVulnerability{Vulnerability: forms.Vulnerability{Checked: true, Indicators: []string{forms.VulnElderly}}}); err != nil {
		t.Fatal(err)
	}
	u.showCase(id)
	for _, st := range caseSteps {
		gotoStep(t, w, st.key)
	}
	test.Tap(button(t, w, T("common.save")))
	if _, rev, err := u.Session().ReadCase(id); err != nil || rev != 2 {
		t.Fatalf("a save without changes moved the revision to %d (%v)\n%s", rev, err, labelsText(w))
	}
}
