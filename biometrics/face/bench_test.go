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
	const baseRuns = 10
	start := time.Now()
	for range baseRuns {
		detect(det, pigo.ImageParams{Pixels: luma(img), Rows: bh, Cols: bw, Dim: bw})
	}
	base := time.Since(start) / baseRuns
	b.ResetTimer()
	for b.Loop() {
		if _, err := Check(img); err != nil {
			b.Fatal(err)
		}
	}
	per := b.Elapsed() / time.Duration(b.N)
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
