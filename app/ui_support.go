package app

import (
	"context"
	"errors"
	"fmt"
	"image"
	"time"

	"github.com/fieldscreen/fieldscreen/biometrics/quality"
	"github.com/fieldscreen/fieldscreen/forms/mrz"
	"github.com/fieldscreen/fieldscreen/hardware"
	"github.com/fieldscreen/fieldscreen/vault"
)

// TestCaptureResult is what a technician's test capture shows before pairing. It carries
// scores and check outcomes only: never the image or the document's text, because the
// person on the scanner during a test is not a case and must not leave a trace.
type TestCaptureResult struct {
	// Target is what the test asked the device for (TestTarget).
	Target hardware.Target
	// Score is the capture quality 0-100 (biometrics/quality) of a fingerprint test, the
	// lowest of a slap's fingers; -1 for devices that take no fingerprint. It is the score
	// PairDevice records.
	Score int
	// Fingers are the scores of each finger of the test capture.
	Fingers []FingerScore
	// DeviceScore is the device's own score, -1 when it gives none.
	DeviceScore int
	// FaceProblems are the ICAO-style problems found in a face test image (English).
	FaceProblems int
	// ImageSize is the face test image's size in pixels.
	ImageSize image.Point
	// MRZLines is how many MRZ lines a document reader's test reading had (never their text).
	MRZLines int
	// MRZLineLength is the length of its first line (30, 36 or 44 for TD1, TD2, TD3).
	MRZLineLength int
	// MRZValid reports whether a document reader's test reading had every check digit right.
	MRZValid bool
	// Identity is the identity the capture itself reported (SBI: from the signed response),
	// which is what pairing must pin.
	Identity hardware.Identity
}

// ErrTestCaptureRole is returned when a role that may not pair devices asks for a test capture.
var ErrTestCaptureRole = errors.New("only a technician may test devices")

// TestCapture takes one capture through dev and scores it (TestDevice), storing nothing and
// touching no case, so a technician can judge a device before pairing it. Only a role that
// may change the device registry may test.
func (s *Session) TestCapture(ctx context.Context, dev hardware.Device) (TestCaptureResult, error) {
	s.Touch()
	if !s.Can(vault.Devices, true) {
		return TestCaptureResult{Score: -1, DeviceScore: -1}, ErrTestCaptureRole
	}
	return TestDevice(ctx, dev, s.nowFunc())
}

// TestTarget is what a test capture asks of a device: a slap scanner the right four-finger
// slap (the capture it exists for, and the only one an SBI slap service accepts), a
// single-finger reader the right index, a camera a face, a reader a document.
func TestTarget(d hardware.Device) hardware.Target {
	switch k := d.Identity().Kind; k {
	case hardware.Face, hardware.Document:
		return hardware.Target{Kind: k}
	}
	if t := (hardware.Target{Kind: hardware.Finger, Slap: hardware.RightFour}); d.Supports(t) {
		return t
	}
	return hardware.Target{Kind: hardware.Finger, Finger: 2}
}

// TestDevice is the technician's test capture for the desktop and fieldscreenctl alike: one
// capture of TestTarget, scored. A fingerprint scanner's score is its lowest finger's quality
// (biometrics/quality); a face is checked for ICAO problems; a document reading for its MRZ
// check digits. Nothing of the person on the device leaves this function but scores.
func TestDevice(ctx context.Context, dev hardware.Device, now time.Time) (TestCaptureResult, error) {
	out := TestCaptureResult{Score: -1, DeviceScore: -1}
	id := dev.Identity()
	t := TestTarget(dev)
	out.Target = t
	c, err := dev.Capture(ctx, hardware.Request{Target: t})
	if err != nil {
		return out, err
	}
	out.DeviceScore, out.Identity = c.DeviceScore, c.Device
	if out.Identity == (hardware.Identity{}) {
		out.Identity = id
	}
	switch id.Kind {
	case hardware.Finger:
		positions := t.Slap.Positions()
		if t.Slap == hardware.NoSlap {
			positions = []int{t.Finger}
		}
		ppi := c.PPI
		if ppi == 0 {
			ppi = 500
		}
		out.Score = 101
		for _, f := range positions {
			img := c.Finger(f)
			if img == nil {
				return out, hardware.Errorf(hardware.CodeProtocol, id.ID(), "test capture has no image of the %s", hardware.FingerName(f))
			}
			q, err := quality.Score(img, ppi)
			if err != nil {
				return out, fmt.Errorf("score test capture of %s, %s: %w", id.ID(), hardware.FingerName(f), err)
			}
			out.Fingers = append(out.Fingers, FingerScore{Finger: f, Score: q.Score})
			out.Score = min(out.Score, q.Score)
		}
	case hardware.Face:
		if c.Image == nil {
			return out, hardware.Errorf(hardware.CodeProtocol, id.ID(), "test capture has no face image")
		}
		out.ImageSize = c.Image.Bounds().Size()
		out.FaceProblems = len(faceProblems(c.Image))
	case hardware.Document:
		out.MRZLines = len(c.Lines)
		if len(c.Lines) > 0 {
			out.MRZLineLength = len(c.Lines[0])
		}
		res, err := mrz.Parse(c.Lines, now)
		if err != nil {
			return out, hardware.Errorf(hardware.CodeProtocol, id.ID(), "test reading is not an MRZ: %w", err)
		}
		out.MRZValid = res.Valid
	}
	return out, nil
}

// FingerScore is one finger's quality in a test capture.
type FingerScore struct {
	Finger int // ANSI/NIST position 1-10
	Score  int // 0-100
}
