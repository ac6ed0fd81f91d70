package app

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"image"
	"image/png"
	"strings"
	"time"

	"github.com/fieldscreen/fieldscreen/biometrics/face"
	"github.com/fieldscreen/fieldscreen/forms"
	"github.com/fieldscreen/fieldscreen/hardware"
	"github.com/fieldscreen/fieldscreen/vault"
)

// Capture settings: the quality an officer aims for and how many extra attempts a finger or
// slap gets before the best one is accepted with a recorded reason.
const (
	CaptureThreshold = 40
	CaptureRetries   = 2
)

// AuditCapture is the audit action of a biometric capture (detail: devices, counts).
const AuditCapture = "biometrics.capture"

// Capture preconditions the officer must resolve first; the UI shows them as sentences.
var (
	ErrNoBiometrics    = errors.New("no biometrics are taken for this person")
	ErrCaptureDeferred = errors.New("the health check defers biometric capture: ask the medic, or record the deadline reason")
	ErrCompanion       = errors.New("the person is or may be a minor: record the accompanying adult or representative first")
	ErrNotTrained      = errors.New("the person is or may be a minor: only an official trained for minors may capture")
	ErrAgeDoubt        = errors.New("the date of birth is unknown or estimated: answer whether the person could be a minor first")
	ErrNothingToTake   = errors.New("every finger and the face are already recorded for this case")
)

// MinorsError refuses the capture from a (possible) minor: Problems say, in Dutch and
// English, what is missing: the capturing user's minors' training
// (forms.Case.CapturerProblems, matches ErrNotTrained) or the accompanying person
// (forms.Case.CompanionProblems, matches ErrCompanion).
type MinorsError struct{ Problems forms.Problems }

func (e *MinorsError) Error() string {
	msgs := make([]string, len(e.Problems))
	for i, p := range e.Problems {
		msgs[i] = p.Message.EN
	}
	return "capture refused: " + strings.Join(msgs, " ")
}

// Sentence is what is missing, in "en" or "nl".
func (e *MinorsError) Sentence(lang string) string { return e.Problems.Sentence(lang) }

// Is matches ErrNotTrained and ErrCompanion by the problems refused.
func (e *MinorsError) Is(target error) bool {
	for _, p := range e.Problems {
		switch {
		case target == ErrNotTrained && p.Code == forms.CodeNotTrainedForMinors,
			target == ErrAgeDoubt && strings.HasPrefix(p.Path, "identity.ageDoubt"),
			target == ErrCompanion && strings.HasPrefix(p.Path, "biometrics.companion"):
			return true
		}
	}
	return false
}

// MinorProblems is what a capture by this session's user would refuse now for a person who
// is or may be a minor: the answer about age first (forms.Case.AgeDoubtProblems), then the
// user's minors' training (forms.Case.CapturerProblems), the child-friendly leaflet
// (forms.Case.ChildLeafletProblems) and the companion (forms.Case.CompanionProblems); nil when nothing is missing. The capture screen
// asks it before starting the devices.
func (s *Session) MinorProblems(c *forms.Case) (forms.Problems, error) {
	return s.minorProblems(c, s.nowFunc())
}

func (s *Session) minorProblems(c *forms.Case, now time.Time) (forms.Problems, error) {
	if ps := c.AgeDoubtProblems(now); len(ps) > 0 {
		return ps, nil // answered first: the answer decides whether the minors' rules apply
	}
	if !c.IsMinor(now) {
		return nil, nil
	}
	// A credential that does not open or belongs to another key (vault.ErrCredential) counts
	// as no training: the refusal names it, and a supervisor sets it again.
	me, err := s.vs.Self()
	if err != nil && !errors.Is(err, vault.ErrCredential) {
		return nil, fmt.Errorf("your training record, to capture from a minor: %w", err)
	}
	staff, err := s.staffNames()
	if err != nil {
		return nil, err
	}
	ps := c.CapturerProblems(now, me.TrainedForMinors)
	ps = append(ps, c.ChildLeafletProblems(now)...)
	return append(ps, c.CompanionProblems(now, s.User(), staff)...), nil
}

// staffNames are the user names of this terminal's accounts: none of them can be the
// independent companion of a minor (Eurodac Art 14(1)).
func (s *Session) staffNames() ([]string, error) {
	if s.vault == nil {
		return nil, nil
	}
	names, err := s.vault.UserNames()
	if err != nil {
		return nil, fmt.Errorf("the terminal's users, to check the companion: %w", err)
	}
	return names, nil
}

// fingerRecord and faceRecord name the biometric-class records of a case. Numbers, never names.
func fingerRecord(pos int, ext string) string { return fmt.Sprintf("finger-%02d.%s", pos, ext) }

const faceRecord = "face.png"

// HardwarePlan turns the case's capture plan into what the device layer runs: three slaps
// when all ten fingers are to be taken, single fingers otherwise; known exceptions skipped.
func HardwarePlan(cp forms.CapturePlan) hardware.Plan {
	p := hardware.Plan{Threshold: CaptureThreshold, Retries: CaptureRetries, Face: cp.Face}
	if len(cp.Exceptions) > 0 {
		p.Exceptions = map[int]hardware.FingerStatus{}
		for _, e := range cp.Exceptions {
			p.Exceptions[int(e.Position)] = hardwareStatus(e.Status)
		}
	}
	if len(cp.Fingers) == 10 {
		p.Slaps = []hardware.Slap{hardware.RightFour, hardware.LeftFour, hardware.Thumbs}
		return p
	}
	for _, f := range cp.Fingers {
		p.Fingers = append(p.Fingers, int(f))
	}
	return p
}

// fingerStatuses maps the case's finger statuses to the device layer's, one table for both
// directions. hardware.StatusFailed has no entry: a finger the device never delivered is not
// recorded, so it stays in the plan.
var fingerStatuses = map[forms.FingerStatus]hardware.FingerStatus{
	forms.FingerCaptured:            hardware.StatusCaptured,
	forms.FingerAmputated:           hardware.StatusAmputated,
	forms.FingerTemporarilyUnusable: hardware.StatusUnusable,
	forms.FingerUnprintable:         hardware.StatusUnprintable,
	forms.FingerRefused:             hardware.StatusRefused,
}

func hardwareStatus(s forms.FingerStatus) hardware.FingerStatus { return fingerStatuses[s] }

func formsStatus(s hardware.FingerStatus) (forms.FingerStatus, bool) {
	for f, h := range fingerStatuses {
		if h == s {
			return f, true
		}
	}
	return "", false
}

// CaptureBiometrics runs the case's capture plan on paired devices and stores every image
// losslessly in the biometric class, with the finger statuses on the case, in one
// transaction, audited with the device identities. A capture is taken once and feeds every
// later use (form, Eurodac transaction): nothing here re-prompts.
func (s *Session) CaptureBiometrics(ctx context.Context, id vault.CaseID, fingers, faceDev hardware.Device, events func(hardware.Event)) (*hardware.Result, error) {
	s.Touch()
	now := s.nowFunc()
	c, err := s.readCase(id, AuditCaseRead)
	if err != nil {
		return nil, err
	}
	cp := c.CapturePlan(now)
	switch {
	case !cp.Required:
		return nil, fmt.Errorf("%w: %s", ErrNoBiometrics, cp.Reason.Message.EN)
	case cp.Deferred:
		return nil, ErrCaptureDeferred
	}
	if ps, err := s.minorProblems(c, now); err != nil {
		return nil, err
	} else if len(ps) > 0 {
		return nil, &MinorsError{Problems: ps}
	}
	switch {
	case len(cp.Fingers) == 0 && !cp.Face:
		return nil, ErrNothingToTake
	}
	pairings, err := s.Pairings()
	if err != nil {
		return nil, err
	}
	sess := hardware.Session{
		Fingers: fingers, Face: faceDev, Pairings: pairings, Events: events, Now: s.nowFunc,
		FaceCheck: faceProblems,
	}
	res, err := sess.Run(ctx, HardwarePlan(cp))
	if err != nil {
		return res, err
	}
	if err := s.storeCapture(id, res); err != nil {
		return res, err
	}
	return res, nil
}

// faceProblems adapts the ICAO-style checks to the capture session's hook.
func faceProblems(img image.Image) []hardware.Problem {
	rep, err := face.Check(img)
	if err != nil {
		return []hardware.Problem{{Code: "check_failed",
			EN: "The face check could not run (" + err.Error() + "). Take the picture again.",
			NL: "De gezichtscontrole kon niet draaien (" + err.Error() + "). Maak de foto opnieuw."}}
	}
	out := make([]hardware.Problem, 0, len(rep.Problems))
	for _, p := range rep.Problems {
		out = append(out, hardware.Problem{Code: p.Code, EN: p.EN, NL: p.NL})
	}
	return out
}

// storeCapture writes the images and the statuses in one transaction.
func (s *Session) storeCapture(id vault.CaseID, res *hardware.Result) error {
	now := s.nowFunc()
	return s.vs.Update(func(tx *vault.Tx) error {
		var devices []string
		captured := 0
		rev, err := updateCase(tx, id, AnyRevision, now, func(c *forms.Case) error {
			return s.putCapture(tx, id, c, res, now, &devices, &captured)
		})
		if err != nil {
			return err
		}
		s.announce(tx, CaseChange{ID: id, Revision: rev, By: "capture"})
		return tx.Audit(vault.AuditEvent{Action: AuditCapture, Case: id, Class: vault.Biometric,
			Detail: fmt.Sprintf("fingers=%d face=%t devices=%s", captured, res.Face != nil, strings.Join(devices, ","))})
	})
}

// putCapture stores the images of res and records them on the case (the system's section:
// no officer command writes it).
func (s *Session) putCapture(tx *vault.Tx, id vault.CaseID, c *forms.Case, res *hardware.Result, now time.Time, devicesOut *[]string, capturedOut *int) error {
	var devices []string
	captured := 0
	known := map[forms.FingerPosition]forms.FingerStatus{}
	for _, f := range c.Biometrics.Fingers {
		known[f.Position] = f.Status // the last record for a position wins
	}
	for _, f := range res.Fingers {
		st, ok := formsStatus(f.Status)
		if !ok {
			continue
		}
		if st != forms.FingerCaptured && known[forms.FingerPosition(f.Finger)] == st {
			continue // an exception the plan already knew: keep its record (and retake date)
		}
		rec := forms.Finger{Position: forms.FingerPosition(f.Finger), Status: st, At: f.At}
		if st == forms.FingerCaptured {
			if err := tx.PutCase(id, vault.Biometric, fingerRecord(f.Finger, "png"), f.PNG); err != nil {
				return err
			}
			wsqBytes, err := encodeWSQ(f.PNG, f.PPI)
			if err != nil {
				return fmt.Errorf("finger %d: WSQ for the Eurodac transaction: %w", f.Finger, err)
			}
			if err := tx.PutCase(id, vault.Biometric, fingerRecord(f.Finger, "wsq"), wsqBytes); err != nil {
				return err
			}
			rec.Quality, rec.ImageRef = f.Quality, fingerRecord(f.Finger, "png")
			captured++
			devices = appendOnce(devices, f.Device.ID())
		}
		c.Biometrics.Fingers = append(c.Biometrics.Fingers, rec)
	}
	if res.Face != nil && len(res.Face.PNG) > 0 {
		if err := tx.PutCase(id, vault.Biometric, faceRecord, res.Face.PNG); err != nil {
			return err
		}
		c.Biometrics.Face = forms.Face{Status: forms.FaceCaptured, ImageRef: faceRecord, At: res.Face.At}
		devices = appendOnce(devices, res.Face.Device.ID())
	}
	c.Biometrics.Operator = s.User()
	c.Biometrics.CapturedAt = res.Finished
	if len(c.CapturePlan(now).Fingers) == 0 && !c.CapturePlan(now).Face {
		_ = c.Transition(forms.StatusBiometricsCaptured, now) // a refused move leaves the status as it is
	}
	*devicesOut, *capturedOut = devices, captured

	return nil
}

// BiometricImage reads a stored capture (finger-NN.png, finger-NN.wsq, face.png); audited.
func (s *Session) BiometricImage(id vault.CaseID, name string) ([]byte, error) {
	var b []byte
	err := s.vs.Update(func(tx *vault.Tx) error {
		var err error
		if b, err = tx.GetCase(id, vault.Biometric, name); err != nil {
			return err
		}
		return tx.Audit(vault.AuditEvent{Action: "biometrics.read", Case: id, Class: vault.Biometric, Detail: name})
	})
	return b, err
}

func appendOnce(list []string, s string) []string {
	for _, x := range list {
		if x == s {
			return list
		}
	}
	return append(list, s)
}

// decodePNG is shared by the WSQ step and tests.
func decodePNG(b []byte) (image.Image, error) { return png.Decode(bytes.NewReader(b)) }

// FingerStatusOf is the case's finger status for a status the device layer reports (the
// one table, fingerStatuses); false for a finger the device never delivered.
func FingerStatusOf(s hardware.FingerStatus) (forms.FingerStatus, bool) { return formsStatus(s) }

// CaptureSteps is how many slaps, single fingers and face captures the plan runs, for a
// progress bar.
func CaptureSteps(cp forms.CapturePlan) int {
	p := HardwarePlan(cp)
	n := len(p.Slaps) + len(p.Fingers)
	if cp.Face {
		n++
	}
	return n
}

// PreviewTarget is what the live preview shows before the next capture: the scanner while
// fingers are left (the right four-finger slap when the plan takes all ten as slaps, else
// the first finger), else the camera.
func PreviewTarget(cp forms.CapturePlan) hardware.Target {
	p := HardwarePlan(cp)
	switch {
	case len(p.Slaps) > 0:
		return hardware.Target{Kind: hardware.Finger, Slap: p.Slaps[0]}
	case len(p.Fingers) > 0:
		return hardware.Target{Kind: hardware.Finger, Finger: p.Fingers[0]}
	}
	return hardware.Target{Kind: hardware.Face}
}
