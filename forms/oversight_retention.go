package forms

import "time"

// How long the terminal keeps a monitoring summary (OversightSummary) once its case has left
// the terminal. Screening Regulation Art 10 sets up the independent monitoring mechanism but
// names no retention period for what it monitors; it lets the mechanism make annual
// recommendations (Art 10(2)). ASSUMPTION: the terminal keeps the summary of a case for as
// long as the case is held (it is rewritten with every save) and for DefaultMonitorSummaryMonths
// after the case is purged, so the mechanism can export any period of the last year from the
// terminal; central's signed config may set another number of months (1 to
// MaxMonitorSummaryMonths). After that the summary goes: it holds no personal data, but the
// terminal is a transit store (GDPR Art 5(1)(e) by analogy) and the mechanism's own archive
// of its exports is the record that lasts. The terminal cannot tell whether the mechanism
// exported a period (the monitor role holds no key that writes), so the period is the rule.
const (
	DefaultMonitorSummaryMonths = 12
	MaxMonitorSummaryMonths     = 120
)

// SummaryExpired reports whether the monitoring summary of a case that left the terminal at
// gone (its purge; for a summary without a case or purge record, the summary's own time) may
// be deleted at now, keeping it months after. A zero gone means the case is still held: its
// summary is kept.
func SummaryExpired(gone time.Time, months int, now time.Time) bool {
	return !gone.IsZero() && months > 0 && !now.Before(gone.AddDate(0, months, 0))
}
