package synth

import (
	"math"
)

// Class is a fingerprint pattern class (Henry/Galton classes reduced to the
// ones the orientation model distinguishes).
type Class int

const (
	// ClassAuto lets the seed and finger position choose, with frequencies
	// close to population figures (about 5 % arches, 65 % loops, 30 % whorls).
	ClassAuto Class = iota
	Arch
	// LeftLoop opens to the left of the image (delta on the right).
	LeftLoop
	// RightLoop opens to the right of the image (delta on the left).
	RightLoop
	Whorl
)

func (c Class) String() string {
	switch c {
	case ClassAuto:
		return "auto"
	case Arch:
		return "arch"
	case LeftLoop:
		return "left loop"
	case RightLoop:
		return "right loop"
	case Whorl:
		return "whorl"
	}
	return "unknown"
}

// point is a singular point (core or delta) in image coordinates.
type point struct{ x, y float64 }

// fingerModel holds everything drawn from the seed for one finger: the
// silhouette, the pattern class with its singular points, the global
// rotation of the ridge flow and the ridge-period map.
type fingerModel struct {
	w, h  int
	class Class

	// silhouette: an ellipse cap (centre cx, capY, half axes a, b) over a
	// rectangle reaching down to bottom.
	cx, capY, a, b, bottom float64

	cores, deltas []point
	rot           float64 // radians added to the whole orientation field

	// arch hump: amplitude, horizontal spread, vertical centre and spread
	archAmp, archS, archY, archT float64

	// ridge period: periodCore near the centre, periodEdge far from it
	centre                 point
	periodCore, periodEdge float64

	// pressure: a smooth field in [pMin, 1] made of a few cosines
	press []wave
	pMin  float64
}

type wave struct{ fx, fy, phase, amp float64 }

// classFor picks a pattern class for a finger position. Thumbs and index
// fingers carry more whorls, index fingers more arches; loops lean ulnar
// (right hand: opening to the right of the image, left hand: to the left).
func classFor(r *rng, position int) Class {
	pArch, pWhorl := 0.05, 0.30
	switch position {
	case 1, 6:
		pArch, pWhorl = 0.02, 0.45
	case 2, 7:
		pArch, pWhorl = 0.12, 0.35
	}
	u := r.float()
	switch {
	case u < pArch:
		return Arch
	case u < pArch+pWhorl:
		return Whorl
	}
	ulnarRight := position >= 1 && position <= 5
	if position == 0 || position > 10 {
		ulnarRight = r.float() < 0.5
	}
	ulnar := r.float() < 0.9 // about 9 in 10 loops are ulnar
	if ulnar == ulnarRight {
		return RightLoop
	}
	return LeftLoop
}

// newFingerModel draws a finger of size w×h from r.
func newFingerModel(r *rng, w, h, position int, class Class) *fingerModel {
	fw, fh := float64(w), float64(h)
	m := &fingerModel{w: w, h: h}
	if class <= ClassAuto || class > Whorl { // unknown classes count as auto
		class = classFor(r, position)
	}
	m.class = class

	m.a = fw * r.between(0.40, 0.46)
	m.cx = fw/2 + r.between(-0.02, 0.02)*fw
	m.b = fh * r.between(0.30, 0.36)
	m.capY = fh*r.between(0.04, 0.08) + m.b
	m.bottom = fh * r.between(0.93, 0.97)

	m.rot = r.between(-0.12, 0.12)
	c := point{m.cx + r.between(-0.08, 0.08)*fw, fh * r.between(0.40, 0.50)}
	m.centre = c
	switch class {
	case Arch:
		m.archAmp = fh * r.between(0.12, 0.20)
		m.archS = m.a * r.between(0.40, 0.55)
		m.archY = c.y
		m.archT = fh * r.between(0.25, 0.35)
	case LeftLoop, RightLoop:
		side := -1.0 // RightLoop: delta on the left
		if class == LeftLoop {
			side = 1
		}
		m.cores = []point{c}
		m.deltas = []point{{c.x + side*m.a*r.between(0.45, 0.70), c.y + fh*r.between(0.22, 0.30)}}
	case Whorl:
		d := fh * r.between(0.02, 0.05)
		tilt := r.between(-0.4, 0.4) * d
		m.cores = []point{{c.x - tilt, c.y - d}, {c.x + tilt, c.y + d}}
		dy := fh * r.between(0.22, 0.28)
		m.deltas = []point{
			{c.x - m.a*r.between(0.55, 0.75), c.y + dy + r.between(-0.03, 0.03)*fh},
			{c.x + m.a*r.between(0.55, 0.75), c.y + dy + r.between(-0.03, 0.03)*fh},
		}
	}
	m.periodCore = r.between(7.6, 8.4)
	m.periodEdge = r.between(9.4, 10.4)

	m.pMin = r.between(0.70, 0.85)
	for i := 0; i < 3; i++ {
		m.press = append(m.press, wave{
			fx:    r.between(-1, 1) * 2 * math.Pi / fw,
			fy:    r.between(-1, 1) * 2 * math.Pi / fh,
			phase: r.between(0, 2*math.Pi),
			amp:   r.between(0.5, 1),
		})
	}
	return m
}

// alpha is the silhouette coverage at (x, y): 1 inside, 0 outside, a ramp of
// edge pixels across the border so the print fades out as real ones do.
func (m *fingerModel) alpha(x, y float64) float64 {
	const edge = 6.0
	var d float64
	dx := x - m.cx
	if y < m.capY {
		dy := y - m.capY
		rn := math.Sqrt((dx/m.a)*(dx/m.a) + (dy/m.b)*(dy/m.b))
		d = (1 - rn) * math.Min(m.a, m.b)
	} else {
		// The sides taper slightly toward the first crease.
		t := (y - m.capY) / (m.bottom - m.capY)
		half := m.a * (1 - 0.08*t*t)
		d = math.Min(half-math.Abs(dx), m.bottom-y)
	}
	switch {
	case d <= 0:
		return 0
	case d >= edge:
		return 1
	}
	return d / edge
}

// orientation returns the ridge direction at (x, y) in image coordinates
// (radians, modulo π, y pointing down).
func (m *fingerModel) orientation(x, y float64) float64 {
	var th float64
	if m.class == Arch {
		dx := x - m.cx
		hump := m.archAmp * math.Exp(-((y-m.archY)/m.archT)*((y-m.archY)/m.archT))
		slope := hump * 2 * dx / (m.archS * m.archS) * math.Exp(-(dx*dx)/(m.archS*m.archS))
		th = math.Atan(slope)
	} else {
		// Sherlock–Monro zero-pole model, evaluated with y up and mapped
		// back to image coordinates by the sign flip.
		var s float64
		for _, c := range m.cores {
			s += math.Atan2(-(y - c.y), x-c.x)
		}
		for _, d := range m.deltas {
			s -= math.Atan2(-(y - d.y), x-d.x)
		}
		th = -s / 2
	}
	return th + m.rot
}

// period returns the ridge period in pixels at (x, y).
func (m *fingerModel) period(x, y float64) float64 {
	d := math.Hypot(x-m.centre.x, y-m.centre.y) / (0.9 * m.a)
	if d > 1 {
		d = 1
	}
	return m.periodCore + (m.periodEdge-m.periodCore)*d
}

// pressure returns the ridge contrast factor at (x, y) in [pMin, 1].
func (m *fingerModel) pressure(x, y float64) float64 {
	var s, n float64
	for _, w := range m.press {
		s += w.amp * math.Cos(w.fx*x+w.fy*y+w.phase)
		n += w.amp
	}
	u := 0.5 + 0.5*s/n // in [0, 1]
	return m.pMin + (1-m.pMin)*u
}
