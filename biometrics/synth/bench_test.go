package synth

import (
	"syscall"
	"testing"
	"time"
)

// cpuTime is the process's user+system CPU time so far. On a shared
// machine wall time swings with other people's load; CPU time much less.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// BenchmarkFinger times one clean 400×500 print beside a baseline in the same
// process: a plain separable Gaussian blur (sigma 2) of an image the same
// size. x-blur is the wall-time ratio; cpu-ms is the CPU time of one print
// (both cores together).
func BenchmarkFinger(b *testing.B) {
	gaborBank() // built once per process; not part of a print's cost
	w, h := fingerSize(2)
	buf := make([]float32, w*h)
	// The baseline runs interleaved with the subject (timer stopped), so
	// both see the same load on a shared machine.
	var base, cpu time.Duration
	for i := 0; b.Loop(); i++ {
		b.StopTimer()
		t0 := time.Now()
		gaussianBlur(buf, w, h, 2)
		base += time.Since(t0)
		c0 := cpuTime()
		b.StartTimer()
		Finger(int64(i), 2, Options{})
		b.StopTimer()
		cpu += cpuTime() - c0
		b.StartTimer()
	}
	per := b.Elapsed() / time.Duration(b.N)
	base /= time.Duration(b.N)
	b.ReportMetric(float64(base.Microseconds())/1000, "blur-ms")
	b.ReportMetric(float64(per)/float64(base), "x-blur")
	b.ReportMetric(float64(cpu.Microseconds())/1000/float64(b.N), "cpu-ms")
}

// BenchmarkSlap times a four-finger slap (1600×1500).
func BenchmarkSlap(b *testing.B) {
	gaborBank()
	for i := 0; b.Loop(); i++ {
		Slap(int64(i), RightFour, Options{})
	}
}
