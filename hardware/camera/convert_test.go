package camera

import (
	"bytes"
	"context"
	"image"
	"image/color"
	"image/jpeg"
	"path/filepath"
	"testing"
)

func TestYUYV(t *testing.T) {
	// Two pixels: (Y0=16,U=128,Y1=235,V=128) is black then white; (81,90,81,240) is red-ish twice.
	buf := []byte{16, 128, 235, 128, 81, 90, 81, 240}
	img, err := YUYVToImage(buf, 2, 2)
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		x, y       int
		yy, cb, cr uint8
	}{{0, 0, 16, 128, 128}, {1, 0, 235, 128, 128}, {0, 1, 81, 90, 240}, {1, 1, 81, 90, 240}} {
		got := img.YCbCrAt(tc.x, tc.y)
		if got != (color.YCbCr{tc.yy, tc.cb, tc.cr}) {
			t.Errorf("pixel %d,%d: %v, want %v", tc.x, tc.y, got, color.YCbCr{tc.yy, tc.cb, tc.cr})
		}
	}
	r, g, b, _ := img.At(0, 1).RGBA()
	if r>>8 < 200 || g>>8 > 60 || b>>8 > 60 {
		t.Errorf("red pixel converts to %d,%d,%d", r>>8, g>>8, b>>8)
	}
	for name, c := range map[string]struct {
		buf  []byte
		w, h int
	}{"short": {buf[:6], 2, 2}, "odd width": {buf, 1, 2}, "zero": {buf, 0, 0}} {
		if _, err := YUYVToImage(c.buf, c.w, c.h); err == nil {
			t.Errorf("%s: accepted", name)
		}
	}
}

// stripDHT removes the Huffman table segments, as webcams' MJPEG frames do.
func stripDHT(t *testing.T, b []byte) []byte {
	segs, err := segments(b)
	if err != nil {
		t.Fatal(err)
	}
	out := append([]byte(nil), b[:2]...)
	last := 2
	for _, s := range segs {
		if s.marker == 0xC4 {
			out = append(out, b[last:s.start]...)
			last = s.end
		}
	}
	return append(out, b[last:]...)
}

func TestMJPEGWithoutHuffmanTables(t *testing.T) {
	src := image.NewRGBA(image.Rect(0, 0, 64, 48))
	for i := range src.Pix {
		src.Pix[i] = uint8(i * 13)
	}
	var b bytes.Buffer
	if err := jpeg.Encode(&b, src, &jpeg.Options{Quality: 80}); err != nil {
		t.Fatal(err)
	}
	bare := stripDHT(t, b.Bytes())
	if bytes.Contains(bare, []byte{0xFF, 0xC4}) {
		t.Fatal("test frame still has a DHT marker")
	}
	if _, err := jpeg.Decode(bytes.NewReader(bare)); err == nil {
		t.Fatal("image/jpeg decoded a frame without Huffman tables: the test proves nothing")
	}
	want, _ := jpeg.Decode(bytes.NewReader(b.Bytes()))
	got, err := MJPEGToImage(bare)
	if err != nil {
		t.Fatal(err)
	}
	if got.Bounds() != want.Bounds() {
		t.Fatalf("bounds %v, want %v", got.Bounds(), want.Bounds())
	}
	for y := 0; y < 48; y++ {
		for x := 0; x < 64; x++ {
			if got.At(x, y) != want.At(x, y) {
				t.Fatalf("pixel %d,%d differs", x, y)
			}
		}
	}
	if _, err := MJPEGToImage([]byte("not a jpeg")); err == nil {
		t.Error("garbage accepted")
	}
}

func TestDiscoverWithoutCameras(t *testing.T) {
	devs, err := Driver{Glob: filepath.Join(t.TempDir(), "video*")}.Discover(context.Background())
	if err != nil || len(devs) != 0 {
		t.Fatalf("no video nodes: %d devices, %v", len(devs), err)
	}
}

func FuzzMJPEG(f *testing.F) {
	var b bytes.Buffer
	jpeg.Encode(&b, image.NewGray(image.Rect(0, 0, 16, 16)), nil)
	f.Add(b.Bytes())
	f.Add([]byte{0xFF, 0xD8, 0xFF, 0xDA, 0, 2})
	f.Fuzz(func(t *testing.T, b []byte) {
		if img, err := MJPEGToImage(b); err == nil && img == nil {
			t.Fatal("nil image without error")
		}
	})
}
