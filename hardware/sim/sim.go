// Package sim is the always-available simulated driver: a fingerprint scanner
// (single fingers and 4-4-2 slaps from biometrics/synth, deterministic by
// seed, with controllable defects), a face camera and an MRZ document reader.
// Tests and demos set its latency and inject failures. It is not a model of
// any real device's timing or image statistics.
package sim

import (
	"context"
	"fmt"
	"image"
	"sync"
	"time"

	"github.com/fieldscreen/fieldscreen/biometrics/synth"
	"github.com/fieldscreen/fieldscreen/hardware"
)

// Driver discovers the three simulated devices.
type Driver struct{ Seed int64 }

// Name is "sim".
func (Driver) Name() string { return "sim" }

// Discover returns a scanner, a camera and a document reader seeded with d.Seed.
func (d Driver) Discover(ctx context.Context) ([]hardware.Device, error) {
	return []hardware.Device{
		New(hardware.Finger, Options{Seed: d.Seed}),
		New(hardware.Face, Options{Seed: d.Seed}),
		New(hardware.Document, Options{Seed: d.Seed}),
	}, nil
}

// Options configure a simulated device.
type Options struct {
	Serial   string        // default "SIM-<KIND>-0001"
	Firmware string        // default "sim-1.0"
	Seed     int64         // the synthetic person: same seed, same prints
	Latency  time.Duration // time per capture (0 = immediate)
	// Defects returns the capture defects for a target's attempt (1, 2, ...),
	// so tests can script "bad first, good second". Nil = clean prints.
	Defects func(t hardware.Target, attempt int) synth.Options
	// FrameInterval is the preview frame period; default 100 ms (10 fps).
	FrameInterval time.Duration
	// Document is the MRZ the reader emits; default TestMRZ.
	Document []string
}

// Device is one simulated device.
type Device struct {
	kind hardware.Kind
	opt  Options

	busy hardware.Guard // held during a capture

	mu       sync.Mutex
	attempts map[string]int
	fails    []error // injected failures, consumed one per capture
	latency  time.Duration
	ident    hardware.Identity
	cache    map[cacheKey]*hardware.Capture
}

type cacheKey struct {
	target string
	defect synth.Options
}

// New makes a simulated device of the given kind.
func New(kind hardware.Kind, opt Options) *Device {
	if opt.Serial == "" {
		opt.Serial = fmt.Sprintf("SIM-%s-0001", kind)
	}
	if opt.Firmware == "" {
		opt.Firmware = "sim-1.0"
	}
	if opt.FrameInterval <= 0 {
		opt.FrameInterval = 100 * time.Millisecond
	}
	if opt.Document == nil {
		opt.Document = TestMRZ
	}
	models := map[hardware.Kind]string{hardware.Finger: "Simulated 4-4-2 slap scanner",
		hardware.Face: "Simulated face camera", hardware.Document: "Simulated MRZ reader"}
	return &Device{kind: kind, opt: opt, latency: opt.Latency, attempts: map[string]int{},
		cache: map[cacheKey]*hardware.Capture{},
		ident: hardware.Identity{Driver: "sim", Kind: kind, Make: "fieldscreen", Model: models[kind],
			Serial: opt.Serial, Firmware: opt.Firmware}}
}

// Identity returns the simulated identity.
func (d *Device) Identity() hardware.Identity {
	d.mu.Lock()
	defer d.mu.Unlock()
	return d.ident
}

// SetFirmware changes the reported firmware, as an update would (for identity-change tests).
func (d *Device) SetFirmware(v string) {
	d.mu.Lock()
	d.ident.Firmware = v
	d.mu.Unlock()
}

// SetLatency changes the time each capture takes.
func (d *Device) SetLatency(l time.Duration) {
	d.mu.Lock()
	d.latency = l
	d.mu.Unlock()
}

// Fail makes the next len(errs) captures return these errors, in order.
func (d *Device) Fail(errs ...error) {
	d.mu.Lock()
	d.fails = append(d.fails, errs...)
	d.mu.Unlock()
}

// Supports: fingerprints on the scanner, faces on the camera, documents on the reader.
func (d *Device) Supports(t hardware.Target) bool {
	return t.Kind == d.kind && t.Validate() == nil
}

// Capture waits the latency, then returns a synthetic image or MRZ lines.
func (d *Device) Capture(ctx context.Context, req hardware.Request) (*hardware.Capture, error) {
	id := d.Identity().ID()
	release, err := d.busy.Begin(d, req.Target)
	if err != nil {
		return nil, err
	}
	defer release()

	d.mu.Lock()
	latency := d.latency
	var fail error
	if len(d.fails) > 0 {
		fail, d.fails = d.fails[0], d.fails[1:]
	}
	key := req.Target.String()
	d.attempts[key]++
	attempt := d.attempts[key]
	d.mu.Unlock()

	req.Report(hardware.StageWaiting)
	if latency > 0 {
		t := time.NewTimer(latency)
		defer t.Stop()
		select {
		case <-ctx.Done():
			return nil, hardware.ContextError(ctx, id)
		case <-t.C:
		}
	} else if ctx.Err() != nil {
		return nil, hardware.ContextError(ctx, id)
	}
	if fail != nil {
		return nil, fail
	}
	req.Report(hardware.StageCapturing)
	var defect synth.Options
	if d.opt.Defects != nil {
		defect = d.opt.Defects(req.Target, attempt)
	}
	c := d.render(req.Target, defect)
	if err := ctx.Err(); err != nil {
		return nil, hardware.ContextError(ctx, id)
	}
	out := *c
	out.Device = d.Identity()
	out.At = time.Now().UTC()
	req.Report(hardware.StageDone)
	return &out, nil
}

// render makes (or reuses: synth is deterministic and slow) the capture for a target.
func (d *Device) render(t hardware.Target, defect synth.Options) *hardware.Capture {
	k := cacheKey{t.String(), defect}
	d.mu.Lock()
	c, ok := d.cache[k]
	d.mu.Unlock()
	if ok {
		return c
	}
	c = &hardware.Capture{Target: t, DeviceScore: -1}
	switch {
	case t.Kind == hardware.Finger && t.Slap != hardware.NoSlap:
		img, rects := synth.Slap(d.opt.Seed, synth.SlapKind(t.Slap-1), defect)
		c.Image, c.PPI = img, synth.PPI
		for i, pos := range t.Slap.Positions() {
			if i < len(rects) {
				c.Segments = append(c.Segments, hardware.Segment{Finger: pos, Rect: rects[i]})
			}
		}
	case t.Kind == hardware.Finger:
		c.Image, c.PPI = synth.Finger(d.opt.Seed*16+int64(t.Finger), t.Finger, defect), synth.PPI
	case t.Kind == hardware.Face:
		c.Image = synth.Face(d.opt.Seed, 480, 640)
	case t.Kind == hardware.Document:
		// a full-page reader: the MRZ lines and the colour image of the data page
		c.Lines = append([]string(nil), d.opt.Document...)
		c.Image = Page(d.opt.Seed, d.opt.Document)
	}
	d.mu.Lock()
	d.cache[k] = c
	d.mu.Unlock()
	return c
}

// Preview sends the target's clean image every FrameInterval until ctx ends.
func (d *Device) Preview(ctx context.Context, t hardware.Target) (<-chan hardware.Frame, error) {
	if !d.Supports(t) || t.Kind == hardware.Document {
		return nil, hardware.Errorf(hardware.CodeUnsupported, d.Identity().ID(), "no preview for %s", t)
	}
	img := d.render(t, synth.Options{}).Image
	ch := make(chan hardware.Frame, 1)
	go func() {
		defer close(ch)
		tick := time.NewTicker(d.opt.FrameInterval)
		defer tick.Stop()
		for seq := 1; ; seq++ {
			select {
			case <-ctx.Done():
				return
			case ch <- hardware.Frame{Image: img, Seq: seq, At: time.Now()}:
			}
			select {
			case <-ctx.Done():
				return
			case <-tick.C:
			}
		}
	}()
	return ch, nil
}

// Close does nothing: a simulated device holds no resources.
func (d *Device) Close() error { return nil }

var _ hardware.Device = (*Device)(nil)
var _ image.Image = (*image.Gray)(nil)
