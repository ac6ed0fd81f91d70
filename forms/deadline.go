package forms

import "time"

// DeadlineKind names one of the two legal clocks of a case.
type DeadlineKind string

// The two clocks.
const (
	DeadlineScreening DeadlineKind = "screening"
	DeadlineEurodac   DeadlineKind = "eurodac"
)

// Legal limits (domain note §2.3).
const (
	ScreeningLimit          = 7 * 24 * time.Hour  // Art 8(3)
	ScreeningLimitHeld      = 4 * 24 * time.Hour  // Art 8(3): Art 5(1)(a) person held at the border > 72 h
	ScreeningLimitTerritory = 3 * 24 * time.Hour  // Art 8(4), Art 7 cases
	EurodacLimit            = 72 * time.Hour      // Eurodac Arts 15, 22, 24
	EurodacLimitTemporary   = 10 * 24 * time.Hour // Eurodac Art 26(2), temporary protection
)

// Level is how close a deadline is: shown as a badge and used to order the sync queue.
type Level int

// Levels at 50 %, 80 % and 100 % of the limit.
const (
	LevelNone    Level = iota // < 50 % used, or the deadline is met
	LevelNotice               // ≥ 50 %
	LevelWarning              // ≥ 80 %
	LevelOverdue              // ≥ 100 %
)

var levelNames = [...]string{"none", "notice", "warning", "overdue"}

func (l Level) String() string {
	if l < LevelNone || l > LevelOverdue {
		return "unknown"
	}
	return levelNames[l]
}

// MarshalText writes the level's name.
func (l Level) MarshalText() ([]byte, error) { return []byte(l.String()), nil }

// UnmarshalText reads a level's name.
func (l *Level) UnmarshalText(b []byte) error {
	for i, n := range levelNames {
		if string(b) == n {
			*l = Level(i)
			return nil
		}
	}
	return &levelError{string(b)}
}

type levelError struct{ s string }

func (e *levelError) Error() string {
	return "unknown deadline level " + e.s + " (want none, notice, warning or overdue)"
}

// Deadline is one legal clock: it runs from Start for Limit and is met at MetAt.
type Deadline struct {
	Kind  DeadlineKind
	Start time.Time
	Limit time.Duration
	// MetAt is when the obligation was fulfilled (form completed, data transmitted); zero
	// while open.
	MetAt time.Time
}

// Due is the moment the deadline falls.
func (d Deadline) Due() time.Time { return d.Start.Add(d.Limit) }

// Passed reports whether now is at or after the due moment. Exactly at the due moment the
// deadline has passed: 72 h means the data must be in before the 72nd hour ends.
func (d Deadline) Passed(now time.Time) bool {
	return !d.Start.IsZero() && !now.Before(d.Due())
}

// Missed reports whether the deadline passed before it was met (or is still open after it).
func (d Deadline) Missed(now time.Time) bool {
	if d.Start.IsZero() {
		return false
	}
	if !d.MetAt.IsZero() {
		return !d.MetAt.Before(d.Due())
	}
	return d.Passed(now)
}

// Level is the warning level at now. A met deadline is LevelNone; an unknown start (no
// trigger time yet) is LevelNone too, since there is nothing to count down from.
func (d Deadline) Level(now time.Time) Level {
	if d.Start.IsZero() || d.Limit <= 0 || !d.MetAt.IsZero() {
		return LevelNone
	}
	used := now.Sub(d.Start)
	switch {
	case used >= d.Limit:
		return LevelOverdue
	case used*5 >= d.Limit*4:
		return LevelWarning
	case used*2 >= d.Limit:
		return LevelNotice
	}
	return LevelNone
}

// Deadlines are the case's two clocks.
type Deadlines struct {
	Screening Deadline
	Eurodac   Deadline
}

// Deadlines computes both clocks from the trigger time.
func (c *Case) Deadlines() Deadlines {
	scr := Deadline{Kind: DeadlineScreening, Start: c.Trigger.At, Limit: c.ScreeningLimit()}
	for _, h := range c.History {
		if h.To == StatusFormCompleted {
			scr.MetAt = h.At
		}
	}
	eu := Deadline{Kind: DeadlineEurodac, Start: c.Trigger.At, Limit: EurodacLimit, MetAt: c.Eurodac.TransmittedAt}
	if c.Eurodac.Category == EurodacTemporaryProtection {
		eu.Limit = EurodacLimitTemporary
	}
	return Deadlines{Screening: scr, Eurodac: eu}
}

// ScreeningLimit is 3 days for Art 7 cases, 4 days for an Art 5(1)(a) person held at the
// border for more than 72 hours, and 7 days otherwise.
func (c *Case) ScreeningLimit() time.Duration {
	switch {
	case c.Trigger.Reason == TriggerWithinTerritory:
		return ScreeningLimitTerritory
	case c.Trigger.Reason == TriggerIrregularCrossing && c.Trigger.HeldAtBorderOver72h:
		return ScreeningLimitHeld
	}
	return ScreeningLimit
}

// MissingMissReasons lists the deadlines that were missed at now and have no recorded
// reason. It never blocks anything; Validate reports it so the officer records one.
func (c *Case) MissingMissReasons(now time.Time) []DeadlineKind {
	d := c.Deadlines()
	var out []DeadlineKind
	for _, dl := range []Deadline{d.Screening, d.Eurodac} {
		if !dl.Missed(now) {
			continue
		}
		explained := false
		for _, m := range c.DeadlineMisses {
			if m.Deadline == dl.Kind {
				explained = true
			}
		}
		if !explained {
			out = append(out, dl.Kind)
		}
	}
	return out
}
