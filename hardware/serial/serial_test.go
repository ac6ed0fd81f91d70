package serial_test

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/fieldscreen/fieldscreen/forms/mrz"
	"github.com/fieldscreen/fieldscreen/hardware"
	"github.com/fieldscreen/fieldscreen/hardware/hwtest"
	"github.com/fieldscreen/fieldscreen/hardware/serial"
	"github.com/fieldscreen/fieldscreen/hardware/sim"
)

// ptyPair is hwtest.PtyPair (kept short for the many calls below).
func ptyPair(t *testing.T) (a, b string) { return hwtest.PtyPair(t) }

// send writes to the other end of the pair, as the reader's firmware would.
func send(t *testing.T, path string, data string) {
	if err := write(path, data); err != nil {
		t.Error(err)
	}
}

func write(path string, data string) error {
	f, err := os.OpenFile(path, os.O_WRONLY, 0)
	if err != nil {
		return err
	}
	defer f.Close()
	_, err = f.WriteString(data)
	return err
}

func TestConformance(t *testing.T) {
	var mu sync.Mutex
	quiet := map[hardware.Device]bool{}
	face := hardware.Target{Kind: hardware.Face}
	hwtest.Run(t, hwtest.Harness{
		Open: func(t *testing.T) hardware.Device {
			a, b := ptyPair(t)
			d, err := serial.Open(serial.Config{Port: a, Baud: 115200, Make: "TestVendor", Model: "MRZ-1", Serial: "R0001", Firmware: "2.1"})
			if err != nil {
				t.Fatal(err)
			}
			// The reader "sees" a passport 100 ms after opening, unless the test wants it slow.
			tm := time.AfterFunc(100*time.Millisecond, func() {
				mu.Lock()
				q := quiet[d]
				mu.Unlock()
				if !q {
					write(b, strings.Join(sim.TestMRZ, "\r\n")+"\r\n")
				}
			})
			t.Cleanup(func() { tm.Stop() })
			return d
		},
		Target:      hardware.Target{Kind: hardware.Document},
		Unsupported: &face,
		Slow: func(t *testing.T, d hardware.Device, _ time.Duration) {
			mu.Lock()
			quiet[d] = true
			mu.Unlock()
		},
		Check: func(t *testing.T, c *hardware.Capture) {
			if strings.Join(c.Lines, "\n") != strings.Join(sim.TestMRZ, "\n") {
				t.Errorf("lines %q, want %q", c.Lines, sim.TestMRZ)
			}
		},
	})
}

func TestMRZThroughPTYParses(t *testing.T) {
	td1 := []string{"I<UTOD231458907<<<<<<<<<<<<<<<", "7408122F1204159UTO<<<<<<<<<<<6", "TESTPERSON<<BETA<<<<<<<<<<<<<<"}
	for _, tc := range []struct {
		name   string
		cfg    serial.Config
		data   string
		want   []string
		wantEx string // expected surname
		err    error
	}{
		{"passport CRLF 9600 8N1", serial.Config{}, "\x02" + strings.Join(sim.TestMRZ, "\r\n") + "\r\n\x03", sim.TestMRZ, "TESTPERSON", nil},
		{"id card LF 19200 7E1", serial.Config{Baud: 19200, DataBits: 7, Parity: "E", LineEnding: "\n"}, strings.Join(td1, "\n") + "\n", td1, "TESTPERSON", nil},
		{"CR only", serial.Config{LineEnding: "\r"}, strings.Join(sim.TestMRZ, "\r") + "\r", sim.TestMRZ, "TESTPERSON", nil},
		{"noise (wrong baud)", serial.Config{}, "P<U\xfe\x81\x10TESTPERSON\r\n\x00\x7f\r\n", nil, "", serial.ErrNoise},
		{"partial line", serial.Config{}, sim.TestMRZ[0] + "\r\n" + sim.TestMRZ[1][:20] + "\r\n", nil, "", serial.ErrPartial},
		{"one line only", serial.Config{}, sim.TestMRZ[0] + "\r\n", nil, "", serial.ErrPartial},
	} {
		t.Run(tc.name, func(t *testing.T) {
			a, b := ptyPair(t)
			cfg := tc.cfg
			cfg.Port = a
			d, err := serial.Open(cfg)
			if err != nil {
				t.Fatal(err)
			}
			defer d.Close()
			time.AfterFunc(50*time.Millisecond, func() { send(t, b, tc.data) })
			ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
			defer cancel()
			c, err := d.Capture(ctx, hardware.Request{Target: hardware.Target{Kind: hardware.Document}})
			if tc.err != nil {
				if !errors.Is(err, tc.err) || !errors.Is(err, hardware.ErrCaptureFailed) {
					t.Fatalf("got %v, want %v (capture failed)", err, tc.err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if strings.Join(c.Lines, "|") != strings.Join(tc.want, "|") {
				t.Fatalf("lines %q, want %q", c.Lines, tc.want)
			}
			r, err := mrz.Parse(c.Lines, time.Date(2026, 11, 29, 0, 0, 0, 0, time.UTC))
			if err != nil {
				t.Fatalf("forms/mrz: %v", err)
			}
			if r.Surname != tc.wantEx || !r.Valid {
				t.Errorf("parsed surname %q valid %v (checks %v)", r.Surname, r.Valid, r.Checks)
			}
		})
	}
}

func TestBadConfig(t *testing.T) {
	for name, c := range map[string]serial.Config{
		"parity":      {Port: "/dev/null", Parity: "X"},
		"stop bits":   {Port: "/dev/null", StopBits: 3},
		"data bits":   {Port: "/dev/null", DataBits: 9},
		"line ending": {Port: "/dev/null", LineEnding: ";"},
	} {
		if _, err := serial.Open(c); err == nil || !strings.Contains(err.Error(), "want") {
			t.Errorf("%s: %v", name, err)
		}
	}
	if _, err := serial.Open(serial.Config{Port: filepath.Join(t.TempDir(), "nope")}); !errors.Is(err, hardware.ErrNotFound) {
		t.Errorf("missing port: %v", err)
	}
}

func FuzzExtractMRZ(f *testing.F) {
	f.Add([]byte(strings.Join(sim.TestMRZ, "\r\n")), "")
	f.Add([]byte("I<UTO\n\x00"), "\n")
	f.Add([]byte{}, "\r")
	f.Fuzz(func(t *testing.T, b []byte, ending string) {
		lines, err := serial.ExtractMRZ(b, ending)
		if err == nil && (len(lines) < 2 || len(lines) > 3) {
			t.Fatalf("accepted %d lines", len(lines))
		}
	})
}
