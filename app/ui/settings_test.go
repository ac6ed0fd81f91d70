package ui

import (
	"path/filepath"
	"strings"
	"testing"
	"time"

	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"

	"github.com/fieldscreen/fieldscreen/app"
	"github.com/fieldscreen/fieldscreen/hardware"
	"github.com/fieldscreen/fieldscreen/hardware/sim"
)

// TestSettingsSavedAndDevicePreferred: the central address, idle time and the chosen
// scanner are written to the settings file, and capture then uses the chosen scanner
// rather than the first paired one.
func TestSettingsSavedAndDevicePreferred(t *testing.T) {
	first := sim.New(hardware.Finger, sim.Options{Serial: "SIM-A"})
	second := sim.New(hardware.Finger, sim.Options{Serial: "SIM-B"})
	simDevices(t, first, second)
	u, w, term := newTestUI(t, time.Hour)
	path := filepath.Join(t.TempDir(), "settings.json")
	term.SetSettingsPath(path)
	firstRun(t, u, w)
	addStaff(t, u, w, "technician")
	signInAs(t, u, w, "tec1", "a passphrase for tec1")
	for _, d := range []hardware.Device{first, second} {
		if err := u.Session().PairDevice(d.Identity(), 70); err != nil {
			t.Fatal(err)
		}
	}
	test.Tap(button(t, w, T("nav.settings")))
	entries(w)[1].SetText("https://central.test:8443") // entries: idle time, central, passphrases
	n := 0
	test.Tap(find(w, func(b *widget.Button) bool {
		if b.Text == T("settings.apply") {
			n++
			return n == 2 // the central address's Apply
		}
		return false
	}))
	scanner := find(w, func(s *widget.Select) bool { return s.Options[0] == T("settings.firstPaired") })
	scanner.SetSelected(second.Identity().ID())

	saved, err := app.LoadConfig(path)
	if err != nil {
		t.Fatal(err)
	}
	if saved.CentralURL != "https://central.test:8443" || saved.Devices["finger"] != second.Identity().ID() {
		t.Fatalf("saved settings %+v; screen:\n%s", saved, labelsText(w))
	}
	dev, err := findPaired(u.Session(), hardware.Finger)
	if err != nil || dev.Identity().ID() != second.Identity().ID() {
		t.Fatalf("capture would use %v (%v), want the chosen %s", dev, err, second.Identity().ID())
	}
	if !strings.Contains(labelsText(w), T("settings.centralSaved")) {
		t.Errorf("no confirmation: %s", labelsText(w))
	}
}
