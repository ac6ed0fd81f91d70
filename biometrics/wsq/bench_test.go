package wsq

import (
	"bytes"
	"context"
	"image"
	"image/png"
	"os"
	"slices"
	"testing"
	"time"
)

// The benchmarks run subject and baseline alternately in the same loop and report the
// median wall time of each and the ratio of the medians, so a machine whose load changes
// during the run (the shared CI VM) skews both alike; and the mean CPU time of each, which
// other programs on the machine do not inflate. ns/op is the pair's total.

// benchPrint is fp-1 cropped to 800×750, the size of a rolled print at 500 ppi.
func benchPrint(b *testing.B) *image.Gray {
	src := readPNG(b, "testdata/fp-1.png")
	return crop(src, image.Rect(0, 0, 800, 750))
}

// pair times subject and baseline once per iteration and reports the medians.
func pair(b *testing.B, unit string, subject, base func()) {
	var ts, tb []time.Duration
	var cs, cb time.Duration
	b.ResetTimer()
	for b.Loop() {
		c0, t0 := processCPU(), time.Now()
		subject()
		c1, t1 := processCPU(), time.Now()
		base()
		ts = append(ts, t1.Sub(t0))
		tb = append(tb, time.Since(t1))
		cs += c1 - c0
		cb += processCPU() - c1
	}
	n := float64(len(ts))
	b.ReportMetric(float64(cs.Microseconds())/1000/n, "cpu-ms/"+unit)
	b.ReportMetric(float64(cb.Microseconds())/1000/n, "baseline-cpu-ms")
	ms, mb := median(ts), median(tb)
	b.ReportMetric(float64(ms.Microseconds())/1000, "ms/"+unit)
	b.ReportMetric(float64(mb.Microseconds())/1000, "baseline-ms")
	b.ReportMetric(float64(ms)/float64(mb), "x-baseline")
}

func median(d []time.Duration) time.Duration {
	slices.Sort(d)
	return d[len(d)/2]
}

// BenchmarkDecode800x750: WSQ decode beside image/png decode of the same print.
func BenchmarkDecode800x750(b *testing.B) {
	img := benchPrint(b)
	var w, p bytes.Buffer
	if err := Encode(&w, img, nil); err != nil {
		b.Fatal(err)
	}
	if err := png.Encode(&p, img); err != nil {
		b.Fatal(err)
	}
	pair(b, "decode",
		func() {
			if _, err := Decode(bytes.NewReader(w.Bytes())); err != nil {
				b.Fatal(err)
			}
		},
		func() {
			if _, err := png.Decode(bytes.NewReader(p.Bytes())); err != nil {
				b.Fatal(err)
			}
		})
}

// BenchmarkDecodeEven: an NBIS file with the 2/6 even pair (fp-1, 804×752; the even path
// filters columns one at a time) beside image/png decode of NBIS's decode of it.
func BenchmarkDecodeEven(b *testing.B) {
	w, err := os.ReadFile("testdata/even/fp-1.even26.r0.75.wsq")
	if err != nil {
		b.Fatal(err)
	}
	p, err := os.ReadFile("testdata/even/fp-1.even26.r0.75.nbis.png")
	if err != nil {
		b.Fatal(err)
	}
	pair(b, "decode",
		func() {
			if _, err := Decode(bytes.NewReader(w)); err != nil {
				b.Fatal(err)
			}
		},
		func() {
			if _, err := png.Decode(bytes.NewReader(p)); err != nil {
				b.Fatal(err)
			}
		})
}

// BenchmarkEncode800x750: WSQ encode at 0.75 bpp beside image/png encode.
func BenchmarkEncode800x750(b *testing.B) {
	img := benchPrint(b)
	pair(b, "encode",
		func() {
			if err := Encode(&bytes.Buffer{}, img, nil); err != nil {
				b.Fatal(err)
			}
		},
		func() {
			if err := png.Encode(&bytes.Buffer{}, img); err != nil {
				b.Fatal(err)
			}
		})
}

// BenchmarkEncodeTenPrints: a ten-print set with EncodeAll (one goroutine per CPU) beside
// the same ten encoded one after another.
func BenchmarkEncodeTenPrints(b *testing.B) {
	var set []image.Image
	for i := range 10 {
		src := readPNG(b, "testdata/fp-"+string(rune('1'+i%7))+".png")
		set = append(set, crop(src, image.Rect(0, 0, 776, 748)))
	}
	pair(b, "set",
		func() {
			if _, err := EncodeAll(context.Background(), set, nil); err != nil {
				b.Fatal(err)
			}
		},
		func() {
			for _, img := range set {
				if err := Encode(&bytes.Buffer{}, img, nil); err != nil {
					b.Fatal(err)
				}
			}
		})
}
