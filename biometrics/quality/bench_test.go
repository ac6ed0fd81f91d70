package quality

import (
	"image"
	"testing"
	"time"

	"github.com/fieldscreen/fieldscreen/biometrics/synth"
)

// sobel is the baseline: one 3×3 Sobel gradient-magnitude pass over the
// image, the cheapest thing any fingerprint quality measure must do.
func sobel(g *image.Gray, out []float32) {
	w, h := g.Rect.Dx(), g.Rect.Dy()
	p := func(x, y int) float32 { return float32(g.Pix[y*g.Stride+x]) }
	for y := 1; y < h-1; y++ {
		for x := 1; x < w-1; x++ {
			gx := p(x+1, y-1) + 2*p(x+1, y) + p(x+1, y+1) - p(x-1, y-1) - 2*p(x-1, y) - p(x-1, y+1)
			gy := p(x-1, y+1) + 2*p(x, y+1) + p(x+1, y+1) - p(x-1, y-1) - 2*p(x, y-1) - p(x+1, y-1)
			out[y*w+x] = gx*gx + gy*gy
		}
	}
}

func benchScore(b *testing.B, img *image.Gray) {
	out := make([]float32, img.Rect.Dx()*img.Rect.Dy())
	// The baseline runs interleaved with the subject (timer stopped), so
	// both see the same load on a shared machine.
	var base time.Duration
	for b.Loop() {
		b.StopTimer()
		t0 := time.Now()
		sobel(img, out)
		base += time.Since(t0)
		b.StartTimer()
		if _, err := Score(img, 500); err != nil {
			b.Fatal(err)
		}
	}
	per := b.Elapsed() / time.Duration(b.N)
	base /= time.Duration(b.N)
	b.ReportMetric(float64(base.Microseconds())/1000, "sobel-ms")
	b.ReportMetric(float64(per)/float64(base), "x-sobel")
}

// BenchmarkScoreSynthetic: a 400×500 synthetic print.
func BenchmarkScoreSynthetic(b *testing.B) {
	benchScore(b, synth.Finger(1, 2, synth.Options{}))
}

// BenchmarkScoreNIST: an 804×752 NIST card print.
func BenchmarkScoreNIST(b *testing.B) {
	benchScore(b, synth.Degrade(loadPNG(b, "fp-1.png"), synth.Options{}, 0))
}
