package forms

import "time"

var (
	t0   = time.Date(2026, 6, 14, 9, 30, 0, 0, time.UTC) // trigger time used throughout
	hour = time.Hour
	day  = 24 * time.Hour
)

// fullCase is a synthetic case with every part filled in and valid at t0+2 days.
func fullCase() *Case {
	return &Case{
		Reference: "SPL-2026-000123",
		Status:    StatusSecurityQueried,
		Trigger:   Trigger{Reason: TriggerApplicationAtBCP, Place: "NL-SPL Schiphol C-pier", At: t0},
		Info: Information{LeafletLanguage: "ar", LeafletVersion: "v1", Medium: "paper",
			Interpreter: Interpreter{Used: true, Language: "ara", ID: "TOLK-0042"}, At: t0.Add(hour)},
		Identity: Identity{
			Surnames: []string{"TESTPERSON"}, GivenNames: []string{"ALPHA"},
			SurnamesOriginal: []string{"تستبرسون"}, GivenNamesOriginal: []string{"ألفا"},
			OtherNames: []string{"ALFA TESTPERSOON"},
			BirthDate:  PartialDate{Year: 1990, Month: time.April}, BirthDateEstimated: true,
			AgeDoubt:     AgeDoubt{CouldBeMinor: AnswerNo, Reason: "looks about 36, says 36"},
			PlaceOfBirth: "ALEPPO", CountryOfBirth: "SYR", Sex: SexFemale,
			Nationalities: []string{"SYR"}, Languages: []string{"apc", "eng"},
			Residences: []Residence{{Country: "TUR", From: PartialDate{Year: 2019}, To: PartialDate{Year: 2026, Month: time.May}}},
		},
		Documents: []Document{{Type: "P", Number: "X1234567", IssuingState: "SYR",
			IssueDate: PartialDate{2022, time.March, 2}, ExpiryDate: PartialDate{2029, time.March, 1},
			Holder: Identity{Surnames: []string{"TESTPERSON"}, GivenNames: []string{"ALPHA"},
				BirthDate: PartialDate{1990, time.April, 17}, Sex: SexFemale, Nationalities: []string{"SYR"}},
			Source: "mrz", Authenticity: "not_checked", ScanRef: "scan-1"}},
		Health:        HealthOutcome{Result: HealthNoFurtherCheck, Examiner: "MED-7", At: t0.Add(2 * hour)},
		Vulnerability: Vulnerability{Checked: true, Indicators: []string{VulnPregnancy}, ReceptionNeeds: []string{"ground-floor room"}, Screener: "VS-3", At: t0.Add(3 * hour)},
		Application:   Application{Made: AnswerYes, At: t0, Place: "NL-SPL Schiphol C-pier"},
		Family:        []FamilyMember{{Name: "TESTPERSON BETA", Relation: "brother", MemberState: "D"}},
		Cooperation:   Cooperation{Complied: "yes"},
		Checks: []SecurityCheck{
			{System: "SIS", Status: CheckNoHit, Reference: "Q-1", QueriedAt: t0.Add(4 * hour), AnsweredAt: t0.Add(5 * hour)},
			{System: "VIS", Status: CheckNoHit, Reference: "Q-2", QueriedAt: t0.Add(4 * hour), AnsweredAt: t0.Add(5 * hour)},
		},
		Biometrics: Biometrics{
			Fingers: []Finger{{Position: RightThumb, Status: FingerCaptured, Quality: 71, ImageRef: "img-1", At: t0.Add(6 * hour)},
				{Position: LeftRing, Status: FingerTemporarilyUnusable, RetakeOn: PartialDate{2026, time.June, 20}}},
			Face:     Face{Status: FaceCaptured, ImageRef: "face-1", At: t0.Add(6 * hour)},
			Operator: "KMAR-1201", CapturedAt: t0.Add(6 * hour),
		},
		Eurodac:  Eurodac{Category: EurodacApplicant, Reference: "NLD-SPL-000123", MemberStateOfOrigin: "NLD"},
		Referral: Referral{To: ReferAsylum, Authority: "IND Aanmeldcentrum Schiphol"},
		History:  []StatusChange{{From: StatusOpened, To: StatusSecurityQueried, At: t0.Add(4 * hour)}},
	}
}
