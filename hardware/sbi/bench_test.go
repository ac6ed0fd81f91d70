package sbi_test

import (
	"context"
	"io"
	"net/http"
	"strconv"
	"testing"
	"time"

	"github.com/fieldscreen/fieldscreen/hardware"
	"github.com/fieldscreen/fieldscreen/hardware/sbi"
	"github.com/fieldscreen/fieldscreen/hardware/sbi/devsimtest"
)

// BenchmarkDiscover scans all 100 SBI ports with one devsim listening. The
// baseline, run in the same loop, opens that one port directly (device info
// only): the ratio is what scanning the other 99 ports costs on top.
func BenchmarkDiscover(b *testing.B) {
	s := devsimtest.Start(b)
	ctx := context.Background()
	var full, single time.Duration
	for i := 0; i < b.N; i++ {
		t0 := time.Now()
		devs, _ := sbi.Driver{}.Discover(ctx)
		full += time.Since(t0)
		if len(devs) < 2 {
			b.Fatalf("discovery found %d devices", len(devs))
		}
		t0 = time.Now()
		if _, err := (sbi.Driver{}).Open(ctx, s.Port); err != nil {
			b.Fatal(err)
		}
		single += time.Since(t0)
	}
	b.ReportMetric(float64(full.Microseconds())/1000/float64(b.N), "ms/discovery")
	b.ReportMetric(float64(single.Microseconds())/1000/float64(b.N), "ms/one-port-baseline")
	b.ReportMetric(float64(full)/float64(single), "ratio")
}

// BenchmarkPreview measures frames per second reaching the consumer (decoded
// JPEG images) from devsim's STREAM at 30 fps, beside a plain HTTP GET loop
// on the same server as the baseline request rate.
func BenchmarkPreview(b *testing.B) { benchPreview(b, "30") }

// BenchmarkPreviewCeiling lets devsim send as fast as it can (1000 fps
// requested): the consumer's own ceiling (JPEG decode of 480x640 frames).
func BenchmarkPreviewCeiling(b *testing.B) { benchPreview(b, "1000") }

func benchPreview(b *testing.B, rate string) {
	s := devsimtest.Start(b, "--fps", rate)
	devs, err := sbi.Driver{}.Open(context.Background(), s.Port)
	if err != nil {
		b.Fatal(err)
	}
	var face hardware.Device
	for _, d := range devs {
		if d.Identity().Kind == hardware.Face {
			face = d
		}
	}
	url := "http://127.0.0.1:" + strconv.Itoa(s.Port) + "/"
	var frames, gets int
	var streamT, getT time.Duration
	for i := 0; i < b.N; i++ {
		ctx, cancel := context.WithCancel(context.Background())
		ch, err := face.Preview(ctx, hardware.Target{Kind: hardware.Face})
		if err != nil {
			b.Fatal(err)
		}
		<-ch // first frame: connection set up
		t0 := time.Now()
		for n := 0; n < 30; n++ {
			if _, ok := <-ch; !ok {
				b.Fatal("stream ended")
			}
			frames++
		}
		streamT += time.Since(t0)
		cancel()
		for range ch {
		}
		t0 = time.Now()
		for n := 0; n < 30; n++ {
			resp, err := http.Get(url)
			if err != nil {
				b.Fatal(err)
			}
			io.Copy(io.Discard, resp.Body)
			resp.Body.Close()
			gets++
		}
		getT += time.Since(t0)
	}
	fps := float64(frames) / streamT.Seconds()
	rps := float64(gets) / getT.Seconds()
	b.ReportMetric(fps, "frames/s")
	b.ReportMetric(rps, "baseline-GET/s")
	b.ReportMetric(fps/rps, "ratio")
}
