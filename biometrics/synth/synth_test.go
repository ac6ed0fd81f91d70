package synth

import (
	"crypto/sha256"
	"encoding/hex"
	"flag"
	"fmt"
	"image"
	"math"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
)

var update = flag.Bool("update", false, "rewrite testdata/golden-*.txt from the current output")

// goldenCases are the images whose SHA-256 is pinned in testdata. Any change
// to the generator changes them: rerun with -update and look at the images
// (go test -run TestGolden -update -args; the PNGs are not written) before
// committing.
var goldenCases = []struct {
	name string
	gen  func() *image.Gray
}{
	{"finger-seed1-pos2", func() *image.Gray { return Finger(1, 2, Options{}) }},
	{"finger-seed42-pos6-whorl", func() *image.Gray { return Finger(42, 6, Options{Class: Whorl}) }},
	{"finger-seed7-pos3-arch-degraded", func() *image.Gray {
		return Finger(7, 3, Options{Class: Arch, Blur: 1.5, Noise: 10, Contrast: 0.3, Partial: 0.2, Smudge: 0.1})
	}},
	{"slap-seed5-thumbs", func() *image.Gray { img, _ := Slap(5, Thumbs, Options{}); return img }},
}

func sum(img *image.Gray) string {
	h := sha256.New()
	fmt.Fprintf(h, "%v|", img.Rect)
	h.Write(img.Pix)
	return hex.EncodeToString(h.Sum(nil))
}

// TestGolden pins the pixels of a few prints. The hashes are recorded for
// amd64: other architectures may fuse multiply-adds and round differently,
// so there the test only checks that two runs agree.
func TestGolden(t *testing.T) {
	path := filepath.Join("testdata", "golden-"+runtime.GOARCH+".txt")
	want := map[string]string{}
	if b, err := os.ReadFile(path); err == nil {
		for _, line := range strings.Split(strings.TrimSpace(string(b)), "\n") {
			if name, hash, ok := strings.Cut(line, " "); ok {
				want[name] = hash
			}
		}
	} else if !*update && runtime.GOARCH == "amd64" {
		t.Fatalf("read %s: %v (run with -update to create it)", path, err)
	}
	var out strings.Builder
	for _, c := range goldenCases {
		got := sum(c.gen())
		if again := sum(c.gen()); again != got {
			t.Errorf("%s: two runs differ: %s vs %s", c.name, got, again)
		}
		fmt.Fprintf(&out, "%s %s\n", c.name, got)
		if *update {
			continue
		}
		if w, ok := want[c.name]; ok && w != got {
			t.Errorf("%s: sha256 %s, golden %s (generator changed? rerun with -update after checking the images)", c.name, got, w)
		} else if !ok && runtime.GOARCH == "amd64" {
			t.Errorf("%s: no golden hash in %s", c.name, path)
		}
	}
	if *update {
		if err := os.WriteFile(path, []byte(out.String()), 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

func TestSeedsAndPositionsDiffer(t *testing.T) {
	a := sum(Finger(1, 2, Options{}))
	for _, c := range []struct {
		name string
		img  *image.Gray
	}{
		{"other seed", Finger(2, 2, Options{})},
		{"other position", Finger(1, 3, Options{})},
		{"other class", Finger(1, 2, Options{Class: Whorl})},
	} {
		if sum(c.img) == a {
			t.Errorf("%s gives the same pixels as seed 1 position 2", c.name)
		}
	}
}

// stats over an image: mean and standard deviation of the grey levels,
// and the fraction of dark (ridge) pixels.
func stats(img *image.Gray) (mean, std, dark float64) {
	var s, s2 float64
	n := float64(len(img.Pix))
	for _, v := range img.Pix {
		f := float64(v)
		s += f
		s2 += f * f
		if v < 128 {
			dark++
		}
	}
	mean = s / n
	return mean, math.Sqrt(s2/n - mean*mean), dark / n
}

func TestFingerLooksLikeAPrint(t *testing.T) {
	// One of each size (thumb, finger, little finger) per hand, and unknown.
	for _, pos := range []int{0, 1, 3, 5, 6, 8, 10} {
		img := Finger(int64(100+pos), pos, Options{})
		w, h := fingerSize(pos)
		if img.Rect != image.Rect(0, 0, w, h) {
			t.Fatalf("position %d: bounds %v, want %dx%d", pos, img.Rect, w, h)
		}
		if w < 350 || w > 450 || h < 450 || h > 530 {
			t.Errorf("position %d: %dx%d is not a finger at 500 ppi", pos, w, h)
		}
		// Corners are paper, the centre is ridges and valleys.
		for _, p := range []image.Point{{1, 1}, {w - 2, 1}} {
			if v := img.GrayAt(p.X, p.Y).Y; v != renderPaper {
				t.Errorf("position %d: corner %v = %d, want paper %d", pos, p, v, renderPaper)
			}
		}
		centre := img.SubImage(image.Rect(w/2-60, h/2-60, w/2+60, h/2+60)).(*image.Gray)
		_, std, dark := stats(cloneGray(centre))
		if std < 50 || dark < 0.25 || dark > 0.75 {
			t.Errorf("position %d: centre std %.1f dark %.2f, want ridge contrast (std ≥ 50) and 25-75 %% ridges", pos, std, dark)
		}
		// Ridge period: count dark runs along the centre row.
		runs, inRidge := 0, false
		for x := w/2 - 100; x < w/2+100; x++ {
			d := img.GrayAt(x, h/2).Y < 128
			if d && !inRidge {
				runs++
			}
			inRidge = d
		}
		// 200 px across ridges of 7-11 px period meet 18-29 ridges; a row
		// running along the ridges meets fewer. Require 4..30.
		if runs < 4 || runs > 30 {
			t.Errorf("position %d: %d ridges across 200 px of the centre row", pos, runs)
		}
	}
}

func TestOutOfRangeInputs(t *testing.T) {
	// Unknown positions fall back to the generic finger; absurd options are clamped.
	unknown := sum(Finger(3, 0, Options{}))
	if sum(Finger(3, 42, Options{})) != unknown {
		t.Errorf("position 42 should be treated as 0")
	}
	if sum(Finger(3, -1, Options{})) != unknown {
		t.Errorf("position -1 should be treated as 0")
	}
	if a, b := sum(Finger(3, 2, Options{Class: Class(99)})), sum(Finger(3, 2, Options{})); a != b {
		t.Errorf("unknown class 99 should be treated as auto")
	}
	nan := math.NaN()
	if a, b := sum(Finger(3, 2, Options{Blur: -4, Noise: nan, Contrast: -1, Partial: nan, Smudge: -0.5})), sum(Finger(3, 2, Options{})); a != b {
		t.Errorf("negative and NaN defects should count as 0")
	}
	img := Finger(3, 2, Options{Contrast: 7}) // clamped to 1: flat grey
	if _, std, _ := stats(img); std > 0.6 {
		t.Errorf("Contrast 7 (clamped to 1): std %.2f, want a flat image", std)
	}
	if g := Degrade(image.NewGray(image.Rect(0, 0, 0, 0)), Options{Blur: 2, Partial: 0.5, Smudge: 0.5, Noise: 3}, 1); g.Rect.Dx() != 0 {
		t.Errorf("empty image: got %v", g.Rect)
	}
	if g := Degrade(image.NewGray(image.Rect(0, 0, 3, 2)), Options{Blur: 2, Partial: 0.5, Smudge: 0.5, Noise: 3}, 1); g.Rect.Dx() != 3 {
		t.Errorf("tiny image: got %v", g.Rect)
	}
}

func TestSlap(t *testing.T) {
	all := map[SlapKind][]image.Rectangle{}
	for _, k := range []SlapKind{RightFour, LeftFour, Thumbs} {
		img, segs := Slap(9, k, Options{})
		all[k] = segs
		if len(segs) != len(k.Positions()) {
			t.Fatalf("%v: %d segments, want %d", k, len(segs), len(k.Positions()))
		}
		wantH := 1500
		if k == Thumbs {
			wantH = 1000
		}
		if img.Rect != image.Rect(0, 0, 1600, wantH) {
			t.Errorf("%v: bounds %v", k, img.Rect)
		}
		for i, s := range segs {
			if !s.In(img.Rect) || s.Dx() < 200 || s.Dy() < 300 {
				t.Errorf("%v finger %d: segment %v not a finger inside the slap", k, k.Positions()[i], s)
			}
			for j := i + 1; j < len(segs); j++ {
				if s.Overlaps(segs[j]) {
					t.Errorf("%v: segments %v and %v overlap", k, s, segs[j])
				}
			}
			_, std, dark := stats(cloneGray(img.SubImage(s.Inset(s.Dx() / 4))))
			if std < 40 || dark < 0.2 {
				t.Errorf("%v finger %d: segment centre std %.1f dark %.2f, want ridges", k, k.Positions()[i], std, dark)
			}
		}
		// Outside every segment the slap is paper.
		for y := 0; y < img.Rect.Dy(); y += 7 {
			for x := 0; x < img.Rect.Dx(); x += 7 {
				p := image.Pt(x, y)
				in := false
				for _, s := range segs {
					in = in || p.In(s)
				}
				if !in && img.GrayAt(x, y).Y != renderPaper {
					t.Fatalf("%v: ink at %v outside every segment", k, p)
				}
			}
		}
	}
	// Segment order follows Positions(): right hand index leftmost,
	// left hand index rightmost, right thumb on the right.
	r, l, th := all[RightFour], all[LeftFour], all[Thumbs]
	if !(r[0].Min.X < r[3].Min.X && l[0].Min.X > l[3].Min.X && th[0].Min.X > th[1].Min.X) {
		t.Errorf("finger order: right %v left %v thumbs %v", r, l, th)
	}
	// Middle finger sits highest.
	if !(r[1].Min.Y < r[0].Min.Y && r[1].Min.Y < r[3].Min.Y) {
		t.Errorf("right four: middle finger %v is not above index %v and little %v", r[1], r[0], r[3])
	}
}
