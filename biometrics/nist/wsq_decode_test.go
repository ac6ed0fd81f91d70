package nist

// This test (and only this test) uses package biometrics/wsq: the nist package itself treats
// images as bytes plus a compression code and has no codec dependency.

import (
	"bytes"
	"image"
	"math"
	"testing"
	"time"

	"github.com/fieldscreen/fieldscreen/biometrics/wsq"
)

// TestWSQImagesDecode decodes every WSQ image inside the reference files; each must decode
// to an 8-bit grey image of the record's HLL×VLL with real ridge content (a spread of grey
// levels, not a flat or truncated picture).
func TestWSQImagesDecode(t *testing.T) {
	n := forEachImage(t, "WSQ20", func(name string, r *Record, w, h int, data []byte) {
		img, err := wsq.Decode(bytes.NewReader(data))
		if err != nil {
			t.Errorf("%s Type-%d IDC %d: %v", name, r.Type, r.IDC(), err)
			return
		}
		if b := img.Bounds(); b.Dx() != w || b.Dy() != h {
			t.Errorf("%s Type-%d IDC %d: decoded %dx%d, record says %dx%d", name, r.Type, r.IDC(), b.Dx(), b.Dy(), w, h)
		}
		if lo, hi := greyRange(img); hi-lo < 100 {
			t.Errorf("%s Type-%d IDC %d: grey levels only span %d-%d", name, r.Type, r.IDC(), lo, hi)
		}
	})
	if n != 17 {
		t.Errorf("decoded %d WSQ images, want 17", n)
	}
}

// TestFingerprintCaptureRoundTrip is the capture path: a grey image is WSQ-encoded, put in a
// Type-14 record, written, parsed back, and decoded; the result must be the same size and
// close to the original (WSQ at 0.75 bpp is lossy).
func TestFingerprintCaptureRoundTrip(t *testing.T) {
	src, err := ParseBytes(readTestdata(t, "type-14-tip-eji-wsq.an2"))
	if err != nil {
		t.Fatal(err)
	}
	data, _ := src.Records()[3].Image()
	orig, err := wsq.Decode(bytes.NewReader(data))
	if err != nil {
		t.Fatal(err)
	}
	var enc bytes.Buffer
	if err := wsq.Encode(&enc, orig, nil); err != nil {
		t.Fatal(err)
	}
	when := time.Date(2026, 6, 15, 0, 0, 0, 0, time.UTC)
	tx, err := New(Header{Type: "TEST", Date: when, Destination: "D", Originator: "O", ControlNum: "1", NativePPMM: "19.69", NominalPPMM: "19.69"})
	if err != nil {
		t.Fatal(err)
	}
	b := orig.Bounds()
	rec, err := NewFingerprint(Finger{IDC: 1, Position: 2, Source: "O", Captured: when, Width: b.Dx(), Height: b.Dy(), PPI: 500, Data: enc.Bytes()})
	if err != nil {
		t.Fatal(err)
	}
	if err := tx.Add(rec); err != nil {
		t.Fatal(err)
	}
	file, err := tx.Bytes()
	if err != nil {
		t.Fatal(err)
	}
	back, err := ParseBytes(file)
	if err != nil {
		t.Fatal(err)
	}
	if ps := back.Validate(); len(ps) != 0 {
		t.Fatalf("problems: %v", ps)
	}
	got, code := back.Records()[1].Image()
	if code != "WSQ20" {
		t.Fatalf("compression %q", code)
	}
	dec, err := wsq.Decode(bytes.NewReader(got))
	if err != nil {
		t.Fatal(err)
	}
	if dec.Bounds() != b {
		t.Fatalf("decoded bounds %v, want %v", dec.Bounds(), b)
	}
	psnr := psnrGray(orig, dec)
	t.Logf("WSQ re-encode through a Type-14 record: %d bytes, PSNR %.1f dB", len(got), psnr)
	if psnr < 25 {
		t.Errorf("PSNR %.1f dB after WSQ re-encoding, want ≥ 25", psnr)
	}
}

func greyRange(img image.Image) (lo, hi int) {
	lo, hi = 255, 0
	b := img.Bounds()
	for y := b.Min.Y; y < b.Max.Y; y++ {
		for x := b.Min.X; x < b.Max.X; x++ {
			r, _, _, _ := img.At(x, y).RGBA()
			v := int(r >> 8)
			lo, hi = min(lo, v), max(hi, v)
		}
	}
	return lo, hi
}

func psnrGray(a, b image.Image) float64 {
	var se float64
	bounds := a.Bounds()
	for y := bounds.Min.Y; y < bounds.Max.Y; y++ {
		for x := bounds.Min.X; x < bounds.Max.X; x++ {
			ra, _, _, _ := a.At(x, y).RGBA()
			rb, _, _, _ := b.At(x, y).RGBA()
			d := float64(int(ra>>8) - int(rb>>8))
			se += d * d
		}
	}
	mse := se / float64(bounds.Dx()*bounds.Dy())
	if mse == 0 {
		return math.Inf(1)
	}
	return 10 * math.Log10(255*255/mse)
}
