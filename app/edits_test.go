package app

import (
	"errors"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/fieldscreen/fieldscreen/forms"
	"github.com/fieldscreen/fieldscreen/vault"
)

func names(cmds []Command) []string { return commandNames(cmds) }

// stored is a case as the terminal holds it mid-screening: stamped steps, a capture, checks.
func stored() *forms.Case {
	at := time.Date(2026, 6, 14, 9, 30, 0, 0, time.UTC)
	c := adultCase(at.Add(time.Hour))
	c.Reference, c.Status = "FS-AAAAA-BBBBB", forms.StatusSecurityQueried
	c.History = []forms.StatusChange{{From: forms.StatusOpened, To: forms.StatusSecurityQueried, At: at}}
	c.Info = forms.Information{LeafletLanguage: "ar", LeafletVersion: "v1", Medium: forms.MediumPaper, At: at}
	c.Checks = []forms.SecurityCheck{{System: "SIS", Status: forms.CheckPending, Reference: "pk", QueriedAt: at}}
	c.Biometrics = forms.Biometrics{Fingers: []forms.Finger{{Position: 1, Status: forms.FingerCaptured, Quality: 70, At: at}},
		Operator: "off1", CapturedAt: at}
	return c
}

// TestCommandsFor: each officer edit becomes its named command; an unchanged copy none.
func TestCommandsFor(t *testing.T) {
	for _, tc := range []struct {
		name string
		edit func(c *forms.Case)
		want []string
	}{
		{"nothing", func(*forms.Case) {}, nil},
		{"identity", func(c *forms.Case) { c.Identity.GivenNames = []string{"MIKE"} }, []string{"set-identity"}},
		{"document added", func(c *forms.Case) { c.Documents = []forms.Document{{Type: "P", Number: "X1"}} }, []string{"record-document"}},
		{"information", func(c *forms.Case) { c.Info.LeafletLanguage = "fa" }, []string{"record-information"}},
		{"health", func(c *forms.Case) { c.Health.Result = forms.HealthCareNeeded }, []string{"record-health"}},
		{"exception", func(c *forms.Case) {
			c.Biometrics.Fingers = append(c.Biometrics.Fingers, forms.Finger{Position: 2, Status: forms.FingerAmputated})
		}, []string{"set-finger-exception"}},
		{"refusal", func(c *forms.Case) { c.Biometrics.Refusals = []forms.Refusal{{What: "face"}} }, []string{"record-refusal"}},
		{"companion and referral", func(c *forms.Case) {
			c.Biometrics.Companion = &forms.Companion{Name: "G"}
			c.Referral.To = forms.ReferAsylum
		}, []string{"set-companion", "record-referral"}},
		{"completed", func(c *forms.Case) { c.Status = forms.StatusFormCompleted }, []string{"complete-form"}},
		{"ended", func(c *forms.Case) {
			c.Status, c.Outcome = forms.StatusFormCompleted, forms.OutcomeEndedAtDeadlineWithOpenChecks
		}, []string{"end-at-deadline"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			base := stored()
			e := base.Clone()
			tc.edit(e)
			cmds, err := CommandsFor(base, e)
			if err != nil || !reflect.DeepEqual(names(cmds), tc.want) && !(len(cmds) == 0 && tc.want == nil) {
				t.Fatalf("got %v %v, want %v", names(cmds), err, tc.want)
			}
		})
	}
}

// TestCommandsForRefusesSystemSections: a copy that changes what the system fills, or a
// terminal stamp, is refused naming the field.
func TestCommandsForRefusesSystemSections(t *testing.T) {
	for field, edit := range map[string]func(c *forms.Case){
		"securityChecks":  func(c *forms.Case) { c.Checks[0].Status = forms.CheckNoHit },
		"eurodac":         func(c *forms.Case) { c.Eurodac.Reference = "X" },
		"biometrics.face": func(c *forms.Case) { c.Biometrics.Face.Status = forms.FaceCaptured },
		"biometrics.fingers (captured)": func(c *forms.Case) {
			c.Biometrics.Fingers[0].Quality = 99
		},
		"history":             func(c *forms.Case) { c.History = nil },
		"outcome":             func(c *forms.Case) { c.Outcome = forms.OutcomeCompleted },
		"reference":           func(c *forms.Case) { c.Reference = "FS-X" },
		"information.at":      func(c *forms.Case) { c.Info.At = c.Info.At.Add(time.Hour) },
		"biometrics.refusals": func(c *forms.Case) { c.Biometrics.Refusals = nil },
	} {
		t.Run(field, func(t *testing.T) {
			base := stored()
			if field == "biometrics.refusals" {
				base.Biometrics.Refusals = []forms.Refusal{{What: "face"}}
			}
			e := base.Clone()
			edit(e)
			_, err := CommandsFor(base, e)
			var pe *ProtectedError
			if !errors.As(err, &pe) || pe.Field != field {
				t.Fatalf("got %v, want a refusal naming %s", err, field)
			}
		})
	}
}

// TestRebase: a change of the system's sections keeps the screen's unsaved edits (and takes
// the fresh results); a change of an officer's section does not.
func TestRebase(t *testing.T) {
	base := stored()
	edited := base.Clone()
	edited.Identity.GivenNames = []string{"NOVEMBER"}
	edited.Biometrics.Fingers = append(edited.Biometrics.Fingers, forms.Finger{Position: 3, Status: forms.FingerAmputated})
	fresh := base.Clone()
	fresh.Checks[0].Status = forms.CheckHit
	fresh.Biometrics.Fingers = append(fresh.Biometrics.Fingers, forms.Finger{Position: 2, Status: forms.FingerCaptured})
	nb, ne, ok := Rebase(base, edited, fresh, time.Now())
	if !ok {
		t.Fatal("a system-only change was taken as a conflict")
	}
	if ne.Checks[0].Status != forms.CheckHit || ne.Identity.GivenNames[0] != "NOVEMBER" || ne.FingerExceptions()[3].Status != forms.FingerAmputated ||
		len(captured(ne.Biometrics.Fingers)) != 2 || nb.Identity.GivenNames[0] == "NOVEMBER" {
		t.Fatalf("rebased: %+v / %+v", ne.Checks, ne.Biometrics.Fingers)
	}
	cmds, err := CommandsFor(nb, ne)
	if err != nil || !reflect.DeepEqual(names(cmds), []string{"set-identity", "set-finger-exception"}) {
		t.Fatalf("commands after the rebase: %v %v", names(cmds), err)
	}
	other := base.Clone()
	other.Identity.Surnames = []string{"OSCAR"}
	if _, ne, ok := Rebase(base, edited, other, time.Now()); ok || ne.Identity.Surnames[0] != "OSCAR" {
		t.Fatalf("an officer's change was merged: %v %v", ok, ne.Identity)
	}
}

// TestEndAtDeadlineThroughApp: with the app's clock past the screening limit and a check
// still pending, completing the form is refused, the Art 18(5) end is offered with the open
// checks and recorded as that outcome.
func TestEndAtDeadlineThroughApp(t *testing.T) {
	term := newTestTerminal(t, time.Hour)
	sup, _ := term.Unlock("sup", []byte(testPass))
	for _, u := range []struct {
		n string
		r vault.Role
	}{{"med", vault.Medic}, {"off", vault.Officer}} {
		if err := sup.AddUser(u.n, u.r, []byte(testPass)); err != nil {
			t.Fatal(err)
		}
	}
	off, _ := term.Unlock("off", []byte(testPass))
	med, _ := term.Unlock("med", []byte(testPass))
	trigger := time.Now().Add(-6 * 24 * time.Hour)
	id := queriedCase(t, off, trigger.Add(time.Hour))
	c, rev, _ := off.ReadCase(id)
	c.Identity.Nationalities = []string{"XXX"}
	if rev, _ = off.Do(id, rev, SetTrigger{forms.Trigger{Reason: forms.TriggerIrregularCrossing, Place: "BCP", At: trigger}},
		SetIdentity{c.Identity}, RecordInformation{forms.Information{LeafletLanguage: "ar"}},
		RecordVulnerability{forms.Vulnerability{Checked: true}},
		// every SR Art 17(1) item recorded, or marked as not established with why
		RecordApplication{forms.Application{Made: forms.AnswerNo}}, SetFamily{Answer: forms.AnswerNo},
		RecordCooperation{forms.Cooperation{Complied: "yes"}},
		SetNotEstablished{Item: "identity.placeOfBirth", Reason: "the person does not know"},
		SetNotEstablished{Item: "identity.residences", Reason: "the person refuses to say"},
		SetNotEstablished{Item: "identity.languages", Reason: "no interpreter yet"}); rev == 0 {
		t.Fatal("recording the steps failed")
	}
	rev, err := med.Do(id, rev, RecordHealth{Outcome: forms.HealthOutcome{Result: forms.HealthNoFurtherCheck}})
	if err != nil {
		t.Fatal(err)
	}
	c, _, _ = off.ReadCase(id)
	if _, ok := off.DeadlineEndOffer(c); ok {
		t.Fatal("offered before the screening limit")
	}
	if _, err := off.Do(id, rev, EndAtDeadline{}); err == nil {
		t.Fatal("ended before the screening limit")
	}
	off.nowFunc = func() time.Time { return trigger.Add(c.ScreeningLimit() + time.Minute) }
	open, ok := off.DeadlineEndOffer(c)
	if !ok || len(open) != len(c.PendingChecks()) {
		t.Fatalf("offer after the limit: %v %v", open, ok)
	}
	if _, err := off.Do(id, rev, CompleteForm{}); !errors.Is(err, forms.ErrOpenChecks) {
		t.Fatalf("complete with open checks: %v", err)
	}
	if _, err := off.Do(id, rev, EndAtDeadline{}); err != nil {
		t.Fatal(err)
	}
	c, _, _ = off.ReadCase(id)
	if c.Status != forms.StatusFormCompleted || c.Outcome != forms.OutcomeEndedAtDeadlineWithOpenChecks || strings.Join(c.OpenChecks, ",") != strings.Join(open, ",") {
		t.Fatalf("after the end: %s %s %v", c.Status, c.Outcome, c.OpenChecks)
	}
}
