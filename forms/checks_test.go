package forms

import (
	"errors"
	"os"
	"strings"
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

// TestSystemNamesArt15And14: every system a check may name has a full name in English and
// Dutch and the article it is queried under (SR Art 15(2), Art 14(2) for the CIR), so the
// checks screen never falls back to a bare code for a system the terminal queries.
func TestSystemNamesArt15And14(t *testing.T) {
	for _, code := range CheckSystems {
		in := System(code)
		if in.Code != code || in.Name.EN == "" || in.Name.NL == "" || in.Article == "" {
			t.Errorf("%s: %+v, want a full name in en and nl and an article", code, in)
		}
		if in.Name.EN == code {
			t.Errorf("%s: named by its bare code", code)
		}
	}
	for _, code := range SecuritySystems {
		if a := System(code).Article; !strings.Contains(a, "Art 15(2)") {
			t.Errorf("%s: article %q, want SR Art 15(2)", code, a)
		}
	}
	if a := System(IdentificationSystem).Article; !strings.Contains(a, "Art 14(2)") {
		t.Errorf("CIR: article %q, want SR Art 14(2)", a)
	}
	if in := System("NEW_SYSTEM"); in.Name.EN != "NEW_SYSTEM" || in.Code != "NEW_SYSTEM" {
		t.Errorf("unknown system: %+v, want its code kept", in)
	}
}

// TestChecksBySystem: every system the case must query is listed once in forms' order,
// with its check or none yet, and a stored check of another system is kept at the end.
func TestChecksBySystem(t *testing.T) {
	at := time.Date(2026, 7, 1, 10, 0, 0, 0, time.UTC)
	c := &Case{Checks: append(pendingChecks("q1", "VIS", "SIS"), SecurityCheck{System: "EURODAC", Status: CheckNoHit, AnsweredAt: at})}
	got := c.ChecksBySystem()
	if len(got) != len(SecuritySystems)+1 {
		t.Fatalf("%d lines, want %d: %+v", len(got), len(SecuritySystems)+1, got)
	}
	for i, sys := range SecuritySystems {
		if got[i].Code != sys {
			t.Errorf("line %d: %s, want %s", i, got[i].Code, sys)
		}
		queried := sys == "SIS" || sys == "VIS"
		if (got[i].Check != nil) != queried || (queried && got[i].Check.System != sys) {
			t.Errorf("%s: check %+v, queried %v", sys, got[i].Check, queried)
		}
	}
	if last := got[len(got)-1]; last.Code != "EURODAC" || last.Check == nil || last.Check.Status != CheckNoHit {
		t.Errorf("stored check of another system: %+v", last)
	}
	c.Biometrics.Face.Status = FaceCaptured
	if got := c.ChecksBySystem(); got[len(SecuritySystems)].Code != IdentificationSystem || got[len(SecuritySystems)].Check != nil {
		t.Errorf("after capture the CIR is listed, not yet queried: %+v", got[len(SecuritySystems)])
	}
}
