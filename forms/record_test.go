package forms

import (
	"errors"
	"reflect"
	"strings"
	"testing"
)

// TestRecordHealthMedicOnly: Art 12(1): a non-medic's outcome is refused and leaves the case
// as it was; a medic's is stamped with the examiner and time, and kept when only re-sent.
func TestRecordHealthMedicOnly(t *testing.T) {
	c := fullCase()
	before := c.Health
	err := c.RecordHealth(HealthOutcome{Result: HealthCareNeeded}, false, "off1", t0)
	var re *RuleError
	if !errors.Is(err, ErrMedicOnly) || !errors.As(err, &re) || re.Path != "health.result" || re.Message.NL == "" {
		t.Fatalf("officer: %v", err)
	}
	if c.Health != before {
		t.Fatal("a refused outcome changed the case")
	}
	if err := c.RecordHealth(HealthOutcome{Result: HealthCareNeeded}, true, "med1", t0.Add(day)); err != nil {
		t.Fatal(err)
	}
	if c.Health.Examiner != "med1" || !c.Health.At.Equal(t0.Add(day)) || c.Health.Result != HealthCareNeeded {
		t.Fatalf("medic: %+v", c.Health)
	}
	_ = c.RecordHealth(HealthOutcome{Result: HealthCareNeeded}, true, "med2", t0.Add(2*day))
	if c.Health.Examiner != "med1" || !c.Health.At.Equal(t0.Add(day)) {
		t.Fatalf("an unchanged outcome was stamped again: %+v", c.Health)
	}
	if err := c.RecordHealth(HealthOutcome{Result: "fine"}, true, "med1", t0); !errors.Is(err, ErrBadValue) {
		t.Fatalf("unknown result: %v", err)
	}
}

// TestRecordInformationStamps: the terminal stamps time, medium (in writing, Art 11) and the
// leaflet version when the language is chosen or changed, not when other choices change.
func TestRecordInformationStamps(t *testing.T) {
	c := &Case{}
	mustNil(t, c.RecordInformation(Information{LeafletLanguage: "ar", Interpreter: Interpreter{Used: true, Language: " ARA "}}, "v1", t0))
	if c.Info.At != t0 || c.Info.Medium != MediumPaper || c.Info.LeafletVersion != "v1" || c.Info.Interpreter.Language != "ara" {
		t.Fatalf("first: %+v", c.Info)
	}
	mustNil(t, c.RecordInformation(Information{LeafletLanguage: "ar", ChildFriendly: true}, "v2", t0.Add(hour)))
	if c.Info.At != t0 || c.Info.LeafletVersion != "v1" || !c.Info.ChildFriendly {
		t.Fatalf("same language: %+v", c.Info)
	}
	mustNil(t, c.RecordInformation(Information{LeafletLanguage: "fa"}, "v2", t0.Add(2*hour)))
	if c.Info.At != t0.Add(2*hour) || c.Info.LeafletVersion != "v2" {
		t.Fatalf("new language: %+v", c.Info)
	}
}

func mustNil(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

// TestRecordInformationLeafletLanguage: the leaflet language recorded is one the terminal
// has a leaflet in, of the version it stamps (Screening Regulation Art 11(1), Eurodac Art
// 42(1): the information is given in writing in a language the person understands, so the
// record names a leaflet that exists); anything else is refused naming the field and the
// languages there are, and the case keeps what it had.
func TestRecordInformationLeafletLanguage(t *testing.T) {
	const avail = "available: ar, ckb, en, fa, fr, nl, ps, so, ti, tr"
	for _, tc := range []struct {
		name, lang, version string
		ok                  bool
		says                string // in the refusal
	}{
		{"Art 11(1): Arabic leaflet", "ar", "v2", true, ""},
		{"Art 11(1): Sorani leaflet of the current version", "ckb", "v2", true, ""},
		{"Art 11(1): nothing handed over yet", "", "v2", true, ""},
		{"Art 11(1): no leaflet in that language", "de", "v2", false, avail},
		{"Art 11(1): a person's language code is not a leaflet", "ara", "v2", false, avail},
		{"Art 11(1): upper case is not a leaflet code", "AR", "v2", false, avail},
		{"Art 11(1): free text", "Arabic (read out)", "v2", false, avail},
		{"Art 42(1) ER: no Sorani leaflet of version v1", "ckb", "v1", false, `no leaflet version "v1" in language "ckb"`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c := &Case{Info: Information{LeafletLanguage: "fa", LeafletVersion: "v2", Medium: MediumPaper, At: t0}}
			err := c.RecordInformation(Information{LeafletLanguage: tc.lang}, tc.version, t0.Add(hour))
			if tc.ok {
				if err != nil || c.Info.LeafletLanguage != tc.lang {
					t.Fatalf("refused: %v (%+v)", err, c.Info)
				}
				return
			}
			var re *RuleError
			if !errors.As(err, &re) || !errors.Is(err, ErrBadValue) || re.Path != "information.leafletLanguage" ||
				!strings.Contains(re.Message.EN, tc.says) || re.Message.NL == "" {
				t.Fatalf("%q accepted or refused unclearly: %v", tc.lang, err)
			}
			if c.Info.LeafletLanguage != "fa" || c.Info.At != t0 {
				t.Fatalf("a refused language changed the case: %+v", c.Info)
			}
		})
	}
}

// TestSetFingerException: exceptions replace each other, "" puts the finger back, a retake
// date only on a temporarily unusable finger, a captured finger keeps its capture.
func TestSetFingerException(t *testing.T) {
	c := fullCase()
	for _, tc := range []struct {
		name   string
		pos    FingerPosition
		st     FingerStatus
		retake PartialDate
		err    error
		want   FingerException // the exception after, zero = none
	}{
		{"amputated", RightIndex, FingerAmputated, PartialDate{2026, 7, 1}, nil, FingerException{RightIndex, FingerAmputated, PartialDate{}}},
		{"unusable with date", RightIndex, FingerTemporarilyUnusable, PartialDate{2026, 7, 1}, nil, FingerException{RightIndex, FingerTemporarilyUnusable, PartialDate{2026, 7, 1}}},
		{"back in plan", RightIndex, "", PartialDate{}, nil, FingerException{}},
		{"captured stays", RightThumb, FingerRefused, PartialDate{}, ErrOnRecord, FingerException{}},
		{"captured is not an exception", LeftThumb, FingerCaptured, PartialDate{}, ErrBadValue, FingerException{}},
		{"no such finger", 11, FingerRefused, PartialDate{}, ErrBadValue, FingerException{}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			err := c.SetFingerException(tc.pos, tc.st, tc.retake, t0)
			if !errors.Is(err, tc.err) {
				t.Fatalf("err %v, want %v", err, tc.err)
			}
			if got := c.FingerExceptions()[tc.pos]; tc.err == nil && got != tc.want {
				t.Fatalf("exception %+v, want %+v", got, tc.want)
			}
		})
	}
	if n := len(c.Biometrics.Fingers); n != 2 {
		t.Fatalf("finger records after putting the finger back: %d, want the 2 of the fixture", n)
	}
}

// TestSetCompanionStaysAfterCapture: the companion of a capture made stays on record
// (Eurodac Art 14(1)); before a capture it may be cleared; its ID survives a correction.
func TestSetCompanionStaysAfterCapture(t *testing.T) {
	c := fullCase()
	c.Biometrics.Companion = &Companion{Name: "TESTGUARDIAN", Role: CompanionFamily, ID: "G-1"}
	if err := c.SetCompanion(nil, t0); !errors.Is(err, ErrOnRecord) || c.Biometrics.Companion == nil {
		t.Fatalf("clear after capture: %v", err)
	}
	if err := c.SetCompanion(&Companion{Name: " TESTGUARDIAN B ", Role: CompanionRepresentative}, t0); err != nil {
		t.Fatal(err)
	}
	if cp := c.Biometrics.Companion; cp.Name != "TESTGUARDIAN B" || cp.ID != "G-1" || !cp.Since.Equal(t0) {
		t.Fatalf("corrected: %+v", cp)
	}
	if err := c.SetCompanion(&Companion{Name: "X", Role: "uncle"}, t0); !errors.Is(err, ErrBadValue) {
		t.Fatalf("bad role: %v", err)
	}
	c2 := &Case{Biometrics: Biometrics{Companion: &Companion{Name: "X"}}}
	if err := c2.SetCompanion(nil, t0); err != nil || c2.Biometrics.Companion != nil {
		t.Fatalf("clear before capture: %v", err)
	}
}

// TestCompleteAndEndAtDeadline: Art 18(5): with checks pending the form cannot be completed;
// ending at the deadline is offered and allowed only once the screening limit has passed,
// and records that outcome with the open checks listed.
func TestCompleteAndEndAtDeadline(t *testing.T) {
	c := fullCase()
	c.Checks[1].Status = CheckPending
	before := t0.Add(2 * day)
	after := t0.Add(c.ScreeningLimit() + hour)
	if err := c.Complete(after); !errors.Is(err, ErrOpenChecks) {
		t.Fatalf("complete with a pending check after the limit: %v", err)
	}
	if _, ok := c.DeadlineEndOffer(before); ok {
		t.Fatal("the deadline end is offered before the limit")
	}
	if err := c.EndAtDeadline(before); !errors.Is(err, ErrTransition) {
		t.Fatalf("end before the limit: %v", err)
	}
	open, ok := c.DeadlineEndOffer(after)
	if !ok || !reflect.DeepEqual(open, []string{"VIS"}) {
		t.Fatalf("offer after the limit: %v %v", open, ok)
	}
	if err := c.EndAtDeadline(after); err != nil {
		t.Fatal(err)
	}
	if c.Status != StatusFormCompleted || c.Outcome != OutcomeEndedAtDeadlineWithOpenChecks || !reflect.DeepEqual(c.OpenChecks, []string{"VIS"}) {
		t.Fatalf("after the end: %s %s %v", c.Status, c.Outcome, c.OpenChecks)
	}
	if _, ok := c.DeadlineEndOffer(after); ok {
		t.Fatal("offered again after the form was completed")
	}
	d := fullCase()
	if err := d.Complete(before); err != nil || d.Outcome != OutcomeCompleted {
		t.Fatalf("complete with every check answered: %v %s", err, d.Outcome)
	}
	if err := d.RecordReferral(Referral{To: ReferAsylum, Authority: " IND "}, before.Add(hour)); err != nil || d.Status != StatusReferred || d.Referral.Authority != "IND" {
		t.Fatalf("referral after completion: %v %s %+v", err, d.Status, d.Referral)
	}
}

// TestCheckNewRefusesEachProtectedField: a new case carries nothing the terminal records
// later; each refusal names its field in both languages.
func TestCheckNewRefusesEachProtectedField(t *testing.T) {
	full := fullCase()
	for _, tc := range []struct {
		path string
		set  func(c *Case)
	}{
		{"status", func(c *Case) { c.Status = StatusFormCompleted }},
		{"outcome", func(c *Case) { c.Outcome = OutcomeCompleted }},
		{"openChecks", func(c *Case) { c.OpenChecks = []string{"SIS"} }},
		{"history", func(c *Case) { c.History = full.History }},
		{"securityChecks", func(c *Case) { c.Checks = full.Checks }},
		{"eurodac", func(c *Case) { c.Eurodac.Reference = "NL-1" }},
		{"biometrics", func(c *Case) { c.Biometrics.Face = full.Biometrics.Face }},
		{"biometrics.fingers", func(c *Case) { c.Biometrics.Fingers = full.Biometrics.Fingers[:1] }},
		{"health", func(c *Case) { c.Health = full.Health }},
		{"identity.ageDoubt", func(c *Case) {
			c.Identity.AgeDoubt = AgeDoubt{CouldBeMinor: AnswerYes, Reason: "looks 16", By: "off1", At: t0}
		}},
		// ER Art 17(1)(j): the scan comes from the terminal's own attach command
		{"documents.scanRef", func(c *Case) {
			c.Documents = []Document{{Type: "P", Number: "X1", IssuingState: "UTO", ScanRef: "docscan-1.jpg", Authenticity: AuthenticityGenuine}}
		}},
		{"biometrics.clearedExceptions", func(c *Case) {
			c.Biometrics.Cleared = []ClearedException{{Position: LeftRing, Since: t0, ClearedAt: t0}}
		}},
		{"biometrics.companion.since", func(c *Case) {
			c.Biometrics.Companion = &Companion{Role: CompanionFamily, Relationship: "mother", ID: "B-1", Since: t0}
		}},
	} {
		t.Run(tc.path, func(t *testing.T) {
			c := &Case{Trigger: full.Trigger, Identity: full.Identity}
			if err := c.CheckNew(false); err != nil {
				t.Fatalf("a plain new case: %v", err)
			}
			tc.set(c)
			err := c.CheckNew(false)
			var re *RuleError
			if !errors.As(err, &re) || re.Path != tc.path || !errors.Is(err, ErrNotNew) || re.Message.NL == "" || strings.Contains(re.Message.EN, "%") {
				t.Fatalf("got %v, want a refusal naming %s", err, tc.path)
			}
		})
	}
	c := &Case{Trigger: full.Trigger, Health: full.Health, Eurodac: Eurodac{Category: EurodacApplicant},
		Biometrics: Biometrics{Fingers: []Finger{{Position: LeftRing, Status: FingerAmputated}}}}
	if err := c.CheckNew(true); err != nil {
		t.Fatalf("medical staff's outcome, a category and a known exception: %v", err)
	}
}
