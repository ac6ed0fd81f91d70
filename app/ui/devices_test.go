package ui

import (
	"context"
	"strings"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"

	"github.com/fieldscreen/fieldscreen/forms"
	"github.com/fieldscreen/fieldscreen/hardware"
	"github.com/fieldscreen/fieldscreen/hardware/sim"
)

// simDevices replaces discovery with fresh simulated devices for one test.
func simDevices(t *testing.T, devs ...hardware.Device) {
	t.Helper()
	old := deviceSource
	deviceSource = func(context.Context) ([]hardware.Device, error) { return devs, nil }
	knownDevices.mu.Lock()
	knownDevices.list = nil
	knownDevices.mu.Unlock()
	t.Cleanup(func() {
		deviceSource = old
		knownDevices.mu.Lock()
		knownDevices.list = nil
		knownDevices.mu.Unlock()
	})
}

// addStaff adds users of the given roles (name = role's first three letters + "1") on the
// Users screen of a supervisor session.
func addStaff(t *testing.T, u *UI, w fyne.Window, roles ...string) {
	t.Helper()
	test.Tap(button(t, w, T("nav.users")))
	for _, role := range roles {
		name := role[:3] + "1"
		es := entries(w)
		es[0].SetText(name)
		es[1].SetText("a passphrase for " + name)
		find(w, func(s *widget.Select) bool { return true }).SetSelected(T("role." + role))
		test.Tap(button(t, w, T("users.add")))
		if !strings.Contains(labelsText(w), name+" — "+T("role."+role)) {
			t.Fatalf("user %s not added: %s", name, labelsText(w))
		}
	}
}

// deviceButton finds the n-th button with text on the devices screen (rows in device order).
func deviceButton(t *testing.T, w fyne.Window, text string, n int) *widget.Button {
	t.Helper()
	i := 0
	b := find(w, func(b *widget.Button) bool {
		if b.Text != text {
			return false
		}
		i++
		return i == n+1
	})
	if b == nil {
		t.Fatalf("no button %q number %d on screen:\n%s", text, n, labelsText(w))
	}
	return b
}

// TestDevicesDiscoverTestPairUnpair: a technician discovers the simulated devices, cannot
// pair before a test capture, sees the quality score, pairs (stored in the vault) and
// unpairs; the screen never shows case data.
func TestDevicesDiscoverTestPairUnpair(t *testing.T) {
	scanner := sim.New(hardware.Finger, sim.Options{Seed: 4})
	reader := sim.New(hardware.Document, sim.Options{})
	simDevices(t, scanner, reader)
	u, w, _ := newTestUI(t, time.Hour)
	firstRun(t, u, w)
	if _, err := u.Session().CreateCase(&forms.Case{Trigger: forms.Trigger{Reason: forms.TriggerApplicationAtBCP, Place: "BCP", At: time.Now()},
		Identity: forms.Identity{Surnames: []string{"TESTPERSONMARKER"}}}); err != nil {
		t.Fatal(err)
	}
	addStaff(t, u, w, "technician")
	signInAs(t, u, w, "tec1", "a passphrase for tec1")
	noCaseData := func(when string) {
		t.Helper()
		if txt := labelsText(w); strings.Contains(txt, "TESTPERSON") {
			t.Fatalf("%s: the devices screen shows personal data:\n%s", when, txt)
		}
	}
	if u.Screen() != "devices" {
		t.Fatalf("technician lands on %q, want devices", u.Screen())
	}
	noCaseData("opened")
	test.Tap(button(t, w, T("devices.discover")))
	txt := labelsText(w)
	if !strings.Contains(txt, scanner.Identity().Serial) || !strings.Contains(txt, reader.Identity().Serial) ||
		strings.Count(txt, T("devices.notPaired")) != 2 {
		t.Fatalf("discovered devices not listed as unpaired:\n%s", txt)
	}
	noCaseData("discovered")
	pair := deviceButton(t, w, T("devices.pair"), 0)
	if !pair.Disabled() {
		t.Fatal("pair is possible before a test capture")
	}
	test.Tap(deviceButton(t, w, T("devices.test"), 0))
	txt = labelsText(w)
	score := -1
	for _, line := range strings.Split(txt, "\n") {
		for s := 0; s <= 100; s++ {
			if line == Tf("devices.quality", s) {
				score = s
			}
		}
	}
	if score < 40 {
		t.Fatalf("test capture shows no usable quality score:\n%s", txt)
	}
	noCaseData("tested")
	test.Tap(deviceButton(t, w, T("devices.pair"), 0))
	ps, err := u.Session().Pairings()
	if err != nil || len(ps) != 1 || ps[0].ID != scanner.Identity().ID() || ps[0].TestScore != score {
		t.Fatalf("pairings after pair: %+v, %v", ps, err)
	}
	if txt := labelsText(w); strings.Count(txt, T("devices.paired")) != 1 {
		t.Fatalf("scanner not shown as paired:\n%s", txt)
	}
	// a firmware update shows as a changed identity
	scanner.SetFirmware("sim-2.0")
	test.Tap(button(t, w, T("devices.discover")))
	if txt := labelsText(w); !strings.Contains(txt, Tf("devices.changed", "firmware")) {
		t.Fatalf("changed firmware not shown:\n%s", txt)
	}
	if !deviceButton(t, w, T("devices.pair"), 0).Disabled() {
		t.Fatal("a changed device can be paired on its old test capture")
	}
	test.Tap(deviceButton(t, w, T("devices.unpair"), 0))
	if ps, err := u.Session().Pairings(); err != nil || len(ps) != 0 {
		t.Fatalf("pairings after unpair: %+v, %v", ps, err)
	}
	// a device error is a sentence, not a crash
	scanner.Fail(hardware.ErrBusy)
	test.Tap(deviceButton(t, w, T("devices.test"), 0))
	if txt := labelsText(w); !strings.Contains(txt, hardware.Sentence(hardware.ErrBusy, "en")) {
		t.Fatalf("busy scanner: no sentence shown:\n%s", txt)
	}
	if !deviceButton(t, w, T("devices.pair"), 0).Disabled() {
		t.Fatal("pair enabled after a failed test capture")
	}
	noCaseData("finished")
}

// TestIdentityTextAndPairState: the identity line shortens the certificate fingerprint and
// names no more than the device; the pairing state names the changed fields.
func TestIdentityTextAndPairState(t *testing.T) {
	id := hardware.Identity{Driver: "sbi", Kind: hardware.Finger, Make: "TESTMAKE", Model: "Slap 4", Serial: "SN-42", Firmware: "1.2",
		CertFingerprint: "0123456789ABCDEF0123456789ABCDEF0123456789ABCDEF0123456789ABCDEF"}
	got := identityText(id)
	want := "sbi · " + T("kind.finger") + " · TESTMAKE Slap 4 · " + Tf("devices.serial", "SN-42") + " · " + Tf("devices.firmware", "1.2") +
		" · " + Tf("devices.cert", "0123456789ABCDEF…")
	if got != want {
		t.Fatalf("identity text\n got %q\nwant %q", got, want)
	}
	rekeyed := id
	rekeyed.CertFingerprint = "FF" + id.CertFingerprint[2:]
	cases := []struct {
		name     string
		pairings []hardware.Pairing
		now      hardware.Identity
		text     string
		paired   bool
	}{
		{"none", nil, id, T("devices.notPaired"), false},
		{"same", []hardware.Pairing{{ID: id.ID(), Identity: id}}, id, T("devices.paired"), true},
		{"rekeyed", []hardware.Pairing{{ID: id.ID(), Identity: id}}, rekeyed, Tf("devices.changed", "certificate"), true},
	}
	for _, c := range cases {
		text, paired := pairState(c.pairings, c.now)
		if text != c.text || paired != c.paired {
			t.Errorf("%s: %q %v, want %q %v", c.name, text, paired, c.text, c.paired)
		}
	}
}
