package synth

import (
	"image"
	"testing"
)

// The face package's tests check that pigo finds this face and its pupils
// and that it passes the ICAO-style checks; here: determinism and layout.
func TestFace(t *testing.T) {
	a, b := Face(3, 480, 600), Face(3, 480, 600)
	if string(a.Pix) != string(b.Pix) {
		t.Fatal("same seed, different faces")
	}
	if c := Face(4, 480, 600); string(c.Pix) == string(a.Pix) {
		t.Fatal("different seeds, same face")
	}
	if a.Rect != image.Rect(0, 0, 480, 600) {
		t.Fatalf("bounds %v", a.Rect)
	}
	if s := Face(1, 5, -3); s.Rect != image.Rect(0, 0, 32, 32) {
		t.Fatalf("tiny request: bounds %v, want 32x32", s.Rect)
	}
	lum := func(x, y int) int {
		c := a.RGBAAt(x, y)
		return (299*int(c.R) + 587*int(c.G) + 114*int(c.B)) / 1000
	}
	// Pupils are dark, the corners are light background, the cheek is skin.
	// Pupils sit at eye height 0.40-0.44 h and cx ± ~0.11 w.
	darkest := func(x0, x1, y0, y1 int) int {
		m := 255
		for y := y0; y < y1; y++ {
			for x := x0; x < x1; x++ {
				m = min(m, lum(x, y))
			}
		}
		return m
	}
	if d := darkest(140, 200, 230, 275); d > 40 {
		t.Errorf("no dark pupil on the left: darkest %d", d)
	}
	if d := darkest(280, 340, 230, 275); d > 40 {
		t.Errorf("no dark pupil on the right: darkest %d", d)
	}
	if l := lum(5, 5); l < 200 {
		t.Errorf("corner luminance %d, want a light background", l)
	}
}
