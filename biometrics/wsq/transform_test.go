package wsq

import (
	"bufio"
	"image"
	"io"
	"math"
	"math/rand"
	"testing"
)

// legall53 is the 5/3 pair (centre tap first), scaled like the spec's filters: a second
// odd-length bank that exercises the transform's general (not unrolled) code.
var legall53 = [2][]float32{
	{0.75 * math.Sqrt2, 0.25 * math.Sqrt2, -0.125 * math.Sqrt2},
	{1 / math.Sqrt2, -0.5 / math.Sqrt2},
}

func TestFilterBankPerfectReconstruction(t *testing.T) {
	for name, fb := range map[string]*filterBank{
		"9/7": newFilterBank(specLowpass[:], specHighpass[:]),
		"5/3": newFilterBank(legall53[0], legall53[1]),
	} {
		t.Run(name, func(t *testing.T) { testLinePR(t, fb) })
	}
}

func testLinePR(t *testing.T, fb *filterBank) {
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

// TestTreePerfectReconstruction: the full 2-D analysis tree followed by the synthesis tree
// gives back the plane, for awkward sizes (odd, tiny, prime) and both filter banks.
func TestTreePerfectReconstruction(t *testing.T) {
	rng := rand.New(rand.NewSource(2))
	for _, fb := range []*filterBank{newFilterBank(specLowpass[:], specHighpass[:]), newFilterBank(legall53[0], legall53[1])} {
		for _, sz := range [][2]int{{1, 1}, {2, 3}, {7, 5}, {33, 31}, {64, 64}, {101, 67}} {
			w, h := sz[0], sz[1]
			plane := make([]float32, w*h)
			for i := range plane {
				plane[i] = float32(rng.NormFloat64() * 50)
			}
			orig := append([]float32(nil), plane...)
			tr := newTree(w, h)
			fb.forward(plane, w, tr)
			fb.inverse(plane, w, tr)
			for i := range plane {
				if math.Abs(float64(plane[i]-orig[i])) > 1e-2 {
					t.Fatalf("%dx%d (pad %d): sample %d: %v, want %v", w, h, fb.pad, i, plane[i], orig[i])
				}
			}
		}
	}
}

// TestTreeLayout: the 64 subbands tile the plane exactly (no gaps, no overlap).
func TestTreeLayout(t *testing.T) {
	for _, sz := range [][2]int{{545, 622}, {804, 752}, {31, 17}, {1, 1}} {
		w, h := sz[0], sz[1]
		seen := make([]int, w*h)
		tr := newTree(w, h)
		for k, r := range tr.subbands {
			for y := r.y; y < r.y+r.h; y++ {
				for x := r.x; x < r.x+r.w; x++ {
					seen[y*w+x]++
					if seen[y*w+x] > 1 {
						t.Fatalf("%dx%d: subband %d overlaps at (%d,%d)", w, h, k, x, y)
					}
				}
			}
		}
		for i, n := range seen {
			if n != 1 {
				t.Fatalf("%dx%d: pixel %d covered %d times", w, h, i, n)
			}
		}
	}
}
