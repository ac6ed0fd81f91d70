package forms

import (
	"errors"
	"testing"
)

// importable is fullCase as a file may bring it: a new case (CheckNew) with a typed document.
func importable() *Case {
	c := fullCase()
	c.Reference, c.Status, c.History, c.Checks = "", "", nil, nil
	c.Biometrics = Biometrics{Fingers: []Finger{{Position: LeftRing, Status: FingerTemporarilyUnusable, RetakeOn: PartialDate{2026, 6, 20}}}}
	c.Eurodac = Eurodac{Category: EurodacApplicant}
	c.Health = HealthOutcome{}
	c.Documents[0].Source, c.Documents[0].ScanRef = "manual", ""
	c.Info.LeafletVersion, c.Info.Medium = "", ""
	return c
}

// TestCheckCodesImport: a case that arrives whole passes the rules the commands and code
// lists apply, each refusal naming its field: what the form (SR Art 17(1)), the leaflet
// record (SR Art 11(1), ER Art 42(1)) and the Eurodac data (ER Art 17(1)) carry is coded,
// and a code off its list would travel on to the form, the packets and the monitor.
func TestCheckCodesImport(t *testing.T) {
	now := t0.Add(2 * day)
	if err := importable().CheckNew(false); err != nil {
		t.Fatalf("the base case is not a new case: %v", err)
	}
	if err := importable().CheckCodes("v2", now); err != nil {
		t.Fatalf("codes of their lists refused: %v", err)
	}
	for _, tc := range []struct {
		name string
		edit func(c *Case)
		path string
		err  error
	}{
		{"SR Art 17(1)(b): nationality off the ICAO list", func(c *Case) { c.Identity.Nationalities = []string{"ZZZ"} }, "identity.nationalities[0]", ErrBadValue},
		{"SR Art 17(1)(b): residence country off the list", func(c *Case) { c.Identity.Residences[0].Country = "Turkey" }, "identity.residences[0].country", ErrBadValue},
		{"SR Art 17(1)(b): language well formed but off the list", func(c *Case) { c.Identity.Languages = []string{"apc", "qqq"} }, "identity.languages[1]", ErrBadValue},
		{"SR Art 17(1)(b): language as a name", func(c *Case) { c.Identity.Languages = []string{"Arabic"} }, "identity.languages[0]", ErrBadValue},
		{"SR Art 17(1)(a): country of birth off the list", func(c *Case) { c.Identity.CountryOfBirth = "SY" }, "identity.countryOfBirth", ErrBadValue},
		{"SR Art 17(1)(a): sex off its list", func(c *Case) { c.Identity.Sex = "W" }, "identity.sex", ErrBadValue},
		{"ER Art 17(1): issuing state off the list", func(c *Case) { c.Documents[0].IssuingState = "QQQ" }, "documents[0].issuingState", ErrBadValue},
		{"ER Art 17(1): document type off the MRZ list", func(c *Case) { c.Documents[0].Type = "PT" }, "documents[0].type", ErrBadValue},
		{"ER Art 17(1): document source mrz without a reader", func(c *Case) { c.Documents[0].Source = "mrz" }, "documents[0].source", ErrNotNew},
		{"ER Art 17(1): document holder's language off the list", func(c *Case) { c.Documents[0].Holder.Languages = []string{"xxx"} }, "documents[0].holder.languages[0]", ErrBadValue},
		{"SR Art 17(1)(c): trigger ground off its list", func(c *Case) { c.Trigger.Reason = "TESTPERSON ALPHA" }, "trigger.reason", ErrBadValue},
		{"SR Art 11(1): leaflet language without a leaflet", func(c *Case) { c.Info.LeafletLanguage = "de" }, "information.leafletLanguage", ErrBadValue},
		{"SR Art 11(1): leaflet language as free text", func(c *Case) { c.Info.LeafletLanguage = "Arabic" }, "information.leafletLanguage", ErrBadValue},
		{"SR Art 11(1): interpreter's language off the list", func(c *Case) { c.Info.Interpreter.Language = "zzz" }, "information.interpreter.language", ErrBadValue},
		{"SR Art 12(3): vulnerability indicator off its list", func(c *Case) { c.Vulnerability.Indicators = []string{"TESTPERSON"} }, "vulnerability.indicators[0]", ErrBadValue},
		{"SR Art 17(1)(g): family member's state off the list", func(c *Case) { c.Family[0].MemberState = "Germany" }, "family[0].memberState", ErrBadValue},
		{"SR Art 17(1)(i): cooperation off its list", func(c *Case) { c.Cooperation.Complied = "mostly" }, "cooperation.complied", ErrBadValue},
		{"ER Art 14(1): companion role off its list", func(c *Case) { c.Biometrics.Companion = &Companion{Role: "uncle", ID: "B-1"} }, "biometrics.companion.role", ErrBadValue},
		{"ER Art 13(2): finger status off its list", func(c *Case) { c.Biometrics.Fingers[0].Status = "sore" }, "biometrics.fingers[0].status", ErrBadValue},
		{"SR Art 18: referral target off its list", func(c *Case) { c.Referral.To = "prison" }, "referral.to", ErrBadValue},
		{"ER Art 15: Eurodac category off its list", func(c *Case) { c.Eurodac.Category = "tourist" }, "eurodac.category", ErrBadValue},
		{"SR Art 8(3): missed-deadline reason off its list", func(c *Case) {
			c.DeadlineMisses = []DeadlineMiss{{Deadline: DeadlineScreening, Reason: "TESTPERSON"}}
		}, "deadlineMisses[0].reason", ErrBadValue},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c := importable()
			tc.edit(c)
			err := c.CheckCodes("v2", now)
			var re *RuleError
			if !errors.As(err, &re) || re.Path != tc.path || !errors.Is(err, tc.err) || re.Message.EN == "" || re.Message.NL == "" {
				t.Fatalf("got %v, want a refusal naming %s", err, tc.path)
			}
		})
	}
}
