package sbi_test

import (
	"context"
	"encoding/pem"
	"errors"
	"image"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/fieldscreen/fieldscreen/hardware"
	"github.com/fieldscreen/fieldscreen/hardware/hwtest"
	"github.com/fieldscreen/fieldscreen/hardware/sbi"
	"github.com/fieldscreen/fieldscreen/hardware/sbi/devsim"
	"github.com/fieldscreen/fieldscreen/hardware/sbi/devsimtest"
)

func openKind(t *testing.T, s *devsimtest.Sim, k hardware.Kind) *sbi.Device {
	t.Helper()
	devs, err := sbi.Driver{}.Open(context.Background(), s.Port)
	if err != nil {
		t.Fatalf("open devsim on %d: %v", s.Port, err)
	}
	for _, d := range devs {
		if d.Identity().Kind == k {
			return d
		}
	}
	t.Fatalf("devsim on %d has no %s device (got %d devices)", s.Port, k, len(devs))
	return nil
}

var rightSlap = hardware.Target{Kind: hardware.Finger, Slap: hardware.RightFour}

func TestConformance(t *testing.T) {
	sims := map[hardware.Device]*devsimtest.Sim{}
	face := hardware.Target{Kind: hardware.Face}
	hwtest.Run(t, hwtest.Harness{
		Open: func(t *testing.T) hardware.Device {
			s := devsimtest.Start(t)
			d := openKind(t, s, hardware.Finger)
			sims[d] = s
			return d
		},
		Target:      rightSlap,
		Unsupported: &face,
		Slow: func(t *testing.T, d hardware.Device, l time.Duration) {
			sims[d].Admin("delay", map[string]int{"delayMs": int(l.Milliseconds())})
		},
		Busy: func(t *testing.T, d hardware.Device) { sims[d].Admin("status", map[string]string{"status": "Busy"}) },
		Check: func(t *testing.T, c *hardware.Capture) {
			if len(c.Segments) != 4 || c.Segments[0].Finger != 2 || c.Segments[3].Finger != 5 {
				t.Errorf("right slap segments %+v: want fingers 2-5", c.Segments)
			}
			if c.DeviceScore < 0 || c.DeviceScore > 100 || c.PPI != 500 || len(c.Evidence) == 0 {
				t.Errorf("device score %d, ppi %d, evidence %d bytes", c.DeviceScore, c.PPI, len(c.Evidence))
			}
		},
	})
}

func certFingerprint(t *testing.T, dir string) string {
	b, err := os.ReadFile(filepath.Join(dir, "cert.pem"))
	if err != nil {
		t.Fatal(err)
	}
	blk, _ := pem.Decode(b)
	return hardware.CertFingerprint(blk.Bytes)
}

func TestDiscoveryFindsDevsimWithSignedIdentity(t *testing.T) {
	s := devsimtest.Start(t)
	devs, err := sbi.Driver{}.Discover(context.Background())
	if err != nil {
		t.Logf("other services reported: %v", err)
	}
	want := map[hardware.Kind]string{hardware.Finger: devsim.FingerSerial, hardware.Face: devsim.FaceSerial}
	found := 0
	for _, d := range devs {
		sd := d.(*sbi.Device)
		if sd.Base() != "http://127.0.0.1:"+strconv.Itoa(s.Port)+"/" {
			continue
		}
		found++
		id := d.Identity()
		if id.Serial != want[id.Kind] || id.Make != "fieldscreen" || id.Firmware != devsim.Firmware || id.Driver != "sbi" {
			t.Errorf("identity %+v", id)
		}
		if id.CertFingerprint != certFingerprint(t, s.CertDir) {
			t.Errorf("cert fingerprint %s is not devsim's certificate", id.CertFingerprint)
		}
		if sd.Status() != "Ready" {
			t.Errorf("status %q", sd.Status())
		}
	}
	if found != 2 {
		t.Fatalf("discovery found %d devices on port %d, want 2 (finger, face)", found, s.Port)
	}
}

func TestCaptureSlapWithExceptionAndFace(t *testing.T) {
	s := devsimtest.Start(t)
	fd := openKind(t, s, hardware.Finger)
	c, err := fd.Capture(context.Background(), hardware.Request{Target: hardware.Target{Kind: hardware.Finger, Slap: hardware.LeftFour, Skip: []int{8}}})
	if err != nil {
		t.Fatal(err)
	}
	var got []int
	for _, sg := range c.Segments {
		got = append(got, sg.Finger)
		if !sg.Rect.In(c.Image.Bounds()) {
			t.Errorf("segment %v outside %v", sg.Rect, c.Image.Bounds())
		}
	}
	if len(got) != 3 || got[0] != 7 || got[1] != 9 || got[2] != 10 {
		t.Errorf("left slap without finger 8: segments for %v, want [7 9 10]", got)
	}
	s.Admin("score", map[string]int{"score": 37})
	c2, err := fd.Capture(context.Background(), hardware.Request{Target: rightSlap})
	if err != nil {
		t.Fatalf("second capture (continues the hash chain): %v", err)
	}
	if c2.DeviceScore != 37 {
		t.Errorf("forced score 37, device score %d", c2.DeviceScore)
	}
	face := openKind(t, s, hardware.Face)
	fc, err := face.Capture(context.Background(), hardware.Request{Target: hardware.Target{Kind: hardware.Face}})
	if err != nil {
		t.Fatal(err)
	}
	if fc.Image.Bounds() != image.Rect(0, 0, 480, 640) {
		t.Errorf("face image %v, want 480x640", fc.Image.Bounds())
	}
}

func TestFaultsGiveTypedErrors(t *testing.T) {
	s := devsimtest.Start(t)
	d := openKind(t, s, hardware.Finger)
	for _, tc := range []struct {
		name    string
		what    string
		body    any
		want    error
		changed bool
	}{
		{"bad signature", "fault", map[string]string{"fault": devsim.FaultBadSignature}, hardware.ErrIntegrity, false},
		{"wrong transaction", "fault", map[string]string{"fault": devsim.FaultWrongTransaction}, hardware.ErrIntegrity, false},
		{"clock skew", "fault", map[string]string{"fault": devsim.FaultClockSkew}, hardware.ErrIntegrity, false},
		{"broken hash chain", "fault", map[string]string{"fault": devsim.FaultBadHash}, hardware.ErrIntegrity, false},
		{"busy", "status", map[string]string{"status": "Busy"}, hardware.ErrBusy, false},
		{"not ready", "status", map[string]string{"status": "Not Ready"}, hardware.ErrNotReady, false},
		{"not registered", "status", map[string]string{"status": "Not Registered"}, hardware.ErrNotReady, false},
		{"changed certificate", "fault", map[string]string{"fault": devsim.FaultChangedCert}, nil, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s.Admin(tc.what, tc.body)
			defer s.Admin("fault", map[string]string{"fault": ""})
			defer s.Admin("status", map[string]string{"status": "Ready"})
			_, err := d.Capture(context.Background(), hardware.Request{Target: rightSlap})
			if tc.changed {
				var ic *hardware.IdentityChangedError
				if !errors.As(err, &ic) || ic.Fields[0] != "certificate" || ic.Now.CertFingerprint != certFingerprintNow(t, s) {
					t.Fatalf("capture after a certificate change: got %v, want IdentityChangedError with the new certificate", err)
				}
				return
			}
			if !errors.Is(err, tc.want) {
				t.Fatalf("got %v, want %v", err, tc.want)
			}
			if hardware.Sentence(err, "en") == hardware.Sentence(err, "nl") {
				t.Errorf("sentence not translated for %v", err)
			}
		})
	}
	// After the faults, a clean capture still works: the chain head did not move on failures.
	if _, err := d.Capture(context.Background(), hardware.Request{Target: rightSlap}); err == nil {
		t.Fatal("capture with the old identity after the certificate change succeeded")
	}
	d2 := openKind(t, s, hardware.Finger)
	if d2.Identity().CertFingerprint == d.Identity().CertFingerprint {
		t.Fatal("re-opened device kept the old certificate fingerprint")
	}
	if _, err := d2.Capture(context.Background(), hardware.Request{Target: rightSlap}); err != nil {
		t.Fatalf("clean capture after faults: %v", err)
	}
}

// certFingerprintNow reads the current certificate through a fresh device info.
func certFingerprintNow(t *testing.T, s *devsimtest.Sim) string {
	return openKind(t, s, hardware.Finger).Identity().CertFingerprint
}

func TestStreamFrames(t *testing.T) {
	s := devsimtest.Start(t)
	d := openKind(t, s, hardware.Face)
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	ch, err := d.Preview(ctx, hardware.Target{Kind: hardware.Face})
	if err != nil {
		t.Fatal(err)
	}
	for i := 1; i <= 5; i++ {
		f, ok := <-ch
		if !ok {
			t.Fatalf("stream closed after %d frames", i-1)
		}
		if f.Seq != i || f.Image.Bounds().Dx() != 480 {
			t.Fatalf("frame %d: seq %d size %v", i, f.Seq, f.Image.Bounds())
		}
	}
	cancel()
	for range ch {
	}
	if _, err := d.Preview(context.Background(), hardware.Target{Kind: hardware.Finger, Slap: hardware.Thumbs}); !errors.Is(err, hardware.ErrUnsupported) {
		t.Errorf("finger preview on a face camera: %v", err)
	}
}

func TestExpiredCertificateRefused(t *testing.T) {
	s := devsimtest.Start(t)
	s.Admin("fault", map[string]string{"fault": devsim.FaultExpiredCert})
	d := openKind(t, s, hardware.Finger) // paired now, with the expired certificate
	_, err := d.Capture(context.Background(), hardware.Request{Target: rightSlap})
	if !errors.Is(err, hardware.ErrNotReady) || !strings.Contains(err.Error(), "renew its key") {
		t.Fatalf("capture signed with an expired certificate: %v", err)
	}
}

func TestInfoVerbSpellings(t *testing.T) {
	for _, verb := range []string{"MOSIPINFO", "MOSIPDINFO"} {
		t.Run(verb, func(t *testing.T) {
			s := devsimtest.Start(t, "--info-verb", verb)
			d := openKind(t, s, hardware.Face)
			if d.Identity().Serial != devsim.FaceSerial {
				t.Fatalf("identity %+v", d.Identity())
			}
		})
	}
}
