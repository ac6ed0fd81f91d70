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
	}{
		{"irregular crossing", Trigger{Reason: TriggerIrregularCrossing}, 7 * day},
		{"irregular crossing held >72h", Trigger{Reason: TriggerIrregularCrossing, HeldAtBorderOver72h: true}, 4 * day},
		{"disembarkation", Trigger{Reason: TriggerDisembarkation}, 7 * day},
		{"held flag ignored outside 5(1)(a)", Trigger{Reason: TriggerDisembarkation, HeldAtBorderOver72h: true}, 7 * day},
		{"application at BCP", Trigger{Reason: TriggerApplicationAtBCP}, 7 * day},
		{"within territory", Trigger{Reason: TriggerWithinTerritory}, 3 * day},
	} {
		c := &Case{Trigger: tc.tr}
		c.Trigger.At = t0
		if got := c.ScreeningLimit(); got != tc.want {
			t.Errorf("%s: %v, want %v", tc.name, got, tc.want)
		}
		if due := c.Deadlines().Screening.Due(); !due.Equal(t0.Add(tc.want)) {
			t.Errorf("%s: due %v", tc.name, due)
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
	now := t0.Add(73 * hour) // Eurodac overdue: nothing transmitted
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
	c.Eurodac.TransmittedAt = t0.Add(71 * hour)
	c.DeadlineMisses = nil
	if got := c.MissingMissReasons(t0.Add(73 * hour)); len(got) != 0 {
		t.Errorf("transmitted in time but still missing: %v", got)
	}
}
