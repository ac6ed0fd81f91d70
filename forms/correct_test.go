package forms

import (
	"encoding/json"
	"errors"
	"strings"
	"testing"
)

// sentCase is fullCase with version 1 of the form sent and the Eurodac data set queued.
func sentCase(form, eurodac bool) *Case {
	c := fullCase()
	c.Status = StatusReferred
	c.FormPackets = nil
	if form {
		s, _ := c.FormDue()
		c.RecordFormPacket(s, "form-v1", t0.Add(day))
	}
	if !eurodac {
		c.Eurodac = Eurodac{Category: c.Eurodac.Category}
	}
	return c
}

// TestTransmittedFieldsArt40 (ER Art 40(3)): once the screening form went to the receiving
// authority or the Eurodac data set was queued, an ordinary change of a transmitted field is
// refused with a sentence (NL/EN) saying a supervisor's correction is needed; other fields
// stay open.
func TestTransmittedFieldsArt40(t *testing.T) {
	for _, tc := range []struct {
		name          string
		form, eurodac bool
		change        func(c *Case)
		want          string // the refused path, "" when allowed
	}{
		{"nothing sent: names change", false, false, func(c *Case) { c.Identity.GivenNames = []string{"X"} }, ""},
		{"form sent: names", true, false, func(c *Case) { c.Identity.GivenNames = []string{"X"} }, "identity.givenNames[0]"},
		{"form sent: languages", true, false, func(c *Case) { c.Identity.Languages = []string{"eng"} }, "identity.languages"},
		{"form sent: document number", true, false, func(c *Case) { c.Documents[0].Number = "Y7654321" }, "documents[0].number"},
		{"form sent: referral target", true, false, func(c *Case) { c.Referral.To = ReferReturn }, "referral.to"},
		{"form sent: a document added", true, false, func(c *Case) { c.Documents = append(c.Documents, Document{Type: "I", Number: "1"}) }, "documents"},
		{"form sent: a document scan attached later", true, false, func(c *Case) { c.Documents[0].ScanRef, c.Documents[0].ScanSource = "scan-2", ScanFromFile }, ""},
		{"form sent: the person's remarks stay theirs", true, false, func(c *Case) { c.Remarks.Incorrect = "my name" }, ""},
		{"form sent: a missed-deadline reason is added", true, false, func(c *Case) {
			c.DeadlineMisses = append(c.DeadlineMisses, DeadlineMiss{Deadline: DeadlineEurodac, Reason: MissOffline})
		}, ""},
		{"form sent: the medic releases a deferral", true, false, func(c *Case) { c.Health.DefersBiometrics = false; c.Health.Result = HealthCareNeeded }, ""},
		{"eurodac queued: names", false, true, func(c *Case) { c.Identity.Surnames = []string{"OTHER"} }, "identity.surnames[0]"},
		{"eurodac queued: date of birth", false, true, func(c *Case) { c.Identity.BirthDate = PartialDate{Year: 1991} }, "identity.birthDate"},
		{"eurodac queued: application place (applicant)", false, true, func(c *Case) { c.Application.Place = "ELSEWHERE" }, "application.place"},
		{"eurodac queued: languages are not in the data set", false, true, func(c *Case) { c.Identity.Languages = []string{"eng"} }, ""},
		{"eurodac queued: vulnerability is not in the data set", false, true, func(c *Case) { c.Vulnerability.Notes = "later" }, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c := sentCase(tc.form, tc.eurodac)
			after := c.Clone()
			tc.change(after)
			err := c.RefuseTransmittedChange(after)
			if tc.want == "" {
				if err != nil {
					t.Fatalf("refused: %v", err)
				}
				return
			}
			var re *RuleError
			if !errors.As(err, &re) || !errors.Is(err, ErrTransmitted) || re.Path != tc.want {
				t.Fatalf("got %v, want a refusal of %s", err, tc.want)
			}
			if !strings.Contains(re.Message.EN, "supervisor's correction") || !strings.Contains(re.Message.NL, "correctie door een supervisor") ||
				!strings.Contains(re.Message.EN, "Art 40(3)") {
				t.Errorf("message %+v", re.Message)
			}
		})
	}
}

// TestIrregularCrosserMayApplyAfterEurodac: a person registered as an irregular crosser
// who applies later is recorded as usual; the application is not in the Art 22 data set.
func TestIrregularCrosserMayApplyAfterEurodac(t *testing.T) {
	c := sentCase(false, true)
	c.Eurodac.Category = EurodacIrregularCrossing
	c.Trigger.Reason = TriggerIrregularCrossing
	c.Application = Application{}
	after := c.Clone()
	after.Application = Application{Made: AnswerYes, Place: "TER APEL", At: t0.Add(2 * day)}
	if err := c.RefuseTransmittedChange(after); err != nil {
		t.Fatal(err)
	}
	after = c.Clone()
	after.Trigger.Place = "ELSEWHERE"
	if err := c.RefuseTransmittedChange(after); err == nil {
		t.Fatal("the apprehension's place (g) changed without a correction")
	}
}

// TestRecordCorrectionArt40 (ER Art 40(3), 43; GDPR Art 16): a supervisor's correction
// with a reason is recorded with old and new value, reason, role, user and time, and marks
// what must be re-sent: the form when its data changed, the Eurodac data set only when an
// element of it changed. Refused without a reason, for another role, or when nothing
// transmitted changes.
func TestRecordCorrectionArt40(t *testing.T) {
	at := t0.Add(3 * day)
	for _, tc := range []struct {
		name          string
		form, eurodac bool
		path          string
		change        func(c *Case)
		supervisor    bool
		reason        string
		wantErr       string
		wantForm      bool
		wantLetters   string
		wantOld       string
		wantNew       string
	}{
		{"names, both sent", true, true, "identity.givenNames", func(c *Case) { c.Identity.GivenNames = []string{"ALFA"} }, true, "misspelt at intake", "",
			true, "c", `["ALPHA"]`, `["ALFA"]`},
		{"languages: the form only", true, true, "identity.languages", func(c *Case) { c.Identity.Languages = []string{"ara"} }, true, "interpreter confirmed", "",
			true, "", `["apc","eng"]`, `["ara"]`},
		{"document number, Eurodac only", false, true, "documents[0].number", func(c *Case) { c.Documents[0].Number = "X7654321" }, true, "read again", "",
			false, "i", `"X1234567"`, `"X7654321"`},
		{"place of birth cleared", true, true, "identity.placeOfBirth", func(c *Case) { c.Identity.PlaceOfBirth = "" }, true, "not established after all", "",
			true, "f", `"ALEPPO"`, ``},
		{"no reason", true, true, "identity.givenNames", func(c *Case) { c.Identity.GivenNames = []string{"ALFA"} }, true, "  ", "needs its reason", false, "", "", ""},
		{"an officer", true, true, "identity.givenNames", func(c *Case) { c.Identity.GivenNames = []string{"ALFA"} }, false, "misspelt", "Only a supervisor", false, "", "", ""},
		{"nothing transmitted changes", false, true, "identity.languages", func(c *Case) { c.Identity.Languages = []string{"ara"} }, true, "x", "changes nothing that was transmitted", false, "", "", ""},
		{"nothing sent at all", false, false, "identity.givenNames", func(c *Case) { c.Identity.GivenNames = []string{"ALFA"} }, true, "x", "changes nothing that was transmitted", false, "", "", ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			before := sentCase(tc.form, tc.eurodac)
			c := before.Clone()
			tc.change(c)
			err := c.RecordCorrection(before, tc.path, tc.reason, tc.supervisor, "supervisor", "sup", at)
			if tc.wantErr != "" {
				var re *RuleError
				if !errors.As(err, &re) || !errors.Is(err, ErrCorrection) || !strings.Contains(re.Message.EN, tc.wantErr) || re.Message.NL == "" {
					t.Fatalf("got %v, want a refusal saying %q", err, tc.wantErr)
				}
				if len(c.Corrections) != 0 {
					t.Fatalf("a refused correction was recorded: %+v", c.Corrections)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if len(c.Corrections) != 1 {
				t.Fatalf("corrections %+v", c.Corrections)
			}
			k := c.Corrections[0]
			if k.Path != tc.path || string(k.Old) != tc.wantOld || string(k.New) != tc.wantNew || k.Reason != strings.TrimSpace(tc.reason) ||
				k.Role != "supervisor" || k.By != "sup" || !k.At.Equal(at) || k.Form != tc.wantForm || strings.Join(k.Eurodac, ",") != tc.wantLetters {
				t.Errorf("recorded %+v (old %s new %s)", k, k.Old, k.New)
			}
			if got := strings.Join(c.EurodacCorrectionDue(), ","); got != tc.wantLetters {
				t.Errorf("Eurodac rectification due for %q, want %q", got, tc.wantLetters)
			}
		})
	}
}

// TestCorrectedFormSupersedes (ER Art 40(3), SR Art 18): after a correction the form is
// due as the next version, superseding the last and naming the corrected fields; once
// queued the correction names that packet and nothing more is due. The Eurodac
// rectification is noted the same way.
func TestCorrectedFormSupersedes(t *testing.T) {
	before := sentCase(true, true)
	c := before.Clone()
	c.Identity.Surnames = []string{"TESTPERSOON"}
	if err := c.RecordCorrection(before, "identity.surnames", "spelling in the passport", true, "supervisor", "sup", t0.Add(3*day)); err != nil {
		t.Fatal(err)
	}
	due, ok := c.FormDue()
	if !ok || due.Addendum || due.Version != 2 || due.Supersedes != "form-v1" || strings.Join(due.Corrected, ",") != "identity.surnames" {
		t.Fatalf("form due %v: %+v", ok, due)
	}
	c.RecordFormPacket(due, "form-v2", t0.Add(3*day))
	if k := c.Corrections[0]; k.FormPacket != "form-v2" || k.FormVersion != 2 {
		t.Errorf("correction after the form was queued: %+v", k)
	}
	if due, ok := c.FormDue(); ok {
		t.Errorf("due again: %+v", due)
	}
	if got := c.EurodacCorrectionDue(); strings.Join(got, ",") != "c" {
		t.Fatalf("Eurodac due %v", got)
	}
	c.RecordEurodacRectification("eu-2")
	if got := c.EurodacCorrectionDue(); len(got) != 0 || c.Corrections[0].EurodacPacket != "eu-2" {
		t.Errorf("after the rectification: due %v, %+v", got, c.Corrections[0])
	}
	// a new case cannot bring corrections
	n := fullCase()
	n.Status, n.History, n.Checks, n.Eurodac, n.Biometrics = "", nil, nil, Eurodac{}, Biometrics{}
	n.Health = HealthOutcome{}
	n.Corrections = c.Corrections
	if err := n.CheckNew(false); err == nil || !strings.Contains(err.Error(), "corrections") {
		t.Errorf("CheckNew: %v", err)
	}
}

func TestFieldPath(t *testing.T) {
	c := fullCase()
	for _, tc := range []struct {
		path, value string
		check       func(n *Case) bool
		wantErr     string
	}{
		{"identity.givenNames", `["ALFA"]`, func(n *Case) bool { return n.Identity.GivenNames[0] == "ALFA" }, ""},
		{"identity.givenNames[0]", `"BETA"`, func(n *Case) bool { return n.Identity.GivenNames[0] == "BETA" }, ""},
		{"identity.givenNames[1]", `"GAMMA"`, func(n *Case) bool { return len(n.Identity.GivenNames) == 2 }, ""},
		{"documents[0].number", `"Z1"`, func(n *Case) bool { return n.Documents[0].Number == "Z1" }, ""},
		{"identity.placeOfBirth", `null`, func(n *Case) bool { return n.Identity.PlaceOfBirth == "" }, ""},
		{"identity.birthDate", `"1991-02"`, func(n *Case) bool { return n.Identity.BirthDate == PartialDate{Year: 1991, Month: 2} }, ""},
		{"identity.nickname", `"x"`, nil, "nickname"},
		{"identity.givenNames", `"ALFA"`, nil, "expected"},
		{"identity.givenNames[5]", `"X"`, nil, "index 5"},
		{"documents[0]", `null`, nil, "cannot be null"},
		{"", `"x"`, nil, "empty"},
		{"identity..x", `"x"`, nil, "missing"},
		{"identity.given Names", `"x"`, nil, "letters and digits"},
		{"documents[x].number", `"x"`, nil, "index"},
		{"documents[0", `"x"`, nil, "index"},
		{"identity.givenNames", `"a" "b"`, nil, "more than one"},
		{"identity.givenNames", `[`, nil, "not JSON"},
	} {
		n, err := c.WithField(tc.path, json.RawMessage(tc.value))
		if tc.wantErr != "" {
			if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
				t.Errorf("%s = %s: %v, want an error saying %q", tc.path, tc.value, err, tc.wantErr)
			}
			continue
		}
		if err != nil || !tc.check(n) {
			t.Errorf("%s = %s: %v", tc.path, tc.value, err)
		}
	}
	if got, _ := c.FieldValue("documents[0].holder.surnames"); string(got) != `["TESTPERSON"]` {
		t.Errorf("FieldValue %s", got)
	}
	if got, err := c.FieldValue("identity.nothing"); got != nil || err != nil {
		t.Errorf("FieldValue of a missing member: %s %v", got, err)
	}
}

// FuzzWithField: any path and value either give a clear error or a case that encodes and
// decodes again; c itself never changes.
func FuzzWithField(f *testing.F) {
	f.Add("identity.givenNames[0]", `"A"`)
	f.Add("documents[0].holder.surnames", `["B"]`)
	f.Add("biometrics.fingers[1].position", `3`)
	f.Add("a[0][1].b", `null`)
	c := fullCase()
	orig, _ := json.Marshal(c)
	f.Fuzz(func(t *testing.T, path, value string) {
		n, err := c.WithField(path, json.RawMessage(value))
		if now, _ := json.Marshal(c); string(now) != string(orig) {
			t.Fatal("WithField changed the case it was given")
		}
		if err != nil {
			return
		}
		if _, err := n.FieldValue(path); err != nil {
			t.Fatalf("accepted path %q does not read back: %v", path, err)
		}
		_ = n.Clone()
	})
}

// TestCorrectableFields: what a supervisor picks from is what was transmitted: the Eurodac
// data set's fields once it was queued, the form's once it was sent; nothing before.
func TestCorrectableFields(t *testing.T) {
	has := func(fs []string, p string) bool { return oneOf(p, fs) }
	if fs := sentCase(false, false).CorrectableFields(); len(fs) != 0 {
		t.Errorf("nothing sent, yet %v", fs)
	}
	eu := sentCase(false, true).CorrectableFields()
	if !has(eu, "identity.givenNames") || !has(eu, "documents[0].number") || !has(eu, "application.place") || has(eu, "identity.languages") || has(eu, "referral.to") {
		t.Errorf("Eurodac queued: %v", eu)
	}
	both := sentCase(true, true).CorrectableFields()
	if !has(both, "identity.languages") || !has(both, "referral.to") || !has(both, "identity.givenNames") || has(both, "documents[0].scanRef") || has(both, "health.result") {
		t.Errorf("form sent: %v", both)
	}
}
