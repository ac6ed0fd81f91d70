// Package serial is the driver for travel-document readers that send the
// machine-readable zone as text lines over a serial port (RS-232 or USB
// CDC-ACM). It delivers the raw, shape-checked lines; parsing them (check
// digits, fields) is the app's job with forms/mrz, so the device layer does
// not depend on the forms package.
package serial

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"time"

	bug "go.bug.st/serial"
	"go.bug.st/serial/enumerator"

	"github.com/fieldscreen/fieldscreen/hardware"
)

// Config describes one reader on one port. Readers differ in speed, framing
// and line ending; the defaults (9600 8N1, any line ending) fit most.
type Config struct {
	Port     string // e.g. /dev/ttyUSB0 or /dev/ttyACM0
	Baud     int    // default 9600
	DataBits int    // default 8
	Parity   string // "N" (default), "E" or "O"
	StopBits int    // 1 (default) or 2
	// LineEnding splits lines: "\r", "\n", "\r\n", or "" for any of them.
	LineEnding string
	// Idle ends a reading: no byte for this long after the first one (default 300 ms).
	Idle time.Duration
	// Identity fields; empty ones are filled from the USB descriptor when there is one.
	Make, Model, Serial, Firmware string
}

func (c Config) mode() (*bug.Mode, error) {
	m := &bug.Mode{BaudRate: c.Baud, DataBits: c.DataBits}
	if m.BaudRate == 0 {
		m.BaudRate = 9600
	}
	if m.DataBits == 0 {
		m.DataBits = 8
	}
	switch c.Parity {
	case "", "N", "n":
		m.Parity = bug.NoParity
	case "E", "e":
		m.Parity = bug.EvenParity
	case "O", "o":
		m.Parity = bug.OddParity
	default:
		return nil, fmt.Errorf("serial %s: parity %q, want N, E or O", c.Port, c.Parity)
	}
	switch c.StopBits {
	case 0, 1:
		m.StopBits = bug.OneStopBit
	case 2:
		m.StopBits = bug.TwoStopBits
	default:
		return nil, fmt.Errorf("serial %s: stop bits %d, want 1 or 2", c.Port, c.StopBits)
	}
	if m.DataBits < 5 || m.DataBits > 8 {
		return nil, fmt.Errorf("serial %s: data bits %d, want 5-8", c.Port, m.DataBits)
	}
	switch c.LineEnding {
	case "", "\r", "\n", "\r\n":
	default:
		return nil, fmt.Errorf("serial %s: line ending %q, want CR, LF or CRLF", c.Port, c.LineEnding)
	}
	return m, nil
}

// Driver opens the configured readers. Serial ports cannot say what is
// attached, so readers are configured, not guessed; Ports lists candidates.
type Driver struct{ Readers []Config }

// Name is "serial".
func (Driver) Name() string { return "serial" }

// Discover opens every configured reader that is present.
func (d Driver) Discover(ctx context.Context) ([]hardware.Device, error) {
	var out []hardware.Device
	var errs []error
	for _, c := range d.Readers {
		dev, err := Open(c)
		if err != nil {
			errs = append(errs, err)
			continue
		}
		out = append(out, dev)
	}
	return out, errors.Join(errs...)
}

// Ports lists the serial ports of this machine with their USB details, for
// the technician choosing a reader's port.
func Ports() ([]*enumerator.PortDetails, error) { return enumerator.GetDetailedPortsList() }

// Device is one open document reader.
type Device struct {
	cfg   Config
	port  bug.Port
	ident hardware.Identity
	busy  hardware.Guard
}

// Open opens the port with the configured framing.
func Open(c Config) (*Device, error) {
	mode, err := c.mode()
	if err != nil {
		return nil, err
	}
	if c.Idle <= 0 {
		c.Idle = 300 * time.Millisecond
	}
	p, err := bug.Open(c.Port, mode)
	if err != nil {
		return nil, hardware.Errorf(hardware.CodeNotFound, "serial:"+filepath.Base(c.Port), "open %s: %w", c.Port, err)
	}
	id := hardware.Identity{Driver: "serial", Kind: hardware.Document, Make: c.Make, Model: c.Model, Serial: c.Serial, Firmware: c.Firmware}
	if ports, err := enumerator.GetDetailedPortsList(); err == nil {
		for _, pd := range ports {
			if pd.Name == c.Port && pd.IsUSB {
				id.Make = firstNonEmpty(id.Make, "USB "+pd.VID)
				id.Model = firstNonEmpty(id.Model, pd.Product, "USB "+pd.VID+":"+pd.PID)
				id.Serial = firstNonEmpty(id.Serial, pd.SerialNumber)
			}
		}
	}
	id.Make = firstNonEmpty(id.Make, "unknown")
	id.Model = firstNonEmpty(id.Model, "serial MRZ reader")
	id.Serial = firstNonEmpty(id.Serial, filepath.Base(c.Port))
	id.Firmware = firstNonEmpty(id.Firmware, "unknown")
	return &Device{cfg: c, port: p, ident: id}, nil
}

func firstNonEmpty(s ...string) string {
	for _, x := range s {
		if x != "" {
			return x
		}
	}
	return ""
}

// Identity is the configured or USB identity.
func (d *Device) Identity() hardware.Identity { return d.ident }

// Supports documents only.
func (d *Device) Supports(t hardware.Target) bool { return t.Kind == hardware.Document }

// Preview is not available on document readers.
func (d *Device) Preview(ctx context.Context, t hardware.Target) (<-chan hardware.Frame, error) {
	return nil, hardware.Errorf(hardware.CodeUnsupported, d.ident.ID(), "document readers have no preview")
}

// Close closes the port.
func (d *Device) Close() error { return d.port.Close() }

// poll is how often a waiting read checks the context.
const poll = 50 * time.Millisecond

// Capture waits for the reader to send one MRZ: it reads until the line
// data stops for Idle, then shape-checks the burst.
func (d *Device) Capture(ctx context.Context, req hardware.Request) (*hardware.Capture, error) {
	id := d.ident.ID()
	release, err := d.busy.Begin(d, req.Target)
	if err != nil {
		return nil, err
	}
	defer release()
	if err := d.port.SetReadTimeout(poll); err != nil {
		return nil, hardware.Errorf(hardware.CodeNotFound, id, "set read timeout: %w", err)
	}
	req.Report(hardware.StageWaiting)
	var data []byte
	var last time.Time
	buf := make([]byte, 512)
	for {
		if ctx.Err() != nil {
			return nil, hardware.ContextError(ctx, id)
		}
		n, err := d.port.Read(buf)
		if err != nil {
			return nil, hardware.Errorf(hardware.CodeNotFound, id, "read %s: %w", d.cfg.Port, err)
		}
		if n > 0 {
			if len(data) == 0 {
				req.Report(hardware.StageCapturing)
			}
			data = append(data, buf[:n]...)
			last = time.Now()
			if len(data) > 4096 {
				return nil, hardware.Errorf(hardware.CodeCaptureFailed, id, "%w: more than 4096 bytes without a pause", ErrNoise)
			}
			continue
		}
		if len(data) > 0 && time.Since(last) >= d.cfg.Idle {
			break
		}
	}
	req.Report(hardware.StageVerifying)
	lines, err := ExtractMRZ(data, d.cfg.LineEnding)
	if err != nil {
		return nil, hardware.Errorf(hardware.CodeCaptureFailed, id, "%w", err)
	}
	req.Report(hardware.StageDone)
	return &hardware.Capture{Target: req.Target, Lines: lines, DeviceScore: -1, Device: d.ident, At: time.Now().UTC()}, nil
}

var _ hardware.Device = (*Device)(nil)
