package forms

import (
	"encoding/json"
	"strings"
	"testing"
	"time"
)

func TestFullCaseIsValid(t *testing.T) {
	if ps := fullCase().Validate(t0.Add(2 * day)); len(ps) != 0 {
		t.Fatalf("full case invalid: %v", ps)
	}
}

func TestValidateProblems(t *testing.T) {
	now := t0.Add(2 * day)
	for _, tc := range []struct {
		name   string
		change func(c *Case)
		path   string
		code   string
	}{
		{"birth date in the future", func(c *Case) { c.Identity.BirthDate = PartialDate{2027, 1, 1} }, "identity.birthDate", CodeFutureDate},
		{"birth year in the future", func(c *Case) { c.Identity.BirthDate = PartialDate{Year: 2027} }, "identity.birthDate", CodeFutureDate},
		{"birth date today is fine? no: tomorrow", func(c *Case) { c.Identity.BirthDate = DateOf(now.Add(day)) }, "identity.birthDate", CodeFutureDate},
		{"expiry before issue", func(c *Case) { c.Documents[0].ExpiryDate = PartialDate{2021, 1, 1} }, "documents[0].expiryDate", CodeExpiryBeforeIssue},
		{"expiry equals issue", func(c *Case) { c.Documents[0].ExpiryDate = c.Documents[0].IssueDate }, "documents[0].expiryDate", CodeExpiryBeforeIssue},
		{"partial expiry date", func(c *Case) { c.Documents[0].ExpiryDate = PartialDate{Year: 2029} }, "documents[0].expiryDate", CodeDateIncomplete},
		{"issue date in future", func(c *Case) { c.Documents[0].IssueDate = PartialDate{2026, 7, 1} }, "documents[0].issueDate", CodeFutureDate},
		{"unknown issuing state", func(c *Case) { c.Documents[0].IssuingState = "ABC" }, "documents[0].issuingState", CodeUnknownState},
		{"stateless as issuing state", func(c *Case) { c.Documents[0].IssuingState = Stateless }, "documents[0].issuingState", CodeUnknownState},
		{"lower-case state", func(c *Case) { c.Documents[0].IssuingState = "syr" }, "documents[0].issuingState", CodeUnknownState},
		{"missing issuing state", func(c *Case) { c.Documents[0].IssuingState = "" }, "documents[0].issuingState", CodeRequired},
		{"bad doc type", func(c *Case) { c.Documents[0].Type = "X" }, "documents[0].type", CodeInvalidValue},
		{"doc number with filler", func(c *Case) { c.Documents[0].Number = "X123<<" }, "documents[0].number", CodeInvalidValue},
		{"holder unknown nationality code", func(c *Case) { c.Documents[0].Holder.Nationalities = []string{"QQQ"} }, "documents[0].holder.nationalities[0]", CodeUnknownState},
		{"stateless with nationality", func(c *Case) { c.Identity.Nationalities = []string{"SYR", Stateless} }, "identity.nationalities", CodeStatelessWithNat},
		{"unknown with nationality", func(c *Case) { c.Identity.Nationalities = []string{UnknownNationality, "AFG"} }, "identity.nationalities", CodeStatelessWithNat},
		{"unknown nationality code", func(c *Case) { c.Identity.Nationalities = []string{"SYR", "ZZZ"} }, "identity.nationalities[1]", CodeUnknownState},
		{"empty nationality", func(c *Case) { c.Identity.Nationalities = []string{""} }, "identity.nationalities[0]", CodeEmptyValue},
		{"duplicate nationality", func(c *Case) { c.Identity.Nationalities = []string{"SYR", "SYR"} }, "identity.nationalities[1]", CodeDuplicate},
		{"empty surname", func(c *Case) { c.Identity.Surnames = []string{" "} }, "identity.surnames[0]", CodeEmptyValue},
		{"bad sex", func(c *Case) { c.Identity.Sex = "U" }, "identity.sex", CodeInvalidValue},
		{"bad language", func(c *Case) { c.Identity.Languages = []string{"ar"} }, "identity.languages[0]", CodeUnknownLanguage},
		{"bad country of birth", func(c *Case) { c.Identity.CountryOfBirth = "XX" }, "identity.countryOfBirth", CodeUnknownState},
		{"residence ends before start", func(c *Case) { c.Identity.Residences[0].To = PartialDate{Year: 2018} }, "identity.residences[0].to", CodeInconsistent},
		{"bad trigger reason", func(c *Case) { c.Trigger.Reason = "ART6" }, "trigger.reason", CodeInvalidValue},
		{"missing trigger time", func(c *Case) { c.Trigger.At = time.Time{} }, "trigger.at", CodeRequired},
		{"trigger in future", func(c *Case) { c.Trigger.At = now.Add(hour) }, "trigger.at", CodeFutureDate},
		{"held flag on wrong reason", func(c *Case) { c.Trigger.HeldAtBorderOver72h = true }, "trigger.heldAtBorderOver72h", CodeInconsistent},
		{"bad leaflet language", func(c *Case) { c.Info.LeafletLanguage = "Arabic" }, "information.leafletLanguage", CodeUnknownLanguage},
		{"no leaflet in that language", func(c *Case) { c.Info.LeafletLanguage = "de" }, "information.leafletLanguage", CodeUnknownLanguage},
		{"no such leaflet version", func(c *Case) { c.Info.LeafletVersion = "v9" }, "information.leafletVersion", CodeInvalidValue},
		{"interpreter recorded but not used", func(c *Case) { c.Info.Interpreter.Used = false }, "information.interpreter.used", CodeInconsistent},
		{"bad health result", func(c *Case) { c.Health.Result = "fine" }, "health.result", CodeInvalidValue},
		{"bad vulnerability indicator", func(c *Case) { c.Vulnerability.Indicators = []string{"sad"} }, "vulnerability.indicators[0]", CodeInvalidValue},
		{"bad check status", func(c *Case) { c.Checks[0].Status = "ok" }, "securityChecks[0].status", CodeInvalidValue},
		{"not possible without reason", func(c *Case) { c.Checks[0].Status = CheckNotPossible }, "securityChecks[0].reason", CodeRequired},
		{"pending with answer", func(c *Case) { c.Checks[0].Status = CheckPending }, "securityChecks[0].status", CodeInconsistent},
		{"bad finger position", func(c *Case) { c.Biometrics.Fingers[0].Position = 11 }, "biometrics.fingers[0].position", CodeInvalidValue},
		{"temporarily unusable without retake date", func(c *Case) { c.Biometrics.Fingers[1].RetakeOn = PartialDate{} }, "biometrics.fingers[1].retakeOn", CodeRetakeDateMissing},
		{"minor captured without companion", func(c *Case) { c.Identity.BirthDate = PartialDate{2014, 5, 1} }, "biometrics.companion", CodeCompanionMissing},
		{"UAM with family companion", func(c *Case) {
			c.Identity.BirthDate = PartialDate{2014, 5, 1}
			c.Vulnerability.Indicators = []string{VulnUnaccompaniedMinor}
			c.Biometrics.Companion = &Companion{Name: "TESTPERSON DELTA", Role: CompanionFamily}
		}, "biometrics.companion.role", CodeCompanionRole},
		{"companion is the operator", func(c *Case) {
			c.Biometrics.Companion = &Companion{Name: "X", Role: CompanionTrainedPerson, ID: c.Biometrics.Operator}
		}, "biometrics.companion.id", CodeCompanionRole},
		{"captured under six", func(c *Case) {
			c.Identity.BirthDate = PartialDate{2022, 1, 1}
			c.Biometrics.Companion = &Companion{Name: "TESTPERSON DELTA", Role: CompanionFamily}
		}, "biometrics", CodeUnderSixCaptured},
		{"captured without time", func(c *Case) { c.Biometrics.CapturedAt = time.Time{} }, "biometrics.capturedAt", CodeRequired},
		{"relocation without member state", func(c *Case) { c.Referral.To = ReferRelocation }, "referral.memberState", CodeRequired},
		{"bad referral", func(c *Case) { c.Referral.To = "deport" }, "referral.to", CodeInvalidValue},
		{"bad miss reason", func(c *Case) {
			c.DeadlineMisses = []DeadlineMiss{{Deadline: DeadlineEurodac, Reason: "LAZY"}}
		}, "deadlineMisses[0].reason", CodeInvalidValue},
		{"bad status", func(c *Case) { c.Status = "done" }, "status", CodeInvalidValue},
		{"application at without made", func(c *Case) { c.Application.Made = AnswerNotRecorded }, "application.made", CodeInconsistent},
		{"family member in unknown state", func(c *Case) { c.Family[0].MemberState = "GER" }, "family[0].memberState", CodeUnknownState},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c := fullCase()
			tc.change(c)
			ps := c.Validate(now)
			if !ps.Has(tc.path, tc.code) {
				t.Fatalf("want %s %s, got %v", tc.path, tc.code, ps)
			}
			for _, p := range ps {
				if p.Message.EN == "" || p.Message.NL == "" {
					t.Errorf("problem without both languages: %+v", p)
				}
			}
		})
	}
}

func TestValidateReportsEverythingAtOnce(t *testing.T) {
	c := fullCase()
	c.Identity.BirthDate = PartialDate{2030, 1, 1}
	c.Documents[0].ExpiryDate = PartialDate{2020, 1, 1}
	c.Identity.Nationalities = []string{"SYR", Stateless}
	c.Documents[0].IssuingState = "ABC"
	ps := c.Validate(t0.Add(day))
	for _, want := range [][2]string{
		{"identity.birthDate", CodeFutureDate},
		{"documents[0].expiryDate", CodeExpiryBeforeIssue},
		{"identity.nationalities", CodeStatelessWithNat},
		{"documents[0].issuingState", CodeUnknownState},
	} {
		if !ps.Has(want[0], want[1]) {
			t.Errorf("missing %v in %v", want, ps)
		}
	}
	if !strings.Contains(ps.Error(), "documents[0].expiryDate") {
		t.Errorf("Error() does not name paths: %s", ps.Error())
	}
	b, _ := json.Marshal(ps[0])
	if !strings.Contains(string(b), `"path"`) || !strings.Contains(string(b), `"nl"`) {
		t.Errorf("problem JSON %s", b)
	}
}

func TestKnownState(t *testing.T) {
	for code, want := range map[string]bool{"NLD": true, "SYR": true, "D": true, "DEU": true, "XXA": true,
		"XXX": true, "GBD": true, "RKS": true, "ZWE": true, "ABW": true, "ABC": false, "nld": false, "": false, "NL": false, "NLDX": false} {
		if knownState(code) != want {
			t.Errorf("%q: %v", code, !want)
		}
	}
}

func TestPartialDateParse(t *testing.T) {
	for _, bad := range []string{"", "199", "19900", "1990-1", "1990-00", "1990-13", "1990-02-30", "2023-02-29", "0000", "1990/01/01", "1990-01-01T", "+990", "1990-1a"} {
		if _, err := ParsePartialDate(bad); err == nil {
			t.Errorf("%q accepted", bad)
		}
	}
	for _, good := range []string{"1990", "1990-01", "2024-02-29", "1999-12-31"} {
		d, err := ParsePartialDate(good)
		if err != nil || d.String() != good {
			t.Errorf("%q: %v %v", good, d, err)
		}
	}
	d := PartialDate{Year: 2024, Month: 2}
	if d.Latest() != (PartialDate{2024, 2, 29}) || d.Earliest() != (PartialDate{2024, 2, 1}) {
		t.Errorf("range %v %v", d.Earliest(), d.Latest())
	}
}

func TestBlockingDropsOnlyAdvisories(t *testing.T) {
	c := fullCase()
	c.Identity.Sex = "Q"
	ps := c.Validate(t0.Add(30 * day))
	if !ps.Has("deadlineMisses", CodeMissReasonMissing) {
		t.Fatalf("no advisory: %v", ps)
	}
	b := ps.Blocking()
	if b.Has("deadlineMisses", CodeMissReasonMissing) || !b.Has("identity.sex", CodeInvalidValue) || len(b) != 1 {
		t.Errorf("blocking = %v", b)
	}
}

func TestHealthDetailsValidate(t *testing.T) {
	now := t0.Add(day)
	ok := HealthDetails{CaseReference: "SPL-1", Examiner: "MED-7", At: t0, Findings: "none"}
	if ps := ok.Validate(now); len(ps) != 0 {
		t.Errorf("valid details: %v", ps)
	}
	bad := HealthDetails{At: now.Add(day)}
	ps := bad.Validate(now)
	for _, want := range [][2]string{{"caseReference", CodeRequired}, {"examiner", CodeRequired}, {"at", CodeFutureDate}} {
		if !ps.Has(want[0], want[1]) {
			t.Errorf("missing %v in %v", want, ps)
		}
	}
}
