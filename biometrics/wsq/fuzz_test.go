package wsq

import (
	"bytes"
	"image"
	"os"
	"path/filepath"
	"testing"
)

// FuzzDecode: arbitrary bytes give an error or an image of the declared size; never a panic.
// Inputs declaring more than 4 Mpx are skipped to keep each run fast (the size limit itself
// is tested in TestCorruptInput).
func FuzzDecode(f *testing.F) {
	src := readPNG(f, "testdata/sample.png")
	small := encodeBytes(f, crop(src, image.Rect(150, 150, 214, 230)), nil)
	f.Add(small)
	for _, n := range []int{2, 20, 200, len(small) / 2, len(small) - 3} {
		f.Add(small[:n])
	}
	rst, err := encodeGray(crop(src, image.Rect(100, 100, 160, 140)), Options{Bitrate: 0.75, PPI: 500}, 5)
	if err != nil {
		f.Fatal(err)
	}
	f.Add(rst)
	f.Add(evenFilterFile(f, small)) // a 2/6 DTT on a 64×80 image: too small for even filters
	files, _ := filepath.Glob("testdata/*.wsq")
	even, _ := filepath.Glob("testdata/even/*.wsq")
	files = append(files, even...)
	for _, p := range files {
		b, err := os.ReadFile(p)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
		f.Add(b[:len(b)/3])
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		cfg, err := DecodeConfig(bytes.NewReader(data))
		if err != nil {
			if _, err2 := Decode(bytes.NewReader(data)); err2 == nil {
				t.Fatalf("Decode accepts what DecodeConfig rejects (%v)", err)
			}
			return
		}
		if cfg.Width*cfg.Height > 4<<20 {
			return
		}
		img, err := Decode(bytes.NewReader(data))
		if err != nil {
			return
		}
		if b := img.Bounds(); b.Dx() != cfg.Width || b.Dy() != cfg.Height {
			t.Fatalf("decoded %v, header says %dx%d", b, cfg.Width, cfg.Height)
		}
	})
}
