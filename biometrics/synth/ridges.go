package synth

import (
	"math"
	"runtime"
	"sync"
)

// Gabor bank for ridge growth. Orientation and period are quantised so the
// kernels can be built once: 24 directions (7.5° apart) and periods from
// 7 to 11 px in 0.5 px steps cover 500 ppi prints.
const (
	gaborRadius  = 6
	gaborSide    = 2*gaborRadius + 1
	nOrient      = 24
	periodMin    = 7.0
	periodStep   = 0.5
	nPeriod      = 9
	growIters    = 9
	growGain     = 3.0
	seedSpacing  = 22 // px between random seeds, on average
	renderRidge  = 40
	renderValley = 228
	renderPaper  = 246
)

// gaborKernel is a dense kernel with its taps limited to a disc: for each
// row, only columns lo..hi (inclusive) are non-zero.
type gaborKernel struct {
	w      [gaborSide * gaborSide]float32
	lo, hi [gaborSide]int8
}

var (
	bankOnce sync.Once
	bank     []gaborKernel // index: period*nOrient + orient; read-only after bankOnce
)

func gaborBank() []gaborKernel {
	bankOnce.Do(func() {
		bank = make([]gaborKernel, nOrient*nPeriod)
		for p := 0; p < nPeriod; p++ {
			T := periodMin + periodStep*float64(p)
			sigma := 0.45 * T
			for o := 0; o < nOrient; o++ {
				th := math.Pi * float64(o) / nOrient
				nx, ny := -math.Sin(th), math.Cos(th) // across the ridges
				k := &bank[p*nOrient+o]
				var norm float64
				var raw [gaborSide * gaborSide]float64
				for dy := -gaborRadius; dy <= gaborRadius; dy++ {
					half := int(math.Sqrt(float64(gaborRadius*gaborRadius-dy*dy)) + 0.5)
					k.lo[dy+gaborRadius] = int8(gaborRadius - half)
					k.hi[dy+gaborRadius] = int8(gaborRadius + half)
					for dx := -half; dx <= half; dx++ {
						u := float64(dx)*nx + float64(dy)*ny
						g := math.Exp(-float64(dx*dx+dy*dy) / (2 * sigma * sigma))
						c := math.Cos(2 * math.Pi * u / T)
						raw[(dy+gaborRadius)*gaborSide+dx+gaborRadius] = g * c
						norm += g * c * c
					}
				}
				// Unit response to a unit sinusoid of the tuned period.
				for i := range raw {
					k.w[i] = float32(raw[i] / norm)
				}
			}
		}
	})
	return bank
}

// kernelIndex quantises an orientation (radians, any range) and a period.
func kernelIndex(theta, period float64) uint16 {
	o := int(math.Floor(theta/math.Pi*nOrient+0.5)) % nOrient
	if o < 0 {
		o += nOrient
	}
	p := int(math.Floor((period-periodMin)/periodStep + 0.5))
	p = max(0, min(nPeriod-1, p))
	return uint16(p*nOrient + o)
}

// render draws the finger described by m into a new grey buffer (row-major,
// m.w×m.h, 0-255 as float32 before rounding), using r for the seeds.
func (m *fingerModel) render(r *rng) []float32 {
	w, h := m.w, m.h
	n := w * h
	alpha := make([]float32, n)
	kidx := make([]uint16, n)
	press := make([]float32, n)
	// The model is smooth; evaluate it on a 4 px grid and take the nearest
	// sample, which keeps the trigonometry off the per-pixel path.
	const step = 4
	gw, gh := (w+step-1)/step, (h+step-1)/step
	gk := make([]uint16, gw*gh)
	gp := make([]float32, gw*gh)
	for gy := 0; gy < gh; gy++ {
		for gx := 0; gx < gw; gx++ {
			x, y := float64(gx*step)+step/2, float64(gy*step)+step/2
			gk[gy*gw+gx] = kernelIndex(m.orientation(x, y), m.period(x, y))
			gp[gy*gw+gx] = float32(m.pressure(x, y))
		}
	}
	for y := 0; y < h; y++ {
		for x := 0; x < w; x++ {
			i := y*w + x
			alpha[i] = float32(m.alpha(float64(x)+0.5, float64(y)+0.5))
			g := (y/step)*gw + x/step
			kidx[i] = gk[g]
			press[i] = gp[g]
		}
	}

	cur := make([]float32, n)
	next := make([]float32, n)
	// Sparse seeds: one per seedSpacing² pixels of silhouette, each a
	// random sign. Fewer seeds give fewer minutiae where fronts meet.
	var area float64
	for _, a := range alpha {
		area += float64(a)
	}
	nSeeds := int(area / (seedSpacing * seedSpacing))
	for placed, tries := 0, 0; placed < nSeeds && tries < 20*nSeeds; tries++ {
		x, y := r.intn(w), r.intn(h)
		if alpha[y*w+x] < 1 {
			continue
		}
		if r.float() < 0.5 {
			cur[y*w+x] = 1
		} else {
			cur[y*w+x] = -1
		}
		placed++
	}
	// A faint noise floor lets growth start where no seed landed (otherwise
	// such patches stay grey); the seeds still dominate because they
	// saturate first.
	for i, a := range alpha {
		if a > 0 && cur[i] == 0 {
			cur[i] = float32(r.between(-0.03, 0.03))
		}
	}

	bank := gaborBank()
	for it := 0; it < growIters; it++ {
		parallelRows(h, func(y0, y1 int) {
			for y := y0; y < y1; y++ {
				for x := 0; x < w; x++ {
					i := y*w + x
					if alpha[i] == 0 || y < gaborRadius || y >= h-gaborRadius || x < gaborRadius || x >= w-gaborRadius {
						next[i] = 0
						continue
					}
					k := &bank[kidx[i]]
					var s float32
					base := (y-gaborRadius)*w + x - gaborRadius
					for ky := 0; ky < gaborSide; ky++ {
						lo, hi := int(k.lo[ky]), int(k.hi[ky])
						row := cur[base+ky*w+lo : base+ky*w+hi+1]
						kr := k.w[ky*gaborSide+lo : ky*gaborSide+hi+1]
						kr = kr[:len(row)] // lets the compiler drop bounds checks
						j := 0
						for ; j+4 <= len(row); j += 4 {
							s += kr[j]*row[j] + kr[j+1]*row[j+1] + kr[j+2]*row[j+2] + kr[j+3]*row[j+3]
						}
						for ; j < len(row); j++ {
							s += kr[j] * row[j]
						}
					}
					s *= growGain
					if s > 1 {
						s = 1
					} else if s < -1 {
						s = -1
					}
					next[i] = s
				}
			}
		})
		cur, next = next, cur
	}

	// Render: ridge (+1) dark, valley (−1) light, scaled by pressure, faded
	// to paper outside the silhouette. A 3×3 smoothing takes the hard edges
	// off the saturated square wave, as a real sensor's optics would.
	out := next
	for y := 0; y < h; y++ {
		for x := 0; x < w; x++ {
			i := y*w + x
			var s, c float32
			for dy := -1; dy <= 1; dy++ {
				yy := y + dy
				if yy < 0 || yy >= h {
					continue
				}
				for dx := -1; dx <= 1; dx++ {
					xx := x + dx
					if xx < 0 || xx >= w {
						continue
					}
					s += cur[yy*w+xx]
					c++
				}
			}
			v := s / c
			ink := press[i] * (v + 1) / 2
			g := renderValley - (renderValley-renderRidge)*ink
			out[i] = renderPaper + (g-renderPaper)*alpha[i]
		}
	}
	return out
}

// parallelRows runs f over [0, h) split into bands, one per CPU (at most
// four). Each row is written by one goroutine only, so results do not depend
// on scheduling.
func parallelRows(h int, f func(y0, y1 int)) {
	workers := min(runtime.GOMAXPROCS(0), 4)
	if workers <= 1 || h < 64 {
		f(0, h)
		return
	}
	var wg sync.WaitGroup
	band := (h + workers - 1) / workers
	for y0 := 0; y0 < h; y0 += band {
		y1 := min(y0+band, h)
		wg.Add(1)
		go func() {
			defer wg.Done()
			f(y0, y1)
		}()
	}
	wg.Wait()
}
