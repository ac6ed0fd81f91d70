package ui

import (
	"strings"
	"testing"
	"time"

	"filippo.io/age"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"

	"github.com/fieldscreen/fieldscreen/app"
	"github.com/fieldscreen/fieldscreen/forms"
	"github.com/fieldscreen/fieldscreen/vault"
)

// TestCorrectionDialogAndHistory (Eurodac Art 40(3)): on a case whose screening form went to
// the receiving authority, the supervisor's ordinary save of a transmitted field is refused
// with the sentence asking for a correction; the Corrections step offers the dialog, which
// shows the field's value, refuses a correction without a reason in the dialog, and with one
// records it: the step shows old → new, the reason, the role and the corrected form version
// sent again. An officer sees the history without the button.
func TestCorrectionDialogAndHistory(t *testing.T) {
	authority, _ := age.GenerateX25519Identity() // the form goes to someone (app.FormNotSent)
	srv, url := centralWithConfig(t, `{"receiving_authorities": {"default": "`+authority.Recipient().String()+`"}}`)
	u, w, term := newTestUI(t, time.Hour)
	firstRun(t, u, w)
	sup := u.Session()
	tok, _ := srv.CreateToken()
	if err := sup.Enrol(testCtx(t), url, tok); err != nil {
		t.Fatal(err)
	}
	u.stopSyncWorker() // the test drives sending itself
	med := medicSession(t, u, term)
	if err := sup.AddUser("off1", vault.Officer, []byte(supPass)); err != nil {
		t.Fatal(err)
	}

	// a screening to its end, its form sent with the referral
	now := sup.Now()
	id, err := sup.CreateCase(&forms.Case{Trigger: forms.Trigger{Reason: forms.TriggerIrregularCrossing, Place: "NLSPL", At: now.Add(-time.Hour)},
		Identity: forms.Identity{Surnames: []string{"TESTPERSON"}, GivenNames: []string{"ECHO"}, BirthDate: forms.DateOf(now.AddDate(-30, 0, 0)),
			Sex: forms.SexFemale, PlaceOfBirth: "ALEPPO", Nationalities: []string{"SYR"}, Languages: []string{"ara"},
			Residences: []forms.Residence{{Country: "TUR"}}}})
	if err != nil {
		t.Fatal(err)
	}
	rev, err := sup.Do(id, 1, app.RecordInformation{Information: forms.Information{LeafletLanguage: "en"}},
		app.RecordVulnerability{Vulnerability: forms.Vulnerability{Checked: true}}, app.RecordApplication{Application: forms.Application{Made: forms.AnswerNo}},
		app.SetFamily{Answer: forms.AnswerNo}, app.RecordCooperation{Cooperation: forms.Cooperation{Complied: "yes"}})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := med.Do(id, rev, medHealth()); err != nil {
		t.Fatal(err)
	}
	if _, err := sup.Submit(id); err != nil {
		t.Fatal(err)
	}
	var c *forms.Case
	for i := 0; i < 50; i++ {
		if _, err := sup.SyncOnce(testCtx(t)); err != nil {
			t.Fatal(err)
		}
		if c, rev, _ = sup.ReadCase(id); len(c.PendingChecks()) == 0 {
			break
		}
		time.Sleep(100 * time.Millisecond)
	}
	if _, err := sup.Do(id, rev, app.CompleteForm{}, app.RecordReferral{Referral: forms.Referral{To: forms.ReferAsylum}}); err != nil {
		t.Fatal(err)
	}
	if c, _, _ = sup.ReadCase(id); !c.FormSent() {
		t.Fatalf("the form was not sent: %+v", c.FormPackets)
	}

	// an ordinary save of a transmitted field is refused, naming what is needed
	u.showCase(id)
	nav := find(w, func(l *widget.List) bool { return true })
	nav.Select(stepIndex(t, "identity"))
	entries(w)[1].SetText("Echo Corrected")
	test.Tap(button(t, w, T("common.save")))
	if got := labelsText(w); !strings.Contains(got, "supervisor's correction") {
		t.Fatalf("a save of a sent field: %s", got)
	}

	// the correction through the dialog
	u.showCase(id)
	nav = find(w, func(l *widget.List) bool { return true })
	nav.Select(stepIndex(t, "corrections"))
	if !strings.Contains(labelsText(w), T("corr.none")) {
		t.Errorf("no history yet, but: %s", labelsText(w))
	}
	test.Tap(button(t, w, T("corr.button")))
	field := inOverlay(t, w, func(e *widget.SelectEntry) bool { return true })
	field.SetText("identity.givenNames")
	if cur := inOverlay(t, w, func(l *widget.Label) bool { return l.Text == `["ECHO"]` }); cur == nil {
		t.Fatal("the dialog does not show the current value")
	}
	value := inOverlay(t, w, func(e *widget.Entry) bool { return e.Text == `["ECHO"]` && !e.MultiLine })
	value.SetText(`["ECHO","CORRECTED"]`)
	apply := inOverlay(t, w, func(b *widget.Button) bool { return b.Text == T("corr.apply") })
	test.Tap(apply)
	if msg := inOverlay(t, w, func(l *widget.Label) bool { return l.Importance == widget.DangerImportance }); !strings.Contains(msg.Text, "needs its reason") {
		t.Fatalf("without a reason: %q", msg.Text)
	}
	reason := inOverlay(t, w, func(e *widget.Entry) bool { return e.MultiLine })
	reason.SetText("misspelt at intake; passport read again")
	test.Tap(apply)
	if w.Canvas().Overlays().Top() != nil {
		t.Fatal("the dialog stays open after the correction")
	}
	got := labelsText(w)
	for _, want := range []string{`["ECHO"]  →  ["ECHO","CORRECTED"]`, "Reason: misspelt at intake; passport read again",
		T("role.supervisor") + " sup1 · identity.givenNames", Tf("corr.formSent", 2), Tf("corr.recorded", "identity.givenNames")} {
		if !strings.Contains(got, want) {
			t.Errorf("after the correction the screen lacks %q:\n%s", want, got)
		}
	}
	c, _, _ = sup.ReadCase(id)
	if len(c.Corrections) != 1 || strings.Join(c.Identity.GivenNames, " ") != "ECHO CORRECTED" || c.FormPackets[len(c.FormPackets)-1].Version != 2 {
		t.Errorf("stored: corrections %+v, names %v, form packets %+v", c.Corrections, c.Identity.GivenNames, c.FormPackets)
	}

	// an officer sees the history, not the button
	signInAs(t, u, w, "off1", supPass)
	u.showCase(id)
	find(w, func(l *widget.List) bool { return true }).Select(stepIndex(t, "corrections"))
	if hasButton(w, T("corr.button")) || !strings.Contains(labelsText(w), "misspelt at intake") || !strings.Contains(labelsText(w), T("corr.supervisorOnly")) {
		t.Errorf("officer's view: %s", labelsText(w))
	}
}
