// Package hardware is fieldscreen's device layer: one Device interface for
// fingerprint scanners, face cameras and document readers, discovery across
// drivers, the pairing registry that pins a device's identity, and capture
// sessions that turn a capture plan into scored, lossless images.
//
// Drivers live in subpackages (sim, sbi, serial, fprint, camera) and all pass
// the shared conformance suite in hardware/hwtest. This package knows nothing
// about cases or forms: the app maps a case to a Plan. It stores nothing
// itself; pairings go through a Store the caller backs with the vault.
package hardware

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"image"
	"strings"
	"sync"
	"time"
)

// Kind is what a device captures.
type Kind string

const (
	Finger   Kind = "finger"   // fingerprint scanner (single finger or slaps)
	Face     Kind = "face"     // face camera
	Document Kind = "document" // travel-document (MRZ) reader
)

// Identity is what a device says it is. Pairing stores it and capture compares
// it field by field, so a swapped scanner or a re-keyed device service is noticed.
// It never holds data about a screened person.
type Identity struct {
	Driver   string `json:"driver"`   // "sim", "sbi", "serial", "fprint", "camera"
	Kind     Kind   `json:"kind"`     // finger, face or document
	Make     string `json:"make"`     // manufacturer
	Model    string `json:"model"`    // model name
	Serial   string `json:"serial"`   // serial number (SBI: serialNo / deviceCode)
	Firmware string `json:"firmware"` // firmware or service version
	// CertFingerprint is the upper-case hex SHA-256 of the device's signing
	// certificate (SBI); empty for drivers without one.
	CertFingerprint string `json:"certFingerprint,omitempty"`
}

// ID is the stable key of a device: driver, kind and serial. It is the key of
// the pairing record and what the operator types in `fieldscreenctl device pair`.
// It carries no personal data.
func (id Identity) ID() string {
	return id.Driver + ":" + string(id.Kind) + ":" + sanitize(id.Serial)
}

func sanitize(s string) string {
	var b strings.Builder
	for _, r := range s {
		switch {
		case r >= 'a' && r <= 'z', r >= 'A' && r <= 'Z', r >= '0' && r <= '9', r == '-', r == '_', r == '.':
			b.WriteRune(r)
		default:
			b.WriteByte('_')
		}
	}
	if b.Len() == 0 {
		return "unknown"
	}
	return b.String()
}

// Diff names the identity fields that differ between a and b (driver, kind and
// serial define the ID and are compared too).
func (id Identity) Diff(other Identity) []string {
	var d []string
	add := func(name, a, b string) {
		if a != b {
			d = append(d, name)
		}
	}
	add("driver", id.Driver, other.Driver)
	add("kind", string(id.Kind), string(other.Kind))
	add("make", id.Make, other.Make)
	add("model", id.Model, other.Model)
	add("serial", id.Serial, other.Serial)
	add("firmware", id.Firmware, other.Firmware)
	add("certificate", id.CertFingerprint, other.CertFingerprint)
	return d
}

// CertFingerprint returns the upper-case hex SHA-256 of a DER certificate.
func CertFingerprint(der []byte) string {
	h := sha256.Sum256(der)
	return strings.ToUpper(hex.EncodeToString(h[:]))
}

// Slap names a plain (flat) multi-finger impression of a 4-4-2 capture.
type Slap int

const (
	NoSlap    Slap = iota // a single finger (Target.Finger) or not a fingerprint
	RightFour             // right index, middle, ring, little (2,3,4,5)
	LeftFour              // left index, middle, ring, little (7,8,9,10)
	Thumbs                // right and left thumb (1,6)
)

// Positions returns the ANSI/NIST finger positions in the slap, in image order.
func (s Slap) Positions() []int {
	switch s {
	case RightFour:
		return []int{2, 3, 4, 5}
	case LeftFour:
		return []int{7, 8, 9, 10}
	case Thumbs:
		return []int{1, 6}
	}
	return nil
}

func (s Slap) String() string {
	switch s {
	case RightFour:
		return "right four"
	case LeftFour:
		return "left four"
	case Thumbs:
		return "thumbs"
	}
	return "single"
}

// FingerName is the English name of an ANSI/NIST finger position 1-10.
func FingerName(pos int) string {
	names := [...]string{"unknown finger", "right thumb", "right index", "right middle", "right ring", "right little",
		"left thumb", "left index", "left middle", "left ring", "left little"}
	if pos < 0 || pos >= len(names) {
		return names[0]
	}
	return names[pos]
}

// Target is one thing to capture.
type Target struct {
	Kind   Kind
	Finger int  // 1-10 for a single finger; 0 with a Slap
	Slap   Slap // a slap; NoSlap for a single finger
	// Skip lists finger positions of the slap known to be missing (amputated,
	// bandaged), so a device that segments does not look for them.
	Skip []int
}

func (t Target) String() string {
	switch {
	case t.Kind == Finger && t.Slap != NoSlap:
		return "slap " + t.Slap.String()
	case t.Kind == Finger:
		return FingerName(t.Finger)
	}
	return string(t.Kind)
}

// Validate reports a target no device can capture.
func (t Target) Validate() error {
	switch t.Kind {
	case Finger:
		if t.Slap == NoSlap && (t.Finger < 1 || t.Finger > 10) {
			return fmt.Errorf("finger position %d: want 1-10 or a slap", t.Finger)
		}
		if t.Slap < NoSlap || t.Slap > Thumbs {
			return fmt.Errorf("unknown slap %d", t.Slap)
		}
	case Face, Document:
	default:
		return fmt.Errorf("unknown capture kind %q", t.Kind)
	}
	return nil
}

// Stage is a step of a capture, reported through Request.Progress.
type Stage string

const (
	StageWaiting   Stage = "waiting"   // waiting for the finger, face or document
	StageCapturing Stage = "capturing" // the sensor is acquiring
	StageVerifying Stage = "verifying" // checking signatures, hashes, shapes
	StageDone      Stage = "done"
)

// Request asks a device for one capture.
type Request struct {
	Target Target
	// Threshold is the quality the device should wait for (0-100); devices
	// that cannot score ignore it. 0 = take the first image.
	Threshold int
	// Progress, when set, is called from the capturing goroutine; it must not block.
	Progress func(Stage)
}

func (r Request) progress(s Stage) {
	if r.Progress != nil {
		r.Progress(s)
	}
}

// Report calls the request's progress callback, if any (for drivers).
func (r Request) Report(s Stage) { r.progress(s) }

// Segment is one finger's place in a slap image.
type Segment struct {
	Finger int
	Rect   image.Rectangle
}

// Capture is one image (or document reading) as the device delivered it.
type Capture struct {
	Target Target
	// Image is grey for fingerprints, colour for faces; for a document, the colour image of
	// the data page when the device delivers one (a full-page reader, a camera), else nil.
	Image    image.Image
	PPI      int       // pixels per inch (fingerprints); 0 when not known
	Segments []Segment // finger boxes within a slap image
	// DeviceScore is the device's own quality score 0-100, or -1 when it gives none.
	DeviceScore int
	// Lines holds the MRZ text lines a document reader sent (already shape-checked).
	Lines []string
	// Device is the identity that produced this capture (for SBI: from the
	// signed response), so the session can compare it with the pairing.
	Device Identity
	// Evidence is the device-signed response (SBI JWS), kept so central can re-verify.
	Evidence []byte
	At       time.Time
}

// Frame is one live preview image.
type Frame struct {
	Image image.Image
	Seq   int
	At    time.Time
}

// Device is one attached capture device. Implementations are safe for use by
// one capture at a time; a second concurrent Capture returns ErrBusy.
type Device interface {
	// Identity is what the device reports about itself (cached from discovery/info).
	Identity() Identity
	// Supports reports whether the device can capture the target at all.
	Supports(t Target) bool
	// Capture takes one image. It honours ctx: cancellation returns an error
	// matching context.Canceled; a deadline returns one matching ErrTimeout.
	Capture(ctx context.Context, req Request) (*Capture, error)
	// Preview streams live frames until ctx ends or the device stops; the
	// channel is then closed. Devices without preview return ErrUnsupported.
	Preview(ctx context.Context, t Target) (<-chan Frame, error)
	// Close releases the device.
	Close() error
}

// Driver finds devices of one kind of connection.
type Driver interface {
	Name() string
	Discover(ctx context.Context) ([]Device, error)
}

// Discover asks every driver in parallel and returns all devices found, sorted
// by ID. A driver that fails does not hide the others: its error is returned
// beside the devices (joined), naming the driver.
func Discover(ctx context.Context, drivers ...Driver) ([]Device, error) {
	type result struct {
		name string
		devs []Device
		err  error
	}
	ch := make(chan result, len(drivers))
	for _, d := range drivers {
		go func() {
			devs, err := d.Discover(ctx)
			ch <- result{d.Name(), devs, err}
		}()
	}
	var all []Device
	var errs []error
	for range drivers {
		r := <-ch
		all = append(all, r.devs...)
		if r.err != nil {
			errs = append(errs, fmt.Errorf("discover %s devices: %w", r.name, r.err))
		}
	}
	sortDevices(all)
	return all, joinErrors(errs)
}

// Guard gives a driver's Capture its common start: refuse a target the
// device cannot capture, and allow one capture at a time (a second gets
// ErrBusy at once rather than queueing behind a finger that may never come).
type Guard struct{ mu sync.Mutex }

// Begin checks t against d and takes the capture lock; call the returned
// function when the capture ends.
func (g *Guard) Begin(d Device, t Target) (release func(), err error) {
	id := d.Identity().ID()
	if !d.Supports(t) {
		return nil, Errorf(CodeUnsupported, id, "cannot capture %s", t)
	}
	if !g.mu.TryLock() {
		return nil, Errorf(CodeBusy, id, "a capture is already running")
	}
	return g.mu.Unlock, nil
}
