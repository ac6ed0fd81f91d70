package synth

import (
	"testing"
	"time"
)

// BenchmarkFinger times one clean 400×500 print beside a baseline in the same
// process: a plain separable Gaussian blur (sigma 2) of an image the same
// size. The ratio is reported as x-blur.
func BenchmarkFinger(b *testing.B) {
	gaborBank() // built once per process; not part of a print's cost
	w, h := fingerSize(2)
	buf := make([]float32, w*h)
	// The baseline runs interleaved with the subject (timer stopped), so
	// both see the same load on a shared machine.
	var base time.Duration
	for i := 0; b.Loop(); i++ {
		b.StopTimer()
		t0 := time.Now()
		gaussianBlur(buf, w, h, 2)
		base += time.Since(t0)
		b.StartTimer()
		Finger(int64(i), 2, Options{})
	}
	per := b.Elapsed() / time.Duration(b.N)
	base /= time.Duration(b.N)
	b.ReportMetric(float64(base.Microseconds())/1000, "blur-ms")
	b.ReportMetric(float64(per)/float64(base), "x-blur")
}

// BenchmarkSlap times a four-finger slap (1600×1500).
func BenchmarkSlap(b *testing.B) {
	gaborBank()
	for i := 0; b.Loop(); i++ {
		Slap(int64(i), RightFour, Options{})
	}
}
