package app

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/fieldscreen/fieldscreen/hardware"
	"github.com/fieldscreen/fieldscreen/hardware/camera"
	"github.com/fieldscreen/fieldscreen/hardware/fprint"
	"github.com/fieldscreen/fieldscreen/hardware/sbi"
	"github.com/fieldscreen/fieldscreen/hardware/serial"
	"github.com/fieldscreen/fieldscreen/hardware/sim"
)

// RealDrivers are the drivers of real devices, in the order a technician reads them:
// MOSIP SBI device services, serial document readers, libfprint readers (only in builds
// with the fprint tag) and V4L2 cameras (only on Linux).
var RealDrivers = []string{"sbi", "serial", "fprint", "camera"}

// SimDriver is the simulated scanner, camera and document reader: for demonstrations and
// training only, never offered on a working terminal unless asked for.
const SimDriver = "sim"

// DefaultSBIPorts is the loopback port range MOSIP SBI device services listen on.
const DefaultSBIPorts = "4501-4600"

// DeviceOptions says where discovery looks. The desktop app derives it from its settings
// (Terminal.DeviceOptions); fieldscreenctl from its flags. Both then discover through one
// DeviceRegistry, so the two never disagree about which devices exist.
type DeviceOptions struct {
	// Drivers names the drivers to ask (RealDrivers and SimDriver); empty means every real
	// driver, plus the simulated one when Sim is set.
	Drivers []string
	// Sim adds the simulated devices to an empty Drivers list (DEMO vault or training).
	Sim bool
	// SimSeed chooses the synthetic person of the simulated devices.
	SimSeed int64
	// SBIPorts is the loopback range FROM-TO; empty means DefaultSBIPorts.
	SBIPorts string
	// Serial lists the document readers' ports as PATH[:BAUD[:PARITY]]: serial ports cannot
	// say what is attached, so readers are configured, never guessed.
	Serial []string
}

// ErrDeviceOption marks a device setting that cannot be used (a bad port range, an unknown
// driver, a malformed serial port); the message names the setting and what to type.
var ErrDeviceOption = errors.New("device setting")

func optionError(format string, a ...any) error {
	return fmt.Errorf("%w: %s", ErrDeviceOption, fmt.Sprintf(format, a...))
}

// names is the list of drivers these options ask, in order, without duplicates.
func (o DeviceOptions) names() []string {
	list := o.Drivers
	if len(list) == 0 {
		list = append([]string(nil), RealDrivers...)
		if o.Sim {
			list = append(list, SimDriver)
		}
	}
	var out []string
	seen := map[string]bool{}
	for _, n := range list {
		n = strings.TrimSpace(n)
		if n == "" || seen[n] {
			continue
		}
		seen[n] = true
		out = append(out, n)
	}
	return out
}

// Validate reports the first setting that cannot be used.
func (o DeviceOptions) Validate() error {
	_, closeAll, err := o.build()
	closeAll()
	return err
}

// build makes the drivers; call the returned function to release them (libfprint's thread).
func (o DeviceOptions) build() ([]hardware.Driver, func(), error) {
	var out []hardware.Driver
	closers := func() {}
	for _, name := range o.names() {
		switch name {
		case SimDriver:
			out = append(out, sim.Driver{Seed: o.SimSeed})
		case "sbi":
			from, to, err := ParsePortRange(o.SBIPorts)
			if err != nil {
				return nil, closers, err
			}
			out = append(out, sbi.Driver{From: from, To: to})
		case "serial":
			var rs []serial.Config
			for _, s := range o.Serial {
				c, err := ParseSerialPort(s)
				if err != nil {
					return nil, closers, err
				}
				rs = append(rs, c)
			}
			out = append(out, serial.Driver{Readers: rs})
		case "fprint":
			fd, err := fprint.New()
			if errors.Is(err, hardware.ErrUnsupported) {
				continue // this build has no libfprint: nothing to find, not a failure
			}
			if err != nil {
				return nil, closers, fmt.Errorf("start libfprint: %w", err)
			}
			prev := closers
			closers = func() { fd.Close(); prev() }
			out = append(out, fd)
		case "camera":
			if camera.Supported {
				out = append(out, camera.Driver{})
			}
		default:
			return nil, closers, optionError("unknown driver %q (use %s or %s)", name, strings.Join(RealDrivers, ", "), SimDriver)
		}
	}
	return out, closers, nil
}

// ParsePortRange reads an SBI port range FROM-TO; empty is DefaultSBIPorts.
func ParsePortRange(s string) (from, to int, err error) {
	if s == "" {
		s = DefaultSBIPorts
	}
	a, b, ok := strings.Cut(s, "-")
	from, err1 := strconv.Atoi(strings.TrimSpace(a))
	to, err2 := strconv.Atoi(strings.TrimSpace(b))
	if !ok || err1 != nil || err2 != nil || from < 1 || to < from || to > 65535 {
		return 0, 0, optionError("SBI ports %q: want FROM-TO within 1-65535, e.g. %s", s, DefaultSBIPorts)
	}
	return from, to, nil
}

// ParseSerialPort reads a document reader's port as PATH[:BAUD[:PARITY]], e.g.
// /dev/ttyUSB0:9600:N or COM3:115200. Framing the driver cannot use is refused here, so a
// typing mistake in Settings is caught when it is saved rather than at the border.
func ParseSerialPort(s string) (serial.Config, error) {
	parts := strings.Split(strings.TrimSpace(s), ":")
	c := serial.Config{Port: parts[0]}
	if c.Port == "" {
		return c, optionError("serial port %q: no port name (e.g. /dev/ttyUSB0 or COM3)", s)
	}
	if len(parts) > 3 {
		return c, optionError("serial port %q: want PATH[:BAUD[:PARITY]]", s)
	}
	if len(parts) > 1 {
		b, err := strconv.Atoi(parts[1])
		if err != nil || b < 50 || b > 4000000 {
			return c, optionError("serial port %q: baud %q is not a speed (e.g. 9600)", s, parts[1])
		}
		c.Baud = b
	}
	if len(parts) > 2 {
		switch parts[2] {
		case "N", "E", "O", "n", "e", "o":
			c.Parity = strings.ToUpper(parts[2])
		default:
			return c, optionError("serial port %q: parity %q, want N, E or O", s, parts[2])
		}
	}
	return c, nil
}

// DeviceRegistry is the one place devices are discovered, for the desktop app and for
// fieldscreenctl alike. A discovery replaces the previous one: its open handles (serial
// ports, cameras, libfprint) are closed first, because a port held open by a stale handle
// would hide the same reader from the new discovery.
type DeviceRegistry struct {
	options func() DeviceOptions

	mu      sync.Mutex // one discovery at a time
	devs    []hardware.Device
	release func()
}

// NewDeviceRegistry discovers with the options options returns at each discovery, so a
// change in Settings applies to the next one.
func NewDeviceRegistry(options func() DeviceOptions) *DeviceRegistry {
	return &DeviceRegistry{options: options, release: func() {}}
}

// DiscoverTimeout bounds one discovery: SBI probes a hundred loopback ports.
const DiscoverTimeout = 10 * time.Second

// Discover asks every configured driver and returns all devices found, sorted by ID. A
// driver that fails does not hide the others: its error comes back beside their devices.
// A setting that cannot be used (ErrDeviceOption) fails the whole discovery.
func (r *DeviceRegistry) Discover(ctx context.Context) ([]hardware.Device, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.closeLocked()
	drivers, release, err := r.options().build()
	if err != nil {
		release()
		return nil, err
	}
	ctx, cancel := context.WithTimeout(ctx, DiscoverTimeout)
	defer cancel()
	devs, err := hardware.Discover(ctx, drivers...)
	r.devs, r.release = devs, release
	return devs, err
}

// Close releases every device of the last discovery and the drivers behind them.
func (r *DeviceRegistry) Close() error {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.closeLocked()
	return nil
}

func (r *DeviceRegistry) closeLocked() {
	for _, d := range r.devs {
		d.Close()
	}
	r.devs = nil
	r.release()
	r.release = func() {}
}

// DeviceOptions is what the terminal's settings say about devices: every real driver,
// the serial readers and SBI ports configured in Settings, and the simulated devices only
// in a DEMO vault or when training devices are switched on.
func (t *Terminal) DeviceOptions() DeviceOptions {
	c := t.Config()
	return DeviceOptions{
		Sim:      c.Demo || c.TrainingDevices,
		SimSeed:  1,
		SBIPorts: c.SBIPorts,
		Serial:   append([]string(nil), c.SerialReaders...),
	}
}

// Devices is the terminal's device registry (built on first use from the settings).
func (t *Terminal) Devices() *DeviceRegistry {
	t.devOnce.Do(func() { t.devices = NewDeviceRegistry(t.DeviceOptions) })
	return t.devices
}

// Devices is the registry of the terminal this session was unlocked on; nil for sessions
// made without one (tests of single services).
func (s *Session) Devices() *DeviceRegistry {
	if s.term == nil {
		return nil
	}
	return s.term.Devices()
}
