package ui

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/widget"

	"github.com/fieldscreen/fieldscreen/app"
	"github.com/fieldscreen/fieldscreen/hardware"
)

// deviceSource replaces the terminal's device registry in tests that hand the screens fixed
// devices; nil means discovery through app's registry, with the drivers the settings give
// (every real driver, the simulated ones only in a DEMO vault or for training).
var deviceSource func(ctx context.Context) ([]hardware.Device, error)

// knownDevices caches the last discovery, so the capture step and the document reader do
// not probe ports again for every person.
var knownDevices struct {
	mu   sync.Mutex
	list []hardware.Device
}

// discoverDevices discovers through the session's registry and remembers what it found.
// Call it off the UI goroutine.
func discoverDevices(sess *app.Session) ([]hardware.Device, error) {
	var devs []hardware.Device
	var err error
	switch reg := sess.Devices(); {
	case deviceSource != nil:
		ctx, cancel := context.WithTimeout(context.Background(), app.DiscoverTimeout)
		devs, err = deviceSource(ctx)
		cancel()
	case reg != nil:
		devs, err = reg.Discover(context.Background())
	default:
		return nil, errors.New("no device registry: this session was not unlocked on a terminal")
	}
	knownDevices.mu.Lock()
	defer knownDevices.mu.Unlock()
	if len(devs) > 0 || err == nil {
		knownDevices.list = devs
	}
	return devs, err
}

// devicesOrDiscover returns the remembered devices, discovering them first when there are
// none. Call it off the UI goroutine.
func devicesOrDiscover(sess *app.Session) ([]hardware.Device, error) {
	knownDevices.mu.Lock()
	list := knownDevices.list
	knownDevices.mu.Unlock()
	if len(list) > 0 {
		return list, nil
	}
	return discoverDevices(sess)
}

// Capture and reading need a paired device the officer cannot pair on their screen.
var (
	errNoScanner = errors.New("no paired fingerprint scanner")
	errNoCamera  = errors.New("no paired face camera")
	errNoReader  = errors.New("no paired document reader")
	errNoDevice  = map[hardware.Kind]error{hardware.Finger: errNoScanner, hardware.Face: errNoCamera, hardware.Document: errNoReader}
)

// findPaired returns a paired device of a kind from the last discovery, discovering again
// when there is none (a scanner plugged in since). The error matches errNoScanner,
// errNoCamera or errNoReader, joined with any discovery error. Off the UI goroutine.
func findPaired(sess *app.Session, kind hardware.Kind) (hardware.Device, error) {
	pairings, err := sess.Pairings()
	if err != nil {
		return nil, err
	}
	want := sess.PreferredDevice(string(kind))
	devs, derr := devicesOrDiscover(sess)
	if d := pairedDevice(devs, pairings, kind, want); d != nil {
		return d, nil
	}
	if derr == nil {
		devs, derr = discoverDevices(sess)
		if d := pairedDevice(devs, pairings, kind, want); d != nil {
			return d, nil
		}
	}
	return nil, errors.Join(errNoDevice[kind], derr)
}

// pairedDevice picks the device of a kind whose identity matches its pairing now: the one
// chosen in Settings (want) when it is there, else the first.
func pairedDevice(devs []hardware.Device, pairings []hardware.Pairing, kind hardware.Kind, want string) hardware.Device {
	var first hardware.Device
	for _, d := range devs {
		if d.Identity().Kind != kind || hardware.Check(pairings, d.Identity()) != nil {
			continue
		}
		if want == "" || d.Identity().ID() == want {
			return d
		}
		if first == nil {
			first = d
		}
	}
	return first
}

// deviceError is a device failure as a sentence in the interface language; errors from the
// vault keep their own wording.
func deviceError(err error) string {
	var he *hardware.Error
	var ic *hardware.IdentityChangedError
	var qe *hardware.QualityError
	if errors.As(err, &he) || errors.As(err, &ic) || errors.As(err, &qe) ||
		errors.Is(err, context.DeadlineExceeded) || errors.Is(err, context.Canceled) {
		return hardware.Sentence(err, Language())
	}
	return errorText(err)
}

// devicesScreen is the technician's screen: discover, inspect, test, pair and unpair
// capture devices. It never opens a case, so it shows no personal data.
type devicesScreen struct {
	u     *UI
	bar   *widget.ProgressBarInfinite
	find  *widget.Button
	msg   *widget.Label
	list  *fyne.Container
	devs  []hardware.Device
	tests map[string]app.TestCaptureResult // by device ID, from this screen's test captures
}

func (u *UI) showDevices() {
	s := &devicesScreen{u: u, bar: newBusyBar(), msg: errorLabel(), list: container.NewVBox(), tests: map[string]app.TestCaptureResult{}}
	s.find = widget.NewButton(T("devices.discover"), s.discover)
	s.find.Importance = widget.HighImportance
	knownDevices.mu.Lock()
	s.devs = knownDevices.list
	knownDevices.mu.Unlock()
	intro := widget.NewLabel(T("devices.intro"))
	intro.Wrapping = fyne.TextWrapWord
	top := container.NewVBox(intro)
	if u.term.DeviceOptions().Sim {
		note := widget.NewLabel(T("devices.simNote"))
		note.Wrapping = fyne.TextWrapWord
		note.Importance = widget.WarningImportance
		top.Add(note)
	}
	top.Add(container.NewHBox(s.find))
	top.Add(s.bar)
	top.Add(s.msg)
	u.showSection("devices", container.NewBorder(top, nil, nil, nil, container.NewVScroll(s.list)))
	s.refresh()
}

func (s *devicesScreen) discover() {
	s.u.touch()
	setError(s.msg, "")
	var devs []hardware.Device
	busy(s.bar, s.find, func() error {
		var err error
		devs, err = discoverDevices(s.u.sess)
		return err
	}, func(err error) {
		s.devs = devs
		if err != nil {
			setError(s.msg, Tf("devices.discoverFailed", deviceError(err)))
		}
		s.refresh()
	})
}

// refresh rebuilds the device rows from the devices found and the stored pairings.
func (s *devicesScreen) refresh() {
	pairings, err := s.u.sess.Pairings()
	if err != nil {
		setError(s.msg, errorText(err))
	}
	s.list.Objects = nil
	if len(s.devs) == 0 {
		s.list.Add(widget.NewLabel(T("devices.none")))
	}
	for _, d := range s.devs {
		s.list.Add(s.row(d, pairings))
		s.list.Add(widget.NewSeparator())
	}
	// pairings whose device was not found this time can still be removed
	for _, p := range pairings {
		if !s.found(p.ID) {
			s.list.Add(s.absentRow(p))
			s.list.Add(widget.NewSeparator())
		}
	}
	s.list.Refresh()
}

func (s *devicesScreen) found(id string) bool {
	for _, d := range s.devs {
		if d.Identity().ID() == id {
			return true
		}
	}
	return false
}

// identityText is one device's identity on one line: driver, kind, make, model, serial,
// firmware and the first 16 hex digits of its certificate fingerprint.
func identityText(id hardware.Identity) string {
	parts := []string{id.Driver, T("kind." + string(id.Kind)), strings.TrimSpace(id.Make + " " + id.Model),
		Tf("devices.serial", id.Serial), Tf("devices.firmware", id.Firmware)}
	if fp := id.CertFingerprint; fp != "" {
		if len(fp) > 16 {
			fp = fp[:16] + "…"
		}
		parts = append(parts, Tf("devices.cert", fp))
	}
	return strings.Join(parts, " · ")
}

// pairState says whether a device matches its pairing, has none, or changed since.
func pairState(pairings []hardware.Pairing, id hardware.Identity) (text string, paired bool) {
	err := hardware.Check(pairings, id)
	var ic *hardware.IdentityChangedError
	switch {
	case err == nil:
		return T("devices.paired"), true
	case errors.As(err, &ic):
		return Tf("devices.changed", strings.Join(ic.Fields, ", ")), true
	}
	return T("devices.notPaired"), false
}

func (s *devicesScreen) row(d hardware.Device, pairings []hardware.Pairing) fyne.CanvasObject {
	id := d.Identity()
	if r, ok := s.tests[id.ID()]; ok && len(r.Identity.Diff(id)) > 0 {
		delete(s.tests, id.ID()) // the device changed since its test: test it again
	}
	name := widget.NewLabel(identityText(id))
	name.TextStyle.Bold = true
	name.Wrapping = fyne.TextWrapWord
	stateText, paired := pairState(pairings, id)
	state := widget.NewLabel(stateText)
	if stateText != T("devices.paired") {
		state.Importance = widget.WarningImportance
	}
	result := widget.NewLabel("")
	if r, ok := s.tests[id.ID()]; ok {
		result.SetText(testText(id.Kind, r))
	}
	msg := errorLabel()
	bar := newBusyBar()
	var test, pair, unpair *widget.Button
	test = widget.NewButton(T("devices.test"), func() {
		s.u.touch()
		setError(msg, "")
		var r app.TestCaptureResult
		busy(bar, test, func() error {
			ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
			defer cancel()
			var err error
			r, err = s.u.sess.TestCapture(ctx, d)
			return err
		}, func(err error) {
			if err != nil {
				delete(s.tests, id.ID())
				setError(msg, deviceError(err))
				pair.Disable()
				return
			}
			s.tests[id.ID()] = r
			result.SetText(testText(id.Kind, r))
			pair.Enable()
		})
	})
	pair = widget.NewButton(T("devices.pair"), func() {
		s.u.touch()
		r, ok := s.tests[id.ID()]
		if !ok {
			setError(msg, T("devices.testFirst"))
			return
		}
		// pin the identity the capture itself reported (for SBI, the signed one)
		if err := s.u.sess.PairDevice(r.Identity, r.Score); err != nil {
			setError(msg, deviceError(err))
			return
		}
		s.refresh()
	})
	if _, ok := s.tests[id.ID()]; !ok {
		pair.Disable()
	}
	unpair = widget.NewButton(T("devices.unpair"), func() { s.unpair(id.ID(), msg) })
	if !paired {
		unpair.Disable()
	}
	return container.NewVBox(name, container.NewHBox(state, result), container.NewHBox(test, pair, unpair), bar, msg)
}

// absentRow is a pairing whose device did not answer the last discovery.
func (s *devicesScreen) absentRow(p hardware.Pairing) fyne.CanvasObject {
	name := widget.NewLabel(identityText(p.Identity))
	name.TextStyle.Bold = true
	state := widget.NewLabel(T("devices.absent"))
	state.Importance = widget.WarningImportance
	msg := errorLabel()
	unpair := widget.NewButton(T("devices.unpair"), func() { s.unpair(p.ID, msg) })
	return container.NewVBox(name, state, container.NewHBox(unpair), msg)
}

func (s *devicesScreen) unpair(id string, msg *widget.Label) {
	s.u.touch()
	if err := s.u.sess.UnpairDevice(id); err != nil {
		setError(msg, deviceError(err))
		return
	}
	delete(s.tests, id)
	s.refresh()
}

// testText is a test capture's outcome: a quality score, face problems or MRZ checks.
func testText(k hardware.Kind, r app.TestCaptureResult) string {
	switch k {
	case hardware.Finger:
		return Tf("devices.quality", r.Score)
	case hardware.Face:
		return Tf("devices.faceProblems", r.FaceProblems)
	case hardware.Document:
		if r.MRZValid {
			return T("devices.mrzValid")
		}
		return T("devices.mrzInvalid")
	}
	return fmt.Sprint(r.Score)
}
