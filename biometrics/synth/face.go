package synth

import (
	"image"
	"math"
)

// Face returns a drawn frontal face on a plain background, w×h pixels, laid
// out to ICAO portrait proportions: head (chin to crown) about 75 % of the
// height, eyes about 42 % from the top, centred, eye line level, eye
// distance about head height / 3.6 (about 115-130 px at 480×600). Skin and
// hair tones and small offsets vary with the seed; the same seed and size
// give the same pixels. Sizes below 32×32 are raised to 32×32.
//
// It is shaded (soft eye sockets, brow, nose and mouth shadows) rather than
// outlined, because the pixel-intensity cascades used for face detection
// (pico/pigo) look for those light-dark patterns; the face package's tests
// check that pigo finds this face and both pupils.
func Face(seed int64, w, h int) *image.RGBA {
	w, h = max(w, 32), max(h, 32)
	r := newRNG(seed, 500)
	fw, fh := float64(w), float64(h)

	// Layout, in pixels. Head height 0.75h, width 0.72 of that.
	headH := fh * r.between(0.72, 0.77)
	headW := headH * r.between(0.68, 0.74)
	cx := fw/2 + r.between(-0.01, 0.01)*fw
	eyeY := fh * r.between(0.40, 0.44)
	top := eyeY - headH*0.45 // crown
	cy := top + headH/2      // head ellipse centre
	// Half the eye distance: head height ≈ 3.6 × eye distance in adults.
	eyeDX := headH * r.between(0.135, 0.142)
	eyeR := headW * 0.075

	skin := [3]float64{r.between(150, 225), 0, 0}
	skin[1] = skin[0] * r.between(0.72, 0.80)
	skin[2] = skin[0] * r.between(0.58, 0.68)
	hair := r.between(20, 70)
	bg := [3]float64{222, 226, 232}

	img := image.NewRGBA(image.Rect(0, 0, w, h))
	// Fields are built in float, blurred a little, then quantised.
	ch := [3][]float32{make([]float32, w*h), make([]float32, w*h), make([]float32, w*h)}
	set := func(i int, c [3]float64, a float64) {
		for k := 0; k < 3; k++ {
			ch[k][i] += float32((c[k] - float64(ch[k][i])) * a)
		}
	}
	// soft returns 1 inside an ellipse, falling to 0 across an edge of e px.
	soft := func(x, y, ex, ey, ax, ay, e float64) float64 {
		d := math.Sqrt(((x-ex)/ax)*((x-ex)/ax)+((y-ey)/ay)*((y-ey)/ay)) - 1
		d *= math.Min(ax, ay)
		return math.Max(0, math.Min(1, 0.5-d/e))
	}
	edge := math.Max(1, fw/200)
	for y := 0; y < h; y++ {
		for x := 0; x < w; x++ {
			i := y*w + x
			X, Y := float64(x)+0.5, float64(y)+0.5
			// background with a faint vertical gradient
			g := 1 - 0.05*Y/fh
			set(i, [3]float64{bg[0] * g, bg[1] * g, bg[2] * g}, 1)
			// shoulders and neck
			if a := soft(X, Y, cx, fh*1.12, headW*1.25, fh*0.28, edge); a > 0 {
				set(i, [3]float64{70, 80, 100}, a)
			}
			if a := soft(X, Y, cx, cy+headH*0.55, headW*0.26, headH*0.25, edge); a > 0 {
				set(i, [3]float64{skin[0] * 0.8, skin[1] * 0.8, skin[2] * 0.8}, a)
			}
			// hair behind the head
			if a := soft(X, Y, cx, cy-headH*0.08, headW*0.56, headH*0.50, edge); a > 0 {
				set(i, [3]float64{hair, hair * 0.85, hair * 0.7}, a)
			}
			// face, shaded darker toward its rim
			if a := soft(X, Y, cx, cy+headH*0.04, headW*0.5, headH*0.47, edge); a > 0 {
				rr := math.Hypot((X-cx)/(headW*0.5), (Y-cy)/(headH*0.5))
				s := 1.05 - 0.25*rr*rr
				set(i, [3]float64{skin[0] * s, skin[1] * s, skin[2] * s}, a)
			}
			// fringe
			if a := soft(X, Y, cx, top+headH*0.08, headW*0.5, headH*0.14, edge); a > 0 {
				set(i, [3]float64{hair, hair * 0.85, hair * 0.7}, a)
			}
			for _, side := range []float64{-1, 1} {
				ex := cx + side*eyeDX
				// eye socket shadow
				if a := soft(X, Y, ex, eyeY, eyeR*2.2, eyeR*1.5, eyeR*1.2); a > 0 {
					set(i, [3]float64{skin[0] * 0.62, skin[1] * 0.6, skin[2] * 0.6}, a*0.8)
				}
				// eyebrow
				if a := soft(X, Y, ex, eyeY-eyeR*2.0, eyeR*2.0, eyeR*0.45, edge*2); a > 0 {
					set(i, [3]float64{hair, hair * 0.85, hair * 0.7}, a)
				}
				// sclera, iris, pupil
				if a := soft(X, Y, ex, eyeY, eyeR*1.5, eyeR*0.75, edge); a > 0 {
					set(i, [3]float64{235, 232, 228}, a)
				}
				if a := soft(X, Y, ex, eyeY, eyeR*0.72, eyeR*0.72, edge); a > 0 {
					set(i, [3]float64{90, 70, 45}, a)
				}
				if a := soft(X, Y, ex, eyeY, eyeR*0.32, eyeR*0.32, edge); a > 0 {
					set(i, [3]float64{15, 12, 10}, a)
				}
				// nostril
				if a := soft(X, Y, cx+side*eyeR*0.7, eyeY+headH*0.2, eyeR*0.35, eyeR*0.22, edge); a > 0 {
					set(i, [3]float64{skin[0] * 0.4, skin[1] * 0.4, skin[2] * 0.4}, a)
				}
			}
			// nose: light ridge, shadow under its tip
			if a := soft(X, Y, cx, eyeY+headH*0.11, eyeR*0.45, headH*0.10, eyeR); a > 0 {
				set(i, [3]float64{skin[0] * 1.1, skin[1] * 1.1, skin[2] * 1.1}, a*0.6)
			}
			if a := soft(X, Y, cx, eyeY+headH*0.225, eyeR*1.2, eyeR*0.3, eyeR*0.5); a > 0 {
				set(i, [3]float64{skin[0] * 0.7, skin[1] * 0.7, skin[2] * 0.7}, a*0.6)
			}
			// mouth
			if a := soft(X, Y, cx, eyeY+headH*0.33, eyeDX*0.75, eyeR*0.35, edge*1.5); a > 0 {
				set(i, [3]float64{skin[0] * 0.55, skin[1] * 0.35, skin[2] * 0.35}, a)
			}
		}
	}
	for k := 0; k < 3; k++ {
		gaussianBlur(ch[k], w, h, math.Max(0.6, fw/600))
	}
	for i := 0; i < w*h; i++ {
		img.Pix[4*i] = clampByte(float64(ch[0][i]))
		img.Pix[4*i+1] = clampByte(float64(ch[1][i]))
		img.Pix[4*i+2] = clampByte(float64(ch[2][i]))
		img.Pix[4*i+3] = 255
	}
	return img
}
