package synth

import (
	"image"
	"image/draw"
	"math"
	"slices"
)

// Random streams for the defects, so each is independent of the others:
// adding noise does not move the smudges.
const (
	streamPartial = 1001 + iota
	streamSmudge
	streamNoise
)

// Degrade applies the capture defects in opt to a copy of img (any image,
// converted to 8-bit grey) and returns the copy; img is not changed. The
// defects are applied in the order a capture produces them: missing part,
// smudge, contrast loss, blur, then sensor noise. Each is deterministic by
// seed and independent of the others. opt.Class is ignored.
//
// The finger area for Partial and Smudge is estimated from local variance
// (16×16 blocks), so Degrade works on real prints as well as synthetic ones.
func Degrade(img image.Image, opt Options, seed int64) *image.Gray {
	g := cloneGray(img)
	opt = opt.clamped()
	if opt.Partial == 0 && opt.Smudge == 0 && opt.Contrast == 0 && opt.Blur == 0 && opt.Noise == 0 {
		return g
	}
	w, h := g.Rect.Dx(), g.Rect.Dy()
	if w == 0 || h == 0 {
		return g
	}
	px := make([]float32, w*h)
	for y := 0; y < h; y++ {
		for x := 0; x < w; x++ {
			px[y*w+x] = float32(g.Pix[y*g.Stride+x])
		}
	}
	fg := foreground(px, w, h)
	if opt.Partial > 0 {
		partial(px, w, h, fg, opt.Partial, newRNG(seed, streamPartial))
	}
	if opt.Smudge > 0 {
		smudge(px, w, h, fg, opt.Smudge, newRNG(seed, streamSmudge))
	}
	if opt.Contrast > 0 {
		var sum float64
		for _, v := range px {
			sum += float64(v)
		}
		mean := float32(sum / float64(len(px)))
		keep := float32(1 - opt.Contrast)
		for i, v := range px {
			px[i] = mean + (v-mean)*keep
		}
	}
	if opt.Blur > 0 {
		gaussianBlur(px, w, h, opt.Blur)
	}
	if opt.Noise > 0 {
		r := newRNG(seed, streamNoise)
		for i := range px {
			px[i] += float32(opt.Noise * r.norm())
		}
	}
	for y := 0; y < h; y++ {
		for x := 0; x < w; x++ {
			g.Pix[y*g.Stride+x] = clampByte(float64(px[y*w+x]))
		}
	}
	return g
}

// clamped returns opt with every defect in its documented range.
func (o Options) clamped() Options {
	c := func(v, hi float64) float64 {
		if !(v > 0) { // negative or NaN
			return 0
		}
		return math.Min(v, hi)
	}
	o.Blur = c(o.Blur, 50)
	o.Noise = c(o.Noise, 255)
	o.Contrast = c(o.Contrast, 1)
	o.Partial = c(o.Partial, 1)
	o.Smudge = c(o.Smudge, 1)
	return o
}

// cloneGray converts any image to a fresh *image.Gray anchored at (0, 0).
func cloneGray(img image.Image) *image.Gray {
	b := img.Bounds()
	g := image.NewGray(image.Rect(0, 0, b.Dx(), b.Dy()))
	draw.Draw(g, g.Rect, img, b.Min, draw.Src)
	return g
}

// fgBlock is the side of the blocks the foreground estimate works on.
const fgBlock = 16

// fgMask is a block-level foreground estimate with the background grey.
type fgMask struct {
	bw, bh int
	on     []bool
	count  int
	paper  float32 // typical background grey
}

func (m *fgMask) at(x, y int) bool { return m.on[(y/fgBlock)*m.bw+x/fgBlock] }

// foreground marks blocks whose grey-level standard deviation exceeds a
// quarter of the 90th percentile block deviation: ridges vary, paper does
// not. The paper grey is the mean of the other blocks (255 if none).
func foreground(px []float32, w, h int) *fgMask {
	bw, bh := (w+fgBlock-1)/fgBlock, (h+fgBlock-1)/fgBlock
	std := make([]float64, bw*bh)
	mean := make([]float64, bw*bh)
	for by := 0; by < bh; by++ {
		for bx := 0; bx < bw; bx++ {
			var s, s2, n float64
			for y := by * fgBlock; y < min(h, (by+1)*fgBlock); y++ {
				for x := bx * fgBlock; x < min(w, (bx+1)*fgBlock); x++ {
					v := float64(px[y*w+x])
					s += v
					s2 += v * v
					n++
				}
			}
			mean[by*bw+bx] = s / n
			std[by*bw+bx] = math.Sqrt(math.Max(0, s2/n-(s/n)*(s/n)))
		}
	}
	sorted := slices.Clone(std)
	slices.Sort(sorted)
	thr := math.Max(2, 0.25*sorted[len(sorted)*9/10])
	m := &fgMask{bw: bw, bh: bh, on: make([]bool, bw*bh), paper: 255}
	var paper, np float64
	for i, s := range std {
		if s > thr {
			m.on[i] = true
			m.count++
		} else {
			paper += mean[i]
			np++
		}
	}
	if np > 0 {
		m.paper = float32(paper / np)
	}
	return m
}

// partial replaces the part of the finger beyond a straight cut with paper.
// The cut's direction is random; its position is chosen so that fraction
// frac of the foreground blocks lie beyond it.
func partial(px []float32, w, h int, fg *fgMask, frac float64, r *rng) {
	if fg.count == 0 {
		return
	}
	phi := r.between(0, 2*math.Pi)
	ux, uy := math.Cos(phi), math.Sin(phi)
	var proj []float64
	for by := 0; by < fg.bh; by++ {
		for bx := 0; bx < fg.bw; bx++ {
			if fg.on[by*fg.bw+bx] {
				cx, cy := (float64(bx)+0.5)*fgBlock, (float64(by)+0.5)*fgBlock
				proj = append(proj, cx*ux+cy*uy)
			}
		}
	}
	slices.Sort(proj)
	k := int(math.Round((1 - frac) * float64(len(proj))))
	var cut float64
	switch {
	case k <= 0:
		cut = math.Inf(-1)
	case k >= len(proj):
		return
	default:
		cut = (proj[k-1] + proj[k]) / 2
	}
	const ramp = 3.0 // px of soft edge, as a finger lifting off the glass
	for y := 0; y < h; y++ {
		for x := 0; x < w; x++ {
			d := (float64(x)+0.5)*ux + (float64(y)+0.5)*uy - cut
			if d <= -ramp {
				continue
			}
			t := float32(math.Min(1, (d+ramp)/(2*ramp)))
			i := y*w + x
			px[i] += (fg.paper - px[i]) * t
		}
	}
}

// smudge covers fraction frac of the foreground with dark, smeared elliptic
// blobs: inside a blob the ridges are blurred away and the grey pulled down,
// as a wet finger or a greasy platen leaves them.
func smudge(px []float32, w, h int, fg *fgMask, frac float64, r *rng) {
	if fg.count == 0 {
		return
	}
	smeared := slices.Clone(px)
	gaussianBlur(smeared, w, h, 5)
	weight := make([]float32, w*h)
	var fgPix []int
	for y := 0; y < h; y++ {
		for x := 0; x < w; x++ {
			if fg.at(x, y) {
				fgPix = append(fgPix, y*w+x)
			}
		}
	}
	target := int(frac * float64(len(fgPix)))
	covered := 0
	scale := math.Sqrt(float64(len(fgPix))) / 400 // blob size follows finger size
	for tries := 0; covered < target && tries < 500; tries++ {
		c := fgPix[r.intn(len(fgPix))]
		cx, cy := float64(c%w), float64(c/w)
		ra := r.between(30, 70) * math.Max(scale, 0.25)
		rb := ra * r.between(0.5, 1)
		ang := r.between(0, math.Pi)
		ca, sa := math.Cos(ang), math.Sin(ang)
		x0, x1 := max(0, int(cx-ra)), min(w-1, int(cx+ra))
		y0, y1 := max(0, int(cy-ra)), min(h-1, int(cy+ra))
		for y := y0; y <= y1; y++ {
			for x := x0; x <= x1; x++ {
				dx, dy := float64(x)-cx, float64(y)-cy
				u, v := (dx*ca+dy*sa)/ra, (-dx*sa+dy*ca)/rb
				d := u*u + v*v
				if d >= 1 {
					continue
				}
				wt := float32(math.Min(1, 2*(1-d)))
				i := y*w + x
				if wt > weight[i] {
					if weight[i] < 0.5 && wt >= 0.5 && fg.at(x, y) {
						covered++
					}
					weight[i] = wt
				}
			}
		}
	}
	for i, wt := range weight {
		if wt > 0 {
			dark := 0.35*smeared[i] + 15
			px[i] += (dark - px[i]) * wt
		}
	}
}

// gaussianBlur blurs px (w×h) in place with a separable Gaussian of the
// given sigma, clamping at the borders.
func gaussianBlur(px []float32, w, h int, sigma float64) {
	rad := int(math.Ceil(3 * sigma))
	if rad < 1 {
		return
	}
	k := make([]float32, 2*rad+1)
	var sum float64
	for i := -rad; i <= rad; i++ {
		v := math.Exp(-float64(i*i) / (2 * sigma * sigma))
		k[i+rad] = float32(v)
		sum += v
	}
	for i := range k {
		k[i] /= float32(sum)
	}
	tmp := make([]float32, len(px))
	parallelRows(h, func(y0, y1 int) {
		for y := y0; y < y1; y++ {
			row := px[y*w : (y+1)*w]
			for x := 0; x < w; x++ {
				var s float32
				for j, kv := range k {
					xx := min(w-1, max(0, x+j-rad))
					s += kv * row[xx]
				}
				tmp[y*w+x] = s
			}
		}
	})
	parallelRows(h, func(y0, y1 int) {
		for y := y0; y < y1; y++ {
			for x := 0; x < w; x++ {
				var s float32
				for j, kv := range k {
					yy := min(h-1, max(0, y+j-rad))
					s += kv * tmp[yy*w+x]
				}
				px[y*w+x] = s
			}
		}
	})
}
