package forms

import "time"

// DeadlineKind names one of the two legal clocks of a case.
type DeadlineKind string

// The two clocks.
const (
	DeadlineScreening DeadlineKind = "screening"
	DeadlineEurodac   DeadlineKind = "eurodac"
)

// Legal limits (domain note §2.3; docs/legal-basis.md). These and the functions below are
// the only place the terminal computes a legal deadline: the case list, the sync queue's
// order, the Sync screen and its alarm all ask forms.
const (
	ScreeningLimit          = 7 * 24 * time.Hour  // SR Art 8(3)
	ScreeningLimitHeld      = 4 * 24 * time.Hour  // SR Art 8(3): Art 5(1)(a) person held at the border > 72 h
	HeldAtBorderPeriod      = 72 * time.Hour      // SR Art 8(3): the stay after which the 4 days run
	ScreeningLimitTerritory = 3 * 24 * time.Hour  // SR Art 8(4), Art 7 cases
	EurodacLimit            = 72 * time.Hour      // ER Arts 15(1), 22, 23, 24(2)
	EurodacLimitTemporary   = 10 * 24 * time.Hour // ER Art 26(2), temporary protection
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

// Deadlines computes both clocks of the case.
func (c *Case) Deadlines() Deadlines {
	scr := Deadline{Kind: DeadlineScreening, Start: c.Trigger.At, Limit: c.ScreeningLimit()}
	// SR Art 8(3): an Art 5(1)(a) person who stays physically at the external border for
	// more than 72 hours is screened "thereafter", within four days: the four days run from
	// the end of those 72 hours, not from the apprehension.
	if scr.Limit == ScreeningLimitHeld && !scr.Start.IsZero() {
		scr.Start = scr.Start.Add(HeldAtBorderPeriod)
	}
	for _, h := range c.History {
		if h.To == StatusFormCompleted {
			scr.MetAt = h.At
		}
	}
	return Deadlines{Screening: scr, Eurodac: c.eurodacDeadline()}
}

// eurodacDeadline is the Eurodac clock: the category's limit from the event its article
// names (EurodacClockStart); after a retake, the retransmission's clock (RetakenAt).
func (c *Case) eurodacDeadline() Deadline {
	cat := c.EurodacCategory()
	d := Deadline{Kind: DeadlineEurodac, Start: c.EurodacClockStart(), Limit: EurodacLimit, MetAt: c.Eurodac.TransmittedAt}
	if cat == EurodacTemporaryProtection {
		d.Limit = EurodacLimitTemporary
	}
	// ER Art 15(1) second subparagraph (and the same rule for the other categories):
	// fingerprints retaken once the fingertips allow it, or taken once health grounds no
	// longer prevail, are (re)transmitted "as soon as possible". ASSUMPTION: the terminal
	// gives that transmission the category's limit again, counted from the retake, and
	// counts it met only by a transmission after the retake.
	if r := c.RetakenAt(); !r.IsZero() {
		d.Start, d.MetAt = r, time.Time{}
		if c.Eurodac.TransmittedAt.After(r) {
			d.MetAt = c.Eurodac.TransmittedAt
		}
	}
	return d
}

// EurodacCategory is the category the case's data go to Eurodac under: the one the case
// names, else the one its screening ground implies (an application for international
// protection makes an applicant, ER Art 15; a disembarkation after search and rescue, ER
// Art 24; a person found within the territory, ER Art 23 (illegally staying); an irregular
// crossing, ER Art 22). Temporary protection (ER Art 26) is only ever named.
func (c *Case) EurodacCategory() EurodacCategory {
	if oneOf(c.Eurodac.Category, EurodacCategories) {
		return c.Eurodac.Category
	}
	switch {
	case c.Application.Made.Yes() || c.Trigger.Reason == TriggerApplicationAtBCP:
		return EurodacApplicant
	case c.Trigger.Reason == TriggerDisembarkation:
		return EurodacDisembarked
	case c.Trigger.Reason == TriggerWithinTerritory:
		return EurodacIllegalStay
	}
	return EurodacIrregularCrossing
}

// EurodacClockStart is the event the Eurodac limit runs from, per category:
//   - applicant, application at a border crossing point by a person not fulfilling the
//     entry conditions (ER Art 15(1)(b)): when the biometric data were taken;
//   - other applicants (ER Art 15(1)(a)): the registration of the application;
//   - irregular crossing (ER Art 22), illegally staying (ER Art 23): the apprehension;
//   - disembarked after search and rescue (ER Art 24(2)): the disembarkation;
//   - temporary protection (ER Art 26(2)): the registration as a beneficiary.
//
// ASSUMPTIONS: until the data are taken (15(1)(b)) or the registration is recorded
// (15(1)(a)), the clock counts from the application, else the trigger, so the deadline is
// never shown later than it can be; the screening trigger's time stands for the
// apprehension of an illegally staying person and for the registration as a beneficiary of
// temporary protection (the case records no separate time for either).
func (c *Case) EurodacClockStart() time.Time {
	app := c.Trigger.At
	if c.Application.Made.Yes() && !c.Application.At.IsZero() {
		app = c.Application.At
	}
	if c.EurodacCategory() != EurodacApplicant {
		return c.Trigger.At
	}
	if c.Trigger.Reason == TriggerApplicationAtBCP && !c.Biometrics.CapturedAt.IsZero() {
		return c.Biometrics.CapturedAt
	}
	return app
}

// RetakenAt is when fingerprints were last taken again after the first attempt could not
// give them: a finger captured after it was recorded temporarily unusable (also when the
// officer put it back in the plan after that record was sent: Biometrics.Cleared), or a
// capture after a health deferral (status biometrics_deferred). Zero when there was none.
func (c *Case) RetakenAt() time.Time {
	var at time.Time
	unusable := map[FingerPosition]bool{}
	for _, x := range c.Biometrics.Cleared { // unusable when sent, put back in the plan since
		unusable[x.Position] = true
	}
	for _, f := range c.Biometrics.Fingers {
		switch f.Status {
		case FingerTemporarilyUnusable:
			unusable[f.Position] = true
		case FingerCaptured:
			if unusable[f.Position] && f.At.After(at) {
				at = f.At
			}
		}
	}
	for _, h := range c.History {
		if h.To == StatusBiometricsDeferred && c.Biometrics.CapturedAt.After(h.At) && c.Biometrics.CapturedAt.After(at) {
			at = c.Biometrics.CapturedAt
		}
	}
	return at
}

// DeadlineLevel is the level at now of a clock that runs from start and falls due at due:
// what the case list and the Sync screen show for a stored summary or a queued packet,
// which keep the two moments rather than the case.
func DeadlineLevel(start, due, now time.Time) Level {
	if start.IsZero() || !due.After(start) {
		return LevelNone
	}
	return Deadline{Start: start, Limit: due.Sub(start)}.Level(now)
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

// RetentionOf is the Eurodac storage period of the category, from the one table of periods
// (EurodacRetention, ER Art 29); false for a category that table does not list.
func RetentionOf(cat EurodacCategory) (Retention, bool) {
	for _, r := range EurodacRetention() {
		if r.Category == string(cat) {
			return r, true
		}
	}
	return Retention{}, false
}
