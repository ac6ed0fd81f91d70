package wsq

// The WSQ wavelet decomposition (spec Part 1, the 64-subband tree).
//
// The image is split by twenty 2-D analysis steps. Each step filters the rows of a rectangle
// (low band left, high band right) and then its columns (low band top, high band bottom). A
// rectangle that came out of a high band of its parent is "spectrally inverted" in that
// direction: decimating a high band folds its spectrum, so the spec stores the two halves the
// other way round (high band first) to keep every subband in frequency order. The sizes follow
// from that: the low band of n samples holds ceil(n/2) of them, the high band floor(n/2).

// region is a rectangle of the coefficient plane.
type region struct{ x, y, w, h int }

// step is one 2-D analysis step of the tree.
type step struct {
	region
	invX, invY bool
}

// tree is the decomposition for one image size: the steps in analysis order (parents before
// children) and the 64 subbands in the spec's numbering.
type tree struct {
	steps    []step
	subbands [numSubbands]region
}

const (
	numSubbands = 64
	// Subbands 60-63 (the finest diagonal band) are never transmitted by any encoder and
	// are zero on decoding.
	numCoded = 60
)

// blockStarts are the first subbands of the three Huffman-coded blocks: 0-18, 19-51, 52-59.
var blockStarts = [4]int{0, 19, 52, numCoded}

// quarter gives the four children of a rectangle in the order top-left, top-right,
// bottom-left, bottom-right, with the inversion flags each child inherits from its position.
func quarter(s step) [4]step {
	lw := (s.w + 1) / 2
	if s.invX {
		lw = s.w / 2
	}
	th := (s.h + 1) / 2
	if s.invY {
		th = s.h / 2
	}
	return [4]step{
		{region{s.x, s.y, lw, th}, false, false},
		{region{s.x + lw, s.y, s.w - lw, th}, true, false},
		{region{s.x, s.y + th, lw, s.h - th}, false, true},
		{region{s.x + lw, s.y + th, s.w - lw, s.h - th}, true, true},
	}
}

// newTree lays the decomposition out for a w×h image.
//
// Shape (children named TL, TR, BL, BR):
//
//	root: TL=A, TR and BL split once into 4 subbands each (52-55, 56-59), BR not split (60-63, never coded)
//	A:    TL=B, TR=C, BL=D, BR is subband 51
//	C, D: every child split once: 16 subbands each (19-34, 35-50)
//	B:    TL=E, TR, BL, BR split once (7-10, 11-14, 15-18)
//	E:    TL=F split once (0-3), TR, BL, BR are subbands 4, 5, 6
func newTree(w, h int) *tree {
	t := &tree{}
	add := func(s step) [4]step {
		t.steps = append(t.steps, s)
		return quarter(s)
	}
	n := 0
	root := add(step{region{0, 0, w, h}, false, false})
	a := add(root[0])
	b := add(a[0])
	e := add(b[0])
	f := add(e[0])
	for _, c := range f {
		t.subbands[n] = c.region
		n++
	}
	for _, c := range e[1:] {
		t.subbands[n] = c.region
		n++
	}
	for _, c := range b[1:] {
		for _, g := range add(c) {
			t.subbands[n] = g.region
			n++
		}
	}
	for _, quad := range a[1:3] {
		for _, c := range add(quad) {
			for _, g := range add(c) {
				t.subbands[n] = g.region
				n++
			}
		}
	}
	t.subbands[n] = a[3].region
	n++
	for _, quad := range root[1:3] {
		for _, c := range add(quad) {
			t.subbands[n] = c.region
			n++
		}
	}
	// Subbands 60-63: the quarters the never-coded diagonal band would have; no step is
	// run for them because they are all zero.
	for _, c := range quarter(root[3]) {
		t.subbands[n] = c.region
		n++
	}
	return t
}

// filterBank holds one analysis filter pair and the synthesis pair derived from it. The fields
// below describe an odd pair (whole-sample symmetric filters, such as the spec's 9/7 pair);
// an even pair lives in even (see even.go) and the transforms hand over to it.
type filterBank struct {
	// even is set for an even-length pair; the other fields are then unused.
	even *evenBank

	// h0, h1: analysis low and high pass, centre tap first (h[j] = h[-j]).
	h0, h1 []float32
	// g0, g1: synthesis low and high pass, centre tap first: g0[j] = (-1)^j h1[j],
	// g1[j] = (-1)^j h0[j] (the biorthogonal quadrature-mirror relation).
	g0, g1 []float32
	// evenTaps/oddTaps: the interleaved synthesis taps for even and odd output samples.
	evenTaps, oddTaps []float32
	// single is the synthesis gain for a one-sample line.
	single float32
	pad    int
}

func newFilterBank(h0, h1 []float32) *filterBank {
	fb := &filterBank{h0: h0, h1: h1, g0: make([]float32, len(h1)), g1: make([]float32, len(h0))}
	for j, v := range h1 {
		if j%2 == 1 {
			v = -v
		}
		fb.g0[j] = v
	}
	for j, v := range h0 {
		if j%2 == 1 {
			v = -v
		}
		fb.g1[j] = v
	}
	fb.pad = max(len(h0), len(h1))
	// A single sample has no high band and its extension is constant, so its low-band
	// value meets only the even taps of g0.
	for j := 0; j < len(fb.g0); j += 2 {
		if j == 0 {
			fb.single += fb.g0[0]
		} else {
			fb.single += 2 * fb.g0[j]
		}
	}
	fb.evenTaps = make([]float32, fb.pad)
	fb.oddTaps = make([]float32, fb.pad)
	for j := range fb.pad {
		a, b := fb.g0, fb.g1 // even taps come from g0 for even outputs
		if j%2 == 1 {
			a, b = b, a
		}
		if j < len(a) {
			fb.evenTaps[j] = a[j]
		}
		if j < len(b) {
			fb.oddTaps[j] = b[j]
		}
	}
	return fb
}

// extend copies line into buf[pad:pad+n] and fills pad samples on each side by whole-sample
// symmetric reflection about the first and last sample (repeatedly, for very short lines).
func extend(buf, line []float32, pad int) []float32 {
	n := len(line)
	buf = buf[:n+2*pad]
	copy(buf[pad:], line)
	for i := 1; i <= pad; i++ {
		buf[pad-i] = line[reflect(-i, n)]
		buf[pad+n-1+i] = line[reflect(n-1+i, n)]
	}
	return buf
}

// reflect maps an index outside [0,n) back inside by whole-sample symmetry.
func reflect(i, n int) int {
	if n == 1 {
		return 0
	}
	period := 2 * (n - 1)
	i %= period
	if i < 0 {
		i += period
	}
	if i >= n {
		i = period - i
	}
	return i
}

// analyse splits line (n samples) into ceil(n/2) low-band and floor(n/2) high-band samples,
// written to out with the given step; inverted lines store the high band first.
func (fb *filterBank) analyse(out []float32, stride int, line []float32, inv bool, ext []float32) {
	n := len(line)
	if n == 0 {
		return
	}
	p := fb.pad
	xe := extend(ext, line, p)
	nl, nh := (n+1)/2, n/2
	lo, hi := bandStarts(n, inv)
	lo, hi = lo*stride, hi*stride
	h0, h1 := fb.h0, fb.h1
	if len(h0) == 5 && len(h1) == 4 {
		// The 9/7 pair of every known encoder: the same sums, unrolled.
		a := [5]float32(h0)
		b := [4]float32(h1)
		for k := 0; k < nl; k++ {
			c := p + 2*k
			x := xe[c-4 : c+5 : c+5]
			s := a[0] * x[4]
			s += float32(a[1] * (x[3] + x[5]))
			s += float32(a[2] * (x[2] + x[6]))
			s += float32(a[3] * (x[1] + x[7]))
			s += float32(a[4] * (x[0] + x[8]))
			out[lo+k*stride] = s
		}
		for k := 0; k < nh; k++ {
			c := p + 2*k + 1
			x := xe[c-3 : c+4 : c+4]
			s := b[0] * x[3]
			s += float32(b[1] * (x[2] + x[4]))
			s += float32(b[2] * (x[1] + x[5]))
			s += float32(b[3] * (x[0] + x[6]))
			out[hi+k*stride] = s
		}
		return
	}
	for k := 0; k < nl; k++ {
		c := p + 2*k
		s := h0[0] * xe[c]
		for j := 1; j < len(h0); j++ {
			s += float32(h0[j] * (xe[c-j] + xe[c+j])) // conversion: no FMA fusion, same bits on every CPU
		}
		out[lo+k*stride] = s
	}
	for k := 0; k < nh; k++ {
		c := p + 2*k + 1
		s := h1[0] * xe[c]
		for j := 1; j < len(h1); j++ {
			s += float32(h1[j] * (xe[c-j] + xe[c+j]))
		}
		out[hi+k*stride] = s
	}
}

// synthesise is the inverse of analyse: it reads the two bands of an n-sample line from in
// (with the given step) and writes the n reconstructed samples to line.
func (fb *filterBank) synthesise(line []float32, in []float32, stride int, inv bool, up, ext []float32) {
	n := len(line)
	if n == 0 {
		return
	}
	nl, nh := (n+1)/2, n/2
	lo, hi := bandStarts(n, inv)
	lo, hi = lo*stride, hi*stride
	if n == 1 {
		line[0] = fb.single * in[lo]
		return
	}
	// Interleave the bands back onto the sample grid: even samples carry the low band,
	// odd samples the high band; both upsampled bands share the whole-sample symmetry.
	up = up[:n]
	for k := 0; k < nl; k++ {
		up[2*k] = in[lo+k*stride]
	}
	for k := 0; k < nh; k++ {
		up[2*k+1] = in[hi+k*stride]
	}
	p := fb.pad
	w := extend(ext, up, p)
	// Even output samples meet the low band through the even taps of g0 and the high band
	// through the odd taps of g1; odd samples the other way round.
	te, to := fb.evenTaps, fb.oddTaps
	if p == 5 {
		// The 9/7 pair: the same sums, unrolled.
		tt := [2][5]float32{[5]float32(te), [5]float32(to)}
		for i := 0; i < n; i++ {
			c := p + i
			t := &tt[i&1]
			x := w[c-4 : c+5 : c+5]
			s := t[0] * x[4]
			s += float32(t[1] * (x[3] + x[5]))
			s += float32(t[2] * (x[2] + x[6]))
			s += float32(t[3] * (x[1] + x[7]))
			s += float32(t[4] * (x[0] + x[8]))
			line[i] = s
		}
		return
	}
	for i := 0; i < n; i++ {
		c := p + i
		t := te
		if i&1 == 1 {
			t = to
		}
		s := t[0] * w[c]
		for j := 1; j < len(t); j++ {
			s += float32(t[j] * (w[c-j] + w[c+j]))
		}
		line[i] = s
	}
}

// bandStarts gives where the low and high bands of an n-sample line start: the low band's
// ceil(n/2) samples first, or after the high band's floor(n/2) when the line is inverted.
func bandStarts(n int, inv bool) (lo, hi int) {
	if inv {
		return n / 2, 0
	}
	return 0, (n + 1) / 2
}

// lineBufs are the scratch space one goroutine needs for a transform.
type lineBufs struct{ line, up, ext, rows []float32 }

func (fb *filterBank) newBufs(n, total int) *lineBufs {
	return &lineBufs{
		line: make([]float32, n),
		up:   make([]float32, n),
		ext:  make([]float32, n+2*fb.pad),
		rows: make([]float32, total),
	}
}

// forward runs the whole analysis tree in place on a plane of the given row width.
func (fb *filterBank) forward(plane []float32, width int, t *tree) {
	if fb.even != nil {
		fb.even.forward(plane, width, t)
		return
	}
	b := fb.newBufs(width, len(plane))
	for _, s := range t.steps {
		for y := s.y; y < s.y+s.h; y++ {
			row := plane[y*width+s.x : y*width+s.x+s.w]
			line := b.line[:s.w]
			copy(line, row)
			fb.analyse(row, 1, line, s.invX, b.ext)
		}
		fb.analyseColumns(plane, width, s, b.rows)
	}
}

// inverse runs the synthesis tree in place: the steps in reverse order, columns before rows.
func (fb *filterBank) inverse(plane []float32, width int, t *tree) {
	if fb.even != nil {
		fb.even.inverse(plane, width, t)
		return
	}
	b := fb.newBufs(width, len(plane))
	for i := len(t.steps) - 1; i >= 0; i-- {
		s := t.steps[i]
		fb.synthesiseColumns(plane, width, s, b.rows)
		for y := s.y; y < s.y+s.h; y++ {
			row := plane[y*width+s.x : y*width+s.x+s.w]
			line := b.line[:s.w]
			fb.synthesise(line, row, 1, s.invX, b.up, b.ext)
			copy(row, line)
		}
	}
}

// The column passes filter whole rows at a time: each output row is a weighted sum of input
// rows, which keeps memory access sequential. They compute exactly what analyse and
// synthesise compute for each column, in the same order of operations.

func (fb *filterBank) analyseColumns(plane []float32, width int, s step, tmp []float32) {
	w, h := s.w, s.h
	if w == 0 || h == 0 {
		return
	}
	tmp = tmp[:w*h]
	for i := 0; i < h; i++ {
		copy(tmp[i*w:(i+1)*w], plane[(s.y+i)*width+s.x:])
	}
	src := func(i int) []float32 {
		r := reflect(i, h)
		return tmp[r*w : (r+1)*w]
	}
	nl, nh := (h+1)/2, h/2
	lo, hi := bandStarts(h, s.invY)
	filterRows := func(dst []float32, f []float32, c int) {
		mid := src(c)
		for x := range dst {
			dst[x] = f[0] * mid[x]
		}
		for j := 1; j < len(f); j++ {
			a, b := src(c-j), src(c+j)
			fj := f[j]
			for x := range dst {
				dst[x] += float32(fj * (a[x] + b[x]))
			}
		}
	}
	for k := 0; k < nl; k++ {
		filterRows(plane[(s.y+lo+k)*width+s.x:][:w], fb.h0, 2*k)
	}
	for k := 0; k < nh; k++ {
		filterRows(plane[(s.y+hi+k)*width+s.x:][:w], fb.h1, 2*k+1)
	}
}

func (fb *filterBank) synthesiseColumns(plane []float32, width int, s step, tmp []float32) {
	w, h := s.w, s.h
	if w == 0 || h == 0 {
		return
	}
	nl, nh := (h+1)/2, h/2
	lo, hi := bandStarts(h, s.invY)
	row := func(i int) []float32 { return plane[(s.y+i)*width+s.x:][:w] }
	if h == 1 {
		r := row(0)
		for x := range r {
			r[x] *= fb.single
		}
		return
	}
	// Interleave the bands: even rows from the low band, odd rows from the high band.
	tmp = tmp[:w*h]
	for k := 0; k < nl; k++ {
		copy(tmp[2*k*w:(2*k+1)*w], row(lo+k))
	}
	for k := 0; k < nh; k++ {
		copy(tmp[(2*k+1)*w:(2*k+2)*w], row(hi+k))
	}
	src := func(i int) []float32 {
		r := reflect(i, h)
		return tmp[r*w : (r+1)*w]
	}
	for i := 0; i < h; i++ {
		t := fb.evenTaps
		if i&1 == 1 {
			t = fb.oddTaps
		}
		dst := row(i)
		mid := src(i)
		for x := range dst {
			dst[x] = t[0] * mid[x]
		}
		for j := 1; j < len(t); j++ {
			a, b := src(i-j), src(i+j)
			tj := t[j]
			for x := range dst {
				dst[x] += float32(tj * (a[x] + b[x]))
			}
		}
	}
}
