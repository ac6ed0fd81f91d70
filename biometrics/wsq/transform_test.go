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

// The even pairs of the shared reference (wsq-even-filters.md): the right half of each
// analysis filter as a DTT carries it (h0[m..], h1[p..]).
var (
	even26 = [2][]float32{
		{1 / math.Sqrt2},
		{-8 / (8 * math.Sqrt2), 1 / (8 * math.Sqrt2), 1 / (8 * math.Sqrt2)},
	}
	even88 = [2][]float32{
		{0.85269867900940344, -0.09789296778409587, -0.12335584105275092, 0.07565691101399093},
		{-0.60328894481393847, 0.18870142780632693, 0.05261415011924844, -0.03226944131446922},
	}
	even44 = [2][]float32{ // h0 = (-1,3,3,-1)/(2 sqrt2), h1 = (-1,3,-3,1)/(4 sqrt2)
		{3 / (2 * math.Sqrt2), -1 / (2 * math.Sqrt2)},
		{-3 / (4 * math.Sqrt2), 1 / (4 * math.Sqrt2)},
	}
)

// TestEvenBankFilters: the synthesis filters rebuilt from the transmitted halves are those
// of the reference's worked example (section 2.2): for 2/6, g1 = (-1, 1)/sqrt2 and
// g0 = (-1, 1, 8, 8, 1, -1)/(8 sqrt2).
func TestEvenBankFilters(t *testing.T) {
	e := newEvenBank(even26[0], even26[1])
	r := float32(1 / math.Sqrt2)
	s := float32(1 / (8 * math.Sqrt2))
	want := map[string][2][]float32{
		"h0": {e.h0, {r, r}},
		"h1": {e.h1, {-s, -s, 8 * s, -8 * s, s, s}},
		"g0": {e.g0, {-s, s, 8 * s, 8 * s, s, -s}},
		"g1": {e.g1, {-r, r}},
	}
	for name, w := range want {
		if len(w[0]) != len(w[1]) {
			t.Fatalf("%s has %d taps, want %d", name, len(w[0]), len(w[1]))
		}
		for i := range w[0] {
			if math.Abs(float64(w[0][i]-w[1][i])) > 1e-6 {
				t.Errorf("%s = %v, want %v", name, w[0], w[1])
				break
			}
		}
	}
}

// TestEvenLinePerfectReconstruction: analysis then synthesis gives the line back for the
// even pairs, odd and even line lengths, both storage orders.
func TestEvenLinePerfectReconstruction(t *testing.T) {
	rng := rand.New(rand.NewSource(3))
	for name, f := range map[string][2][]float32{"2/6": even26, "8/8": even88, "4/4": even44} {
		e := newEvenBank(f[0], f[1])
		for n := e.minLine(); n < 70; n++ {
			for _, inv := range []bool{false, true} {
				line := make([]float32, n)
				for i := range line {
					line[i] = float32(rng.NormFloat64() * 100)
				}
				bands := make([]float32, n)
				e.analyse(bands, 1, line, inv)
				back := make([]float32, n)
				lx, hx := make([]float32, n+2*e.off), make([]float32, n+2*e.off)
				e.synthesise(back, bands, 1, inv, lx, hx)
				for i := range line {
					if math.Abs(float64(back[i]-line[i])) > 1e-3 {
						t.Fatalf("%s n=%d inv=%v: sample %d: got %v want %v", name, n, inv, i, back[i], line[i])
					}
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
// gives back the plane, for awkward sizes (odd, tiny, prime) with the odd banks, and for
// print sizes whose lines have both parities at every level with the even banks.
func TestTreePerfectReconstruction(t *testing.T) {
	rng := rand.New(rand.NewSource(2))
	odd := [][2]int{{1, 1}, {2, 3}, {7, 5}, {33, 31}, {64, 64}, {101, 67}}
	even := [][2]int{{545, 622}, {131, 129}}
	for _, tc := range []struct {
		name  string
		fb    *filterBank
		sizes [][2]int
	}{
		{"9/7", newFilterBank(specLowpass[:], specHighpass[:]), odd},
		{"5/3", newFilterBank(legall53[0], legall53[1]), odd},
		{"2/6", &filterBank{even: newEvenBank(even26[0], even26[1])}, even},
		{"8/8", &filterBank{even: newEvenBank(even88[0], even88[1])}, even},
	} {
		for _, sz := range tc.sizes {
			w, h := sz[0], sz[1]
			plane := make([]float32, w*h)
			for i := range plane {
				plane[i] = float32(rng.NormFloat64() * 50)
			}
			orig := append([]float32(nil), plane...)
			tr := newTree(w, h)
			tc.fb.forward(plane, w, tr)
			tc.fb.inverse(plane, w, tr)
			for i := range plane {
				if math.Abs(float64(plane[i]-orig[i])) > 1e-2 {
					t.Fatalf("%s %dx%d: sample %d: %v, want %v", tc.name, w, h, i, plane[i], orig[i])
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
