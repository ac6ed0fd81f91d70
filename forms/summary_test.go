package forms

import (
	"encoding/json"
	"testing"
)

func TestSummary(t *testing.T) {
	c := fullCase()
	now := t0.Add(60 * hour) // Eurodac at 83 %, screening at 36 %
	s := c.Summary(now)
	if s.Reference != "SPL-2026-000123" || s.DisplayName != "TESTPERSON, ALPHA" || s.Status != StatusSecurityQueried ||
		s.DocumentNumber != "X1234567" || !s.TriggerAt.Equal(t0) {
		t.Errorf("summary %+v", s)
	}
	if s.ScreeningLevel != LevelNone || s.EurodacLevel != LevelWarning || !s.EurodacDue.Equal(t0.Add(72*hour)) || !s.ScreeningDue.Equal(t0.Add(7*day)) {
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
