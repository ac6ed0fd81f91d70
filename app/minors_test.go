package app

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/fieldscreen/fieldscreen/forms"
)

// completableMinor is a screening of a 12-year-old with every form item recorded and the
// checks answered, as the officer's commands leave it; only the companion is set by the test.
func completableMinor(t *testing.T, x *cmdContext) *forms.Case {
	t.Helper()
	now := x.now
	c := adultCase(now.Add(-2 * time.Hour))
	c.Identity.BirthDate = forms.DateOf(now.AddDate(-12, 0, 0))
	c.Status = forms.StatusSecurityQueried
	if err := runCommands(c, x, append(formItems(c), RecordInformation{forms.Information{LeafletLanguage: "ar", ChildFriendly: true}})); err != nil {
		t.Fatal(err)
	}
	c.Health = forms.HealthOutcome{Result: forms.HealthNoFurtherCheck, Examiner: "med", At: now.Add(-time.Hour)}
	c.Checks = []forms.SecurityCheck{{System: "SIS", Status: forms.CheckNoHit, QueriedAt: now.Add(-time.Hour), AnsweredAt: now.Add(-time.Hour)}}
	return c
}

// TestEndingAMinorsScreeningThroughTheCommands: the commands that end a screening
// (CompleteForm, EndAtDeadline's and ChangeStatus' completion, ChangeStatus to closed)
// refuse a (possible) minor's while the companion of the whole screening is missing or is an
// official: any account of this terminal, which only the app knows (SR Art 13(2)-(3), ER Art
// 14(1)); the refusal says in Dutch and English what is missing and leaves the case as it
// was. With an independent companion the screening completes, is referred and closes.
func TestEndingAMinorsScreeningThroughTheCommands(t *testing.T) {
	term := newTestTerminal(t, time.Hour)
	_, off := staff(t, term)
	x := off.cmdContext("")
	for _, tc := range []struct {
		name      string
		companion *forms.Companion
		cmd       Command
		want      string // first problem's path; "" = completes
	}{
		{"SR Art 13(2): no companion on record", nil, CompleteForm{}, "biometrics.companion"},
		{"SR Art 13(2): no companion, completion by status", nil, ChangeStatus{forms.StatusFormCompleted}, "biometrics.companion"},
		{"ER Art 14(1): the supervisor's account as family member", &forms.Companion{Role: forms.CompanionFamily, Relationship: "uncle", ID: "SUP"}, CompleteForm{}, "biometrics.companion.id"},
		{"ER Art 14(1): the technician's account as family member", &forms.Companion{Role: forms.CompanionFamily, Relationship: "uncle", ID: "tec"}, ChangeStatus{forms.StatusFormCompleted}, "biometrics.companion.id"},
		{"SR Art 13(2): an independent family member", &forms.Companion{Role: forms.CompanionFamily, Relationship: "aunt", ID: "TEST-BADGE-0815"}, CompleteForm{}, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c := completableMinor(t, x)
			c.Biometrics.Companion = tc.companion
			err := tc.cmd.run(c, x)
			if tc.want == "" {
				if err != nil || c.Status != forms.StatusFormCompleted {
					t.Fatalf("refused: %v (status %s)", err, c.Status)
				}
				return
			}
			var te *forms.TransitionError
			if !errors.As(err, &te) || !errors.Is(err, forms.ErrMinorsSafeguards) || te.Problems[0].Path != tc.want {
				t.Fatalf("got %v, want ErrMinorsSafeguards naming %s", err, tc.want)
			}
			if c.Status != forms.StatusSecurityQueried || c.Outcome != "" || len(c.History) != 0 {
				t.Fatalf("a refused end changed the case: %s %s %v", c.Status, c.Outcome, c.History)
			}
			nl, _ := Sentence(err, "nl")
			en, _ := Sentence(err, "en")
			if !strings.Contains(nl, "minderjarig") || !strings.Contains(en, "minor") {
				t.Fatalf("sentences do not say what is missing:\n%s\n%s", en, nl)
			}
		})
	}

	// closing: a referred minor's case whose companion record was lost is not closed
	c := completableMinor(t, x)
	c.Biometrics.Companion = &forms.Companion{Role: forms.CompanionFamily, Relationship: "aunt", ID: "TEST-BADGE-0815"}
	if err := runCommands(c, x, []Command{CompleteForm{}, RecordReferral{forms.Referral{To: forms.ReferAsylum, Authority: "TEST AUTHORITY"}}}); err != nil {
		t.Fatal(err)
	}
	c.Biometrics.Companion.ID = "off"
	if err := (ChangeStatus{forms.StatusClosed}).run(c, x); !errors.Is(err, forms.ErrMinorsSafeguards) || c.Status != forms.StatusReferred {
		t.Fatalf("closing with the officer as companion: %v (status %s)", err, c.Status)
	}
	c.Biometrics.Companion.ID = "TEST-BADGE-0815"
	if err := (ChangeStatus{forms.StatusClosed}).run(c, x); err != nil || c.Status != forms.StatusClosed {
		t.Fatalf("closing with the companion on record: %v (status %s)", err, c.Status)
	}
}
