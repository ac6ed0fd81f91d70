package forms

import (
	"errors"
	"os"
	"testing"
	"time"
)

func pendingChecks(query string, systems ...string) []SecurityCheck {
	var out []SecurityCheck
	for _, s := range systems {
		out = append(out, SecurityCheck{System: s, Status: CheckPending, Reference: query})
	}
	return out
}

// TestApplyCheckAnswer: Art 15(2) and 17(1)(h), each system keeps its own state; an error
// or an unreadable answer is not_possible, never no_hit.
func TestApplyCheckAnswer(t *testing.T) {
	at := time.Date(2026, 7, 1, 10, 0, 0, 0, time.UTC)
	for _, tc := range []struct {
		name    string
		answers []CheckAnswer
		want    map[string]CheckStatus
		reason  map[string]string
		err     error // of the last answer
	}{
		{"SIS hit stays in SIS", []CheckAnswer{
			{Query: "q1", System: "SIS", Status: CheckHit, Reference: "SIS-HIT-1"},
			{Query: "q1", System: "VIS", Status: CheckNoHit}, {Query: "q1", System: "EES", Status: CheckNoHit}},
			map[string]CheckStatus{"SIS": CheckHit, "VIS": CheckNoHit, "EES": CheckNoHit}, nil, nil},
		{"unanswered stays pending", []CheckAnswer{{Query: "q1", System: "SIS", Status: CheckNoHit}},
			map[string]CheckStatus{"SIS": CheckNoHit, "VIS": CheckPending, "EES": CheckPending}, nil, nil},
		{"error is not possible with its reason", []CheckAnswer{{Query: "q1", System: "VIS", Status: CheckNotPossible, Reason: "VIS unavailable"}},
			map[string]CheckStatus{"SIS": CheckPending, "VIS": CheckNotPossible, "EES": CheckPending}, map[string]string{"VIS": "VIS unavailable"}, nil},
		{"not possible without a reason gets one", []CheckAnswer{{Query: "q1", System: "VIS", Status: CheckNotPossible}},
			map[string]CheckStatus{"VIS": CheckNotPossible}, map[string]string{"VIS": "the system gave no answer"}, nil},
		{"unreadable answer is not possible, not no hit", []CheckAnswer{{Query: "q1", System: "EES", Status: "error"}},
			map[string]CheckStatus{"EES": CheckNotPossible}, map[string]string{"EES": `unreadable answer "error"`}, nil},
		{"empty answer is not possible", []CheckAnswer{{Query: "q1", System: "EES"}},
			map[string]CheckStatus{"EES": CheckNotPossible}, nil, nil},
		{"pending answer is not possible", []CheckAnswer{{Query: "q1", System: "EES", Status: CheckPending}},
			map[string]CheckStatus{"EES": CheckNotPossible}, nil, nil},
		{"rejection of the query: every system not possible", []CheckAnswer{{Query: "q1", Status: CheckNotPossible, Reason: "rejected by central: malformed"}},
			map[string]CheckStatus{"SIS": CheckNotPossible, "VIS": CheckNotPossible, "EES": CheckNotPossible},
			map[string]string{"SIS": "rejected by central: malformed"}, nil},
		{"old central: shared no hit applies to all", []CheckAnswer{{Query: "q1", Status: CheckNoHit}},
			map[string]CheckStatus{"SIS": CheckNoHit, "VIS": CheckNoHit, "EES": CheckNoHit}, nil, nil},
		{"old central: shared hit is not a hit in every system", []CheckAnswer{{Query: "q1", Status: CheckHit}},
			map[string]CheckStatus{"SIS": CheckNotPossible, "VIS": CheckNotPossible, "EES": CheckNotPossible}, nil, nil},
		{"second answer does not replace the first", []CheckAnswer{
			{Query: "q1", System: "SIS", Status: CheckHit}, {Query: "q1", System: "SIS", Status: CheckNoHit}},
			map[string]CheckStatus{"SIS": CheckHit}, nil, ErrCheckAnswered},
		{"answer for another query changes nothing", []CheckAnswer{{Query: "q2", System: "SIS", Status: CheckHit}},
			map[string]CheckStatus{"SIS": CheckPending, "VIS": CheckPending, "EES": CheckPending}, nil, ErrNoSuchCheck},
		{"answer for a system not queried changes nothing", []CheckAnswer{{Query: "q1", System: "ECRIS_TCN", Status: CheckHit}},
			map[string]CheckStatus{"SIS": CheckPending, "VIS": CheckPending, "EES": CheckPending}, nil, ErrNoSuchCheck},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c := &Case{Checks: pendingChecks("q1", "SIS", "VIS", "EES")}
			var err error
			for _, a := range tc.answers {
				a.At = at
				_, err = c.ApplyCheckAnswer(a)
			}
			if !errors.Is(err, tc.err) || (tc.err == nil && err != nil) {
				t.Fatalf("error %v, want %v", err, tc.err)
			}
			for _, ch := range c.Checks {
				if w, ok := tc.want[ch.System]; ok && ch.Status != w {
					t.Errorf("%s: %s, want %s", ch.System, ch.Status, w)
				}
				if r, ok := tc.reason[ch.System]; ok && ch.Reason != r {
					t.Errorf("%s: reason %q, want %q", ch.System, ch.Reason, r)
				}
				if ch.Status == CheckNotPossible && ch.Reason == "" {
					t.Errorf("%s: not possible without a reason", ch.System)
				}
				if ch.Status != CheckPending && !ch.AnsweredAt.Equal(at) {
					t.Errorf("%s: answered at %v", ch.System, ch.AnsweredAt)
				}
			}
		})
	}
}

// TestOldSharedOutcomeCaseReads: a case stored before per-system results, where one answer
// was copied to every system, still decodes with each system's state as stored and
// validates; a late per-system answer does not rewrite it.
// testdata/case-old-shared-outcome.json: written by the terminal before this change
// (synthetic person; provenance in testdata/README.md).
func TestOldSharedOutcomeCaseReads(t *testing.T) {
	f, err := os.Open("testdata/case-old-shared-outcome.json")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	c, err := DecodeCase(f)
	if err != nil {
		t.Fatalf("old case does not read: %v", err)
	}
	if len(c.Checks) != 7 {
		t.Fatalf("%d checks, want the 7 stored", len(c.Checks))
	}
	for _, ch := range c.Checks {
		if ch.Status != CheckNoHit || ch.Reference != "pk-7QJX2M4N5R6T8V9W" {
			t.Errorf("%s: %s %q, want the stored no_hit", ch.System, ch.Status, ch.Reference)
		}
	}
	if ps := c.Validate(time.Date(2026, 6, 15, 0, 0, 0, 0, time.UTC)); len(ps.Blocking()) > 0 {
		t.Errorf("old case no longer validates: %v", ps.Blocking())
	}
	// A late per-system answer does not overwrite what is stored.
	_, err = c.ApplyCheckAnswer(CheckAnswer{Query: "pk-7QJX2M4N5R6T8V9W", System: "NATIONAL", Status: CheckHit, At: time.Now()})
	if !errors.Is(err, ErrCheckAnswered) || c.Checks[6].Status != CheckNoHit {
		t.Errorf("late answer: %v, NATIONAL %s", err, c.Checks[6].Status)
	}
	if len(c.PendingChecks()) != 0 {
		t.Errorf("pending %v", c.PendingChecks())
	}
}

// TestQueriedSystemsArt14CIR: the CIR identification (SR Art 14(2)) is queried once
// biometric data were taken, and only then; a case whose security check went out before the
// capture still has the CIR to query.
func TestQueriedSystemsArt14CIR(t *testing.T) {
	c := &Case{}
	for _, s := range QueriedSystems(c) {
		if s == IdentificationSystem {
			t.Fatal("CIR queried before any biometric data were taken")
		}
	}
	c.Checks = pendingChecks("q1", QueriedSystems(c)...)
	if got := c.UnqueriedSystems(); len(got) != 0 {
		t.Fatalf("unqueried before capture: %v", got)
	}
	c.Biometrics.Fingers = []Finger{{Position: RightThumb, Status: FingerCaptured}}
	if got := c.UnqueriedSystems(); len(got) != 1 || got[0] != IdentificationSystem {
		t.Fatalf("unqueried after capture: %v, want [CIR]", got)
	}
	face := &Case{Biometrics: Biometrics{Face: Face{Status: FaceCaptured}}}
	if got := face.UnqueriedSystems(); got[len(got)-1] != IdentificationSystem || len(got) != len(SecuritySystems)+1 {
		t.Fatalf("face only: %v", got)
	}
}

// TestQueriedSystemsArt15: every system Art 15(2) names is queried, each once.
func TestQueriedSystemsArt15(t *testing.T) {
	got := QueriedSystems(&Case{})
	seen := map[string]bool{}
	for _, s := range got {
		if seen[s] {
			t.Errorf("%s queried twice", s)
		}
		seen[s] = true
		if !oneOf(s, CheckSystems) {
			t.Errorf("%s is not a valid check system", s)
		}
	}
	for _, s := range []string{"SIS", "VIS", "EES", "ETIAS", "ETIAS_WATCHLIST", "ECRIS_TCN", "EUROPOL", "INTERPOL_SLTD", "INTERPOL_TDAWN", "NATIONAL"} {
		if !seen[s] {
			t.Errorf("Art 15(2) names %s; not queried (%v)", s, got)
		}
	}
}
