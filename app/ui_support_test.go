package app

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/fieldscreen/fieldscreen/hardware"
	"github.com/fieldscreen/fieldscreen/hardware/sim"
)

// TestTestCapture: a technician's test capture scores a finger, checks a face and an MRZ,
// stores nothing and writes no case; an officer may not test devices.
func TestTestCapture(t *testing.T) {
	term := newTestTerminal(t, time.Hour)
	tech, off := staff(t, term)
	ctx := context.Background()
	scanner := sim.New(hardware.Finger, sim.Options{Seed: 3})
	r, err := tech.TestCapture(ctx, scanner)
	if err != nil {
		t.Fatal(err)
	}
	if r.Score < CaptureThreshold || r.Score > 100 || r.Identity.ID() != scanner.Identity().ID() {
		t.Fatalf("finger test capture: %+v", r)
	}
	r, err = tech.TestCapture(ctx, sim.New(hardware.Face, sim.Options{Seed: 3}))
	if err != nil || r.Score != -1 {
		t.Fatalf("face test capture: %+v, %v", r, err)
	}
	r, err = tech.TestCapture(ctx, sim.New(hardware.Document, sim.Options{}))
	if err != nil || !r.MRZValid {
		t.Fatalf("document test capture: %+v, %v", r, err)
	}
	bad := sim.New(hardware.Document, sim.Options{Document: []string{"NOT AN MRZ"}})
	if _, err := tech.TestCapture(ctx, bad); !errors.Is(err, hardware.ErrProtocol) {
		t.Fatalf("garbage MRZ: %v, want ErrProtocol", err)
	}
	failing := sim.New(hardware.Finger, sim.Options{})
	failing.Fail(hardware.ErrBusy)
	if _, err := tech.TestCapture(ctx, failing); !errors.Is(err, hardware.ErrBusy) {
		t.Fatalf("busy scanner: %v", err)
	}
	if _, err := off.TestCapture(ctx, scanner); !errors.Is(err, ErrTestCaptureRole) {
		t.Fatalf("officer test capture: %v", err)
	}
	// nothing stored: no pairing, no case
	if ps, err := tech.Pairings(); err != nil || len(ps) != 0 {
		t.Fatalf("pairings after test captures: %v %v", ps, err)
	}
	if rows, err := off.CaseRows(); err != nil || len(rows) != 0 {
		t.Fatalf("cases after test captures: %v %v", rows, err)
	}
}

// BenchmarkTestCapture: a technician's test capture (capture, cut the finger, score it)
// against the raw capture from the same simulated slap scanner, so the ratio is the cost of
// scoring the test image before pairing.
func BenchmarkTestCapture(b *testing.B) {
	tech, _ := staff(b, newTestTerminal(b, time.Hour))
	scanner := sim.New(hardware.Finger, sim.Options{Seed: 5})
	ctx := context.Background()
	// the simulator synthesises a person's prints on first use: keep that out of both sides
	if _, err := tech.TestCapture(ctx, scanner); err != nil {
		b.Fatal(err)
	}
	b.ResetTimer()
	var base, full time.Duration
	for i := 0; i < b.N; i++ {
		t0 := time.Now()
		if _, err := scanner.Capture(ctx, hardware.Request{Target: TestTarget(scanner)}); err != nil {
			b.Fatal(err)
		}
		t1 := time.Now()
		if _, err := tech.TestCapture(ctx, scanner); err != nil {
			b.Fatal(err)
		}
		base, full = base+t1.Sub(t0), full+time.Since(t1)
	}
	b.ReportMetric(float64(full.Nanoseconds())/float64(b.N), "testcapture-ns/op")
	b.ReportMetric(float64(base.Nanoseconds())/float64(b.N), "rawcapture-ns/op")
	b.ReportMetric(float64(full)/float64(base), "ratio")
}
