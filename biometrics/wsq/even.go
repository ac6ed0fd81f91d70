package wsq

// Even-length filter pairs (both filters with an even number of taps, such as the 2/6 spline
// pair or NBIS's built-in 8/8 bank). The rules here are those NIST NBIS 5.0.0 computes, as
// written down (and checked numerically against NBIS) in the shared reference
// "wsq-even-filters.md"; section numbers below refer to it.
//
// Unlike the odd (9/7) pairs, the two bands of an even pair are both centred between two
// samples (2k + 1/2), the input is extended half-sample symmetrically at both ends, and the
// high band is antisymmetric: reflecting it flips its sign, and on a line of odd length the
// high-band sample one past the last stored one is an implicit zero (section 3.1).

// evenBank holds an even pair: the analysis filters (h0 with L0 taps, h1 with L1 taps, index
// 0 = first tap) and the synthesis filters NBIS builds from the transmitted halves (g0 with
// L1 taps, symmetric; g1 with L0 taps, antisymmetric; section 2.2).
type evenBank struct {
	h0, h1, g0, g1 []float32
	m, p           int // L0/2 and L1/2
	off            int // how far the band extensions reach beyond either end
	// lowTaps[π] and highTaps[π]: the taps of g0 and g1 one output sample meets, in the
	// order of ascending band index, for outputs i with (i-p)&1 (resp. (i-m)&1) equal to π.
	lowTaps, highTaps [2][]float32
}

// newEvenBank rebuilds both filter pairs from the right halves the DTT carries: a0[j] is
// h0[m+j] and a1[j] is h1[p+j], in file order.
func newEvenBank(a0, a1 []float32) *evenBank {
	m, p := len(a0), len(a1)
	e := &evenBank{
		h0: make([]float32, 2*m), h1: make([]float32, 2*p),
		g0: make([]float32, 2*p), g1: make([]float32, 2*m),
		m: m, p: p, off: max(m, p)/2 + 2,
	}
	for j, a := range a0 {
		e.h0[m+j], e.h0[m-1-j] = a, a // symmetric
		s := a
		if j%2 == 1 {
			s = -s
		}
		e.g1[m+j], e.g1[m-1-j] = s, -s // antisymmetric: g1[n] = (-1)^(n-m) h0[n]
	}
	for j, a := range a1 {
		e.h1[p+j], e.h1[p-1-j] = a, -a // antisymmetric
		s := -a
		if j%2 == 1 {
			s = -s
		}
		e.g0[p+j], e.g0[p-1-j] = s, s // symmetric: g0[n] = -(-1)^(n-p) h1[n]
	}
	// With k0 = ceil((i-p)/2), the first tap is i-2k0+p-1: 2p-1 when i-p is even, 2p-2
	// when odd; the same for g1 with m.
	for par := range 2 {
		for j := 2*p - 1 - par; j >= 0; j -= 2 {
			e.lowTaps[par] = append(e.lowTaps[par], e.g0[j])
		}
		for j := 2*m - 1 - par; j >= 0; j -= 2 {
			e.highTaps[par] = append(e.highTaps[par], e.g1[j])
		}
	}
	return e
}

// minLine is the shortest line the bank decodes exactly as NBIS does. On shorter lines a
// filter window meets the same end twice, where NBIS's pointer-walking extension stops
// matching the formulas (section 7: the measured thresholds are all at most the longer
// filter's length, e.g. 6 for 8/8 and 3 for 2/6).
func (e *evenBank) minLine() int { return 2 * max(e.m, e.p) }

// foldX maps an index of the half-sample symmetric extension of an n-sample input line back
// into [0, n).
func foldX(i, n int) int {
	for i < 0 || i >= n {
		if i < 0 {
			i = -1 - i
		} else {
			i = 2*n - 1 - i
		}
	}
	return i
}

// foldLow maps an index of the extended low band of an n-sample line into the stored
// ceil(n/2) samples: half-sample symmetric on the left; on the right half-sample symmetric
// for even n and whole-sample symmetric about the last sample for odd n.
func foldLow(k, n int) int {
	nl := (n + 1) / 2
	for k < 0 || k >= nl {
		switch {
		case k < 0:
			k = -1 - k
		case n%2 == 0:
			k = 2*nl - 1 - k
		default:
			k = 2*(nl-1) - k
		}
	}
	return k
}

// foldHigh maps an index of the extended high band of an n-sample line into the stored
// floor(n/2) samples and the sign the reflections give it. Every reflection flips the sign;
// for odd n the sample one past the last stored one is zero (sign 0).
func foldHigh(k, n int) (int, float32) {
	nh := n / 2
	sign := float32(1)
	for {
		switch {
		case k < 0:
			k, sign = -1-k, -sign
		case n%2 == 0 && k >= nh:
			k, sign = 2*nh-1-k, -sign
		case n%2 == 1 && k == nh:
			return 0, 0
		case n%2 == 1 && k > nh:
			k, sign = 2*nh-k, -sign
		default:
			return k, sign
		}
	}
}

// ceilHalf is ceil(a/2) for any sign of a.
func ceilHalf(a int) int {
	if a >= 0 {
		return (a + 1) / 2
	}
	return -(-a / 2)
}

// floorHalf is floor(a/2) for any sign of a.
func floorHalf(a int) int {
	if a >= 0 {
		return a / 2
	}
	return -((-a + 1) / 2)
}

// analyse splits line into its low band (ceil(n/2) samples) and high band (floor(n/2)),
// written to out with the given step, high band first when inv (section 3.1):
// L[k] = Σ h0[i] x~[2k+m-i], H[k] = Σ h1[i] x~[2k+p-i].
func (e *evenBank) analyse(out []float32, stride int, line []float32, inv bool) {
	n := len(line)
	nl, nh := (n+1)/2, n/2
	lo, hi := bandStarts(n, inv)
	lo, hi = lo*stride, hi*stride
	for k := 0; k < nl; k++ {
		var s float32
		for i, h := range e.h0 {
			s += float32(h * line[foldX(2*k+e.m-i, n)])
		}
		out[lo+k*stride] = s
	}
	for k := 0; k < nh; k++ {
		var s float32
		for i, h := range e.h1 {
			s += float32(h * line[foldX(2*k+e.p-i, n)])
		}
		out[hi+k*stride] = s
	}
}

// synthesise rebuilds an n-sample line from its two bands, read from in with the given step
// (section 4.1): x[i] = Σ_k g0[i-2k+p-1] L~[k] + Σ_k g1[i-2k+m-1] H~[k]. lx and hx are
// scratch space of at least ceil(n/2) + 2·off samples.
func (e *evenBank) synthesise(line, in []float32, stride int, inv bool, lx, hx []float32) {
	n := len(line)
	nl := (n + 1) / 2
	lo, hi := bandStarts(n, inv)
	lo, hi = lo*stride, hi*stride
	off := e.off
	// The extended bands, index k stored at k+off.
	lx, hx = lx[:nl+2*off], hx[:nl+2*off]
	for k := -off; k < nl+off; k++ {
		lx[k+off] = in[lo+foldLow(k, n)*stride]
		if j, s := foldHigh(k, n); s != 0 {
			hx[k+off] = s * in[hi+j*stride]
		} else {
			hx[k+off] = 0
		}
	}
	p, m := e.p, e.m
	for i := 0; i < n; i++ {
		// g0's taps meet L~[k] for k from ceil((i-p)/2) to floor((i+p-1)/2): p of them, tap
		// i-2k+p-1 descending in steps of 2 (e.taps holds them in that order per parity).
		k := ceilHalf(i - p)
		t := e.lowTaps[(i-p)&1]
		b := lx[k+off : k+off+p : k+off+p]
		var s float32
		for j, g := range t {
			s += float32(g * b[j]) // conversion: no FMA fusion, same bits on every CPU
		}
		k = ceilHalf(i - m)
		t = e.highTaps[(i-m)&1]
		b = hx[k+off : k+off+m : k+off+m]
		for j, g := range t {
			s += float32(g * b[j])
		}
		line[i] = s
	}
}

// forward runs the analysis tree with the even pair: each step's rows, then its columns.
func (e *evenBank) forward(plane []float32, width int, t *tree) {
	height := len(plane) / width
	line := make([]float32, max(width, height))
	col := make([]float32, height)
	for _, s := range t.steps {
		for y := s.y; y < s.y+s.h; y++ {
			row := plane[y*width+s.x : y*width+s.x+s.w]
			copy(line, row)
			e.analyse(row, 1, line[:s.w], s.invX)
		}
		for x := s.x; x < s.x+s.w; x++ {
			c := col[:s.h]
			for i := range c {
				c[i] = plane[(s.y+i)*width+x]
			}
			e.analyse(plane[s.y*width+x:], width, c, s.invY)
		}
	}
}

// inverse runs the synthesis tree with the even pair: steps in reverse order, each step's
// columns, then its rows (the order NBIS uses, section 5).
func (e *evenBank) inverse(plane []float32, width int, t *tree) {
	height := len(plane) / width
	n := max(width, height)
	line := make([]float32, n)
	lx := make([]float32, n+2*e.off)
	hx := make([]float32, n+2*e.off)
	tmp := make([]float32, len(plane))
	for i := len(t.steps) - 1; i >= 0; i-- {
		s := t.steps[i]
		e.synthesiseColumns(plane, width, s, tmp)
		for y := s.y; y < s.y+s.h; y++ {
			row := plane[y*width+s.x : y*width+s.x+s.w]
			c := line[:s.w]
			e.synthesise(c, row, 1, s.invX, lx, hx)
			copy(row, c)
		}
	}
}

// synthesiseColumns computes what synthesise computes for every column of the step's
// region, in the same order of operations, a whole row at a time: each output row is a
// weighted sum of band rows, which keeps memory access sequential.
func (e *evenBank) synthesiseColumns(plane []float32, width int, s step, tmp []float32) {
	w, h := s.w, s.h
	if w == 0 || h == 0 {
		return
	}
	lo, hi := bandStarts(h, s.invY)
	tmp = tmp[:w*h]
	for i := 0; i < h; i++ {
		copy(tmp[i*w:(i+1)*w], plane[(s.y+i)*width+s.x:][:w])
	}
	band := func(r int) []float32 { return tmp[r*w : (r+1)*w] }
	p, m := e.p, e.m
	for i := 0; i < h; i++ {
		dst := plane[(s.y+i)*width+s.x:][:w]
		clear(dst)
		for k := ceilHalf(i - p); k <= floorHalf(i+p-1); k++ {
			c, src := e.g0[i-2*k+p-1], band(lo+foldLow(k, h))
			for x, v := range src {
				dst[x] += float32(c * v) // conversion: no FMA fusion, same bits on every CPU
			}
		}
		for k := ceilHalf(i - m); k <= floorHalf(i+m-1); k++ {
			j, sign := foldHigh(k, h)
			if sign == 0 {
				continue
			}
			c, src := e.g1[i-2*k+m-1], band(hi+j)
			for x, v := range src {
				dst[x] += float32(c * (sign * v))
			}
		}
	}
}

// shortestLine is the length of the shortest row or column any step of the tree filters.
func (t *tree) shortestLine() int {
	n := 1 << 30
	for _, s := range t.steps {
		n = min(n, s.w, s.h)
	}
	return n
}
