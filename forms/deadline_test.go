package forms

import (
	"testing"
	"time"
)

func TestScreeningLimit(t *testing.T) {
	for _, tc := range []struct {
		name string
		tr   Trigger
		want time.Duration
		due  time.Duration // from the trigger
	}{
		{"irregular crossing", Trigger{Reason: TriggerIrregularCrossing}, 7 * day, 7 * day},
		// SR Art 8(3): the 4 days run from the end of the 72 hours at the border.
		{"irregular crossing held >72h", Trigger{Reason: TriggerIrregularCrossing, HeldAtBorderOver72h: true}, 4 * day, 72*hour + 4*day},
		{"disembarkation", Trigger{Reason: TriggerDisembarkation}, 7 * day, 7 * day},
		{"held flag ignored outside 5(1)(a)", Trigger{Reason: TriggerDisembarkation, HeldAtBorderOver72h: true}, 7 * day, 7 * day},
		{"application at BCP", Trigger{Reason: TriggerApplicationAtBCP}, 7 * day, 7 * day},
		{"within territory", Trigger{Reason: TriggerWithinTerritory}, 3 * day, 3 * day},
	} {
		c := &Case{Trigger: tc.tr}
		c.Trigger.At = t0
		if got := c.ScreeningLimit(); got != tc.want {
			t.Errorf("%s: %v, want %v", tc.name, got, tc.want)
		}
		if due := c.Deadlines().Screening.Due(); !due.Equal(t0.Add(tc.due)) {
			t.Errorf("%s: due %v, want trigger + %v", tc.name, due, tc.due)
		}
	}
}

// TestArt8_3HeldAtBorderBoundary: SR Art 8(3), an Art 5(1)(a) person kept at the external
// border for more than 72 hours is screened within four days counted from the end of those
// 72 hours: the limit has not passed one instant before trigger + 72 h + 4 days and has
// passed at that instant; during the first 72 hours nothing counts down yet.
func TestArt8_3HeldAtBorderBoundary(t *testing.T) {
	c := &Case{Trigger: Trigger{Reason: TriggerIrregularCrossing, At: t0, HeldAtBorderOver72h: true}}
	d := c.Deadlines().Screening
	end := t0.Add(72*hour + 4*day)
	if !d.Start.Equal(t0.Add(72*hour)) || d.Limit != 4*day {
		t.Fatalf("clock %+v, want 4 days from trigger + 72 h", d)
	}
	for _, tc := range []struct {
		at     time.Time
		passed bool
		level  Level
	}{
		{t0.Add(4 * day), false, LevelNone}, // the old reading (4 days from apprehension) would say passed
		{t0.Add(72 * hour), false, LevelNone},
		{t0.Add(72*hour + 2*day), false, LevelNotice},
		{end.Add(-time.Nanosecond), false, LevelWarning},
		{end, true, LevelOverdue},
	} {
		if got := d.Passed(tc.at); got != tc.passed {
			t.Errorf("at trigger + %v: passed %v, want %v", tc.at.Sub(t0), got, tc.passed)
		}
		if got := d.Level(tc.at); got != tc.level {
			t.Errorf("at trigger + %v: level %v, want %v", tc.at.Sub(t0), got, tc.level)
		}
	}
}

func TestEurodacDeadline(t *testing.T) {
	c := &Case{Trigger: Trigger{Reason: TriggerIrregularCrossing, At: t0}}
	if d := c.Deadlines().Eurodac; d.Limit != 72*hour || !d.Due().Equal(t0.Add(72*hour)) {
		t.Errorf("eurodac %+v", d)
	}
	c.Eurodac.Category = EurodacTemporaryProtection
	if d := c.Deadlines().Eurodac; !d.Due().Equal(t0.Add(10 * day)) {
		t.Errorf("temporary protection due %v", d.Due())
	}
}

// TestEurodacClockPerCategory: the Eurodac limit runs from the event each article names.
func TestEurodacClockPerCategory(t *testing.T) {
	captured := t0.Add(5 * hour)
	registered := t0.Add(26 * hour)
	for _, tc := range []struct {
		name string
		c    Case
		cat  EurodacCategory
		due  time.Time
	}{
		{"ER 15(1)(a) applicant: from the registration of the application",
			Case{Trigger: Trigger{Reason: TriggerIrregularCrossing, At: t0}, Application: Application{Made: AnswerYes, At: registered},
				Biometrics: Biometrics{CapturedAt: captured}},
			EurodacApplicant, registered.Add(72 * hour)},
		{"ER 15(1)(b) application at a BCP: from the taking of the biometric data",
			Case{Trigger: Trigger{Reason: TriggerApplicationAtBCP, At: t0}, Application: Application{Made: AnswerYes, At: t0},
				Biometrics: Biometrics{CapturedAt: captured}},
			EurodacApplicant, captured.Add(72 * hour)},
		{"ER 15(1)(b) before capture: from the application (never later than it can be)",
			Case{Trigger: Trigger{Reason: TriggerApplicationAtBCP, At: t0}, Application: Application{Made: AnswerYes, At: t0.Add(hour)}},
			EurodacApplicant, t0.Add(73 * hour)},
		{"ER 22 irregular crossing: from the apprehension",
			Case{Trigger: Trigger{Reason: TriggerIrregularCrossing, At: t0}, Biometrics: Biometrics{CapturedAt: captured}},
			EurodacIrregularCrossing, t0.Add(72 * hour)},
		{"ER 23 illegally staying: from the apprehension (ASSUMPTION)",
			Case{Trigger: Trigger{Reason: TriggerWithinTerritory, At: t0}, Biometrics: Biometrics{CapturedAt: captured}},
			EurodacIllegalStay, t0.Add(72 * hour)},
		{"ER 24(2) disembarked: from the disembarkation",
			Case{Trigger: Trigger{Reason: TriggerDisembarkation, At: t0}, Biometrics: Biometrics{CapturedAt: captured}},
			EurodacDisembarked, t0.Add(72 * hour)},
		{"ER 26(2) temporary protection: 10 days from the registration",
			Case{Trigger: Trigger{Reason: TriggerWithinTerritory, At: t0}, Eurodac: Eurodac{Category: EurodacTemporaryProtection},
				Biometrics: Biometrics{CapturedAt: captured}},
			EurodacTemporaryProtection, t0.Add(10 * day)},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := tc.c.EurodacCategory(); got != tc.cat {
				t.Errorf("category %s, want %s", got, tc.cat)
			}
			if due := tc.c.Deadlines().Eurodac.Due(); !due.Equal(tc.due) {
				t.Errorf("due trigger + %v, want trigger + %v", due.Sub(t0), tc.due.Sub(t0))
			}
		})
	}
}

// TestEurodacRetakeClock: fingerprints retaken after being temporarily unusable (or taken
// after a health deferral) are retransmitted under their own clock (ER Art 15(1) second
// subparagraph; ASSUMPTION: the category's limit from the retake), met only by a
// transmission after the retake.
func TestEurodacRetakeClock(t *testing.T) {
	sent := t0.Add(10 * hour)
	retake := t0.Add(5 * day)
	c := &Case{Trigger: Trigger{Reason: TriggerIrregularCrossing, At: t0},
		Biometrics: Biometrics{CapturedAt: t0.Add(2 * hour), Fingers: []Finger{
			{Position: RightThumb, Status: FingerTemporarilyUnusable, At: t0.Add(2 * hour)},
			{Position: RightIndex, Status: FingerCaptured, At: t0.Add(2 * hour)},
		}},
		Eurodac: Eurodac{TransmittedAt: sent}}
	if d := c.Deadlines().Eurodac; !d.Due().Equal(t0.Add(72*hour)) || !d.MetAt.Equal(sent) || d.Missed(t0.Add(6*day)) {
		t.Fatalf("before the retake: %+v", d)
	}
	c.Biometrics.Fingers = append(c.Biometrics.Fingers, Finger{Position: RightThumb, Status: FingerCaptured, At: retake})
	d := c.Deadlines().Eurodac
	if !c.RetakenAt().Equal(retake) || !d.Due().Equal(retake.Add(72*hour)) || !d.MetAt.IsZero() {
		t.Fatalf("after the retake: %+v", d)
	}
	if l := d.Level(retake.Add(60 * hour)); l != LevelWarning {
		t.Errorf("retake clock at 60 h: %v", l)
	}
	c.Eurodac.TransmittedAt = retake.Add(3 * hour)
	if d := c.Deadlines().Eurodac; !d.MetAt.Equal(retake.Add(3*hour)) || d.Missed(retake.Add(100*hour)) {
		t.Errorf("after the retransmission: %+v", d)
	}
	// A capture after a health deferral counts the same way.
	h := &Case{Trigger: Trigger{Reason: TriggerDisembarkation, At: t0}, Biometrics: Biometrics{CapturedAt: t0.Add(4 * day)},
		History: []StatusChange{{From: StatusOpened, To: StatusBiometricsDeferred, At: t0.Add(hour)}}}
	if d := h.Deadlines().Eurodac; !d.Due().Equal(t0.Add(4*day + 72*hour)) {
		t.Errorf("after a health deferral: due trigger + %v", d.Due().Sub(t0))
	}
}

func TestDeadlineLevel(t *testing.T) {
	for _, tc := range []struct {
		name       string
		start, due time.Time
		now        time.Time
		want       Level
	}{
		{"no start", time.Time{}, t0.Add(72 * hour), t0.Add(80 * hour), LevelNone},
		{"due not after start", t0, t0, t0.Add(hour), LevelNone},
		{"half", t0, t0.Add(72 * hour), t0.Add(36 * hour), LevelNotice},
		{"80 %", t0, t0.Add(10 * day), t0.Add(8 * day), LevelWarning},
		{"due", t0, t0.Add(72 * hour), t0.Add(72 * hour), LevelOverdue},
	} {
		if got := DeadlineLevel(tc.start, tc.due, tc.now); got != tc.want {
			t.Errorf("%s: %v, want %v", tc.name, got, tc.want)
		}
	}
}

func TestLevels(t *testing.T) {
	d := Deadline{Kind: DeadlineEurodac, Start: t0, Limit: 72 * hour}
	for _, tc := range []struct {
		after time.Duration
		want  Level
	}{
		{0, LevelNone},
		{-hour, LevelNone},
		{36*hour - time.Nanosecond, LevelNone},
		{36 * hour, LevelNotice}, // exactly 50 %
		{57*hour + 36*time.Minute - time.Second, LevelNotice},
		{57*hour + 36*time.Minute, LevelWarning}, // exactly 80 %
		{72*hour - time.Nanosecond, LevelWarning},
		{72 * hour, LevelOverdue}, // exactly 72 h
		{100 * hour, LevelOverdue},
	} {
		if got := d.Level(t0.Add(tc.after)); got != tc.want {
			t.Errorf("after %v: %v, want %v", tc.after, got, tc.want)
		}
	}
	if d.Passed(t0.Add(72*hour - time.Nanosecond)) {
		t.Error("passed one nanosecond before 72 h")
	}
	if !d.Passed(t0.Add(72 * hour)) {
		t.Error("not passed at exactly 72 h")
	}
	met := d
	met.MetAt = t0.Add(70 * hour)
	if met.Level(t0.Add(80*hour)) != LevelNone || met.Missed(t0.Add(80*hour)) {
		t.Error("a deadline met in time shows a level or counts as missed")
	}
	late := d
	late.MetAt = t0.Add(72 * hour)
	if !late.Missed(t0.Add(80 * hour)) {
		t.Error("met at exactly 72 h should count as missed")
	}
	if (Deadline{Limit: 72 * hour}).Level(t0) != LevelNone {
		t.Error("deadline without start has a level")
	}
}

func TestLevelText(t *testing.T) {
	for l := LevelNone; l <= LevelOverdue; l++ {
		b, _ := l.MarshalText()
		var back Level
		if err := back.UnmarshalText(b); err != nil || back != l {
			t.Errorf("%v: %s → %v %v", l, b, back, err)
		}
	}
	var l Level
	if err := l.UnmarshalText([]byte("late")); err == nil {
		t.Error("accepted unknown level")
	}
}

func TestMissedDeadlineNeedsReasonButDoesNotBlock(t *testing.T) {
	c := fullCase()
	now := t0.Add(79 * hour) // Eurodac (72 h from the capture at t0+6h, ER 15(1)(b)) overdue: nothing transmitted
	ps := c.Validate(now)
	if !ps.Has("deadlineMisses", CodeMissReasonMissing) {
		t.Fatalf("no reason problem: %v", ps)
	}
	// Work goes on: capture plan and transitions still work.
	if p := c.CapturePlan(now); !p.Required {
		t.Error("capture no longer required after the deadline")
	}
	if err := c.Transition(StatusBiometricsCaptured, now); err != nil {
		t.Errorf("transition blocked after missed deadline: %v", err)
	}
	c.DeadlineMisses = []DeadlineMiss{{Deadline: DeadlineEurodac, Reason: MissOffline}}
	if ps := c.Validate(now); len(ps) != 0 {
		t.Errorf("with reason: %v", ps)
	}
	// Screening missed too at day 8.
	if got := c.MissingMissReasons(t0.Add(8 * day)); len(got) != 1 || got[0] != DeadlineScreening {
		t.Errorf("missing reasons at day 8: %v", got)
	}
	c.Eurodac.TransmittedAt = t0.Add(77 * hour)
	c.DeadlineMisses = nil
	if got := c.MissingMissReasons(t0.Add(79 * hour)); len(got) != 0 {
		t.Errorf("transmitted in time but still missing: %v", got)
	}
}

// TestRetentionOfEveryCategory: the retention each Eurodac category implies (ER Art 29),
// for every category: 10 years for applicants, 5 for the others, temporary protection not
// read (0 years, marked as an assumption).
func TestRetentionOfEveryCategory(t *testing.T) {
	want := map[EurodacCategory]int{EurodacApplicant: 10, EurodacIrregularCrossing: 5, EurodacIllegalStay: 5,
		EurodacDisembarked: 5, EurodacTemporaryProtection: 0}
	for _, cat := range EurodacCategories {
		r, ok := RetentionOf(cat)
		if !ok || r.Years != want[cat] || r.Article == "" || (r.Years == 0) != r.Assumption {
			t.Errorf("%s: %+v %v, want %d years", cat, r, ok, want[cat])
		}
	}
	if _, ok := RetentionOf("unknown"); ok {
		t.Error("an unknown category has a retention")
	}
}
