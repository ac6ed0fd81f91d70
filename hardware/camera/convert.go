package camera

import (
	"bytes"
	"errors"
	"fmt"
	"image"
	"image/jpeg"
	"sync"
)

// YUYVToImage wraps a YUYV 4:2:2 frame (Y0 U Y1 V per two pixels) as an
// image.YCbCr without converting colour: the planes are split once.
func YUYVToImage(buf []byte, w, h int) (*image.YCbCr, error) {
	if w <= 0 || h <= 0 || w%2 != 0 || w > 8192 || h > 8192 {
		return nil, fmt.Errorf("yuyv frame %dx%d: width must be even and sizes 1-8192", w, h)
	}
	if len(buf) < w*h*2 {
		return nil, fmt.Errorf("yuyv frame %dx%d: %d bytes, want %d", w, h, len(buf), w*h*2)
	}
	img := image.NewYCbCr(image.Rect(0, 0, w, h), image.YCbCrSubsampleRatio422)
	for y := 0; y < h; y++ {
		row := buf[y*w*2 : (y+1)*w*2]
		yo, co := y*img.YStride, y*img.CStride
		for x := 0; x < w/2; x++ {
			p := row[x*4 : x*4+4]
			img.Y[yo+2*x] = p[0]
			img.Cb[co+x] = p[1]
			img.Y[yo+2*x+1] = p[2]
			img.Cr[co+x] = p[3]
		}
	}
	return img, nil
}

// MJPEGToImage decodes one MJPEG frame. Many webcams leave out the Huffman
// tables (the "AVI1" MJPEG convention relies on the standard tables of
// JPEG Annex K), which image/jpeg rejects; those tables are put back first.
func MJPEGToImage(buf []byte) (image.Image, error) {
	if len(buf) < 4 || buf[0] != 0xFF || buf[1] != 0xD8 {
		return nil, errors.New("mjpeg frame does not start with a JPEG SOI marker")
	}
	frame, err := withHuffmanTables(buf)
	if err != nil {
		return nil, err
	}
	img, err := jpeg.Decode(bytes.NewReader(frame))
	if err != nil {
		return nil, fmt.Errorf("mjpeg frame: %w", err)
	}
	return img, nil
}

var (
	stdDHTOnce sync.Once
	stdDHT     []byte
)

// standardDHT returns a DHT segment with the Annex K tables. image/jpeg's
// encoder always writes exactly those, so it is taken from a tiny encoded image.
func standardDHT() []byte {
	stdDHTOnce.Do(func() {
		var b bytes.Buffer
		jpeg.Encode(&b, image.NewRGBA(image.Rect(0, 0, 8, 8)), nil) // colour: all four tables
		segs, _ := segments(b.Bytes())
		for _, s := range segs {
			if s.marker == 0xC4 {
				stdDHT = append([]byte(nil), b.Bytes()[s.start:s.end]...)
			}
		}
	})
	return stdDHT
}

type segment struct {
	marker     byte
	start, end int // byte range including the marker
}

// segments lists the marker segments up to and including SOS.
func segments(b []byte) ([]segment, error) {
	var out []segment
	i := 2
	for i+4 <= len(b) {
		if b[i] != 0xFF {
			return nil, fmt.Errorf("mjpeg frame: no marker at byte %d", i)
		}
		m := b[i+1]
		if m == 0xFF { // fill byte
			i++
			continue
		}
		n := int(b[i+2])<<8 | int(b[i+3])
		if n < 2 || i+2+n > len(b) {
			return nil, fmt.Errorf("mjpeg frame: segment %#x at byte %d runs past the end", m, i)
		}
		out = append(out, segment{m, i, i + 2 + n})
		if m == 0xDA {
			return out, nil
		}
		i += 2 + n
	}
	return nil, errors.New("mjpeg frame: no start-of-scan marker")
}

func withHuffmanTables(b []byte) ([]byte, error) {
	segs, err := segments(b)
	if err != nil {
		return nil, err
	}
	for _, s := range segs {
		if s.marker == 0xC4 {
			return b, nil
		}
	}
	sos := segs[len(segs)-1].start
	out := make([]byte, 0, len(b)+len(standardDHT()))
	out = append(out, b[:sos]...)
	out = append(out, standardDHT()...)
	return append(out, b[sos:]...), nil
}
