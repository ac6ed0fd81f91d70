package forms

import (
	"testing"
	"time"
)

// TestSummaryExpired: a monitoring summary stays while its case is held and for the months
// after its purge that central's config sets (default 12: SR Art 10(2), the mechanism's
// annual recommendations); on the day the period ends it may go (GDPR Art 5(1)(e)).
func TestSummaryExpired(t *testing.T) {
	purged := time.Date(2026, 7, 31, 10, 0, 0, 0, time.UTC)
	for _, tc := range []struct {
		name   string
		gone   time.Time
		months int
		now    time.Time
		want   bool
	}{
		{"SR Art 10(2): case still held", time.Time{}, 12, purged.AddDate(5, 0, 0), false},
		{"SR Art 10(2): purged a day ago", purged, 12, purged.AddDate(0, 0, 1), false},
		{"SR Art 10(2): a second before the year ends", purged, 12, purged.AddDate(1, 0, 0).Add(-time.Second), false},
		{"GDPR Art 5(1)(e): the year after the purge has ended", purged, 12, purged.AddDate(1, 0, 0), true},
		{"GDPR Art 5(1)(e): central sets 3 months", purged, 3, purged.AddDate(0, 3, 1), true},
		{"SR Art 10(2): central sets 24 months", purged, 24, purged.AddDate(1, 6, 0), false},
		{"no period: nothing goes", purged, 0, purged.AddDate(10, 0, 0), false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := SummaryExpired(tc.gone, tc.months, tc.now); got != tc.want {
				t.Fatalf("SummaryExpired = %v, want %v", got, tc.want)
			}
		})
	}
}
