// Package face finds a face and its pupils in a portrait and checks it
// against ICAO 9303 / ISO/IEC 19794-5 style rules, so the capture screen can
// ask for a retake while the person is still in front of the camera.
//
// Detection uses the pico cascades through github.com/esimov/pigo (pure
// Go; the cascades are embedded, see cascade/README.md). The checks:
//
//   - eye_distance: at least 90 px between the pupil centres (ISO/IEC
//     19794-5 full frontal image; ICAO's resolution floor for matchers).
//   - roll: the eye line within 8° of horizontal.
//   - centring: the eye midpoint between 45 % and 55 % of the image width.
//   - eye_height: the eye line between 30 % and 50 % of the height from
//     the top (50-70 % from the bottom, ICAO).
//   - head_size: chin to crown 70-80 % of the image height (ICAO portrait
//     guideline). The crown is not detected: head height is estimated as
//     3.6 × the eye distance (adult vertex–menton ≈ 230 mm over an
//     interpupillary distance ≈ 63 mm), so this check is approximate.
//   - sharpness: variance of the Laplacian over the face, measured after
//     resampling the face box to 128×128 (so it judges detail relative to
//     the face, not the image size) and divided by the face's grey variance
//     (so exposure does not count twice).
//   - exposure: mean face luminance between 70 and 200, and at most 10 % of
//     face pixels clipped (≤ 5 or ≥ 250).
//   - multiple_faces: a second face at least half the size of the first.
//
// Check reports every failed rule, never only the first, each with a code
// and an English and a Dutch message for the officer.
//
// Not checked (the cascades cannot judge them reliably): yaw and pitch,
// eyes open, mouth closed, glasses, background uniformity, expression.
// This is a screening aid, not an ICAO conformance test.
//
// Pupil localisation in pigo perturbs its start point with math/rand, so the
// pupil positions can differ by a pixel or so between runs on the same image.
package face

import (
	_ "embed"
	"errors"
	"fmt"
	"image"
	"math"
	"sync"

	pigo "github.com/esimov/pigo/core"
	"golang.org/x/image/draw"
)

// Rule limits (see the package comment for their sources).
const (
	MinEyeDistance = 90.0 // px
	MaxRoll        = 8.0  // degrees
	CentreMin      = 0.45 // eye midpoint, fraction of width
	CentreMax      = 0.55
	EyeHeightMin   = 0.30 // eye line, fraction of height from the top
	EyeHeightMax   = 0.50
	HeadMin        = 0.70 // chin to crown, fraction of height
	HeadMax        = 0.80
	HeadPerEye     = 3.6 // estimated head height / eye distance
	MinSharpness   = 0.05
	ExposureMin    = 70.0
	ExposureMax    = 200.0
	MaxClipped     = 0.10

	// MinSize is the smallest width and height Check accepts.
	MinSize = 64
	// minScore is pigo's detection score below which a window is not a face
	// (the value pigo's own examples use).
	minScore = 5.0
)

// ErrTooSmall: the image is smaller than MinSize on a side.
var ErrTooSmall = errors.New("portrait too small to check")

//go:embed cascade/facefinder
var facefinder []byte

//go:embed cascade/puploc
var puploc []byte

var (
	loadOnce sync.Once
	detector *pigo.Pigo
	pupils   *pigo.PuplocCascade
	loadErr  error
)

// cascades unpacks the embedded cascades once; the unpacked cascades are
// read-only and safe for concurrent use.
func cascades() (*pigo.Pigo, *pigo.PuplocCascade, error) {
	loadOnce.Do(func() {
		detector, loadErr = pigo.NewPigo().Unpack(facefinder)
		if loadErr != nil {
			loadErr = fmt.Errorf("unpack face cascade: %w", loadErr)
			return
		}
		pupils, loadErr = pigo.NewPuplocCascade().UnpackCascade(puploc)
		if loadErr != nil {
			loadErr = fmt.Errorf("unpack pupil cascade: %w", loadErr)
		}
	})
	return detector, pupils, loadErr
}

// Problem is one failed check.
type Problem struct {
	Code string // stable identifier, e.g. "eye_distance"
	EN   string // message for the officer, English
	NL   string // the same in Dutch
}

// Report is the outcome of Check. Coordinates are in the image's own
// coordinate space. LeftEye is the pupil on the image's left (the person's
// right eye).
type Report struct {
	Face              image.Rectangle
	LeftEye, RightEye image.Point
	EyeDistance       float64 // px
	Roll              float64 // degrees, positive when the right eye (image) is lower
	Sharpness         float64 // normalised variance of the Laplacian
	Brightness        float64 // mean face luminance, 0..255
	Clipped           float64 // fraction of face pixels ≤ 5 or ≥ 250
	Problems          []Problem
	OK                bool // no problems
}

// Check finds the face in img and runs every check. A missing face is a
// Problem ("no_face"), not an error; errors are for inputs that cannot be
// checked at all (nil, smaller than MinSize).
func Check(img image.Image) (Report, error) {
	if img == nil {
		return Report{}, errors.New("check portrait: no image")
	}
	b := img.Bounds()
	w, h := b.Dx(), b.Dy()
	if w < MinSize || h < MinSize {
		return Report{}, fmt.Errorf("check portrait of %dx%d px (want at least %dx%d): %w", w, h, MinSize, MinSize, ErrTooSmall)
	}
	det, plc, err := cascades()
	if err != nil {
		return Report{}, err
	}
	grey := luma(img)
	params := pigo.ImageParams{Pixels: grey, Rows: h, Cols: w, Dim: w}

	faces := detect(det, params)
	var r Report
	if len(faces) == 0 {
		r.add("no_face", "No face found. Face the camera with the whole face in the frame.",
			"Geen gezicht gevonden. Kijk recht in de camera met het hele gezicht in beeld.")
		return r, nil
	}
	f := faces[0]
	half := f.Scale / 2
	r.Face = image.Rect(f.Col-half, f.Row-half, f.Col+half, f.Row+half).Intersect(image.Rect(0, 0, w, h)).Add(b.Min)
	for _, o := range faces[1:] {
		if o.Scale*2 >= f.Scale {
			r.add("multiple_faces", "More than one face in the picture. Only the person being registered may be visible.",
				"Meer dan één gezicht in beeld. Alleen de persoon die geregistreerd wordt mag zichtbaar zijn.")
			break
		}
	}

	left, right, ok := eyes(plc, params, f)
	if !ok {
		r.add("no_eyes", "Eyes not found. Look into the camera with both eyes open; remove glasses that reflect.",
			"Ogen niet gevonden. Kijk in de camera met beide ogen open; zet een spiegelende bril af.")
	} else {
		r.LeftEye, r.RightEye = left.Add(b.Min), right.Add(b.Min)
		r.geometry(left, right, w, h)
	}
	r.quality(grey, w, h, r.Face.Sub(b.Min))
	r.OK = len(r.Problems) == 0
	return r, nil
}

func (r *Report) add(code, en, nl string) {
	r.Problems = append(r.Problems, Problem{Code: code, EN: en, NL: nl})
}

// detect returns the faces in params, best first.
func detect(det *pigo.Pigo, params pigo.ImageParams) []pigo.Detection {
	short := min(params.Rows, params.Cols)
	cp := pigo.CascadeParams{
		MinSize:     max(24, short/8),
		MaxSize:     short,
		ShiftFactor: 0.1,
		ScaleFactor: 1.1,
		ImageParams: params,
	}
	all := det.ClusterDetections(det.RunCascade(cp, 0), 0.2)
	var faces []pigo.Detection
	for _, d := range all {
		if d.Q >= minScore {
			faces = append(faces, d)
		}
	}
	// best (highest score) first; few entries, insertion sort keeps ties stable
	for i := 1; i < len(faces); i++ {
		for j := i; j > 0 && faces[j].Q > faces[j-1].Q; j-- {
			faces[j], faces[j-1] = faces[j-1], faces[j]
		}
	}
	return faces
}

// eyes locates both pupils inside face f, starting from pico's usual eye
// positions (pigo's own command uses the same offsets).
func eyes(plc *pigo.PuplocCascade, params pigo.ImageParams, f pigo.Detection) (left, right image.Point, ok bool) {
	s := float32(f.Scale)
	find := func(colOffset float32) (image.Point, bool) {
		p := plc.RunDetector(pigo.Puploc{
			Row:      f.Row - int(0.075*s),
			Col:      f.Col + int(colOffset*s),
			Scale:    s * 0.25,
			Perturbs: 63,
		}, params, 0, false)
		pt := image.Pt(p.Col, p.Row)
		box := image.Rect(f.Col-f.Scale/2, f.Row-f.Scale/2, f.Col+f.Scale/2, f.Row+f.Scale/2)
		return pt, p.Row > 0 && p.Col > 0 && pt.In(box)
	}
	left, okL := find(-0.175)
	right, okR := find(0.185)
	return left, right, okL && okR && right.X > left.X
}

// geometry runs the eye-based checks.
func (r *Report) geometry(left, right image.Point, w, h int) {
	dx, dy := float64(right.X-left.X), float64(right.Y-left.Y)
	r.EyeDistance = math.Hypot(dx, dy)
	r.Roll = math.Atan2(dy, dx) * 180 / math.Pi
	if r.EyeDistance < MinEyeDistance {
		r.add("eye_distance",
			fmt.Sprintf("Eyes are %.0f px apart; at least %.0f px are needed. Move the camera closer or use a higher resolution.", r.EyeDistance, MinEyeDistance),
			fmt.Sprintf("De ogen staan %.0f px uit elkaar; minstens %.0f px is nodig. Zet de camera dichterbij of gebruik een hogere resolutie.", r.EyeDistance, MinEyeDistance))
	}
	if math.Abs(r.Roll) > MaxRoll {
		r.add("roll",
			fmt.Sprintf("Head tilted %.0f° sideways; keep it level (at most %.0f°).", math.Abs(r.Roll), MaxRoll),
			fmt.Sprintf("Hoofd %.0f° opzij gekanteld; houd het recht (hoogstens %.0f°).", math.Abs(r.Roll), MaxRoll))
	}
	mx := (float64(left.X+right.X) / 2) / float64(w)
	if mx < CentreMin || mx > CentreMax {
		r.add("centring",
			fmt.Sprintf("Face not centred: the eyes are at %.0f %% of the width (%.0f-%.0f %% required).", 100*mx, 100*CentreMin, 100*CentreMax),
			fmt.Sprintf("Gezicht niet in het midden: de ogen staan op %.0f %% van de breedte (%.0f-%.0f %% vereist).", 100*mx, 100*CentreMin, 100*CentreMax))
	}
	my := (float64(left.Y+right.Y) / 2) / float64(h)
	if my < EyeHeightMin || my > EyeHeightMax {
		r.add("eye_height",
			fmt.Sprintf("Eyes at %.0f %% of the height from the top (%.0f-%.0f %% required). Move the camera up or down.", 100*my, 100*EyeHeightMin, 100*EyeHeightMax),
			fmt.Sprintf("De ogen staan op %.0f %% van de hoogte vanaf boven (%.0f-%.0f %% vereist). Zet de camera hoger of lager.", 100*my, 100*EyeHeightMin, 100*EyeHeightMax))
	}
	head := HeadPerEye * r.EyeDistance / float64(h)
	if head < HeadMin || head > HeadMax {
		r.add("head_size",
			fmt.Sprintf("Head is about %.0f %% of the picture height (%.0f-%.0f %% required). Zoom or move closer or further away.", 100*head, 100*HeadMin, 100*HeadMax),
			fmt.Sprintf("Het hoofd is ongeveer %.0f %% van de beeldhoogte (%.0f-%.0f %% vereist). Zoom in of uit, of kom dichterbij of verder weg.", 100*head, 100*HeadMin, 100*HeadMax))
	}
}

// quality measures sharpness and exposure over the face box (in grey's
// coordinates).
func (r *Report) quality(grey []uint8, w, h int, box image.Rectangle) {
	if box.Empty() {
		return
	}
	src := &image.Gray{Pix: grey, Stride: w, Rect: image.Rect(0, 0, w, h)}
	const n = 128
	face := image.NewGray(image.Rect(0, 0, n, n))
	draw.ApproxBiLinear.Scale(face, face.Rect, src, box, draw.Src, nil)

	var sum, sum2, clipped float64
	for _, v := range face.Pix {
		f := float64(v)
		sum += f
		sum2 += f * f
		if v <= 5 || v >= 250 {
			clipped++
		}
	}
	total := float64(len(face.Pix))
	mean := sum / total
	variance := sum2/total - mean*mean
	var lsum, lsum2 float64
	for y := 1; y < n-1; y++ {
		for x := 1; x < n-1; x++ {
			i := y*n + x
			l := 4*float64(face.Pix[i]) - float64(face.Pix[i-1]) - float64(face.Pix[i+1]) - float64(face.Pix[i-n]) - float64(face.Pix[i+n])
			lsum += l
			lsum2 += l * l
		}
	}
	ln := float64((n - 2) * (n - 2))
	lvar := lsum2/ln - (lsum/ln)*(lsum/ln)
	if variance > 1 {
		r.Sharpness = lvar / variance
	}
	r.Brightness = mean
	r.Clipped = clipped / total

	if r.Sharpness < MinSharpness {
		r.add("sharpness", "The face is blurred. Hold still, focus the camera and take the picture again.",
			"Het gezicht is onscherp. Stilhouden, scherpstellen en de foto opnieuw maken.")
	}
	if r.Brightness < ExposureMin {
		r.add("exposure", fmt.Sprintf("The face is too dark (mean %.0f). Add light on the face.", r.Brightness),
			fmt.Sprintf("Het gezicht is te donker (gemiddeld %.0f). Zorg voor meer licht op het gezicht.", r.Brightness))
	} else if r.Brightness > ExposureMax {
		r.add("exposure", fmt.Sprintf("The face is too bright (mean %.0f). Reduce the light or the exposure.", r.Brightness),
			fmt.Sprintf("Het gezicht is te licht (gemiddeld %.0f). Minder licht of een kortere belichting.", r.Brightness))
	}
	if r.Clipped > MaxClipped {
		r.add("clipping", fmt.Sprintf("%.0f %% of the face is pure black or white. Even out the lighting.", 100*r.Clipped),
			fmt.Sprintf("%.0f %% van het gezicht is puur zwart of wit. Zorg voor gelijkmatiger licht.", 100*r.Clipped))
	}
}

// luma converts img to 8-bit BT.601 luminance, with fast paths for the
// types cameras and decoders produce.
func luma(img image.Image) []uint8 {
	b := img.Bounds()
	w, h := b.Dx(), b.Dy()
	out := make([]uint8, w*h)
	switch m := img.(type) {
	case *image.Gray:
		for y := 0; y < h; y++ {
			copy(out[y*w:(y+1)*w], m.Pix[m.PixOffset(b.Min.X, b.Min.Y+y):])
		}
		return out
	case *image.RGBA:
		lumaRGBA(out, w, h, func(y int) []uint8 { return m.Pix[m.PixOffset(b.Min.X, b.Min.Y+y):] }, false)
		return out
	case *image.NRGBA:
		lumaRGBA(out, w, h, func(y int) []uint8 { return m.Pix[m.PixOffset(b.Min.X, b.Min.Y+y):] }, true)
		return out
	case *image.YCbCr:
		for y := 0; y < h; y++ {
			for x := 0; x < w; x++ {
				out[y*w+x] = m.Y[m.YOffset(b.Min.X+x, b.Min.Y+y)]
			}
		}
		return out
	}
	for y := 0; y < h; y++ {
		for x := 0; x < w; x++ {
			r, g, bb, _ := img.At(b.Min.X+x, b.Min.Y+y).RGBA()
			out[y*w+x] = uint8((19595*r + 38470*g + 7471*bb + 1<<15) >> 24)
		}
	}
	return out
}

// lumaRGBA converts 4-byte RGBA rows; straight (non-premultiplied) alpha is
// composited on black, as color.NRGBA.RGBA does.
func lumaRGBA(out []uint8, w, h int, row func(y int) []uint8, straight bool) {
	for y := 0; y < h; y++ {
		r := row(y)
		for x := 0; x < w; x++ {
			p := r[4*x : 4*x+4]
			l := (19595*uint32(p[0]) + 38470*uint32(p[1]) + 7471*uint32(p[2]) + 1<<15) >> 16
			if straight {
				l = l * uint32(p[3]) / 255
			}
			out[y*w+x] = uint8(l)
		}
	}
}
