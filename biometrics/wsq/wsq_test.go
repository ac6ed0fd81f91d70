package wsq

import (
	"bytes"
	"context"
	"errors"
	"flag"
	"image"
	"image/color"
	"os"
	"runtime"
	"strings"
	"testing"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata/")

// crop returns a copy of part of a grey image, for small test inputs.
func crop(g *image.Gray, r image.Rectangle) *image.Gray {
	out := image.NewGray(image.Rect(0, 0, r.Dx(), r.Dy()))
	for y := 0; y < r.Dy(); y++ {
		copy(out.Pix[y*out.Stride:], g.Pix[(r.Min.Y+y)*g.Stride+r.Min.X:(r.Min.Y+y)*g.Stride+r.Max.X])
	}
	return out
}

func encodeBytes(t testing.TB, img image.Image, opt *Options) []byte {
	t.Helper()
	var buf bytes.Buffer
	if err := Encode(&buf, img, opt); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// TestGoldenRoundTrip pins the encoder's output for sample.png byte for byte (so a change in
// the encoder is a visible, reviewed change) and checks our decoder reads it back.
func TestGoldenRoundTrip(t *testing.T) {
	src := readPNG(t, "testdata/sample.png")
	got := encodeBytes(t, src, &Options{Comment: "fieldscreen golden test"})
	const golden = "testdata/golden-sample.wsq"
	if *update {
		if err := os.WriteFile(golden, got, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(golden)
	if err != nil {
		t.Fatalf("%v (run with -update to create it)", err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("encoder output (%d bytes) differs from %s (%d bytes); if intended, rerun with -update", len(got), golden, len(want))
	}
	img, err := Decode(bytes.NewReader(want))
	if err != nil {
		t.Fatal(err)
	}
	if p := psnr(src, img.(*image.Gray)); p < 30 {
		t.Errorf("golden file decodes at %.2f dB PSNR", p)
	}
	info, err := DecodeInfo(bytes.NewReader(want))
	if err != nil {
		t.Fatal(err)
	}
	if info.Width != 545 || info.Height != 622 || info.PPI != 500 || info.Bitrate != 0.75 {
		t.Errorf("info %+v", info)
	}
	if len(info.Comments) != 2 || !strings.HasPrefix(info.Comments[0], "NIST_COM ") || info.Comments[1] != "fieldscreen golden test" {
		t.Errorf("comments %q", info.Comments)
	}
	for _, line := range []string{"PIX_WIDTH 545", "PIX_HEIGHT 622", "PPI 500", "WSQ_BITRATE 0.750000"} {
		if !strings.Contains(info.Comments[0], line+"\n") {
			t.Errorf("NIST_COM lacks %q", line)
		}
	}
}

func TestDecodeInfoReference(t *testing.T) {
	data, err := os.ReadFile("testdata/sample.wsq")
	if err != nil {
		t.Fatal(err)
	}
	info, err := DecodeInfo(bytes.NewReader(data))
	if err != nil {
		t.Fatal(err)
	}
	if info.Width != 545 || info.Height != 622 || info.PPI != 500 || info.Bitrate != 0.75 || len(info.Comments) != 2 || info.Comments[1] != "Cognaxon" {
		t.Errorf("info %+v", info)
	}
	cfg, format, err := image.DecodeConfig(bytes.NewReader(data))
	if err != nil || format != "wsq" || cfg.Width != 545 || cfg.Height != 622 || cfg.ColorModel != color.GrayModel {
		t.Errorf("image.DecodeConfig: %+v %q %v", cfg, format, err)
	}
	img, format, err := image.Decode(bytes.NewReader(data))
	if err != nil || format != "wsq" || img.Bounds().Dx() != 545 {
		t.Errorf("image.Decode: %q %v", format, err)
	}
}

// TestRestartMarkers: a file with a restart marker every few symbols decodes to exactly the
// same pixels as the same file without them.
func TestRestartMarkers(t *testing.T) {
	src := readPNG(t, "testdata/sample.png")
	o := Options{Bitrate: DefaultBitrate, PPI: SpecPPI}
	plain, err := encodeGray(src, o, 0)
	if err != nil {
		t.Fatal(err)
	}
	for _, every := range []int{1, 7, 500} {
		withRST, err := encodeGray(src, o, every)
		if err != nil {
			t.Fatal(err)
		}
		if bytes.Count(withRST, []byte{0xFF, 0xB0}) == 0 {
			t.Fatalf("every %d: no RST0 marker written", every)
		}
		a, err := Decode(bytes.NewReader(plain))
		if err != nil {
			t.Fatal(err)
		}
		b, err := Decode(bytes.NewReader(withRST))
		if err != nil {
			t.Fatalf("every %d: %v", every, err)
		}
		if !bytes.Equal(a.(*image.Gray).Pix, b.(*image.Gray).Pix) {
			t.Errorf("every %d: pixels differ from the file without restarts", every)
		}
	}
}

// TestSmallSizes: every size from 1×1 up round-trips without error at the right size,
// including images too small for some subbands to hold any coefficient.
func TestSmallSizes(t *testing.T) {
	src := readPNG(t, "testdata/sample.png")
	for _, sz := range [][2]int{{1, 1}, {1, 7}, {2, 2}, {3, 5}, {17, 9}, {31, 33}, {64, 64}, {65, 97}} {
		part := crop(src, image.Rect(200, 200, 200+sz[0], 200+sz[1]))
		data := encodeBytes(t, part, nil)
		img, err := Decode(bytes.NewReader(data))
		if err != nil {
			t.Fatalf("%v: %v", sz, err)
		}
		if img.Bounds() != part.Rect {
			t.Errorf("%v: decoded %v", sz, img.Bounds())
		}
	}
	flat := image.NewGray(image.Rect(0, 0, 40, 30))
	for i := range flat.Pix {
		flat.Pix[i] = 77
	}
	img, err := Decode(bytes.NewReader(encodeBytes(t, flat, nil)))
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range img.(*image.Gray).Pix {
		if p != 77 {
			t.Fatalf("flat image decodes to %d, want 77", p)
		}
	}
}

func TestEncodeOptions(t *testing.T) {
	src := readPNG(t, "testdata/sample.png")
	var buf bytes.Buffer
	if err := Encode(&buf, src, &Options{PPI: 1000}); !errors.Is(err, ErrResolution) || !strings.Contains(err.Error(), "1000 ppi") {
		t.Errorf("1000 ppi: %v", err)
	}
	for _, r := range []float64{-1, 9} {
		if err := Encode(&buf, src, &Options{Bitrate: r}); err == nil {
			t.Errorf("bit rate %v accepted", r)
		}
	}
	// A higher target gives a larger, better file.
	lo := encodeBytes(t, src, &Options{Bitrate: 0.75})
	hi := encodeBytes(t, src, &Options{Bitrate: 2.25})
	if len(hi) <= len(lo) {
		t.Errorf("2.25 bpp file %d bytes, 0.75 bpp %d bytes", len(hi), len(lo))
	}
	dl, _ := Decode(bytes.NewReader(lo))
	dh, _ := Decode(bytes.NewReader(hi))
	if psnr(src, dh.(*image.Gray)) <= psnr(src, dl.(*image.Gray)) {
		t.Error("higher bit rate did not raise PSNR")
	}
	// Colour input is converted to grey.
	rgba := image.NewRGBA(image.Rect(0, 0, 48, 40))
	for i := range rgba.Pix {
		rgba.Pix[i] = byte(i * 7)
	}
	if _, err := Decode(bytes.NewReader(encodeBytes(t, rgba, nil))); err != nil {
		t.Error(err)
	}
}

// sof builds a frame header segment for a given size.
func sof(w, h int) []byte {
	return []byte{0xFF, 0xA2, 0, 17, 0, 255, byte(h >> 8), byte(h), byte(w >> 8), byte(w), 2, 0x41, 0x4a, 4, 0x30, 0xdf, 0, 0, 0}
}

// evenFilterFile returns file with its DTT segment replaced by a well-formed table for an
// even-length pair: the 2/6 pair, lowpass (1, 1)/sqrt2 and highpass (-1, -1, 8, -8, 1, 1)/(8 sqrt2),
// the right half of each (L/2 taps: 1 and -8, 1, 1) transmitted as sign, exponent, 32-bit
// value with 3 decimal digits.
func evenFilterFile(tb testing.TB, file []byte) []byte {
	tb.Helper()
	return withDTT(tb, file, 2, 6, []int{707, -707, 88, 88}, 0) // 88 is 1/(8 sqrt2) rounded
}

// withDTT returns file with its DTT segment replaced by filters of l0 and l1 taps whose
// transmitted halves are the given thousandths; length, when not 0, is written in the length
// field instead of the true one.
func withDTT(tb testing.TB, file []byte, l0, l1 byte, thousandths []int, length int) []byte {
	tb.Helper()
	at := bytes.Index(file, []byte{0xFF, 0xA4})
	if at < 0 {
		tb.Fatal("no DTT segment to replace")
	}
	end := at + 2 + (int(file[at+2])<<8 | int(file[at+3]))
	body := []byte{l0, l1}
	for _, c := range thousandths {
		sign := byte(0)
		if c < 0 {
			sign, c = 1, -c
		}
		body = append(body, sign, 3, 0, 0, byte(c>>8), byte(c))
	}
	if length == 0 {
		length = len(body) + 2
	}
	out := append(bytes.Clone(file[:at]), 0xFF, 0xA4, byte(length>>8), byte(length))
	out = append(out, body...)
	return append(out, file[end:]...)
}

func TestCorruptInput(t *testing.T) {
	good, err := os.ReadFile("testdata/sample.wsq")
	if err != nil {
		t.Fatal(err)
	}
	soiAt := func(body ...[]byte) []byte {
		b := []byte{0xFF, 0xA0}
		for _, p := range body {
			b = append(b, p...)
		}
		return b
	}
	patched := func(off int, b ...byte) []byte {
		c := bytes.Clone(good)
		copy(c[off:], b)
		return c
	}
	sofAt := bytes.Index(good, []byte{0xFF, 0xA2})
	dhtAt := bytes.Index(good, []byte{0xFF, 0xA6})
	dttAt := bytes.Index(good, []byte{0xFF, 0xA4})
	tests := []struct {
		name string
		data []byte
		want error
		msg  string
	}{
		{"empty", nil, ErrFormat, "truncated"},
		{"png", []byte("\x89PNG\r\n\x1a\n"), ErrFormat, "SOI"},
		{"only SOI", soiAt(), ErrFormat, "truncated"},
		{"huge frame", soiAt(sof(65535, 65535)), ErrTooLarge, "65535×65535"},
		{"zero width", soiAt(sof(0, 10)), ErrFormat, "0×10"},
		{"EOI before frame", soiAt([]byte{0xFF, 0xA1}), ErrFormat, "before the frame header"},
		{"unknown marker", soiAt([]byte{0xFF, 0xC4, 0, 2}), ErrFormat, "unknown marker"},
		{"segment length 1", soiAt([]byte{0xFF, 0xA8, 0, 1}), ErrFormat, "length 1"},
		{"bad SOF length", patched(sofAt+3, 16), ErrFormat, ""},
		{"huge Huffman counts", patched(dhtAt+5, 0xFF, 0xFF, 0xFF, 0xFF), ErrFormat, "Huffman table"},
		{"Huffman table 9", patched(dhtAt+4, 9), ErrFormat, "table number 9"},
		{"mixed parity filters", patched(dttAt+4, 8), ErrUnsupported, "8 and 7 taps (one odd, one even)"},
		{"17-tap filters", withDTT(t, good, 17, 7, make([]int, 9+4), 0), ErrUnsupported, "at most 16 are accepted"},
		{"pair 2-4", withDTT(t, good, 2, 4, []int{707, -707, 88}, 0), ErrUnsupported, "half-lengths odd and even"},
		{"DTT length neither true nor NBIS's 58", withDTT(t, good, 2, 6, []int{707, -707, 88, 88}, 30), ErrFormat, "DTT segment of 28 bytes for filters of 2 and 6 taps (want 26)"},
		{"even filters on a tiny image", evenFilterFile(t, encodeBytes(t, crop(readPNG(t, "testdata/sample.png"), image.Rect(0, 0, 40, 200)), nil)), ErrUnsupported, "lines of 3 samples, shorter than the filters"},
		{"no EOI", good[:len(good)-2], ErrFormat, "truncated"},
		{"marker in data", patched(dhtAt+200, 0xFF, 0xC0), ErrFormat, ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := Decode(bytes.NewReader(tc.data))
			if !errors.Is(err, tc.want) {
				t.Fatalf("got %v, want %v", err, tc.want)
			}
			if !strings.Contains(err.Error(), tc.msg) {
				t.Errorf("error %q does not mention %q", err, tc.msg)
			}
		})
	}
}

// TestHeaderBomb: a real 23 KB file whose frame header is patched to claim a larger image is
// refused before the decoder allocates for the claimed size: 8000×8000 (no fingerprint is
// that large) from the header alone, 5000×4000 (allowed) because the coded data covers only a
// fraction of that image's coefficients. Before the fix the first decoded for seconds and
// allocated 585 MB; the second decoded to a mostly grey image.
func TestHeaderBomb(t *testing.T) {
	good, err := os.ReadFile("testdata/sample.wsq")
	if err != nil {
		t.Fatal(err)
	}
	claim := func(w, h int) []byte {
		b := bytes.Clone(good)
		at := bytes.Index(b, []byte{0xFF, 0xA2})
		copy(b[at+6:], []byte{byte(h >> 8), byte(h), byte(w >> 8), byte(w)})
		return b
	}
	for _, tc := range []struct {
		name string
		w, h int
		want error
		msg  string
	}{
		{"8000×8000", 8000, 8000, ErrTooLarge, "no fingerprint or palm image"},
		{"6000×100", 6000, 100, ErrTooLarge, "5000 pixels a side"},
		{"5000×4000", 5000, 4000, ErrFormat, "coded data ends after"},
		{"1090×1244", 1090, 1244, ErrFormat, "coded data ends after"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			data := claim(tc.w, tc.h)
			var before, after runtime.MemStats
			runtime.GC()
			runtime.ReadMemStats(&before)
			_, err := Decode(bytes.NewReader(data))
			runtime.ReadMemStats(&after)
			if !errors.Is(err, tc.want) || !strings.Contains(err.Error(), tc.msg) {
				t.Fatalf("got %v, want %v mentioning %q", err, tc.want, tc.msg)
			}
			// The file itself and the tables are well under 4 MB; the claimed plane is 80 MB.
			if mb := (after.TotalAlloc - before.TotalAlloc) >> 20; mb > 4 {
				t.Errorf("allocated %d MB before refusing", mb)
			}
		})
	}
}

// TestDTTLengthNBIS: NBIS writes 58 in the DTT length field whatever the filters and reads
// the table by its filter lengths. A 2/6 table so labelled decodes to the same pixels as
// the correctly labelled one; a table that really is 58 bytes long with 26 of them unused
// is refused, because its tail is not a marker.
func TestDTTLengthNBIS(t *testing.T) {
	good, err := os.ReadFile("testdata/sample.wsq")
	if err != nil {
		t.Fatal(err)
	}
	halves := []int{707, -707, 88, 88}
	right, err := Decode(bytes.NewReader(withDTT(t, good, 2, 6, halves, 0)))
	if err != nil {
		t.Fatal(err)
	}
	nbis, err := Decode(bytes.NewReader(withDTT(t, good, 2, 6, halves, 58)))
	if err != nil {
		t.Fatalf("length 58: %v", err)
	}
	if !bytes.Equal(right.(*image.Gray).Pix, nbis.(*image.Gray).Pix) {
		t.Error("length 58 decodes to other pixels than the true length")
	}
	padded := withDTT(t, good, 2, 6, append(halves, 0, 0, 0, 0, 0), 58) // 30 more bytes, still 2/6
	if _, err := Decode(bytes.NewReader(padded)); !errors.Is(err, ErrFormat) {
		t.Errorf("58-byte 2/6 table with padding: %v, want ErrFormat", err)
	}
}

// TestTruncated: a file cut at any offset is an error, never a panic or a silent success.
func TestTruncated(t *testing.T) {
	src := readPNG(t, "testdata/sample.png")
	small := encodeBytes(t, crop(src, image.Rect(150, 150, 230, 250)), nil)
	for n := 0; n < len(small); n++ {
		if _, err := Decode(bytes.NewReader(small[:n])); err == nil {
			t.Fatalf("%d of %d bytes decoded without error", n, len(small))
		}
	}
	ref, err := os.ReadFile("testdata/sample.wsq")
	if err != nil {
		t.Fatal(err)
	}
	for n := 0; n < len(ref); n += 97 {
		if _, err := Decode(bytes.NewReader(ref[:n])); err == nil {
			t.Fatalf("reference cut at %d bytes decoded without error", n)
		}
	}
}

// TestEncodeAll: the concurrent helper returns, in input order, exactly the bytes Encode
// gives for each print, and reports errors and cancellation.
func TestEncodeAll(t *testing.T) {
	src := readPNG(t, "testdata/sample.png")
	var set []image.Image
	for i := range 5 {
		set = append(set, crop(src, image.Rect(10*i, 20*i, 10*i+120+7*i, 20*i+140)))
	}
	got, err := EncodeAll(context.Background(), set, nil)
	if err != nil {
		t.Fatal(err)
	}
	for i, img := range set {
		if want := encodeBytes(t, img, nil); !bytes.Equal(got[i], want) {
			t.Errorf("print %d differs from a lone Encode", i+1)
		}
	}
	if _, err := EncodeAll(context.Background(), set, &Options{PPI: 1000}); !errors.Is(err, ErrResolution) || !strings.Contains(err.Error(), "print 1") {
		t.Errorf("bad options: %v", err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := EncodeAll(ctx, set, nil); !errors.Is(err, context.Canceled) {
		t.Errorf("cancelled: %v", err)
	}
}

// TestExtremeContent: white noise at a high rate (large coefficients: the 8- and 16-bit
// escapes) and a blank page with a few dots (zero runs far longer than 255) both round trip.
func TestExtremeContent(t *testing.T) {
	noise := image.NewGray(image.Rect(0, 0, 256, 200))
	seed := uint32(12345)
	for i := range noise.Pix {
		seed = seed*1664525 + 1013904223
		noise.Pix[i] = byte(seed >> 24)
	}
	sparse := image.NewGray(image.Rect(0, 0, 700, 600))
	for i := range sparse.Pix {
		sparse.Pix[i] = 250
	}
	for _, p := range []image.Point{{100, 100}, {400, 300}, {650, 550}} {
		for dy := range 6 {
			for dx := range 6 {
				sparse.SetGray(p.X+dx, p.Y+dy, color.Gray{Y: 10})
			}
		}
	}
	for _, tc := range []struct {
		name    string
		img     *image.Gray
		rate    float64
		minPSNR float64
	}{
		// WSQ never codes subbands 60-63, a quarter of white noise's energy: ~16.8 dB at best.
		{"noise 8 bpp", noise, 8, 16},
		{"noise 0.1 bpp", noise, 0.1, 5},
		{"sparse 0.75 bpp", sparse, 0.75, 30},
	} {
		t.Run(tc.name, func(t *testing.T) {
			data := encodeBytes(t, tc.img, &Options{Bitrate: tc.rate})
			img, err := Decode(bytes.NewReader(data))
			if err != nil {
				t.Fatal(err)
			}
			p := psnr(tc.img, img.(*image.Gray))
			t.Logf("%d bytes, PSNR %.1f dB", len(data), p)
			if p < tc.minPSNR {
				t.Errorf("PSNR %.1f dB < %.0f", p, tc.minPSNR)
			}
		})
	}
	for v, want := range map[int]byte{1: 181, -73: 107, 74: 254, 75: symPos8, -74: symNeg8, 255: symPos8, 256: symPos16, -256: symNeg16} {
		if got := valueSymbol(v).sym; got != want {
			t.Errorf("value %d: symbol %d, want %d", v, got, want)
		}
	}
}
