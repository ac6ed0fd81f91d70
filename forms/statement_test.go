package forms

import (
	"encoding/json"
	"strings"
	"testing"
	"time"
)

// Cases stored before SR Art 17(1)(f) had three states carry "made": true/false. false was
// every case's default, so it reads as not recorded, never as a "no" the person gave.
func TestAnswerReadsOldStoredCases(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want Answer
	}{
		{`{"made": true}`, AnswerYes},
		{`{"made": false}`, AnswerNotRecorded},
		{`{}`, AnswerNotRecorded},
		{`{"made": null}`, AnswerNotRecorded},
		{`{"made": "yes"}`, AnswerYes},
		{`{"made": "no"}`, AnswerNo},
	} {
		var a Application
		if err := json.Unmarshal([]byte(tc.in), &a); err != nil {
			t.Fatalf("%s: %v", tc.in, err)
		}
		if a.Made != tc.want {
			t.Errorf("%s read as %q, want %q", tc.in, a.Made, tc.want)
		}
	}
	var a Application
	if err := json.Unmarshal([]byte(`{"made": 3}`), &a); err == nil {
		t.Error("a number was read as an answer")
	}
	// an old stored case decodes whole, and a not-recorded answer is not written back as false
	old := `{"reference":"FS-OLD","trigger":{"reason":"ART5_2_APPLICATION_AT_BCP","place":"NL-SPL","at":"2026-06-14T09:30:00Z"},"application":{"made":false}}`
	c, err := DecodeCase(strings.NewReader(old))
	if err != nil {
		t.Fatal(err)
	}
	if c.Application.Made != AnswerNotRecorded {
		t.Errorf("old false read as %q", c.Application.Made)
	}
	b, _ := json.Marshal(c)
	if strings.Contains(string(b), `"made"`) {
		t.Errorf("not recorded written as a value: %s", b)
	}
}

// SR Art 5(2): presenting at a border crossing point is an application there, so the
// trigger pre-fills 17(1)(f) with yes, place and time; an answer already recorded stays.
func TestSetTriggerPrefillsApplicationArt5_2(t *testing.T) {
	bcp := Trigger{Reason: TriggerApplicationAtBCP, Place: "NL-SPL", At: t0}
	for _, tc := range []struct {
		name    string
		before  Application
		trigger Trigger
		want    Application
	}{
		{"5(2) with nothing recorded", Application{}, bcp, Application{Made: AnswerYes, At: t0, Place: "NL-SPL"}},
		{"5(1)(a) pre-fills nothing", Application{}, Trigger{Reason: TriggerIrregularCrossing, Place: "NL-X", At: t0}, Application{}},
		{"recorded no stays", Application{Made: AnswerNo}, bcp, Application{Made: AnswerNo}},
		{"recorded other application stays", Application{Made: AnswerYes, At: t0.Add(time.Hour), Place: "NL-AMS"}, bcp, Application{Made: AnswerYes, At: t0.Add(time.Hour), Place: "NL-AMS"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c := &Case{Application: tc.before}
			c.SetTrigger(tc.trigger)
			if c.Application != tc.want {
				t.Errorf("application %+v, want %+v", c.Application, tc.want)
			}
		})
	}
	// a pre-filled application follows a corrected trigger
	c := &Case{}
	c.SetTrigger(bcp)
	fixed := bcp
	fixed.Place, fixed.At = "NL-SPL C-pier", t0.Add(-time.Hour)
	c.SetTrigger(fixed)
	if c.Application.Place != "NL-SPL C-pier" || !c.Application.At.Equal(fixed.At) {
		t.Errorf("pre-filled application did not follow the corrected trigger: %+v", c.Application)
	}
}

// Every SR Art 17(1) item is required, or marked as not established with a reason; the
// screening ground (c) and the checks (h) cannot be marked.
func TestCompletenessArt17Items(t *testing.T) {
	now := time.Date(2026, 6, 16, 9, 0, 0, 0, time.UTC)
	clear := map[string]func(c *Case){
		"identity.surnames":      func(c *Case) { c.Identity.Surnames, c.Identity.GivenNames = nil, nil },
		"identity.birthDate":     func(c *Case) { c.Identity.BirthDate = PartialDate{} },
		"identity.placeOfBirth":  func(c *Case) { c.Identity.PlaceOfBirth, c.Identity.CountryOfBirth = "", "" },
		"identity.sex":           func(c *Case) { c.Identity.Sex = "" },
		"identity.nationalities": func(c *Case) { c.Identity.Nationalities = nil },
		"identity.residences":    func(c *Case) { c.Identity.Residences = nil },
		"identity.languages":     func(c *Case) { c.Identity.Languages = nil },
		"trigger.reason":         func(c *Case) { c.Trigger.Reason = "" },
		"health.result":          func(c *Case) { c.Health = HealthOutcome{} },
		"vulnerability.checked":  func(c *Case) { c.Vulnerability = Vulnerability{} },
		"application.made":       func(c *Case) { c.Application = Application{} },
		"familyInMemberState":    func(c *Case) { c.Family, c.FamilyInMemberState = nil, AnswerNotRecorded },
		"securityChecks":         func(c *Case) { c.Checks = nil },
		"cooperation.complied":   func(c *Case) { c.Cooperation = Cooperation{} },
	}
	if len(clear) != len(Art17Items) {
		t.Fatalf("%d items tested, %d in Art17Items", len(clear), len(Art17Items))
	}
	if ps := fullCase().Completeness(); len(ps) > 0 {
		t.Fatalf("complete fixture: %v", ps)
	}
	for _, it := range Art17Items {
		t.Run("17(1)("+it.Letter+") "+it.Path, func(t *testing.T) {
			c := fullCase()
			clear[it.Path](c)
			if !c.Completeness().Has(it.Path, CodeRequired) {
				t.Fatalf("missing %s not reported: %v", it.Path, c.Completeness())
			}
			err := c.SetNotEstablished(it.Path, "the person does not know", now)
			if !it.MayBeUnestablished {
				if err == nil {
					t.Fatalf("%s marked as not established", it.Path)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if ps := c.Completeness(); len(ps) > 0 {
				t.Errorf("not established with a reason still required: %v", ps)
			}
			if err := c.SetNotEstablished(it.Path, " ", now); err != nil || len(c.NotEstablished) != 0 {
				t.Errorf("empty reason did not withdraw the mark: %v %v", err, c.NotEstablished)
			}
		})
	}
}

func TestRecordFamilyAndCooperation(t *testing.T) {
	now := time.Date(2026, 6, 16, 9, 0, 0, 0, time.UTC)
	c := &Case{}
	if c.FamilyAnswer() != AnswerNotRecorded {
		t.Fatal("a new case has a family answer")
	}
	if err := c.RecordFamily(AnswerNo, []FamilyMember{{Name: "X", Relation: "brother", MemberState: "D"}}); err == nil {
		t.Error("no with members listed accepted")
	}
	if err := c.RecordFamily(AnswerNotRecorded, []FamilyMember{{Name: "X", Relation: "brother", MemberState: "D"}}); err != nil || c.FamilyAnswer() != AnswerYes {
		t.Errorf("members listed: %v %q", err, c.FamilyAnswer())
	}
	if err := c.RecordFamily(AnswerNo, nil); err != nil || c.FamilyAnswer() != AnswerNo {
		t.Errorf("no: %v %q", err, c.FamilyAnswer())
	}
	if err := c.RecordFamily("maybe", nil); err == nil {
		t.Error("maybe accepted")
	}
	if err := c.RecordCooperation(Cooperation{Complied: "sometimes"}, now); err == nil {
		t.Error("unknown cooperation value accepted")
	}
	if err := c.RecordCooperation(Cooperation{Complied: "partly"}, now); err != nil || !c.Cooperation.At.Equal(now) {
		t.Errorf("cooperation: %v %+v", err, c.Cooperation)
	}
	if err := c.RecordApplication(Application{Made: AnswerNo, Place: "NL-SPL"}); err == nil {
		t.Error("a place with application made: no accepted")
	}
}

// The person's remarks: the copy's receipt is stamped once, and withdrawn with the answer.
func TestRecordRemarks(t *testing.T) {
	c := &Case{}
	if err := c.RecordRemarks(Remarks{Incorrect: " birth date ", Correct: "1990-04-18", CopyReceived: AnswerYes}, t0); err != nil {
		t.Fatal(err)
	}
	if c.Remarks.Incorrect != "birth date" || !c.Remarks.CopyAt.Equal(t0) {
		t.Errorf("remarks %+v", c.Remarks)
	}
	_ = c.RecordRemarks(Remarks{Incorrect: "birth date", CopyReceived: AnswerYes}, t0.Add(time.Hour))
	if !c.Remarks.CopyAt.Equal(t0) {
		t.Error("receipt re-stamped on a correction")
	}
	_ = c.RecordRemarks(Remarks{}, t0.Add(time.Hour))
	if !c.Remarks.CopyAt.IsZero() {
		t.Error("receipt time kept without the receipt")
	}
	if c.RecordRemarks(Remarks{CopyReceived: "perhaps"}, t0) == nil {
		t.Error("bad answer accepted")
	}
}
