package sim

import (
	"context"
	"image"
	"testing"
	"time"

	"github.com/fieldscreen/fieldscreen/hardware"
	"github.com/fieldscreen/fieldscreen/hardware/hwtest"
)

func TestConformance(t *testing.T) {
	for _, tc := range []struct {
		kind   hardware.Kind
		target hardware.Target
		unsup  hardware.Target
	}{
		{hardware.Finger, hardware.Target{Kind: hardware.Finger, Finger: 2}, hardware.Target{Kind: hardware.Face}},
		{hardware.Face, hardware.Target{Kind: hardware.Face}, hardware.Target{Kind: hardware.Finger, Finger: 1}},
		{hardware.Document, hardware.Target{Kind: hardware.Document}, hardware.Target{Kind: hardware.Face}},
	} {
		t.Run(string(tc.kind), func(t *testing.T) {
			unsup := tc.unsup
			hwtest.Run(t, hwtest.Harness{
				Open:        func(t *testing.T) hardware.Device { return New(tc.kind, Options{Seed: 7}) },
				Target:      tc.target,
				Unsupported: &unsup,
				Slow:        func(t *testing.T, d hardware.Device, l time.Duration) { d.(*Device).SetLatency(l) },
			})
		})
	}
}

func TestSlapSegmentsAndDeterminism(t *testing.T) {
	d := New(hardware.Finger, Options{Seed: 3})
	req := hardware.Request{Target: hardware.Target{Kind: hardware.Finger, Slap: hardware.LeftFour}}
	a, err := d.Capture(context.Background(), req)
	if err != nil {
		t.Fatal(err)
	}
	if len(a.Segments) != 4 || a.Segments[0].Finger != 7 || a.Segments[3].Finger != 10 {
		t.Fatalf("segments %+v: want fingers 7-10", a.Segments)
	}
	for _, s := range a.Segments {
		if !s.Rect.In(a.Image.Bounds()) || s.Rect.Empty() {
			t.Errorf("segment %+v outside image %v", s, a.Image.Bounds())
		}
	}
	b, err := New(hardware.Finger, Options{Seed: 3}).Capture(context.Background(), req)
	if err != nil {
		t.Fatal(err)
	}
	if string(a.Image.(*image.Gray).Pix) != string(b.Image.(*image.Gray).Pix) {
		t.Error("same seed gave different slap images")
	}
	c, err := New(hardware.Finger, Options{Seed: 4}).Capture(context.Background(), req)
	if err != nil {
		t.Fatal(err)
	}
	if string(a.Image.(*image.Gray).Pix) == string(c.Image.(*image.Gray).Pix) {
		t.Error("different seeds gave the same slap image")
	}
}

func TestInjectedFailureAndPreview(t *testing.T) {
	d := New(hardware.Face, Options{Seed: 1, FrameInterval: 10 * time.Millisecond})
	d.Fail(hardware.ErrNotReady)
	if _, err := d.Capture(context.Background(), hardware.Request{Target: hardware.Target{Kind: hardware.Face}}); err != hardware.ErrNotReady {
		t.Fatalf("injected failure: got %v", err)
	}
	if _, err := d.Capture(context.Background(), hardware.Request{Target: hardware.Target{Kind: hardware.Face}}); err != nil {
		t.Fatalf("failure was not consumed: %v", err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	ch, err := d.Preview(ctx, hardware.Target{Kind: hardware.Face})
	if err != nil {
		t.Fatal(err)
	}
	for want := 1; want <= 3; want++ {
		f := <-ch
		if f.Seq != want || f.Image == nil {
			t.Fatalf("frame %d: seq %d image %v", want, f.Seq, f.Image != nil)
		}
	}
	cancel()
	for range ch {
	}
}
