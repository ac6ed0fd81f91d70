package app

import (
	"context"
	"errors"
	"fmt"

	"github.com/fieldscreen/fieldscreen/biometrics/quality"
	"github.com/fieldscreen/fieldscreen/forms/mrz"
	"github.com/fieldscreen/fieldscreen/hardware"
	"github.com/fieldscreen/fieldscreen/vault"
)

// testFinger is the finger a technician's test capture asks for: the right index, the
// finger every scanner (single or slap) can take on its own.
const testFinger = 2

// TestCaptureResult is what a technician's test capture shows before pairing. It carries
// scores and check outcomes only: never the image or the document's text, because the
// person on the scanner during a test is not a case and must not leave a trace.
type TestCaptureResult struct {
	// Score is the capture quality 0-100 (biometrics/quality) of a fingerprint, -1 for
	// devices that take no fingerprint. It is the score PairDevice records.
	Score int
	// DeviceScore is the device's own score, -1 when it gives none.
	DeviceScore int
	// FaceProblems are the ICAO-style problems found in a face test image (English).
	FaceProblems int
	// MRZValid reports whether a document reader's test reading had every check digit right.
	MRZValid bool
	// Identity is the identity the capture itself reported (SBI: from the signed response),
	// which is what pairing must pin.
	Identity hardware.Identity
}

// ErrTestCaptureRole is returned when a role that may not pair devices asks for a test capture.
var ErrTestCaptureRole = errors.New("only a technician may test devices")

// TestCapture takes one capture through dev and scores it, storing nothing and touching no
// case, so a technician can judge a device before pairing it. A fingerprint scanner takes
// the right index finger; a camera one face; a document reader one MRZ.
func (s *Session) TestCapture(ctx context.Context, dev hardware.Device) (TestCaptureResult, error) {
	s.Touch()
	out := TestCaptureResult{Score: -1, DeviceScore: -1}
	if !s.Can(vault.Devices, true) {
		return out, ErrTestCaptureRole
	}
	id := dev.Identity()
	t := hardware.Target{Kind: id.Kind}
	if id.Kind == hardware.Finger {
		t.Finger = testFinger
	}
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
		img := c.Finger(testFinger)
		if img == nil {
			return out, hardware.Errorf(hardware.CodeProtocol, id.ID(), "test capture has no image of finger %d", testFinger)
		}
		ppi := c.PPI
		if ppi == 0 {
			ppi = 500
		}
		q, err := quality.Score(img, ppi)
		if err != nil {
			return out, fmt.Errorf("score test capture of %s: %w", id.ID(), err)
		}
		out.Score = q.Score
	case hardware.Face:
		if c.Image == nil {
			return out, hardware.Errorf(hardware.CodeProtocol, id.ID(), "test capture has no face image")
		}
		out.FaceProblems = len(faceProblems(c.Image))
	case hardware.Document:
		res, err := mrz.Parse(c.Lines, s.nowFunc())
		if err != nil {
			return out, hardware.Errorf(hardware.CodeProtocol, id.ID(), "test reading is not an MRZ: %w", err)
		}
		out.MRZValid = res.Valid
	}
	return out, nil
}
