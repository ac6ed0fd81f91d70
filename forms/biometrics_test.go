package forms

import (
	"slices"
	"strings"
	"testing"
	"time"
)

func at(y int, m time.Month, d int) time.Time { return time.Date(y, m, d, 12, 0, 0, 0, time.UTC) }

func TestBiometricsRequired(t *testing.T) {
	capture := at(2026, time.June, 15)
	for _, tc := range []struct {
		name string
		id   Identity
		at   time.Time
		want bool
		code string
	}{
		{"adult", Identity{BirthDate: PartialDate{1990, 4, 17}}, capture, true, ReasonAgeSixOrOver},
		{"exactly 6 on capture day", Identity{BirthDate: PartialDate{2020, 6, 15}}, capture, true, ReasonAgeSixOrOver},
		{"6 tomorrow", Identity{BirthDate: PartialDate{2020, 6, 16}}, capture, false, ReasonUnderSix},
		{"6 yesterday", Identity{BirthDate: PartialDate{2020, 6, 14}}, capture, true, ReasonAgeSixOrOver},
		{"capture at 23:59 of eve of birthday", Identity{BirthDate: PartialDate{2020, 6, 16}}, time.Date(2026, 6, 15, 23, 59, 59, 0, time.UTC), false, ReasonUnderSix},
		{"capture at 00:00 of birthday", Identity{BirthDate: PartialDate{2020, 6, 16}}, time.Date(2026, 6, 16, 0, 0, 0, 0, time.UTC), true, ReasonAgeSixOrOver},
		// Born 29 Feb 2020: 6th birthday in common year 2026 is reached on 1 March.
		{"leap day, 28 Feb of common year", Identity{BirthDate: PartialDate{2020, 2, 29}}, at(2026, 2, 28), false, ReasonUnderSix},
		{"leap day, 1 Mar of common year", Identity{BirthDate: PartialDate{2020, 2, 29}}, at(2026, 3, 1), true, ReasonAgeSixOrOver},
		// A 6th birthday never falls in a leap year (6 is not a multiple of 4); check another cohort.
		{"born 29 Feb 2016, 28 Feb 2022", Identity{BirthDate: PartialDate{2016, 2, 29}}, at(2022, 2, 28), false, ReasonUnderSix},
		{"born 29 Feb 2016, 1 Mar 2022", Identity{BirthDate: PartialDate{2016, 2, 29}}, at(2022, 3, 1), true, ReasonAgeSixOrOver},
		{"born 28 Feb 2020, 28 Feb 2026", Identity{BirthDate: PartialDate{2020, 2, 28}}, at(2026, 2, 28), true, ReasonAgeSixOrOver},
		{"born 1 Mar 2020, 28 Feb 2026", Identity{BirthDate: PartialDate{2020, 3, 1}}, at(2026, 2, 28), false, ReasonUnderSix},
		{"year only, clearly over 6", Identity{BirthDate: PartialDate{Year: 2010}}, capture, true, ReasonAgeSixOrOver},
		{"year only, clearly under 6", Identity{BirthDate: PartialDate{Year: 2022}}, capture, false, ReasonUnderSix},
		{"year only straddling 6", Identity{BirthDate: PartialDate{Year: 2020}}, capture, false, ReasonUncertainNoProof},
		{"month known, all of June 2020 is 6 by 30 June", Identity{BirthDate: PartialDate{Year: 2020, Month: 6}}, at(2026, 6, 30), true, ReasonAgeSixOrOver},
		{"month known, straddling mid-month", Identity{BirthDate: PartialDate{Year: 2020, Month: 6}}, capture, false, ReasonUncertainNoProof},
		{"possibly under six, no proof", Identity{BirthDate: PartialDate{2015, 1, 1}, BirthDateEstimated: true, PossiblyUnderSix: true}, capture, false, ReasonUncertainNoProof},
		{"possibly under six, with proof", Identity{BirthDate: PartialDate{2019, 1, 1}, PossiblyUnderSix: true, AgeProof: "AGE-ASSESS-77"}, capture, true, ReasonAgeSixOrOver},
		{"no date, no mark", Identity{}, capture, true, ReasonBirthDateUnknown},
		{"no date, possibly under six", Identity{PossiblyUnderSix: true}, capture, false, ReasonUncertainNoProof},
		{"birth date in the future", Identity{BirthDate: PartialDate{2027, 1, 1}}, capture, false, ReasonUnderSix},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c := &Case{Identity: tc.id}
			got, why := c.BiometricsRequired(tc.at)
			if got != tc.want || why.Code != tc.code {
				t.Errorf("got %v %s, want %v %s", got, why.Code, tc.want, tc.code)
			}
			if why.Message.EN == "" || why.Message.NL == "" {
				t.Error("reason without EN/NL message")
			}
		})
	}
}

func TestAgeOnLeapDay(t *testing.T) {
	born := PartialDate{2000, 2, 29}
	for _, tc := range []struct {
		on   PartialDate
		want int
	}{
		{PartialDate{2001, 2, 28}, 0},
		{PartialDate{2001, 3, 1}, 1},
		{PartialDate{2004, 2, 28}, 3},
		{PartialDate{2004, 2, 29}, 4},
		{PartialDate{2018, 2, 28}, 17},
		{PartialDate{2018, 3, 1}, 18},
	} {
		if got := ageOn(born, tc.on); got != tc.want {
			t.Errorf("age on %s = %d, want %d", tc.on, got, tc.want)
		}
	}
}

func TestIsMinor(t *testing.T) {
	now := at(2026, 6, 15)
	for _, tc := range []struct {
		name string
		c    Case
		want bool
	}{
		{"adult", Case{Identity: Identity{BirthDate: PartialDate{1990, 1, 1}}}, false},
		{"18 today", Case{Identity: Identity{BirthDate: PartialDate{2008, 6, 15}}}, false},
		{"18 tomorrow", Case{Identity: Identity{BirthDate: PartialDate{2008, 6, 16}}}, true},
		{"year only, may be 17", Case{Identity: Identity{BirthDate: PartialDate{Year: 2008}}}, true},
		{"indicator", Case{Identity: Identity{BirthDate: PartialDate{1990, 1, 1}}, Vulnerability: Vulnerability{Indicators: []string{VulnUnaccompaniedMinor}}}, true},
		{"unknown date", Case{}, false},
	} {
		if got := tc.c.IsMinor(now); got != tc.want {
			t.Errorf("%s: %v", tc.name, got)
		}
	}
}

func TestCapturePlan(t *testing.T) {
	now := at(2026, 6, 15)
	c := &Case{Identity: Identity{BirthDate: PartialDate{1990, 1, 1}}}
	c.Biometrics.Fingers = []Finger{
		{Position: RightThumb, Status: FingerCaptured},
		{Position: RightIndex, Status: FingerAmputated},
		{Position: RightMiddle, Status: FingerTemporarilyUnusable, RetakeOn: PartialDate{2026, 6, 18}},
		{Position: RightRing, Status: FingerTemporarilyUnusable, RetakeOn: PartialDate{2026, 6, 15}}, // due today
		{Position: LeftThumb, Status: FingerUnprintable},
		{Position: LeftLittle, Status: FingerRefused},
		{Position: LeftIndex, Status: FingerTemporarilyUnusable, RetakeOn: PartialDate{2026, 6, 1}},
		{Position: LeftIndex, Status: FingerCaptured}, // retake replaced the exception
	}
	p := c.CapturePlan(now)
	if !p.Required || !p.Face || p.FaceOnly || p.CompanionNeeded {
		t.Fatalf("plan %+v", p)
	}
	want := []FingerPosition{RightRing, RightLittle, LeftMiddle, LeftRing}
	if !slices.Equal(p.Fingers, want) {
		t.Errorf("to capture %v, want %v", p.Fingers, want)
	}
	if !slices.Equal(p.Captured, []FingerPosition{RightThumb, LeftIndex}) {
		t.Errorf("captured %v", p.Captured)
	}
	var exc []FingerPosition
	for _, e := range p.Exceptions {
		exc = append(exc, e.Position)
		if e.Position == RightMiddle && e.RetakeOn != (PartialDate{2026, 6, 18}) {
			t.Errorf("retake date lost: %+v", e)
		}
	}
	if !slices.Equal(exc, []FingerPosition{RightIndex, RightMiddle, LeftThumb, LeftLittle}) {
		t.Errorf("exceptions %v", exc)
	}

	// All ten unusable: face only (Eurodac Art 28).
	all := &Case{Identity: Identity{BirthDate: PartialDate{1990, 1, 1}}}
	for pos := RightThumb; pos <= LeftLittle; pos++ {
		all.Biometrics.Fingers = append(all.Biometrics.Fingers, Finger{Position: pos, Status: FingerUnprintable})
	}
	if p := all.CapturePlan(now); !p.FaceOnly || len(p.Fingers) != 0 {
		t.Errorf("all unprintable: %+v", p)
	}

	// Under six: nothing to capture.
	kid := &Case{Identity: Identity{BirthDate: PartialDate{2022, 1, 1}}}
	if p := kid.CapturePlan(now); p.Required || len(p.Fingers) != 0 || p.Face {
		t.Errorf("under six: %+v", p)
	}
	// A 10-year-old: all ten fingers, companion needed and missing; health deferral shown.
	child := &Case{Identity: Identity{BirthDate: PartialDate{2016, 1, 1}}, Health: HealthOutcome{DefersBiometrics: true}}
	p = child.CapturePlan(now)
	if len(p.Fingers) != 10 || !p.CompanionNeeded || !p.CompanionMissing || !p.Deferred {
		t.Errorf("child: %+v", p)
	}
	child.Biometrics.Companion = &Companion{Name: "TESTPERSON GAMMA", Role: CompanionFamily}
	if p := child.CapturePlan(now); p.CompanionMissing {
		t.Error("companion recorded but still missing")
	}
}

func TestFingerPositionNames(t *testing.T) {
	if RightThumb != 1 || LeftThumb != 6 || LeftLittle != 10 {
		t.Fatal("ANSI/NIST numbering broken")
	}
	if RightThumb.String() != "right thumb" || LeftLittle.String() != "left little" || FingerPosition(11).String() != "finger position 11" {
		t.Error("names")
	}
}

func TestRefusalMessage(t *testing.T) {
	now := at(2026, 6, 15)
	applicant := &Case{Trigger: Trigger{Reason: TriggerApplicationAtBCP}, Identity: Identity{BirthDate: PartialDate{1990, 1, 1}}}
	m := applicant.RefusalMessage(now)
	if !strings.Contains(m.EN, "Art 41(1)(b)") || !strings.Contains(m.NL, "art. 41, lid 1, onder b") || !strings.Contains(m.NL, "stilzwijgend ingetrokken") {
		t.Errorf("applicant message: %+v", m)
	}
	irregular := &Case{Trigger: Trigger{Reason: TriggerIrregularCrossing}, Identity: Identity{BirthDate: PartialDate{1990, 1, 1}}}
	if m := irregular.RefusalMessage(now); strings.Contains(m.EN, "41(1)(b)") || !strings.Contains(m.EN, "Art 13(3)") {
		t.Errorf("non-applicant message: %+v", m)
	}
	irregular.Application.Made = AnswerYes
	if m := irregular.RefusalMessage(now); !strings.Contains(m.EN, "41(1)(b)") {
		t.Error("application made later: no APR consequence")
	}
	minor := &Case{Trigger: Trigger{Reason: TriggerApplicationAtBCP}, Identity: Identity{BirthDate: PartialDate{2012, 1, 1}}}
	if m := minor.RefusalMessage(now); !strings.Contains(m.EN, "no coercion") || !strings.Contains(m.NL, "geen dwang") {
		t.Errorf("minor message: %+v", m)
	}
}
