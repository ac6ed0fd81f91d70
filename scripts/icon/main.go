// Command icon draws the application icon (assets/icon.png): a fingerprint's ridges on a
// deep-blue rounded square. It is drawn by code rather than taken from elsewhere so its
// provenance is this file; run `go run ./scripts/icon assets/icon.png` after changing it.
package main

import (
	"fmt"
	"image"
	"image/color"
	"image/png"
	"math"
	"os"
)

const size = 512

func main() {
	if len(os.Args) != 2 {
		fmt.Fprintln(os.Stderr, "usage: go run ./scripts/icon OUT.png")
		os.Exit(2)
	}
	img := image.NewNRGBA(image.Rect(0, 0, size, size))
	bg := color.NRGBA{0x0b, 0x3d, 0x91, 0xff}
	ridge := color.NRGBA{0xff, 0xff, 0xff, 0xff}
	accent := color.NRGBA{0xff, 0xcc, 0x00, 0xff}
	const ss = 4 // supersampling per axis, for smooth edges
	for y := 0; y < size; y++ {
		for x := 0; x < size; x++ {
			var r, g, b, a float64
			for sy := 0; sy < ss; sy++ {
				for sx := 0; sx < ss; sx++ {
					px := float64(x) + (float64(sx)+0.5)/ss
					py := float64(y) + (float64(sy)+0.5)/ss
					c, ok := shade(px, py, bg, ridge, accent)
					if !ok {
						continue
					}
					r += float64(c.R)
					g += float64(c.G)
					b += float64(c.B)
					a++
				}
			}
			if a == 0 {
				continue
			}
			n := float64(ss * ss)
			img.SetNRGBA(x, y, color.NRGBA{uint8(r / a), uint8(g / a), uint8(b / a), uint8(255 * a / n)})
		}
	}
	f, err := os.Create(os.Args[1])
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	if err := png.Encode(f, img); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	if err := f.Close(); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
}

// shade is the colour at (x, y), or false outside the rounded square.
func shade(x, y float64, bg, ridge, accent color.NRGBA) (color.NRGBA, bool) {
	const margin, radius = 24.0, 96.0
	lo, hi := margin, size-margin
	cx := math.Max(lo+radius, math.Min(x, hi-radius))
	cy := math.Max(lo+radius, math.Min(y, hi-radius))
	if x < lo || x > hi || y < lo || y > hi || math.Hypot(x-cx, y-cy) > radius {
		return color.NRGBA{}, false
	}
	// ridges: concentric arcs around a core below the centre, open at the bottom like a
	// fingertip's loop, each broken once so they read as ridges rather than a target
	ox, oy := size/2.0, size*0.56
	dx, dy := x-ox, (y-oy)*0.85
	d := math.Hypot(dx, dy)
	ang := math.Atan2(dy, dx) // 0 = right, π/2 = down
	if d < 170 && d > 18 {
		ring := math.Mod(d, 30)
		n := int(d / 30)
		gap := ang > 1.0 && ang < 2.15 // the open bottom of the loop
		brk := math.Abs(ang-(-2.6+0.9*float64(n%5))) < 0.16
		if ring > 8 && ring < 20 && !gap && !brk {
			return ridge, true
		}
	}
	// a yellow bar under the print: the check done
	if y > 400 && y < 424 && x > 176 && x < 336 {
		return accent, true
	}
	return bg, true
}
