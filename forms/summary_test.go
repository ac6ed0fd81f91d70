package forms

import (
	"encoding/json"
	"testing"
	"time"
)

func TestSummary(t *testing.T) {
	c := fullCase()
	now := t0.Add(66 * hour) // Eurodac (from the capture at t0+6h, ER 15(1)(b)) at 83 %, screening at 39 %
	s := c.Summary(now)
	if s.Reference != "SPL-2026-000123" || s.DisplayName != "TESTPERSON, ALPHA" || s.Status != StatusSecurityQueried ||
		s.DocumentNumber != "X1234567" || !s.TriggerAt.Equal(t0) {
		t.Errorf("summary %+v", s)
	}
	if s.ScreeningLevel != LevelNone || s.EurodacLevel != LevelWarning || !s.EurodacDue.Equal(t0.Add(78*hour)) || !s.ScreeningDue.Equal(t0.Add(7*day)) {
		t.Errorf("levels %+v", s)
	}
	b, err := json.Marshal(s)
	if err != nil {
		t.Fatal(err)
	}
	if len(b) > 320 {
		t.Errorf("summary is %d bytes, want ≤ 320: %s", len(b), b)
	}
	var back Summary
	if err := json.Unmarshal(b, &back); err != nil || back.EurodacLevel != LevelWarning || back.Reference != s.Reference {
		t.Errorf("summary JSON round trip: %v %+v", err, back)
	}

	if s.Level(now) != LevelWarning || s.Level(t0.Add(time.Hour)) != LevelNone || s.Level(t0.Add(8*day)) != LevelOverdue {
		t.Errorf("summary levels: now %v, at 1 h %v, at 8 days %v", s.Level(now), s.Level(t0.Add(time.Hour)), s.Level(t0.Add(8*day)))
	}
	old := s
	old.ScreeningFrom, old.EurodacFrom = time.Time{}, time.Time{} // a summary written before the starts were kept
	if old.Level(now) != LevelWarning {
		t.Errorf("old summary level %v", old.Level(now))
	}
	s.Status = StatusReferred
	if s.Level(t0.Add(8*day)) != LevelNone {
		t.Errorf("a referred case still counts down")
	}
	s.Status = StatusSecurityQueried

	// Under six: no Eurodac clock.
	c.Identity.BirthDate = PartialDate{2023, 1, 1}
	if s := c.Summary(now); !s.EurodacDue.IsZero() || s.EurodacLevel != LevelNone || !s.Minor {
		t.Errorf("under six: %+v", s)
	}
	// No names anywhere: the reference stands in; document holder name is the fallback.
	c.Identity = Identity{}
	if s := c.Summary(now); s.DisplayName != "TESTPERSON, ALPHA" {
		t.Errorf("document fallback: %q", s.DisplayName)
	}
	c.Documents = nil
	if s := c.Summary(now); s.DisplayName != c.Reference {
		t.Errorf("reference fallback: %q", s.DisplayName)
	}
}
