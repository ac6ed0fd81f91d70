package ui

import (
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"

	"github.com/fieldscreen/fieldscreen/app"
	"github.com/fieldscreen/fieldscreen/hardware/hwtest"
	"github.com/fieldscreen/fieldscreen/hardware/sbi/devsim"
	"github.com/fieldscreen/fieldscreen/hardware/sbi/devsimtest"
)

// entryWithPlaceholder finds an entry on screen by its placeholder.
func entryWithPlaceholder(t *testing.T, w fyne.Window, ph string) *widget.Entry {
	t.Helper()
	for _, e := range entries(w) {
		if e.PlaceHolder == ph {
			return e
		}
	}
	t.Fatalf("no entry with placeholder %q", ph)
	return nil
}

// TestDevicesEveryDriverFromSettings: through the registry the CLI uses too, the desktop
// finds a real SBI device service and a serial document reader (a socat pseudo-terminal)
// configured in Settings; the simulated devices appear only once training is switched on
// (or in a DEMO vault), beside the real ones; and the SBI slap scanner, which refuses a
// single finger, is tested and paired from the Devices screen.
func TestDevicesEveryDriverFromSettings(t *testing.T) {
	sbiSim := devsimtest.Start(t)
	port, _ := hwtest.PtyPair(t)
	u, w, term := newTestUI(t, time.Hour)
	firstRun(t, u, w)
	addStaff(t, u, w, "technician")
	signInAs(t, u, w, "tec1", "a passphrase for tec1")

	test.Tap(button(t, w, T("nav.settings")))
	entryWithPlaceholder(t, w, "/dev/ttyUSB0:9600:N, COM3").SetText(port + ":115200")
	ports := entryWithPlaceholder(t, w, app.DefaultSBIPorts)
	ports.SetText("nonsense")
	test.Tap(button(t, w, T("settings.saveDevices")))
	if txt := labelsText(w); !strings.Contains(txt, Tf("settings.badSBIPorts", "nonsense")) {
		t.Fatalf("a bad port range was not refused in words:\n%s", txt)
	}
	ports.SetText(strconv.Itoa(sbiSim.Port) + "-" + strconv.Itoa(sbiSim.Port))
	test.Tap(button(t, w, T("settings.saveDevices")))
	if c := term.Config(); len(c.SerialReaders) != 1 || c.SBIPorts == "" {
		t.Fatalf("device settings not kept: %+v", c)
	}

	serialID := "serial:document:" + filepath.Base(port)
	sbiFinger := "sbi:finger:" + devsim.FingerSerial
	discovered := func() string {
		t.Helper()
		test.Tap(button(t, w, T("nav.devices")))
		test.Tap(button(t, w, T("devices.discover")))
		var got []string
		knownDevices.mu.Lock()
		for _, d := range knownDevices.list {
			got = append(got, d.Identity().ID())
		}
		knownDevices.mu.Unlock()
		return strings.Join(got, " ")
	}
	got := discovered()
	if !strings.Contains(got, sbiFinger) || !strings.Contains(got, "sbi:face:"+devsim.FaceSerial) || !strings.Contains(got, serialID) {
		t.Fatalf("discovered %s, want the SBI scanner and camera and the serial reader", got)
	}
	if strings.Contains(got, "sim:") || strings.Contains(labelsText(w), T("devices.simNote")) {
		t.Fatalf("simulated devices offered on a working terminal: %s", got)
	}
	if txt := labelsText(w); !strings.Contains(txt, devsim.FingerSerial) || !strings.Contains(txt, filepath.Base(port)) {
		t.Fatalf("devices not on screen:\n%s", txt)
	}

	test.Tap(button(t, w, T("nav.settings")))
	find(w, func(c *widget.Check) bool { return c.Text == T("settings.training") }).SetChecked(true)
	got = discovered()
	if !strings.Contains(got, "sim:finger:") || !strings.Contains(got, sbiFinger) || !strings.Contains(got, serialID) {
		t.Fatalf("with training on, discovered %s: want sim, SBI and serial together", got)
	}
	if !strings.Contains(labelsText(w), T("devices.simNote")) {
		t.Fatal("the simulated devices are not marked as such")
	}
	test.Tap(button(t, w, T("nav.settings")))
	find(w, func(c *widget.Check) bool { return c.Text == T("settings.training") }).SetChecked(false)
	if got = discovered(); strings.Contains(got, "sim:") {
		t.Fatalf("training off, still discovered %s", got)
	}
	if err := term.UpdateConfig(func(c *app.Config) { c.Demo = true }); err != nil {
		t.Fatal(err)
	}
	if got = discovered(); !strings.Contains(got, "sim:finger:") {
		t.Fatalf("DEMO vault without the simulated devices: %s", got)
	}
	if err := term.UpdateConfig(func(c *app.Config) { c.Demo = false }); err != nil {
		t.Fatal(err)
	}

	// the SBI slap scanner pairs from the desktop
	got = discovered()
	row := -1
	for i, id := range strings.Fields(got) {
		if id == sbiFinger {
			row = i
		}
	}
	test.Tap(deviceButton(t, w, T("devices.test"), row))
	if txt := labelsText(w); !shownScore(txt) {
		t.Fatalf("test capture of the slap scanner shows no quality:\n%s", txt)
	}
	test.Tap(deviceButton(t, w, T("devices.pair"), row))
	ps, err := u.Session().Pairings()
	if err != nil || len(ps) != 1 || ps[0].ID != sbiFinger || ps[0].Identity.CertFingerprint == "" {
		t.Fatalf("pairings after pairing the SBI scanner: %+v, %v", ps, err)
	}
}

// shownScore reports whether a test capture's quality score is on screen.
func shownScore(txt string) bool {
	for _, line := range strings.Split(txt, "\n") {
		for s := 0; s <= 100; s++ {
			if line == Tf("devices.quality", s) {
				return true
			}
		}
	}
	return false
}
