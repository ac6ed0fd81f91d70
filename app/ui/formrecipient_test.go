package ui

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"filippo.io/age"

	"github.com/fieldscreen/fieldscreen/app"
	"github.com/fieldscreen/fieldscreen/forms"
	"github.com/fieldscreen/fieldscreen/sync/central"
	"github.com/fieldscreen/fieldscreen/sync/central/centraltest"
)

// centralWithConfig serves an in-process central whose signed config carries cfg.
func centralWithConfig(t *testing.T, cfg string) (*central.Server, string) {
	t.Helper()
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "config.json"), []byte(cfg), 0o600); err != nil {
		t.Fatal(err)
	}
	srv, url, _ := centraltest.Serve(t, dir, "127.0.0.1:0", central.Options{})
	return srv, url
}

// TestFormStepSaysFormNotSent (SR Art 18): a person referred to asylum while central's
// config names only the relocation authority: the form step says, above the form, that the
// form was not sent and what the supervisor must do; nothing went to nobody.
func TestFormStepSaysFormNotSent(t *testing.T) {
	relocation, _ := age.GenerateX25519Identity()
	srv, url := centralWithConfig(t, `{"receiving_authorities": {"relocation": "`+relocation.Recipient().String()+`"}}`)
	u, w, term := newTestUI(t, time.Hour)
	firstRun(t, u, w)
	sess := u.Session()
	tok, _ := srv.CreateToken()
	if err := sess.Enrol(testCtx(t), url, tok); err != nil {
		t.Fatal(err)
	}
	u.stopSyncWorker()
	if _, err := sess.SyncOnce(testCtx(t)); err != nil {
		t.Fatal(err)
	}
	at := sess.Now().Add(-8 * 24 * time.Hour)
	id, err := sess.CreateCase(&forms.Case{
		Trigger: forms.Trigger{Reason: forms.TriggerIrregularCrossing, Place: "BCP", At: at},
		Identity: forms.Identity{Surnames: []string{"TESTPERSON"}, GivenNames: []string{"ECHO"}, BirthDate: forms.DateOf(at.AddDate(-30, 0, 0)),
			Sex: forms.SexMale, PlaceOfBirth: "TESTVILLE", Nationalities: []string{"UTO"}, Languages: []string{"ara"}, Residences: []forms.Residence{{Country: "TUR"}}},
	})
	if err != nil {
		t.Fatal(err)
	}
	rev, err := sess.Do(id, 1, app.RecordInformation{Information: forms.Information{LeafletLanguage: "en"}},
		app.RecordVulnerability{Vulnerability: forms.Vulnerability{Checked: true}}, app.RecordApplication{Application: forms.Application{Made: forms.AnswerNo}},
		app.SetFamily{Answer: forms.AnswerNo}, app.RecordCooperation{Cooperation: forms.Cooperation{Complied: "yes"}})
	if err != nil {
		t.Fatal(err)
	}
	med := medicSession(t, u, term)
	if _, err := med.Do(id, rev, medHealth()); err != nil {
		t.Fatal(err)
	}
	if _, err := sess.Submit(id); err != nil {
		t.Fatal(err)
	}
	_, rev, _ = sess.ReadCase(id)
	if _, err := sess.Do(id, rev, app.EndAtDeadline{}, app.RecordReferral{Referral: forms.Referral{To: forms.ReferAsylum, Authority: "IND Ter Apel"}}); err != nil {
		t.Fatal(err)
	}
	u.showCase(id)
	u.openCase.Step(stepIndex(t, "form"))
	if !strings.Contains(labelsText(w), `The screening form has not been sent: central's configuration names no receiving authority for "asylum"`) {
		t.Fatalf("the form step does not say the form was not sent:\n%s", labelsText(w))
	}
	if c, _ := sess.Case(id); len(c.FormPackets) != 0 {
		t.Fatalf("a form packet went without a receiving authority: %+v", c.FormPackets)
	}
}
