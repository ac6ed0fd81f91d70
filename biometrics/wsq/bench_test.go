package wsq

import (
	"bytes"
	"context"
	"image"
	"image/png"
	"testing"
	"time"
)

// benchPrint is fp-1 cropped to 800×750, the size of a rolled print at 500 ppi.
func benchPrint(b *testing.B) *image.Gray {
	src := readPNG(b, "testdata/fp-1.png")
	return crop(src, image.Rect(0, 0, 800, 750))
}

// baseline times f over a few runs (the in-process reference for a ratio).
func baseline(f func()) time.Duration {
	const n = 10
	f()
	start := time.Now()
	for range n {
		f()
	}
	return time.Since(start) / n
}

func BenchmarkDecode800x750(b *testing.B) {
	img := benchPrint(b)
	var w bytes.Buffer
	if err := Encode(&w, img, nil); err != nil {
		b.Fatal(err)
	}
	data := w.Bytes()
	var p bytes.Buffer
	if err := png.Encode(&p, img); err != nil {
		b.Fatal(err)
	}
	pngData := p.Bytes()
	base := baseline(func() {
		if _, err := png.Decode(bytes.NewReader(pngData)); err != nil {
			b.Fatal(err)
		}
	})
	b.SetBytes(int64(len(data)))
	b.ResetTimer()
	for b.Loop() {
		if _, err := Decode(bytes.NewReader(data)); err != nil {
			b.Fatal(err)
		}
	}
	perOp := b.Elapsed() / time.Duration(b.N)
	b.ReportMetric(float64(base.Nanoseconds()), "png-ns/op")
	b.ReportMetric(float64(perOp)/float64(base), "x-png")
}

func BenchmarkEncode800x750(b *testing.B) {
	img := benchPrint(b)
	base := baseline(func() {
		if err := png.Encode(&bytes.Buffer{}, img); err != nil {
			b.Fatal(err)
		}
	})
	b.ResetTimer()
	for b.Loop() {
		if err := Encode(&bytes.Buffer{}, img, nil); err != nil {
			b.Fatal(err)
		}
	}
	perOp := b.Elapsed() / time.Duration(b.N)
	b.ReportMetric(float64(base.Nanoseconds()), "png-ns/op")
	b.ReportMetric(float64(perOp)/float64(base), "x-png")
}

// BenchmarkEncodeTenPrints encodes a ten-print set with EncodeAll (all CPUs); the baseline
// is the same ten encoded one after another.
func BenchmarkEncodeTenPrints(b *testing.B) {
	var set []image.Image
	for i := range 10 {
		src := readPNG(b, "testdata/fp-"+string(rune('1'+i%7))+".png")
		set = append(set, crop(src, image.Rect(0, 0, 776, 748)))
	}
	base := baseline(func() {
		for _, img := range set {
			if err := Encode(&bytes.Buffer{}, img, nil); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.ResetTimer()
	for b.Loop() {
		if _, err := EncodeAll(context.Background(), set, nil); err != nil {
			b.Fatal(err)
		}
	}
	perOp := b.Elapsed() / time.Duration(b.N)
	b.ReportMetric(float64(base.Nanoseconds()), "sequential-ns/op")
	b.ReportMetric(float64(perOp)/float64(base), "x-sequential")
}
