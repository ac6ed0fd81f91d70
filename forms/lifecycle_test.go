package forms

import (
	"errors"
	"reflect"
	"strings"
	"testing"
)

func TestCanTransition(t *testing.T) {
	for _, tc := range []struct {
		from, to Status
		want     bool
	}{
		{StatusOpened, StatusInformed, true},
		{StatusOpened, StatusSecurityQueried, true},
		{StatusInformed, StatusBiometricsCaptured, true},
		{StatusBiometricsCaptured, StatusInformed, true}, // any order
		{StatusSecurityQueried, StatusHealthChecked, true},
		{StatusBiometricsDeferred, StatusBiometricsCaptured, true},
		{StatusOpened, StatusFormCompleted, true},
		{StatusIdentified, StatusFormCompleted, true},
		{StatusFormCompleted, StatusReferred, true},
		{StatusReferred, StatusClosed, true},
		{"", StatusInformed, true}, // empty = opened
		{StatusOpened, StatusReferred, false},
		{StatusOpened, StatusClosed, false},
		{StatusInformed, StatusInformed, false},
		{StatusFormCompleted, StatusInformed, false}, // corrections are a new version, not a step back
		{StatusReferred, StatusFormCompleted, false},
		{StatusClosed, StatusOpened, false},
		{StatusClosed, StatusInformed, false},
		{StatusInformed, StatusOpened, false},
		{StatusInformed, "bogus", false},
		{"bogus", StatusInformed, false},
	} {
		if got := CanTransition(tc.from, tc.to); got != tc.want {
			t.Errorf("%q → %q = %v, want %v", tc.from, tc.to, got, tc.want)
		}
	}
}

func TestTransitionRecordsHistory(t *testing.T) {
	c := fullCase()
	c.History = nil
	now := t0.Add(2 * day)
	if err := c.Transition(StatusFormCompleted, now); err != nil {
		t.Fatal(err)
	}
	if c.Status != StatusFormCompleted || c.Outcome != OutcomeCompleted || c.OpenChecks != nil {
		t.Errorf("after completion: %s %s %v", c.Status, c.Outcome, c.OpenChecks)
	}
	if err := c.Transition(StatusReferred, now.Add(hour)); err != nil {
		t.Fatal(err)
	}
	if err := c.Transition(StatusClosed, now.Add(2*hour)); err != nil {
		t.Fatal(err)
	}
	want := []StatusChange{
		{StatusSecurityQueried, StatusFormCompleted, now},
		{StatusFormCompleted, StatusReferred, now.Add(hour)},
		{StatusReferred, StatusClosed, now.Add(2 * hour)},
	}
	if !reflect.DeepEqual(c.History, want) {
		t.Errorf("history %+v", c.History)
	}
	if d := c.Deadlines().Screening; !d.MetAt.Equal(now) || d.Level(t0.Add(30*day)) != LevelNone {
		t.Errorf("screening deadline not met by completion: %+v", d)
	}
	var te *TransitionError
	err := c.Transition(StatusInformed, now)
	if !errors.As(err, &te) || !errors.Is(err, ErrTransition) || te.From != StatusClosed {
		t.Errorf("closed → informed: %v", err)
	}
}

func TestCompletionWithPendingChecks(t *testing.T) {
	c := fullCase()
	c.Checks[1].Status = CheckPending
	c.Checks = append(c.Checks, SecurityCheck{System: "ECRIS_TCN", Status: CheckPending})
	due := c.Deadlines().Screening.Due() // 7 days

	// Before the deadline: refused, naming the pending systems; case unchanged.
	err := c.Transition(StatusFormCompleted, due.Add(-1))
	var te *TransitionError
	if !errors.As(err, &te) || !errors.Is(err, ErrOpenChecks) || !reflect.DeepEqual(te.Pending, []string{"VIS", "ECRIS_TCN"}) {
		t.Fatalf("before deadline: %v", err)
	}
	if c.Status != StatusSecurityQueried || c.Outcome != "" || len(c.History) != 1 {
		t.Errorf("refused transition changed the case: %s %s %d", c.Status, c.Outcome, len(c.History))
	}
	// Exactly at the deadline: ends with open checks listed.
	if err := c.Transition(StatusFormCompleted, due); err != nil {
		t.Fatal(err)
	}
	if c.Outcome != OutcomeEndedAtDeadlineWithOpenChecks || !reflect.DeepEqual(c.OpenChecks, []string{"VIS", "ECRIS_TCN"}) {
		t.Errorf("at deadline: %s %v", c.Outcome, c.OpenChecks)
	}
}

func TestCompletionNeedsArt17Fields(t *testing.T) {
	c := &Case{Trigger: Trigger{Reason: TriggerIrregularCrossing, At: t0, Place: "x"}}
	err := c.Transition(StatusFormCompleted, t0.Add(hour))
	var te *TransitionError
	if !errors.As(err, &te) || !errors.Is(err, ErrIncomplete) {
		t.Fatalf("err %v", err)
	}
	for _, path := range []string{"information.at", "identity.surnames", "identity.birthDate", "identity.sex", "identity.nationalities", "health.result", "vulnerability.checked", "securityChecks"} {
		if !te.Problems.Has(path, CodeRequired) {
			t.Errorf("missing %s in %v", path, te.Problems)
		}
	}
	// Unknown values count as recorded: XXX nationality, sex X, year-only birth date.
	c = fullCase()
	c.Identity.Nationalities = []string{UnknownNationality}
	c.Identity.Sex = SexUnspecified
	c.Identity.BirthDate = PartialDate{Year: 1990}
	if ps := c.Completeness(); len(ps) != 0 {
		t.Errorf("unknowns rejected: %v", ps)
	}
	// Referral needs a target.
	c.Referral = Referral{}
	if err := c.Transition(StatusFormCompleted, t0.Add(day)); err != nil {
		t.Fatal(err)
	}
	if err := c.Transition(StatusReferred, t0.Add(day)); !errors.Is(err, ErrIncomplete) {
		t.Errorf("referral without target: %v", err)
	}
}

func TestBiometricsSteps(t *testing.T) {
	now := t0.Add(day)
	adult := func() *Case { return &Case{Identity: Identity{BirthDate: PartialDate{1990, 1, 1}}} }
	child := func() *Case { return &Case{Identity: Identity{BirthDate: PartialDate{2015, 1, 1}}} }
	under6 := func() *Case { return &Case{Identity: Identity{BirthDate: PartialDate{2022, 1, 1}}} }
	for _, tc := range []struct {
		name string
		c    *Case
		to   Status
		want error
	}{
		{"adult captured", adult(), StatusBiometricsCaptured, nil},
		{"adult exempt", adult(), StatusBiometricsExempt, ErrRule},
		{"under six captured", under6(), StatusBiometricsCaptured, ErrRule},
		{"under six exempt", under6(), StatusBiometricsExempt, nil},
		{"child without companion", child(), StatusBiometricsCaptured, ErrIncomplete},
		{"child with companion", func() *Case {
			c := child()
			c.Biometrics.Companion = &Companion{Name: "TESTPERSON GAMMA", Role: CompanionFamily}
			return c
		}(), StatusBiometricsCaptured, nil},
		{"deferred without cause", adult(), StatusBiometricsDeferred, ErrIncomplete},
		{"deferred on health hold", func() *Case { c := adult(); c.Health.DefersBiometrics = true; return c }(), StatusBiometricsDeferred, nil},
		{"deferred for a finger retake", func() *Case {
			c := adult()
			c.Biometrics.Fingers = []Finger{{Position: RightIndex, Status: FingerTemporarilyUnusable, RetakeOn: PartialDate{2026, 6, 20}}}
			return c
		}(), StatusBiometricsDeferred, nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			err := tc.c.Transition(tc.to, now)
			if !errors.Is(err, tc.want) || (tc.want == nil && err != nil) {
				t.Fatalf("err %v, want %v", err, tc.want)
			}
			if tc.want != nil && tc.c.Status != "" {
				t.Errorf("refused step changed status to %s", tc.c.Status)
			}
			if errors.Is(err, ErrRule) && !strings.Contains(err.Error(), "six") {
				t.Errorf("rule error does not explain: %v", err)
			}
		})
	}
}
