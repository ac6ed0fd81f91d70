package pdf

import (
	"time"

	"github.com/fieldscreen/fieldscreen/forms"
)

// SampleCase is a synthetic, fully filled-in case for reviewing the printed form and for tests.
// Every person in it is invented (TESTPERSON …).
func SampleCase() *forms.Case {
	t0 := time.Date(2026, 6, 14, 9, 30, 0, 0, time.UTC)
	return &forms.Case{
		Reference:  "SPL-2026-000123",
		Status:     forms.StatusFormCompleted,
		Outcome:    forms.OutcomeEndedAtDeadlineWithOpenChecks,
		OpenChecks: []string{"ECRIS_TCN"},
		Trigger:    forms.Trigger{Reason: forms.TriggerApplicationAtBCP, Place: "NL-SPL Schiphol, C-pier", At: t0},
		Info: forms.Information{LeafletLanguage: "ar", LeafletVersion: "v1", Medium: "paper",
			Interpreter: forms.Interpreter{Used: true, Language: "apc", ID: "TOLK-0042"}, At: t0.Add(time.Hour)},
		Handover: forms.Handover{Leaflet: forms.HandedOver{Status: forms.HandoverReceived, Language: "ar", Version: "v1", At: t0.Add(time.Hour), By: "KMAR-1201"}},
		Identity: forms.Identity{
			Surnames: []string{"TESTPERSON"}, GivenNames: []string{"ALPHA", "SAMPLE"},
			SurnamesOriginal: []string{"تستبرسون"}, GivenNamesOriginal: []string{"ألفا"},
			BirthDate: forms.PartialDate{Year: 1990, Month: time.April}, BirthDateEstimated: true,
			PlaceOfBirth: "ALEPPO", CountryOfBirth: "SYR", Sex: forms.SexFemale,
			Nationalities: []string{"SYR"}, Languages: []string{"apc", "ara", "eng"},
			Residences: []forms.Residence{{Country: "TUR", From: forms.PartialDate{Year: 2019}, To: forms.PartialDate{Year: 2026, Month: time.May}}},
		},
		Documents: []forms.Document{{Type: "P", Number: "X1234567", IssuingState: "SYR",
			IssueDate: forms.PartialDate{Year: 2022, Month: time.March, Day: 2}, ExpiryDate: forms.PartialDate{Year: 2029, Month: time.March, Day: 1},
			Source: "mrz", Authenticity: "not_checked"}},
		Health:        forms.HealthOutcome{Result: forms.HealthNoFurtherCheck, Examiner: "MED-7", At: t0.Add(2 * time.Hour)},
		Vulnerability: forms.Vulnerability{Checked: true, Indicators: []string{forms.VulnPregnancy}, ReceptionNeeds: []string{"ground-floor room"}, Screener: "VS-3", At: t0.Add(3 * time.Hour)},
		Application:   forms.Application{Made: forms.AnswerYes, At: t0, Place: "NL-SPL Schiphol, C-pier"},
		Family:        []forms.FamilyMember{{Name: "TESTPERSON BETA", Relation: "brother", MemberState: "D"}},
		Cooperation:   forms.Cooperation{Complied: "yes"},
		Checks: []forms.SecurityCheck{
			{System: "SIS", Status: forms.CheckNoHit}, {System: "VIS", Status: forms.CheckNoHit},
			{System: "EUROPOL", Status: forms.CheckNoHit}, {System: "ECRIS_TCN", Status: forms.CheckPending},
		},
		Biometrics: forms.Biometrics{
			Fingers: sampleFingers(t0.Add(6 * time.Hour)),
			Face:    forms.Face{Status: forms.FaceCaptured, At: t0.Add(6 * time.Hour)}, Operator: "KMAR-1201", CapturedAt: t0.Add(6 * time.Hour),
		},
		Eurodac: forms.Eurodac{Category: forms.EurodacApplicant, Reference: "NLD-SPL-000123", MemberStateOfOrigin: "NLD",
			TransmittedAt: t0.Add(30 * time.Hour)},
		History: []forms.StatusChange{
			{From: forms.StatusOpened, To: forms.StatusSecurityQueried, At: t0.Add(7 * time.Hour)},
			{From: forms.StatusSecurityQueried, To: forms.StatusFormCompleted, At: t0.Add(7 * 24 * time.Hour)},
		},
		DeadlineMisses: []forms.DeadlineMiss{{Deadline: forms.DeadlineScreening, Reason: forms.MissOffline,
			Note: "ECRIS-TCN answer not received before the deadline", RecordedAt: t0.Add(7 * 24 * time.Hour)}},
		Referral: forms.Referral{To: forms.ReferAsylum, Authority: "IND Aanmeldcentrum Schiphol"},
	}
}

func sampleFingers(at time.Time) []forms.Finger {
	var fs []forms.Finger
	for p := forms.RightThumb; p <= forms.LeftLittle; p++ {
		f := forms.Finger{Position: p, Status: forms.FingerCaptured, Quality: 70, At: at}
		if p == forms.LeftRing {
			f = forms.Finger{Position: p, Status: forms.FingerTemporarilyUnusable, RetakeOn: forms.PartialDate{Year: 2026, Month: time.June, Day: 17}}
		}
		fs = append(fs, f)
	}
	return fs
}

// SampleDataProtection are invented contact details in the shape of central's signed
// "dataProtection" config, for reviewing the leaflet and for tests. No real organisation.
func SampleDataProtection() *forms.DataProtection {
	return &forms.DataProtection{
		Controller: forms.Contact{Name: "TEST Border Authority", Address: "PO Box 0000, 0000 XX Teststad",
			Phone: "+31 00 000 0000", Email: "privacy@border.example", Web: "https://border.example/privacy"},
		DPO: forms.Contact{Name: "TEST Data Protection Officer, TEST Border Authority", Email: "dpo@border.example",
			Phone: "+31 00 000 0001"},
		SupervisoryAuthority: forms.Contact{Name: "TEST Data Protection Authority", Address: "PO Box 1111, 1111 YY Teststad",
			Web: "https://dpa.example/complaint"},
	}
}
