package forms

import (
	"errors"
	"testing"
	"time"
)

// purgeableCase is a referred case with every check answered and its biometrics captured.
func purgeableCase() *Case {
	c := fullCase()
	c.Status = StatusReferred
	c.Biometrics.Fingers = []Finger{{Position: RightThumb, Status: FingerCaptured, At: t0.Add(6 * hour)}}
	return c
}

// TestMayPurge: the retention rule refuses each unmet condition by its code and allows a
// purge only when all hold (injected clock: the grace period's boundary).
func TestMayPurge(t *testing.T) {
	last := t0.Add(2 * day)
	grace := 72 * hour
	done := Transmission{FormReceipted: true, EurodacQueued: true, EurodacReceipted: true, LastReceipt: last}
	after := last.Add(grace)
	for _, tc := range []struct {
		name   string
		change func(c *Case, tr *Transmission)
		now    time.Time
		want   string // refusal code, "" = allowed
	}{
		{"all hold", nil, after, ""},
		{"closed", func(c *Case, _ *Transmission) { c.Status = StatusClosed }, after, ""},
		{"ended at the deadline with open checks (Art 18(5))", func(c *Case, _ *Transmission) {
			c.Status, c.Outcome = StatusFormCompleted, OutcomeEndedAtDeadlineWithOpenChecks
		}, after, ""},
		{"no biometrics taken: no Eurodac packet needed", func(c *Case, tr *Transmission) {
			c.Biometrics = Biometrics{}
			tr.EurodacQueued, tr.EurodacReceipted = false, false
		}, after, ""},
		{"still open", func(c *Case, _ *Transmission) { c.Status = StatusSecurityQueried }, after, PurgeNotEnded},
		{"form completed but not referred", func(c *Case, _ *Transmission) {
			c.Status, c.Outcome = StatusFormCompleted, OutcomeCompleted
		}, after, PurgeNotEnded},
		{"screening form not receipted", func(_ *Case, tr *Transmission) { tr.FormReceipted = false }, after, PurgeFormNotReceipted},
		{"Eurodac never queued", func(_ *Case, tr *Transmission) { tr.EurodacQueued = false }, after, PurgeEurodacNotReceipted},
		{"Eurodac not receipted", func(_ *Case, tr *Transmission) { tr.EurodacReceipted = false }, after, PurgeEurodacNotReceipted},
		{"a packet still waiting or refused", func(_ *Case, tr *Transmission) { tr.Unreceipted = 1 }, after, PurgePacketsOpen},
		{"a check pending", func(c *Case, _ *Transmission) { c.Checks[1].Status = CheckPending }, after, PurgeCheckPending},
		{"retake planned", func(c *Case, _ *Transmission) {
			c.Biometrics.Fingers = append(c.Biometrics.Fingers, Finger{Position: LeftRing, Status: FingerTemporarilyUnusable, RetakeOn: PartialDate{2026, time.June, 30}})
		}, after, PurgeRetakePlanned},
		{"retake done", func(c *Case, _ *Transmission) {
			c.Biometrics.Fingers = append(c.Biometrics.Fingers,
				Finger{Position: LeftRing, Status: FingerTemporarilyUnusable, RetakeOn: PartialDate{2026, time.June, 30}},
				Finger{Position: LeftRing, Status: FingerCaptured, At: t0.Add(day)})
		}, after, ""},
		{"health deferral: biometrics due", func(c *Case, _ *Transmission) { c.Health.DefersBiometrics = true }, after, PurgeBiometricsDue},
		{"health ground ended, biometrics not yet taken (ER Art 15(1))", func(c *Case, _ *Transmission) {
			c.History = append([]StatusChange{{From: StatusOpened, To: StatusBiometricsDeferred, At: c.Biometrics.CapturedAt.Add(hour)}}, c.History...)
		}, after, PurgeBiometricsDue},
		{"health ground ended, biometrics taken since", func(c *Case, _ *Transmission) {
			c.History = append([]StatusChange{{From: StatusOpened, To: StatusBiometricsDeferred, At: c.Biometrics.CapturedAt.Add(-hour)}}, c.History...)
		}, after, ""},
		{"grace running", nil, after.Add(-time.Nanosecond), PurgeGraceRunning},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c, tr := purgeableCase(), done
			if tc.change != nil {
				tc.change(c, &tr)
			}
			err := c.MayPurge(tr, grace, tc.now)
			var pr *PurgeRefusal
			switch {
			case tc.want == "" && err != nil:
				t.Fatalf("refused: %v", err)
			case tc.want == "":
			case !errors.As(err, &pr):
				t.Fatalf("error %v, want refusal %s", err, tc.want)
			case pr.Code != tc.want:
				t.Fatalf("refused %s (%v), want %s", pr.Code, err, tc.want)
			case pr.Message.EN == "" || pr.Message.NL == "":
				t.Fatalf("refusal without a message in both languages: %+v", pr)
			}
		})
	}
}
