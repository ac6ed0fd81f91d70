package wsq

import (
	"bufio"
	"image"
	"io"
	"math"
	"math/rand"
	"testing"
)

func TestFilterBankPerfectReconstruction(t *testing.T) {
	fb := newFilterBank(specLowpass[:], specHighpass[:])
	rng := rand.New(rand.NewSource(1))
	for n := 1; n < 40; n++ {
		for _, inv := range []bool{false, true} {
			line := make([]float32, n)
			for i := range line {
				line[i] = float32(rng.NormFloat64())
			}
			bands := make([]float32, n)
			ext := make([]float32, n+2*fb.pad)
			fb.analyse(bands, 1, line, inv, ext)
			back := make([]float32, n)
			up := make([]float32, n)
			fb.synthesise(back, bands, 1, inv, up, ext)
			for i := range line {
				if math.Abs(float64(back[i]-line[i])) > 1e-4 {
					t.Fatalf("n=%d inv=%v: sample %d: got %v want %v", n, inv, i, back[i], line[i])
				}
			}
		}
	}
}

// normalisedTransform is the encoder's front end, for tests.
func normalisedTransform(g *image.Gray) ([]float32, int, *tree) {
	plane, _, _, _, _, err := normalise(g)
	if err != nil {
		panic(err)
	}
	w, h := g.Rect.Dx(), g.Rect.Dy()
	tr := newTree(w, h)
	newFilterBank(specLowpass[:], specHighpass[:]).forward(plane, w, tr)
	return plane, w, tr
}

func bufioReader(r io.Reader) *bufio.Reader { return bufio.NewReader(r) }
