package sim

import (
	"image"
	"image/color"
	"image/draw"

	"golang.org/x/image/font"
	"golang.org/x/image/font/basicfont"
	"golang.org/x/image/math/fixed"

	"github.com/fieldscreen/fieldscreen/biometrics/synth"
)

// PageWidth and PageHeight are the size of the simulated reader's data-page image: an
// ID-3 page (125 × 88 mm) at about 300 dpi, as full-page readers deliver it.
const (
	PageWidth  = 1476
	PageHeight = 1039
)

// Page draws the colour image of a synthetic passport data page: a tinted background with
// a fine pattern, the synthetic person's portrait (biometrics/synth, seed), a few printed
// lines and the MRZ lines in the machine-readable zone. It stands for the white-light image
// a full-page document reader delivers with its reading; it shows only synthetic data.
func Page(seed int64, mrz []string) *image.RGBA {
	img := image.NewRGBA(image.Rect(0, 0, PageWidth, PageHeight))
	for y := range PageHeight {
		for x := range PageWidth {
			// a pale guilloche-like tint: colour, never grey, like a real data page
			v := uint8((x*3 + y*5 + (x*y)/97) % 24)
			img.SetRGBA(x, y, color.RGBA{R: 214 + v, G: 226 + v/2, B: 236, A: 255})
		}
	}
	face := synth.Face(seed, 360, 460)
	draw.Draw(img, image.Rect(60, 170, 420, 630), face, image.Point{}, draw.Src)
	ink := image.NewUniform(color.RGBA{R: 20, G: 30, B: 90, A: 255})
	write := func(x, y int, s string) {
		d := font.Drawer{Dst: img, Src: ink, Face: basicfont.Face7x13, Dot: fixed.P(x, y)}
		d.DrawString(s)
	}
	write(60, 90, "PASSPORT / PASSEPORT   SPECIMEN - SYNTHETIC TEST DOCUMENT")
	write(480, 200, "Surname / Nom")
	write(480, 260, "Given names / Prenoms")
	write(480, 320, "Nationality / Nationalite")
	write(480, 380, "Date of birth / Date de naissance")
	// the machine-readable zone: a white band with the MRZ lines
	mrzTop := PageHeight - 240
	draw.Draw(img, image.Rect(0, mrzTop, PageWidth, PageHeight), image.NewUniform(color.RGBA{245, 245, 240, 255}), image.Point{}, draw.Src)
	for i, line := range mrz {
		write(60, mrzTop+80+i*70, line)
	}
	return img
}
