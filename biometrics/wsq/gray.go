package wsq

import (
	"image"
	"image/draw"
)

// toGray converts any image to 8-bit grey (ITU-R 601 luma, as image/color does), copying
// only when it is not already an *image.Gray at the origin.
func toGray(img image.Image) *image.Gray {
	if g, ok := img.(*image.Gray); ok && g.Rect.Min == (image.Point{}) && g.Stride == g.Rect.Dx() {
		return g
	}
	b := img.Bounds()
	g := image.NewGray(image.Rect(0, 0, b.Dx(), b.Dy()))
	draw.Draw(g, g.Rect, img, b.Min, draw.Src)
	return g
}
