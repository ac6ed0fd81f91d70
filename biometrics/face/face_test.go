package face

import (
	"errors"
	"fmt"
	"image"
	"image/color"
	"image/draw"
	"image/png"
	"math"
	"os"
	"slices"
	"testing"

	"github.com/fieldscreen/fieldscreen/biometrics/synth"
	xdraw "golang.org/x/image/draw"
	"golang.org/x/image/math/f64"
)

func loadAstronaut(t testing.TB) image.Image {
	t.Helper()
	f, err := os.Open("testdata/astronaut.png")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	img, err := png.Decode(f)
	if err != nil {
		t.Fatalf("decode astronaut.png: %v", err)
	}
	return img
}

// astronautCrop is the astronaut's head and shoulders (170×220 around the
// face) scaled ×2.5 to 425×550: a portrait with ICAO proportions.
var cropRect = image.Rect(140, 20, 310, 240)

func upscale(src image.Image, r image.Rectangle, k float64) *image.RGBA {
	dst := image.NewRGBA(image.Rect(0, 0, int(float64(r.Dx())*k), int(float64(r.Dy())*k)))
	xdraw.CatmullRom.Scale(dst, dst.Rect, src, r, xdraw.Src, nil)
	return dst
}

// rotate turns src by deg degrees about its centre (positive: clockwise on
// screen), filling the corners with black.
func rotate(src image.Image, deg float64) *image.RGBA {
	b := src.Bounds()
	dst := image.NewRGBA(b)
	a := deg * math.Pi / 180
	cx, cy := float64(b.Dx())/2, float64(b.Dy())/2
	c, s := math.Cos(a), math.Sin(a)
	m := f64.Aff3{c, -s, cx - c*cx + s*cy, s, c, cy - s*cx - c*cy}
	xdraw.BiLinear.Transform(dst, m, src, b, xdraw.Src, nil)
	return dst
}

// scaleLight multiplies every colour channel by k.
func scaleLight(src image.Image, k float64) *image.RGBA {
	b := src.Bounds()
	dst := image.NewRGBA(b)
	draw.Draw(dst, b, src, b.Min, draw.Src)
	for i := range dst.Pix {
		if i%4 != 3 {
			dst.Pix[i] = uint8(math.Min(255, float64(dst.Pix[i])*k))
		}
	}
	return dst
}

func codes(r Report) []string {
	var c []string
	for _, p := range r.Problems {
		c = append(c, p.Code)
	}
	return c
}

func check(t *testing.T, img image.Image) Report {
	t.Helper()
	r, err := Check(img)
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range r.Problems {
		if p.Code == "" || p.EN == "" || p.NL == "" || p.EN == p.NL {
			t.Errorf("problem %+v lacks a code or a distinct English and Dutch text", p)
		}
	}
	if r.OK != (len(r.Problems) == 0) {
		t.Errorf("OK = %v with problems %v", r.OK, codes(r))
	}
	return r
}

func near(p, q image.Point, tol int) bool {
	return abs(p.X-q.X) <= tol && abs(p.Y-q.Y) <= tol
}

func abs(v int) int { return max(v, -v) }

func TestAstronautAsIs(t *testing.T) {
	r := check(t, loadAstronaut(t))
	// pigo's own result on this image: pupils about (203,101) and (245,103).
	if !near(r.LeftEye, image.Pt(203, 101), 6) || !near(r.RightEye, image.Pt(245, 103), 6) {
		t.Errorf("pupils at %v and %v, want about (203,101) and (245,103)", r.LeftEye, r.RightEye)
	}
	if r.EyeDistance < 35 || r.EyeDistance > 50 {
		t.Errorf("eye distance %.1f, want about 42", r.EyeDistance)
	}
	if !slices.Contains(codes(r), "eye_distance") {
		t.Errorf("problems %v: want eye_distance (eyes %.0f px apart)", codes(r), r.EyeDistance)
	}
	if !r.Face.Overlaps(image.Rect(180, 60, 270, 160)) {
		t.Errorf("face box %v is not on the face", r.Face)
	}
}

func TestAstronautUpscaledCropPasses(t *testing.T) {
	r := check(t, upscale(loadAstronaut(t), cropRect, 2.5))
	if r.EyeDistance < MinEyeDistance {
		t.Errorf("eye distance %.1f after ×2.5, want ≥ %v", r.EyeDistance, MinEyeDistance)
	}
	if !r.OK {
		t.Errorf("upscaled crop fails %v (report %+v)", codes(r), r)
	}
}

// Each defect applied to the passing portrait fails its own check and
// leaves the eye-distance check passing.
func TestDefectsFailTheirCheck(t *testing.T) {
	good := upscale(loadAstronaut(t), cropRect, 2.5)
	off := image.NewRGBA(good.Rect)
	draw.Draw(off, off.Rect, image.NewUniform(color.RGBA{200, 200, 200, 255}), image.Point{}, draw.Src)
	draw.Draw(off, off.Rect.Add(image.Pt(110, 0)), good, image.Point{}, draw.Src)
	cases := []struct {
		name string
		img  image.Image
		want string
	}{
		{"blurred", synth.Degrade(good, synth.Options{Blur: 3}, 1), "sharpness"},
		{"darkened", scaleLight(good, 0.35), "exposure"},
		{"overexposed", scaleLight(good, 1.3), "clipping"}, // at ×1.5 pigo no longer finds the face
		{"rotated 12°", rotate(good, 12), "roll"},
		{"rotated -12°", rotate(good, -12), "roll"},
		{"shifted right", off, "centring"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			r := check(t, c.img)
			if slices.Contains(codes(r), "no_face") {
				t.Fatalf("no face found")
			}
			if !slices.Contains(codes(r), c.want) {
				t.Errorf("problems %v, want %s (report %+v)", codes(r), c.want, r)
			}
			if slices.Contains(codes(r), "eye_distance") {
				t.Errorf("eye distance %.1f fails too", r.EyeDistance)
			}
		})
	}
}

// The simulator's drawn face is found, and passes; its blurred copy does not.
func TestSyntheticFace(t *testing.T) {
	for seed := int64(1); seed <= 4; seed++ {
		img := synth.Face(seed, 480, 600)
		r := check(t, img)
		if !r.OK {
			t.Errorf("seed %d: problems %v (report %+v)", seed, codes(r), r)
		}
		if math.Abs(r.Roll) > 3 || r.EyeDistance < 110 || r.EyeDistance > 140 {
			t.Errorf("seed %d: roll %.1f eye distance %.1f", seed, r.Roll, r.EyeDistance)
		}
	}
	// The sizes the device simulators use, and a small one that must fail
	// only for its size.
	for _, sz := range []image.Point{{480, 640}, {600, 800}} {
		if r := check(t, synth.Face(7, sz.X, sz.Y)); !r.OK {
			t.Errorf("%v: problems %v", sz, codes(r))
		}
	}
	r0 := check(t, synth.Face(7, 240, 320))
	if got := codes(r0); !slices.Equal(got, []string{"eye_distance"}) {
		t.Errorf("240x320: problems %v, want only eye_distance", got)
	}
	r := check(t, synth.Degrade(synth.Face(1, 480, 600), synth.Options{Blur: 3}, 1))
	if !slices.Contains(codes(r), "sharpness") {
		t.Errorf("blurred synthetic face: problems %v", codes(r))
	}
}

// Every failing rule is reported, not just the first.
func TestAllProblemsReported(t *testing.T) {
	img := synth.Degrade(scaleLight(rotate(loadAstronaut(t), 12), 0.3), synth.Options{Blur: 2}, 1)
	r := check(t, img)
	for _, want := range []string{"eye_distance", "roll", "exposure", "sharpness"} {
		if !slices.Contains(codes(r), want) {
			t.Errorf("problems %v, want %s among them", codes(r), want)
		}
	}
}

func TestNoFace(t *testing.T) {
	grey := image.NewGray(image.Rect(0, 0, 300, 400))
	for i := range grey.Pix {
		grey.Pix[i] = 180
	}
	for name, img := range map[string]image.Image{
		"uniform":     grey,
		"fingerprint": synth.Finger(1, 2, synth.Options{}),
	} {
		r := check(t, img)
		if got := codes(r); !slices.Equal(got, []string{"no_face"}) || r.OK {
			t.Errorf("%s: problems %v OK %v, want only no_face", name, got, r.OK)
		}
	}
}

func TestMultipleFaces(t *testing.T) {
	two := image.NewRGBA(image.Rect(0, 0, 960, 600))
	draw.Draw(two, image.Rect(0, 0, 480, 600), synth.Face(1, 480, 600), image.Point{}, draw.Src)
	draw.Draw(two, image.Rect(480, 0, 960, 600), synth.Face(2, 480, 600), image.Point{}, draw.Src)
	r := check(t, two)
	if !slices.Contains(codes(r), "multiple_faces") {
		t.Errorf("two faces: problems %v", codes(r))
	}
}

// Coordinates are reported in the image's own space, also for sub-images.
func TestSubImageCoordinates(t *testing.T) {
	big := image.NewRGBA(image.Rect(0, 0, 700, 800))
	draw.Draw(big, big.Rect, image.NewUniform(color.White), image.Point{}, draw.Src)
	at := image.Pt(150, 120)
	draw.Draw(big, image.Rect(at.X, at.Y, at.X+480, at.Y+600), synth.Face(3, 480, 600), image.Point{}, draw.Src)
	sub := big.SubImage(image.Rect(at.X, at.Y, at.X+480, at.Y+600))
	a := check(t, synth.Face(3, 480, 600))
	b := check(t, sub)
	if !near(b.LeftEye, a.LeftEye.Add(at), 3) || !near(b.RightEye, a.RightEye.Add(at), 3) || !b.Face.Overlaps(a.Face.Add(at)) {
		t.Errorf("sub-image: eyes %v %v face %v, want about %v %v %v", b.LeftEye, b.RightEye, b.Face, a.LeftEye.Add(at), a.RightEye.Add(at), a.Face.Add(at))
	}
	if !slices.Equal(codes(a), codes(b)) {
		t.Errorf("sub-image problems %v, whole image %v", codes(b), codes(a))
	}
}

func TestInputErrors(t *testing.T) {
	if _, err := Check(nil); err == nil {
		t.Error("nil image: no error")
	}
	for _, r := range []image.Rectangle{{}, image.Rect(0, 0, 63, 400), image.Rect(0, 0, 400, 10)} {
		if _, err := Check(image.NewGray(r)); !errors.Is(err, ErrTooSmall) {
			t.Errorf("%v: err %v, want ErrTooSmall", r, err)
		}
	}
}

// luma's fast paths agree with the generic colour conversion.
func TestLumaPaths(t *testing.T) {
	src := synth.Face(5, 100, 120)
	generic := luma(struct{ image.Image }{src})
	nrgba := image.NewNRGBA(src.Rect)
	draw.Draw(nrgba, nrgba.Rect, src, image.Point{}, draw.Src)
	ycc := image.NewYCbCr(src.Rect, image.YCbCrSubsampleRatio444)
	for y := 0; y < 120; y++ {
		for x := 0; x < 100; x++ {
			c := src.RGBAAt(x, y)
			yy, cb, cr := color.RGBToYCbCr(c.R, c.G, c.B)
			ycc.Y[ycc.YOffset(x, y)], ycc.Cb[ycc.COffset(x, y)], ycc.Cr[ycc.COffset(x, y)] = yy, cb, cr
		}
	}
	gray := image.NewGray(src.Rect)
	draw.Draw(gray, gray.Rect, src, image.Point{}, draw.Src)
	for name, img := range map[string]image.Image{"RGBA": src, "NRGBA": nrgba, "YCbCr": ycc, "Gray": gray} {
		got := luma(img)
		for i := range got {
			if d := int(got[i]) - int(generic[i]); d > 1 || d < -1 {
				t.Fatalf("%s: pixel %d = %d, generic %d", name, i, got[i], generic[i])
			}
		}
	}
}

// FuzzCheck: any small image gives a report or ErrTooSmall, never a panic.
func FuzzCheck(f *testing.F) {
	f.Add(uint8(64), uint8(64), []byte{0, 255})
	f.Add(uint8(100), uint8(70), []byte("face"))
	f.Add(uint8(10), uint8(200), []byte{1})
	f.Fuzz(func(t *testing.T, w, h uint8, data []byte) {
		img := image.NewGray(image.Rect(0, 0, int(w), int(h)))
		for i := range img.Pix {
			if len(data) > 0 {
				img.Pix[i] = data[i%len(data)] + uint8(i/int(max(w, 1)))
			}
		}
		r, err := Check(img)
		if err != nil {
			if !errors.Is(err, ErrTooSmall) {
				t.Fatalf("unexpected error %v", err)
			}
			return
		}
		if r.OK != (len(r.Problems) == 0) {
			t.Fatalf("OK %v with %d problems", r.OK, len(r.Problems))
		}
	})
}

// A tilted head is measured, not lost: past pico's tolerance (about ±12°)
// Check searches rotated copies. The astronaut's own roll is about 3°.
func TestRollEstimate(t *testing.T) {
	good := upscale(loadAstronaut(t), cropRect, 2.5)
	base := check(t, good).Roll
	for _, deg := range []float64{-30, -20, -15, 15, 20, 30} {
		for name, img := range map[string]image.Image{
			"astronaut": rotate(good, deg),
			"synthetic": rotate(synth.Face(1, 480, 600), deg),
		} {
			want := deg
			if name == "astronaut" {
				want += base
			}
			r := check(t, img)
			if math.Abs(r.Roll-want) > 5 || !slices.Contains(codes(r), "roll") || slices.Contains(codes(r), "eye_distance") {
				t.Errorf("%s rotated %+.0f°: roll %.1f (want %.1f ± 5), eye distance %.0f, problems %v", name, deg, r.Roll, want, r.EyeDistance, codes(r))
			}
		}
	}
}

// Check may be called from several goroutines (camera preview and capture):
// the unpacked cascades are shared read-only.
func TestConcurrentChecks(t *testing.T) {
	img := synth.Face(2, 480, 600)
	want := check(t, img)
	errs := make(chan string, 8)
	for range 8 {
		go func() {
			r, err := Check(img)
			switch {
			case err != nil:
				errs <- err.Error()
			case !r.OK || r.Face != want.Face || math.Abs(r.EyeDistance-want.EyeDistance) > 3:
				errs <- fmt.Sprintf("got face %v eyes %.1f OK %v, want %v %.1f", r.Face, r.EyeDistance, r.OK, want.Face, want.EyeDistance)
			default:
				errs <- ""
			}
		}()
	}
	for range 8 {
		if e := <-errs; e != "" {
			t.Error(e)
		}
	}
}
