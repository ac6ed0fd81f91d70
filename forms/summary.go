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
	DocumentNumber string    `json:"doc,omitempty"`
	Minor          bool      `json:"minor,omitempty"`
	OpenChecks     int       `json:"open,omitempty"`
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
		Minor:          c.IsMinor(now),
		OpenChecks:     len(c.PendingChecks()),
	}
	if s.Status == "" {
		s.Status = StatusOpened
	}
	if c.Status == StatusReferred || c.Status == StatusClosed {
		s.ScreeningLevel = LevelNone
	}
	if req, _ := c.BiometricsRequired(now); req {
		s.EurodacDue = d.Eurodac.Due()
		s.EurodacLevel = d.Eurodac.Level(now)
	}
	if len(c.Documents) > 0 {
		s.DocumentNumber = c.Documents[0].Number
	}
	return s
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
