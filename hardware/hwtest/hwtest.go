// Package hwtest is the driver conformance suite: every driver's tests call
// Run with a Harness, so identity, capture, cancellation, timeouts and error
// reporting behave the same on every device (the restic backend-test idea).
package hwtest

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/fieldscreen/fieldscreen/hardware"
)

// Harness tells the suite how to drive one device.
type Harness struct {
	// Open returns a fresh, ready device; the suite closes it.
	Open func(t *testing.T) hardware.Device
	// Target is a capture the device supports.
	Target hardware.Target
	// Unsupported is a target the device must refuse with ErrUnsupported
	// (zero value: skip that check, e.g. for a device that does everything).
	Unsupported *hardware.Target
	// Slow makes the device's next capture take at least d (for cancel and
	// timeout). Nil: the suite skips cancel/timeout and says so in the log —
	// only for devices whose capture cannot be delayed (none of ours).
	Slow func(t *testing.T, dev hardware.Device, d time.Duration)
	// Busy makes the device report itself busy on the next capture (as its
	// protocol would, e.g. SBI status Busy). Nil: the busy check runs two
	// captures at once and expects the second to get ErrBusy.
	Busy func(t *testing.T, dev hardware.Device)
	// Check inspects a successful capture for driver-specific content (optional).
	Check func(t *testing.T, c *hardware.Capture)
}

// Run runs the conformance suite as subtests of t.
func Run(t *testing.T, h Harness) {
	t.Run("identity", func(t *testing.T) {
		d := open(t, h)
		id := d.Identity()
		for name, v := range map[string]string{"driver": id.Driver, "kind": string(id.Kind), "make": id.Make,
			"model": id.Model, "serial": id.Serial, "firmware": id.Firmware} {
			if strings.TrimSpace(v) == "" {
				t.Errorf("identity field %s is empty: %+v", name, id)
			}
		}
		if id.ID() != d.Identity().ID() {
			t.Errorf("ID not stable: %q then %q", id.ID(), d.Identity().ID())
		}
		if strings.ContainsAny(id.ID(), " /\\") {
			t.Errorf("ID %q has characters unsafe for a record key", id.ID())
		}
		if !d.Supports(h.Target) {
			t.Errorf("device does not support the harness target %s", h.Target)
		}
	})
	t.Run("capture", func(t *testing.T) {
		d := open(t, h)
		var stages []hardware.Stage
		ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
		defer cancel()
		c, err := d.Capture(ctx, hardware.Request{Target: h.Target, Progress: func(s hardware.Stage) { stages = append(stages, s) }})
		if err != nil {
			t.Fatalf("capture %s: %v", h.Target, err)
		}
		if c.Image == nil && len(c.Lines) == 0 {
			t.Fatal("capture returned neither an image nor lines")
		}
		if c.Image != nil && (c.Image.Bounds().Dx() < 16 || c.Image.Bounds().Dy() < 16) {
			t.Errorf("capture image is %v: too small to be real", c.Image.Bounds())
		}
		if len(c.Device.Diff(d.Identity())) != 0 {
			t.Errorf("capture identity %+v differs from device identity %+v", c.Device, d.Identity())
		}
		if c.At.IsZero() {
			t.Error("capture has no time")
		}
		if c.Target.Kind != h.Target.Kind {
			t.Errorf("capture target %s, asked %s", c.Target, h.Target)
		}
		if len(stages) == 0 || stages[len(stages)-1] != hardware.StageDone {
			t.Errorf("progress stages %v: want them to end with %q", stages, hardware.StageDone)
		}
		if h.Check != nil {
			h.Check(t, c)
		}
	})
	t.Run("cancel", func(t *testing.T) {
		if h.Slow == nil {
			t.Fatal("harness has no Slow: every driver must be able to delay a capture for this check")
		}
		d := open(t, h)
		h.Slow(t, d, 5*time.Second)
		ctx, cancel := context.WithCancel(context.Background())
		time.AfterFunc(100*time.Millisecond, cancel)
		start := time.Now()
		_, err := d.Capture(ctx, hardware.Request{Target: h.Target})
		if !errors.Is(err, context.Canceled) {
			t.Fatalf("cancelled capture: got %v, want an error matching context.Canceled", err)
		}
		if el := time.Since(start); el > 4*time.Second {
			t.Errorf("cancelled capture returned after %v: it ignored the context", el)
		}
	})
	t.Run("timeout", func(t *testing.T) {
		if h.Slow == nil {
			t.Fatal("harness has no Slow")
		}
		d := open(t, h)
		h.Slow(t, d, 5*time.Second)
		ctx, cancel := context.WithTimeout(context.Background(), 150*time.Millisecond)
		defer cancel()
		_, err := d.Capture(ctx, hardware.Request{Target: h.Target})
		if !errors.Is(err, hardware.ErrTimeout) {
			t.Fatalf("capture past its deadline: got %v, want hardware.ErrTimeout", err)
		}
		if s := hardware.Sentence(err, "nl"); s == hardware.Sentence(err, "en") || s == "" {
			t.Errorf("timeout sentence not translated: %q", s)
		}
	})
	t.Run("errors", func(t *testing.T) {
		d := open(t, h)
		if h.Unsupported != nil {
			_, err := d.Capture(context.Background(), hardware.Request{Target: *h.Unsupported})
			if !errors.Is(err, hardware.ErrUnsupported) {
				t.Errorf("unsupported target %s: got %v, want ErrUnsupported", *h.Unsupported, err)
			}
		}
		var err error
		if h.Busy != nil {
			h.Busy(t, d)
			_, err = d.Capture(context.Background(), hardware.Request{Target: h.Target})
		} else {
			if h.Slow == nil {
				t.Fatal("harness has neither Busy nor Slow")
			}
			h.Slow(t, d, 2*time.Second)
			ctx, cancel := context.WithCancel(context.Background())
			done := make(chan struct{})
			go func() {
				defer close(done)
				d.Capture(ctx, hardware.Request{Target: h.Target})
			}()
			time.Sleep(200 * time.Millisecond)
			_, err = d.Capture(context.Background(), hardware.Request{Target: h.Target})
			cancel()
			<-done
		}
		if !errors.Is(err, hardware.ErrBusy) {
			t.Fatalf("capture on a busy device: got %v, want ErrBusy", err)
		}
		en, nl := hardware.Sentence(err, "en"), hardware.Sentence(err, "nl")
		if !strings.Contains(en, "busy") || en == nl {
			t.Errorf("busy sentences: en %q nl %q", en, nl)
		}
	})
}

func open(t *testing.T, h Harness) hardware.Device {
	t.Helper()
	d := h.Open(t)
	t.Cleanup(func() {
		if err := d.Close(); err != nil {
			t.Errorf("close: %v", err)
		}
	})
	return d
}
