package forms

import (
	"testing"
	"time"
)

// ER Art 17(1)(g): an applicant's data set carries the place and date of the application,
// never the trigger's; the other categories the trigger's event.
func TestEurodacEventPerCategory(t *testing.T) {
	at := t0.Add(3 * hour)
	for _, tc := range []struct {
		name      string
		c         Case
		wantPlace string
		wantAt    time.Time
	}{
		{"applicant: the application", Case{Trigger: Trigger{Reason: TriggerIrregularCrossing, Place: "BCP", At: t0},
			Application: Application{Made: AnswerYes, Place: "AZC Ter Apel", At: at}}, "AZC Ter Apel", at},
		{"applicant without an application recorded: nothing", Case{Trigger: Trigger{Reason: TriggerApplicationAtBCP, Place: "NLSPL", At: t0},
			Eurodac: Eurodac{Category: EurodacApplicant}}, "", time.Time{}},
		{"irregular crossing: the apprehension", Case{Trigger: Trigger{Reason: TriggerIrregularCrossing, Place: "BCP", At: t0}}, "BCP", t0},
		{"disembarked: the disembarkation", Case{Trigger: Trigger{Reason: TriggerDisembarkation, Place: "Port", At: t0}}, "Port", t0},
	} {
		t.Run(tc.name, func(t *testing.T) {
			p, a := tc.c.EurodacEvent()
			if p != tc.wantPlace || !a.Equal(tc.wantAt) {
				t.Errorf("event %q %v, want %q %v", p, a, tc.wantPlace, tc.wantAt)
			}
		})
	}
}

// The security flag: a supervisor only, always with one of the grounds, stamped.
func TestSetSecurityFlag(t *testing.T) {
	c := &Case{}
	if err := c.SetSecurityFlag(&SecurityFlag{Ground: FlagViolent}, false, "off1", t0); err == nil || c.SecurityFlag != nil {
		t.Fatal("an officer set the flag")
	}
	if err := c.SetSecurityFlag(&SecurityFlag{Ground: "suspicious"}, true, "sup1", t0); err == nil {
		t.Fatal("a flag without a legal ground accepted")
	}
	if err := c.SetSecurityFlag(&SecurityFlag{Ground: FlagUnlawfullyArmed, Note: " knife "}, true, "sup1", t0); err != nil {
		t.Fatal(err)
	}
	if f := c.SecurityFlag; f.By != "sup1" || !f.At.Equal(t0) || f.Note != "knife" {
		t.Errorf("flag %+v", f)
	}
	if err := c.SetSecurityFlag(nil, true, "sup2", t0); err != nil || c.SecurityFlag != nil {
		t.Errorf("clear: %v %+v", err, c.SecurityFlag)
	}
}

// ER Art 15(1) second subparagraph: after a health deferral the biometrics are due once the
// health ground ends, until they are captured; a retake after the last sending makes an
// update due.
func TestBiometricsDueAndUpdate(t *testing.T) {
	c := &Case{Health: HealthOutcome{DefersBiometrics: true},
		History: []StatusChange{{From: StatusOpened, To: StatusBiometricsDeferred, At: t0}}}
	if c.BiometricsDue() {
		t.Error("due while the health ground holds")
	}
	if c.Summary(t0).BiometricsDue {
		t.Error("the case list's summary says due while the health ground holds")
	}
	c.Health.DefersBiometrics = false
	if !c.BiometricsDue() {
		t.Error("not due once the health ground ended")
	}
	if !c.Summary(t0).BiometricsDue {
		t.Error("the case list's summary does not carry biometrics due (ER Art 15(1))")
	}
	c.Biometrics.CapturedAt = t0.Add(day)
	if c.BiometricsDue() {
		t.Error("still due after the capture")
	}
	c.Eurodac = Eurodac{Reference: "pk", QueuedAt: t0.Add(hour)}
	if !c.EurodacUpdateDue() {
		t.Error("capture after a health deferral not sent as an update")
	}
	c.Eurodac.QueuedAt = t0.Add(2 * day)
	if c.EurodacUpdateDue() {
		t.Error("update due again after it was queued")
	}
}

// ER Art 15(1) second subparagraph: a finger sent to Eurodac as temporarily unusable and
// then put back in the plan by clearing its exception keeps that history, so its capture is
// a retake and an update is due; clearing before anything was sent is a correction and
// leaves nothing behind.
func TestClearedExceptionStillARetakeArt15_1(t *testing.T) {
	for _, tc := range []struct {
		name       string
		sent       bool
		status     FingerStatus
		wantRetake bool
	}{
		{"temporarily unusable, sent, cleared, captured", true, FingerTemporarilyUnusable, true},
		{"temporarily unusable, cleared before sending (a correction)", false, FingerTemporarilyUnusable, false},
		{"refused, sent, cleared, captured: not a retake of an unusable finger", true, FingerRefused, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c := &Case{}
			if err := c.SetFingerException(LeftRing, tc.status, PartialDate{2026, 7, 1}, t0); err != nil {
				t.Fatal(err)
			}
			if tc.sent {
				c.Eurodac = Eurodac{Reference: "pk", QueuedAt: t0.Add(hour)}
			}
			if err := c.SetFingerException(LeftRing, "", PartialDate{}, t0.Add(2*hour)); err != nil {
				t.Fatal(err)
			}
			if _, ok := c.FingerExceptions()[LeftRing]; ok {
				t.Fatal("the finger is still an exception after clearing")
			}
			c.Biometrics.Fingers = append(c.Biometrics.Fingers, Finger{Position: LeftRing, Status: FingerCaptured, At: t0.Add(3 * hour)})
			c.Biometrics.CapturedAt = t0.Add(3 * hour)
			got := c.RetakenAt()
			if tc.wantRetake != got.Equal(t0.Add(3*hour)) || !tc.wantRetake && !got.IsZero() {
				t.Errorf("RetakenAt = %v, want a retake: %t", got, tc.wantRetake)
			}
			if tc.sent && c.EurodacUpdateDue() != tc.wantRetake {
				t.Errorf("update due %t, want %t", c.EurodacUpdateDue(), tc.wantRetake)
			}
		})
	}
}
