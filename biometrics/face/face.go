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
// pico's cascades find upright faces (about ±12°). When the upright pass
// finds no face, only a weak one, or a tilted eye line, Check searches
// copies of the image turned by ±15° and ±30° and maps what it finds back,
// so a tilted head is reported as "roll" with its angle rather than lost.
// That costs two or four more detection passes (run two at a time), for
// such images only.
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
	// confidentScore: an upright face scoring this much (real and drawn
	// frontal faces score 40-70, false hits on a rotated head 5-20) is
	// taken without searching rotated copies.
	confidentScore = 25.0
	// rotatedScore: a face found on a rotated copy must score this much to
	// replace the upright result (turned heads scored 40-50 in the tests;
	// false hits in the rotated copy of a face cut off at the edge 25).
	rotatedScore = 32.0
	// strongScore: a rotated face this good ends the search.
	strongScore = 40.0
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
	fd := find(det, plc, grey, w, h)
	var r Report
	if len(fd.faces) == 0 {
		r.add("no_face", "No face found. Face the camera with the whole face in the frame.",
			"Geen gezicht gevonden. Kijk recht in de camera met het hele gezicht in beeld.")
		return r, nil
	}
	f := fd.faces[0]
	half := f.Scale / 2
	r.Face = image.Rect(f.Col-half, f.Row-half, f.Col+half, f.Row+half).Intersect(image.Rect(0, 0, w, h)).Add(b.Min)
	for _, o := range fd.faces[1:] {
		if o.Scale*2 >= f.Scale {
			r.add("multiple_faces", "More than one face in the picture. Only the person being registered may be visible.",
				"Meer dan één gezicht in beeld. Alleen de persoon die geregistreerd wordt mag zichtbaar zijn.")
			break
		}
	}
	if !fd.eyesOK {
		r.add("no_eyes", "Eyes not found. Look into the camera with both eyes open; remove glasses that reflect.",
			"Ogen niet gevonden. Kijk in de camera met beide ogen open; zet een spiegelende bril af.")
	} else {
		r.LeftEye, r.RightEye = fd.left.Add(b.Min), fd.right.Add(b.Min)
		r.geometry(fd.left, fd.right, w, h)
	}
	r.quality(grey, w, h, r.Face.Sub(b.Min))
	r.OK = len(r.Problems) == 0
	return r, nil
}

func (r *Report) add(code, en, nl string) {
	r.Problems = append(r.Problems, Problem{Code: code, EN: en, NL: nl})
}

// found is what find located, in image coordinates. Faces found on a
// rotated copy are mapped back by their centre and keep their size.
type found struct {
	faces       []pigo.Detection
	left, right image.Point
	eyesOK      bool
	angle       float64 // degrees the copy was rotated by to find them
}

// rollRounds are the head rolls (degrees) tried when the upright search
// finds no face, a weak one or a tilted eye line: pico's cascades tolerate
// about ±12° and pupil localisation drifts beyond that, so a tilted head is
// searched on copies turned upright. The angles of one round run in
// parallel; the second round only runs when the first found no strong face.
var rollRounds = [][]float64{{15, -15}, {30, -30}}

// find runs face and pupil detection upright and, when that finds no face,
// only a weak one, or an eye line tilted past MaxRoll, also on rotated
// copies; the result with the best detection score wins. Upright, level
// portraits (the normal case) cost one pass, others three or five.
func find(det *pigo.Pigo, plc *pigo.PuplocCascade, grey []uint8, w, h int) found {
	best := findAt(det, plc, grey, w, h, 0)
	if len(best.faces) > 0 && best.faces[0].Q >= confidentScore && best.eyesOK &&
		math.Abs(rollOf(best.left, best.right)) <= MaxRoll {
		return best
	}
	for _, round := range rollRounds {
		got := make([]found, len(round))
		var wg sync.WaitGroup
		for i, a := range round {
			wg.Add(1)
			go func() {
				defer wg.Done()
				got[i] = findAt(det, plc, rotateGrey(grey, w, h, a), w, h, a)
			}()
		}
		wg.Wait()
		strong := false
		for _, c := range got { // in round order, so ties resolve the same way every time
			if len(c.faces) == 0 || c.faces[0].Q < rotatedScore {
				continue
			}
			strong = strong || (c.eyesOK && c.faces[0].Q >= strongScore)
			if len(best.faces) == 0 || (c.eyesOK && !best.eyesOK) || (c.eyesOK == best.eyesOK && c.faces[0].Q > best.faces[0].Q) {
				best = c
			}
		}
		if strong {
			break
		}
	}
	return best
}

// findAt detects on grey, which is the image rotated by angle degrees, and
// maps the results back to the image.
func findAt(det *pigo.Pigo, plc *pigo.PuplocCascade, grey []uint8, w, h int, angle float64) found {
	params := pigo.ImageParams{Pixels: grey, Rows: h, Cols: w, Dim: w}
	fd := found{faces: detect(det, params), angle: angle}
	if len(fd.faces) == 0 {
		return fd
	}
	fd.left, fd.right, fd.eyesOK = eyes(plc, params, fd.faces[0])
	if angle != 0 {
		fd.left, fd.right = unrotate(fd.left, w, h, angle), unrotate(fd.right, w, h, angle)
		for i := range fd.faces {
			p := unrotate(image.Pt(fd.faces[i].Col, fd.faces[i].Row), w, h, angle)
			fd.faces[i].Col, fd.faces[i].Row = p.X, p.Y
		}
	}
	return fd
}

// rollOf is the eye-line angle in degrees, positive when the right eye (on
// the image) is lower.
func rollOf(left, right image.Point) float64 {
	return math.Atan2(float64(right.Y-left.Y), float64(right.X-left.X)) * 180 / math.Pi
}

// rotateGrey returns a copy of grey (w×h) in which a head rolled by angle
// degrees stands upright: each output pixel samples the input at the point
// rotated by angle about the centre (bilinear, mid-grey outside).
func rotateGrey(grey []uint8, w, h int, angle float64) []uint8 {
	out := make([]uint8, w*h)
	sin, cos := math.Sincos(angle * math.Pi / 180)
	cx, cy := float64(w)/2, float64(h)/2
	for y := 0; y < h; y++ {
		for x := 0; x < w; x++ {
			dx, dy := float64(x)+0.5-cx, float64(y)+0.5-cy
			sx, sy := cos*dx-sin*dy+cx-0.5, sin*dx+cos*dy+cy-0.5
			x0, y0 := int(math.Floor(sx)), int(math.Floor(sy))
			if x0 < 0 || y0 < 0 || x0+1 >= w || y0+1 >= h {
				out[y*w+x] = 128
				continue
			}
			fx, fy := sx-float64(x0), sy-float64(y0)
			i := y0*w + x0
			top := float64(grey[i])*(1-fx) + float64(grey[i+1])*fx
			bot := float64(grey[i+w])*(1-fx) + float64(grey[i+w+1])*fx
			out[y*w+x] = uint8(top*(1-fy) + bot*fy + 0.5)
		}
	}
	return out
}

// unrotate maps a point of the copy made by rotateGrey back to the image.
func unrotate(p image.Point, w, h int, angle float64) image.Point {
	sin, cos := math.Sincos(angle * math.Pi / 180)
	cx, cy := float64(w)/2, float64(h)/2
	dx, dy := float64(p.X)+0.5-cx, float64(p.Y)+0.5-cy
	return image.Pt(int(math.Floor(cos*dx-sin*dy+cx)), int(math.Floor(sin*dx+cos*dy+cy)))
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
	r.Roll = rollOf(left, right)
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
