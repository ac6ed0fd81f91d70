package central

import (
	"fmt"
	"testing"

	fsync "github.com/fieldscreen/fieldscreen/sync"
)

// TestCheckAnswersPerSystem: the simulated downstream answers each system of a query on its
// own; a watch-list entry limited to SIS hits in SIS only, an unreachable system answers not
// possible with a reason, and a query naming no system gets the one shared answer of before.
func TestCheckAnswersPerSystem(t *testing.T) {
	s := &Server{opt: Options{
		Watchlist:   []string{"SIS: TESTPERSON WATCHED", "X9990000"},
		Unavailable: []string{"ecris_tcn"},
	}}
	systems := []string{"SIS", "VIS", "ECRIS_TCN", "NATIONAL"}
	for _, tc := range []struct {
		name  string
		q     CheckQuery
		want  string // system=outcome, in query order
		count int
	}{
		{"SIS entry hits SIS only", CheckQuery{Names: []string{"testperson  watched"}, Systems: systems},
			"[SIS=hit VIS=no-hit ECRIS_TCN=not-possible NATIONAL=no-hit]", 4},
		{"entry without system hits every reachable system", CheckQuery{DocumentNumbers: []string{"X9990000"}, Systems: systems},
			"[SIS=hit VIS=hit ECRIS_TCN=not-possible NATIONAL=hit]", 4},
		{"not listed", CheckQuery{Names: []string{"TESTPERSON CLEAN"}, Systems: systems},
			"[SIS=no-hit VIS=no-hit ECRIS_TCN=not-possible NATIONAL=no-hit]", 4},
		{"query without systems: one answer", CheckQuery{Names: []string{"TESTPERSON WATCHED"}}, "[=hit]", 1},
	} {
		t.Run(tc.name, func(t *testing.T) {
			rs := s.checkAnswers(tc.q)
			var got []string
			for _, r := range rs {
				if r.Type != fsync.ResultCheck {
					t.Errorf("type %q", r.Type)
				}
				if r.Outcome == fsync.OutcomeNotPossible && r.Reason == "" {
					t.Errorf("%s: not possible without a reason", r.System)
				}
				if r.Outcome == fsync.OutcomeHit && r.System != "" && r.Reference == "" {
					t.Errorf("%s: hit without a reference", r.System)
				}
				got = append(got, r.System+"="+r.Outcome)
			}
			if fmt.Sprint(got) != tc.want || len(rs) != tc.count {
				t.Errorf("answers %v, want %s", got, tc.want)
			}
		})
	}
}
