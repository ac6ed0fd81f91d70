package app

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/fieldscreen/fieldscreen/hardware"
	"github.com/fieldscreen/fieldscreen/hardware/sbi/devsim"
	"github.com/fieldscreen/fieldscreen/hardware/sbi/devsimtest"
	fsync "github.com/fieldscreen/fieldscreen/sync"
)

func ids(devs []hardware.Device) []string {
	var out []string
	for _, d := range devs {
		out = append(out, d.Identity().ID())
	}
	return out
}

// TestDeviceOptionsSimOnlyInDemoOrTraining: the simulated devices are asked only in a DEMO
// vault or with training devices switched on; the real drivers always.
func TestDeviceOptionsSimOnlyInDemoOrTraining(t *testing.T) {
	for _, tc := range []struct {
		name           string
		demo, training bool
		wantSim        bool
	}{
		{"working terminal", false, false, false},
		{"demo vault", true, false, true},
		{"training", false, true, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			term := &Terminal{cfg: Config{Demo: tc.demo, TrainingDevices: tc.training}}
			names := term.DeviceOptions().names()
			if got := strings.Join(names, ","); !strings.HasPrefix(got, strings.Join(RealDrivers, ",")) {
				t.Fatalf("drivers %s, want every real driver first", got)
			}
			if has := names[len(names)-1] == SimDriver; has != tc.wantSim {
				t.Fatalf("drivers %v: sim %v, want %v", names, has, tc.wantSim)
			}
		})
	}
}

func TestParseDeviceSettings(t *testing.T) {
	for _, tc := range []struct {
		in   string
		port string
		baud int
		par  string
		bad  string
	}{
		{in: "/dev/ttyUSB0", port: "/dev/ttyUSB0"},
		{in: "COM3:115200", port: "COM3", baud: 115200},
		{in: "/dev/ttyACM0:9600:e", port: "/dev/ttyACM0", baud: 9600, par: "E"},
		{in: "", bad: "no port name"},
		{in: "/dev/ttyS0:fast", bad: "is not a speed"},
		{in: "/dev/ttyS0:9600:X", bad: "parity"},
		{in: "/dev/ttyS0:9600:N:1", bad: "PATH[:BAUD[:PARITY]]"},
	} {
		c, err := ParseSerialPort(tc.in)
		if tc.bad != "" {
			if !errors.Is(err, ErrDeviceOption) || !strings.Contains(err.Error(), tc.bad) {
				t.Errorf("%q: %v, want ErrDeviceOption naming %q", tc.in, err, tc.bad)
			}
			continue
		}
		if err != nil || c.Port != tc.port || c.Baud != tc.baud || c.Parity != tc.par {
			t.Errorf("%q: %+v %v", tc.in, c, err)
		}
	}
	for in, ok := range map[string]bool{"": true, "4501-4600": true, "5000-5000": true, "10-9": false, "0-10": false, "1-70000": false, "4501": false} {
		if _, _, err := ParsePortRange(in); (err == nil) != ok {
			t.Errorf("port range %q: %v", in, err)
		}
	}
	if err := (DeviceOptions{Drivers: []string{"sbi", "nope"}}).Validate(); !errors.Is(err, ErrDeviceOption) || !strings.Contains(err.Error(), `"nope"`) {
		t.Errorf("unknown driver: %v", err)
	}
}

// TestConfigDeviceSettingsChecked: a settings file with a malformed serial port or text
// size is refused naming the file, not used half-way.
func TestConfigDeviceSettingsChecked(t *testing.T) {
	dir := t.TempDir()
	for name, body := range map[string]string{
		"serial": `{"serialReaders": ["/dev/ttyUSB0:fast"]}`,
		"sbi":    `{"sbiPorts": "9-1"}`,
		"scale":  `{"scale": 9}`,
	} {
		p := filepath.Join(dir, name+".json")
		if err := os.WriteFile(p, []byte(body), 0o600); err != nil {
			t.Fatal(err)
		}
		if _, err := LoadConfig(p); err == nil || !strings.Contains(err.Error(), p) {
			t.Errorf("%s: %v, want an error naming the file", name, err)
		}
	}
}

func TestSystemLanguage(t *testing.T) {
	for _, tc := range []struct{ language, lcAll, lang, want string }{
		{"", "", "nl_NL.UTF-8", "nl"},
		{"", "", "nl_BE.UTF-8", "nl"},
		{"", "", "en_GB.UTF-8", "en"},
		{"", "", "de_DE.UTF-8", "en"},
		{"", "C", "nl_NL.UTF-8", "nl"}, // C in LC_ALL says nothing about the language
		{"", "en_US.UTF-8", "nl_NL.UTF-8", "en"},
		{"nl:en", "", "en_US.UTF-8", "nl"},
	} {
		t.Setenv("LANGUAGE", tc.language)
		t.Setenv("LC_ALL", tc.lcAll)
		t.Setenv("LC_MESSAGES", "")
		t.Setenv("LANG", tc.lang)
		if got := SystemLanguage(); got != tc.want {
			t.Errorf("LANGUAGE=%q LC_ALL=%q LANG=%q: %s, want %s", tc.language, tc.lcAll, tc.lang, got, tc.want)
		}
		if got := DefaultConfig().Language; got != tc.want {
			t.Errorf("default language %s, want %s", got, tc.want)
		}
	}
}

// TestTestCaptureSBISlapScanner: the only real scanner the desktop discovers is an SBI slap
// scanner, which refuses a single finger; the test capture asks it for the right slap and
// scores all four fingers, so the technician can pair it.
func TestTestCaptureSBISlapScanner(t *testing.T) {
	s := devsimtest.Start(t)
	term := newTestTerminal(t, time.Hour)
	tech, _ := staff(t, term)
	ports := strconv.Itoa(s.Port) + "-" + strconv.Itoa(s.Port)
	reg := NewDeviceRegistry(func() DeviceOptions { return DeviceOptions{Drivers: []string{"sbi"}, SBIPorts: ports} })
	defer reg.Close()
	devs, err := reg.Discover(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	var scanner hardware.Device
	for _, d := range devs {
		if d.Identity().ID() == "sbi:finger:"+devsim.FingerSerial {
			scanner = d
		}
	}
	if scanner == nil {
		t.Fatalf("no SBI scanner among %v", ids(devs))
	}
	if scanner.Supports(hardware.Target{Kind: hardware.Finger, Finger: 2}) {
		t.Fatal("the devsim scanner takes single fingers; this test needs a slap-only scanner")
	}
	r, err := tech.TestCapture(context.Background(), scanner)
	if err != nil {
		t.Fatalf("test capture of the SBI slap scanner: %v", err)
	}
	if r.Target.Slap != hardware.RightFour || len(r.Fingers) != 4 || r.Score < 0 || r.Score > 100 || r.Identity.CertFingerprint == "" {
		t.Fatalf("test capture %+v", r)
	}
	if err := tech.PairDevice(r.Identity, r.Score); err != nil {
		t.Fatal(err)
	}
}

// TestUnlockCleansOrphanedPackets: a sealed file whose case change never committed (a crash
// between sealing and the commit) is removed at the first unlock of the app, as
// fieldscreenctl sync run does, and the start check says so.
func TestUnlockCleansOrphanedPackets(t *testing.T) {
	term := newTestTerminal(t, time.Hour)
	orphan := fsync.PacketPath(term.Vault().PacketDir(), "orphan-packet-0001")
	if err := os.WriteFile(orphan, []byte("age-encryption.org/v1\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	s, err := term.Unlock("sup", []byte(testPass))
	if err != nil {
		t.Fatal(err)
	}
	defer s.Lock(LockedClosed)
	if _, err := os.Stat(orphan); !errors.Is(err, os.ErrNotExist) {
		t.Fatalf("orphaned sealed file still there after the app's first unlock: %v", err)
	}
	c, err := term.StartCheck()
	if err != nil || len(c.RemovedOrphans) != 1 || c.RemovedOrphans[0] != "orphan-packet-0001" {
		t.Fatalf("start check %+v, %v", c, err)
	}
}

// FuzzParseDeviceSettings: the serial port and SBI port range parsers (settings file,
// Settings screen, CLI flags) never panic, and what they accept is usable: a port name,
// a speed the driver takes, a range within 1-65535.
func FuzzParseDeviceSettings(f *testing.F) {
	for _, s := range []string{"/dev/ttyUSB0", "COM3:115200", "/dev/ttyACM0:9600:e", "", ":", "a:b:c:d", "4501-4600", "9-1", "-", "1-65536"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		if c, err := ParseSerialPort(s); err == nil {
			if c.Port == "" || (c.Baud != 0 && (c.Baud < 50 || c.Baud > 4000000)) || !strings.Contains("NEO", c.Parity) {
				t.Fatalf("%q accepted as %+v", s, c)
			}
		} else if !errors.Is(err, ErrDeviceOption) {
			t.Fatalf("%q: error %v is not ErrDeviceOption", s, err)
		}
		if from, to, err := ParsePortRange(s); err == nil && (from < 1 || to < from || to > 65535) {
			t.Fatalf("%q accepted as %d-%d", s, from, to)
		}
	})
}

func TestWindowSizeToRemember(t *testing.T) {
	for _, tc := range []struct{ w, h, ww, wh, gotW, gotH float32 }{
		{1366, 740, 1366, 740, 0, 0},      // maximised: open maximised again
		{1300, 700, 1366, 740, 0, 0},      // nearly the whole screen counts as maximised
		{1000, 700, 1366, 740, 1000, 700}, // a window the officer made smaller keeps its size
		{1000, 600, 0, 0, 1000, 600},      // work area unknown (not mapped yet): keep the size
	} {
		if w, h := WindowSizeToRemember(tc.w, tc.h, tc.ww, tc.wh); w != tc.gotW || h != tc.gotH {
			t.Errorf("%v×%v on %v×%v: remembered %v×%v, want %v×%v", tc.w, tc.h, tc.ww, tc.wh, w, h, tc.gotW, tc.gotH)
		}
	}
}
