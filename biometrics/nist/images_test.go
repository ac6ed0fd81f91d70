package nist

import (
	"bytes"
	"image/jpeg"
	"testing"
)

// TestJPEGImagesDecode decodes every JPEG image inside the reference files with the standard
// library and checks its size against the record's HLL/VLL, so Image() is shown to return
// exactly the image bytes (not shifted, not truncated).
func TestJPEGImagesDecode(t *testing.T) {
	n := forEachImage(t, "JPEGB", func(name string, r *Record, w, h int, data []byte) {
		img, err := jpeg.Decode(bytes.NewReader(data))
		if err != nil {
			t.Errorf("%s IDC %d: %v", name, r.IDC(), err)
			return
		}
		if name == "rec01_rec02_rec16.nst.an2" && h == 24 {
			// Known quirk of this reference file: its Type-16 says 16.007 VLL 24 (the
			// same number as 16.012 BPX) while the JPEG itself is 208 lines high.
			h = 208
		}
		if b := img.Bounds(); b.Dx() != w || b.Dy() != h {
			t.Errorf("%s Type-%d IDC %d: JPEG is %dx%d, HLL/VLL say %dx%d", name, r.Type, r.IDC(), b.Dx(), b.Dy(), w, h)
		}
	})
	if n != 5 {
		t.Errorf("decoded %d JPEG images, want 5", n)
	}
}

// forEachImage calls fn for every image with the given compression code in the reference
// files, with the record and its HLL/VLL, and returns how many it found.
func forEachImage(t *testing.T, code string, fn func(name string, r *Record, w, h int, data []byte)) int {
	t.Helper()
	n := 0
	for _, tc := range referenceFiles {
		tx, err := ParseBytes(readTestdata(t, tc.name))
		if err != nil {
			t.Fatal(err)
		}
		for _, im := range tx.Images() {
			if im.Compression != code {
				continue
			}
			r := tx.Records()[im.Record]
			w, _ := r.Int(6)
			h, _ := r.Int(7)
			fn(tc.name, r, w, h, im.Data)
			n++
		}
	}
	return n
}
