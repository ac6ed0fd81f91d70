package face

import (
	"image"
	"testing"
	"time"

	pigo "github.com/esimov/pigo/core"
	"github.com/fieldscreen/fieldscreen/biometrics/synth"
)

// benchCheck times Check beside a baseline in the same process: pigo's
// face detection alone (grey conversion, cascade scan with the same
// parameters, clustering), the least any pigo-based check must cost.
func benchCheck(b *testing.B, img image.Image) {
	det, _, err := cascades()
	if err != nil {
		b.Fatal(err)
	}
	bw, bh := img.Bounds().Dx(), img.Bounds().Dy()
	// The baseline runs interleaved with the subject (timer stopped), so
	// both see the same load on a shared machine.
	var base time.Duration
	for b.Loop() {
		b.StopTimer()
		t0 := time.Now()
		detect(det, pigo.ImageParams{Pixels: luma(img), Rows: bh, Cols: bw, Dim: bw})
		base += time.Since(t0)
		b.StartTimer()
		if _, err := Check(img); err != nil {
			b.Fatal(err)
		}
	}
	per := b.Elapsed() / time.Duration(b.N)
	base /= time.Duration(b.N)
	b.ReportMetric(float64(base.Microseconds())/1000, "detect-ms")
	b.ReportMetric(float64(per)/float64(base), "x-detect")
}

// BenchmarkCheckAstronautCrop: the 425×550 upscaled astronaut crop.
func BenchmarkCheckAstronautCrop(b *testing.B) {
	benchCheck(b, upscale(loadAstronaut(b), cropRect, 2.5))
}

// BenchmarkCheckSynthetic: the simulator's 480×600 drawn face.
func BenchmarkCheckSynthetic(b *testing.B) {
	benchCheck(b, synth.Face(1, 480, 600))
}

// BenchmarkCheckRotated: the crop turned 20°, which takes the rotated
// search (upright pass plus up to four rotated passes).
func BenchmarkCheckRotated(b *testing.B) {
	benchCheck(b, rotate(upscale(loadAstronaut(b), cropRect, 2.5), 20))
}
