package forms

import (
	"strings"
	"time"
)

// Summary is the small per-case record behind the case list (~300 bytes as JSON): enough to
// find a case and show its deadlines without decrypting and parsing the whole case.
type Summary struct {
	Reference      string    `json:"ref"`
	DisplayName    string    `json:"name,omitempty"`
	Status         Status    `json:"status"`
	TriggerAt      time.Time `json:"trigger"`
	ScreeningDue   time.Time `json:"scrDue"`
	ScreeningLevel Level     `json:"scrLevel"`
	EurodacDue     time.Time `json:"euDue,omitzero"`
	EurodacLevel   Level     `json:"euLevel"`
	// ScreeningFrom and EurodacFrom are when the clocks started (Deadline.Start), so the
	// list can compute a level at any moment; zero in summaries written before they were
	// kept, which then count from the trigger.
	ScreeningFrom  time.Time `json:"scrFrom,omitzero"`
	EurodacFrom    time.Time `json:"euFrom,omitzero"`
	DocumentNumber string    `json:"doc,omitempty"`
	Minor          bool      `json:"minor,omitempty"`
	OpenChecks     int       `json:"open,omitempty"`
	// BiometricsDue: biometrics deferred on health grounds are due now the ground ended
	// (Case.BiometricsDue, ER Art 15(1) second subparagraph), so the list shows it too.
	BiometricsDue bool `json:"bioDue,omitempty"`
}

// Summary computes the case-list record at now. The Eurodac clock is left out (zero due,
// level none) when no biometrics are required.
func (c *Case) Summary(now time.Time) Summary {
	d := c.Deadlines()
	s := Summary{
		Reference:      c.Reference,
		DisplayName:    c.DisplayName(),
		Status:         c.Status,
		TriggerAt:      c.Trigger.At,
		ScreeningDue:   d.Screening.Due(),
		ScreeningLevel: d.Screening.Level(now),
		ScreeningFrom:  d.Screening.Start,
		Minor:          c.IsMinor(now),
		OpenChecks:     len(c.PendingChecks()),
		BiometricsDue:  c.BiometricsDue(),
	}
	if s.Status == "" {
		s.Status = StatusOpened
	}
	if c.Status == StatusReferred || c.Status == StatusClosed {
		s.ScreeningLevel = LevelNone
	}
	if req, _ := c.BiometricsRequired(now); req {
		s.EurodacDue, s.EurodacFrom = d.Eurodac.Due(), d.Eurodac.Start
		s.EurodacLevel = d.Eurodac.Level(now)
	}
	if len(c.Documents) > 0 {
		s.DocumentNumber = c.Documents[0].Number
	}
	return s
}

// Level is the worse of the summary's two deadline levels at now, as the case list shows
// and filters it: a clock with no due moment (met, or not required) counts nothing, and a
// referred or closed case counts down nothing.
func (s Summary) Level(now time.Time) Level {
	if s.Status == StatusReferred || s.Status == StatusClosed {
		return LevelNone
	}
	from := func(t time.Time) time.Time {
		if t.IsZero() {
			return s.TriggerAt
		}
		return t
	}
	worst := LevelNone
	if !s.ScreeningDue.IsZero() {
		worst = DeadlineLevel(from(s.ScreeningFrom), s.ScreeningDue, now)
	}
	if !s.EurodacDue.IsZero() {
		worst = max(worst, DeadlineLevel(from(s.EurodacFrom), s.EurodacDue, now))
	}
	return worst
}

// DisplayName is "SURNAMES, Given names" from the declared identity, falling back to the first
// document's holder, then to the case reference.
func (c *Case) DisplayName() string {
	for _, id := range c.identities() {
		sn, gn := strings.Join(id.Surnames, " "), strings.Join(id.GivenNames, " ")
		switch {
		case sn != "" && gn != "":
			return sn + ", " + gn
		case sn != "":
			return sn
		case gn != "":
			return gn
		}
	}
	return c.Reference
}

func (c *Case) identities() []Identity {
	ids := []Identity{c.Identity}
	for _, d := range c.Documents {
		ids = append(ids, d.Holder)
	}
	return ids
}
