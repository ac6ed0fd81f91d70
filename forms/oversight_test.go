package forms

import (
	"encoding/json"
	"fmt"
	"reflect"
	"strings"
	"testing"
	"time"
)

// fillStrings sets every settable string in v (struct fields, slice elements, pointers) to a
// marker naming its path, and gives every slice two elements, so a test can see which strings
// of a case reach an output.
func fillStrings(v reflect.Value, path string, markers map[string]string) {
	switch v.Kind() {
	case reflect.Pointer:
		if v.IsNil() {
			v.Set(reflect.New(v.Type().Elem()))
		}
		fillStrings(v.Elem(), path, markers)
	case reflect.Struct:
		if v.Type() == reflect.TypeOf(time.Time{}) {
			return
		}
		for i := 0; i < v.NumField(); i++ {
			if v.Type().Field(i).IsExported() {
				fillStrings(v.Field(i), path+"."+v.Type().Field(i).Name, markers)
			}
		}
	case reflect.Slice:
		if v.Len() == 0 {
			v.Set(reflect.MakeSlice(v.Type(), 2, 2))
		}
		for i := 0; i < v.Len(); i++ {
			fillStrings(v.Index(i), fmt.Sprintf("%s[%d]", path, i), markers)
		}
	case reflect.String:
		m := "CanaryMarker" + strings.NewReplacer(".", "_", "[", "_", "]", "").Replace(path)
		markers[m] = path
		v.SetString(m)
	}
}

// TestOversightLeavesOutPersonalFields is the Screening Art 10 rule that the monitor's view is
// pseudonymised: every string of a case is filled with a marker and only the listed ones may
// appear in the summary (codes, the place of screening and the leaflet given). A new personal
// field on Case stays out unless someone adds it here on purpose.
func TestOversightLeavesOutPersonalFields(t *testing.T) {
	var c Case
	markers := map[string]string{}
	fillStrings(reflect.ValueOf(&c).Elem(), "Case", markers)
	allowed := map[string]bool{
		// The place as typed; code fields pass only codes (TestOversightCopiesOnlyCodes).
		"Case.Trigger.Place": true,
		// System names of open checks (SIS, VIS, …), and check statuses as map keys.
		"Case.Checks[0].System": true, "Case.Checks[1].System": true, "Case.Checks[0].Status": true,
		"Case.Checks[1].Status": true, "Case.OpenChecks[0]": false, "Case.OpenChecks[1]": false,
		// Status codes of history entries and fingers are not copied, only counted.
	}
	// Checks pending so their system names are listed as open checks.
	c.Checks[0].Status, c.Checks[1].Status = CheckPending, CheckPending
	markers[string(CheckPending)] = "pending"
	out, err := json.Marshal(c.Oversight("pseudonym-1", time.Date(2026, 7, 1, 0, 0, 0, 0, time.UTC)))
	if err != nil {
		t.Fatal(err)
	}
	for m, path := range markers {
		if strings.HasPrefix(m, "CanaryMarker") && strings.Contains(string(out), m) && !allowed[path] {
			t.Errorf("%s reaches the monitor's summary", path)
		}
	}
	// The probe works: an allowed field does appear.
	if !strings.Contains(string(out), "CanaryMarkerCase_Trigger_Place") {
		t.Fatalf("the place of screening is missing: %s", out)
	}
}

// TestOversightSummary checks the figures the monitor reads off a completed case.
func TestOversightSummary(t *testing.T) {
	t0 := time.Date(2026, 6, 14, 9, 30, 0, 0, time.UTC)
	c := &Case{
		Status:  StatusFormCompleted,
		Trigger: Trigger{Reason: TriggerIrregularCrossing, Place: "NL-SPL", At: t0},
		Identity: Identity{Surnames: []string{"TESTPERSON"}, BirthDate: PartialDate{Year: 2011},
			BirthDateEstimated: true},
		Info:          Information{LeafletLanguage: "ps", LeafletVersion: "v2", ChildFriendly: true, Interpreter: Interpreter{Used: true, ID: "TOLK-1"}},
		Vulnerability: Vulnerability{Checked: true, Indicators: []string{VulnUnaccompaniedMinor}, ReceptionNeeds: []string{"a"}},
		Biometrics: Biometrics{
			Companion: &Companion{Name: "TESTPERSON GUARDIAN", Role: CompanionRepresentative, ID: "REP-9"},
			Fingers:   []Finger{{Position: RightThumb, Status: FingerCaptured}, {Position: RightIndex, Status: FingerRefused}},
			Refusals:  []Refusal{{At: t0, What: "fingerprints", Informed: true}},
		},
		Checks:         []SecurityCheck{{System: "SIS", Status: CheckNoHit}, {System: "ECRIS_TCN", Status: CheckPending}},
		History:        []StatusChange{{From: StatusSecurityQueried, To: StatusFormCompleted, At: t0.Add(50 * time.Hour)}},
		DeadlineMisses: []DeadlineMiss{{Deadline: DeadlineEurodac, Reason: MissOffline, Note: "TESTPERSON said"}},
	}
	o := c.Oversight("p1", t0.Add(100*time.Hour))
	if o.DurationHours != 50 || !o.EndedAt.Equal(t0.Add(50*time.Hour)) {
		t.Errorf("duration %v ended %v", o.DurationHours, o.EndedAt)
	}
	if !o.Minor.Minor || !o.Minor.Unaccompanied || o.Minor.CompanionRole != CompanionRepresentative || !o.Minor.AgeEstimated || !o.Minor.ChildLeaflet {
		t.Errorf("minor safeguards %+v", o.Minor)
	}
	if o.Refusals.Fingers != 1 || o.Refusals.Recorded != 1 || o.Refusals.Informed != 1 || o.FingersTaken != 1 {
		t.Errorf("refusals %+v taken %d", o.Refusals, o.FingersTaken)
	}
	if o.Checks[CheckPending] != 1 || o.Checks[CheckNoHit] != 1 || len(o.OpenChecks) != 1 || o.OpenChecks[0] != "ECRIS_TCN" {
		t.Errorf("checks %v open %v", o.Checks, o.OpenChecks)
	}
	if len(o.MissedLimits) == 0 || o.MissedLimits[0] != (OversightMiss{Deadline: DeadlineEurodac, Reason: MissOffline}) {
		t.Errorf("missed limits %v", o.MissedLimits)
	}
	if o.Vulnerability.ReceptionNeeds != 1 || !o.Information.Interpreter || o.Information.LeafletLanguage != "ps" {
		t.Errorf("vulnerability %+v information %+v", o.Vulnerability, o.Information)
	}
	b, _ := json.Marshal(o)
	for _, personal := range []string{"TESTPERSON", "REP-9", "TOLK-1", "2011"} {
		if strings.Contains(string(b), personal) {
			t.Errorf("summary holds %q: %s", personal, b)
		}
	}
}

// TestOversightCopiesOnlyCodes: the summary's code fields carry a code of their list or
// NotACode, never the text. The commands check these codes, but a case import (CheckNew
// checks none of them) or an older case may hold free text there, such as a name typed as
// the trigger, the leaflet language or a deadline; before, the export copied it as is
// (and unescaped into the CSV).
func TestOversightCopiesOnlyCodes(t *testing.T) {
	const name = "=TESTPERSON DELTA"
	c := &Case{
		Trigger:        Trigger{Reason: name, Place: "NL-SPL", At: time.Date(2026, 6, 14, 9, 30, 0, 0, time.UTC)},
		Info:           Information{LeafletLanguage: name, LeafletVersion: name, Medium: name},
		Vulnerability:  Vulnerability{Checked: true, Indicators: []string{VulnElderly, name}},
		Cooperation:    Cooperation{Complied: name},
		Referral:       Referral{To: name},
		Eurodac:        Eurodac{Category: name},
		Outcome:        name,
		Biometrics:     Biometrics{Companion: &Companion{Role: name}},
		DeadlineMisses: []DeadlineMiss{{Deadline: name, Reason: name}},
	}
	out, err := json.Marshal(c.Oversight("p1", time.Date(2026, 7, 1, 0, 0, 0, 0, time.UTC)))
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(string(out), "TESTPERSON") {
		t.Fatalf("free text in a code field reaches the monitor's summary: %s", out)
	}
	if n := strings.Count(string(out), NotACode); n != 12 {
		t.Errorf("%d fields say %s, want 12: %s", n, NotACode, out)
	}
	good := &Case{Trigger: Trigger{Reason: TriggerDisembarkation}, Info: Information{LeafletLanguage: "ps", LeafletVersion: "v2", Medium: MediumPaper}}
	if o := good.Oversight("p2", time.Now()); o.Trigger != TriggerDisembarkation || o.Information.LeafletLanguage != "ps" || o.Information.LeafletVersion != "v2" || o.Information.Medium != MediumPaper {
		t.Errorf("codes are copied: %+v", o)
	}
}
