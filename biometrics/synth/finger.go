package synth

import (
	"image"
	"math"
)

// PPI is the resolution of every synthetic fingerprint (the Eurodac and FBI
// capture resolution, and the only one WSQ is defined for).
const PPI = 500

// Options selects the pattern class and the capture defects. The zero value
// is a clean print of a class chosen by the seed. Out-of-range values are
// clamped (negative and NaN count as 0), so any Options is usable.
type Options struct {
	// Class forces a pattern class; ClassAuto (or an unknown value) lets
	// the seed choose.
	Class Class
	// Blur is the standard deviation, in pixels, of a Gaussian blur
	// (an out-of-focus or moving finger). 0 = sharp.
	Blur float64
	// Noise is the standard deviation, in grey levels, of additive Gaussian
	// sensor noise. 0 = none.
	Noise float64
	// Contrast is the fraction of contrast lost, 0..1 (a dry finger or a
	// light touch): grey levels are pulled toward the mean by this fraction.
	Contrast float64
	// Partial is the fraction, 0..1, of the finger area missing (the finger
	// placed off the platen): that part is replaced by background.
	Partial float64
	// Smudge is the fraction, 0..1, of the finger area covered by dark
	// smeared blobs (a wet finger or a dirty platen).
	Smudge float64
}

// fingerSize is the canvas of a rolled print at 500 ppi by ANSI/NIST finger
// position: thumbs are wider, little fingers smaller.
func fingerSize(position int) (w, h int) {
	switch position {
	case 1, 6:
		return 440, 520
	case 5, 10:
		return 360, 460
	}
	return 400, 500
}

// Finger returns a synthetic print of the finger at ANSI/NIST position
// (1 right thumb … 5 right little, 6 left thumb … 10 left little) at 500 ppi,
// about 400×500 pixels, dark ridges on a light background. A position outside
// 1..10 is treated as "unknown finger" (position 0) and gets a generic
// finger. The same seed, position and options always give the same pixels.
func Finger(seed int64, position int, opt Options) *image.Gray {
	if position < 0 || position > 10 {
		position = 0
	}
	w, h := fingerSize(position)
	r := newRNG(seed, uint64(position)+1)
	m := newFingerModel(r, w, h, position, opt.Class)
	img := toGray(m.render(r), w, h)
	return Degrade(img, opt, seed)
}

// SlapKind names the three plain (flat) impressions of a 4-4-2 capture.
type SlapKind int

const (
	RightFour SlapKind = iota // right index, middle, ring, little
	LeftFour                  // left index, middle, ring, little
	Thumbs                    // right and left thumbs
)

// Positions returns the ANSI/NIST finger positions in a slap, in the order
// Slap returns their segments.
func (k SlapKind) Positions() []int {
	switch k {
	case LeftFour:
		return []int{7, 8, 9, 10}
	case Thumbs:
		return []int{1, 6}
	}
	return []int{2, 3, 4, 5}
}

func (k SlapKind) String() string {
	switch k {
	case RightFour:
		return "right four"
	case LeftFour:
		return "left four"
	case Thumbs:
		return "thumbs"
	}
	return "unknown slap"
}

// Slap returns a plain impression of several fingers on one 500 ppi canvas
// (1600×1500 for four fingers, 3.2×3.0 inches; 1600×1000 for the two
// thumbs) and one rectangle per finger, in the order of k.Positions(). The
// fingers sit side by side as a hand does on a platen: the middle finger
// highest, the little finger lowest. An unknown kind is treated as RightFour.
// Degradations in opt apply to the whole slap; the rectangles are those of
// the clean fingers (a Partial cut can leave one partly or wholly empty, a
// smudge can spill outside them).
func Slap(seed int64, k SlapKind, opt Options) (*image.Gray, []image.Rectangle) {
	if k != LeftFour && k != Thumbs {
		k = RightFour
	}
	pos := k.Positions()
	W, H := 1600, 1500
	if k == Thumbs {
		H = 1000
	}
	canvas := make([]float32, W*H)
	for i := range canvas {
		canvas[i] = renderPaper
	}
	r := newRNG(seed, 100+uint64(k))
	segs := make([]image.Rectangle, len(pos))
	for i, p := range pos {
		// Flat prints are narrower than rolled ones.
		w, h := 300, 420
		var lift float64 // upward shift from the baseline, px
		switch p {
		case 1, 6:
			w, h = 340, 440
		case 3, 8:
			lift = 170
		case 2, 7, 4, 9:
			lift = 110
		case 5, 10:
			w, h = 270, 360
			lift = -40
		}
		fr := newRNG(seed, uint64(p)+1)
		m := newFingerModel(fr, w, h, p, opt.Class)
		px := m.render(fr)
		// Slot i of len(pos) across the canvas; left hand is mirrored so
		// the little finger is on the left as seen through the platen.
		slot := i
		if k == LeftFour || k == Thumbs {
			slot = len(pos) - 1 - i
		}
		slotW := W / len(pos)
		x0 := slot*slotW + (slotW-w)/2 + int(r.between(-15, 15))
		y0 := H - h - 420 - int(lift) + int(r.between(-20, 20))
		if k == Thumbs {
			y0 = (H-h)/2 + int(r.between(-30, 30))
		}
		x0 = max(0, min(W-w, x0))
		y0 = max(0, min(H-h, y0))
		minX, minY, maxX, maxY := w, h, -1, -1
		for y := 0; y < h; y++ {
			for x := 0; x < w; x++ {
				v := px[y*w+x]
				if v < renderPaper-0.5 {
					minX, minY = min(minX, x), min(minY, y)
					maxX, maxY = max(maxX, x), max(maxY, y)
				}
				c := &canvas[(y0+y)*W+x0+x]
				*c = float32(math.Min(float64(*c), float64(v)))
			}
		}
		if maxX >= 0 {
			segs[i] = image.Rect(x0+minX, y0+minY, x0+maxX+1, y0+maxY+1)
		}
	}
	img := toGray(canvas, W, H)
	return Degrade(img, opt, seed), segs
}

// toGray rounds a float buffer into an *image.Gray.
func toGray(px []float32, w, h int) *image.Gray {
	img := image.NewGray(image.Rect(0, 0, w, h))
	for i, v := range px {
		img.Pix[i] = clampByte(float64(v))
	}
	return img
}

func clampByte(v float64) uint8 {
	switch {
	case v <= 0 || v != v:
		return 0
	case v >= 255:
		return 255
	}
	return uint8(v + 0.5)
}
