package sbi

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"image"
	"image/jpeg"
	"image/png"
)

// The SBI bioValue of a registration capture is an ISO image record: ISO/IEC
// 19794-4:2005 for fingers, 19794-5:2005 for faces. We write and read the
// subset devices send: one finger (or face) view, PNG (finger, compression 5)
// or JPEG (face) image data. Fields beyond that are kept at defaults.

const (
	firHeaderLen    = 32
	firFingerHdrLen = 14
	facHeaderLen    = 14
	facInfoLen      = 20
	facImageInfoLen = 12
	maxImageSide    = 5000
)

// ISOFinger is one finger image from an ISO 19794-4 record.
type ISOFinger struct {
	Position int
	Quality  int
	PPI      int
	Image    *image.Gray
}

// EncodeFinger writes an ISO/IEC 19794-4:2005 record with one PNG-compressed view.
func EncodeFinger(img *image.Gray, position, quality, ppi int) ([]byte, error) {
	var pngBuf bytes.Buffer
	if err := png.Encode(&pngBuf, img); err != nil {
		return nil, fmt.Errorf("encode finger png: %w", err)
	}
	b := img.Bounds()
	total := firHeaderLen + firFingerHdrLen + pngBuf.Len()
	var w bytes.Buffer
	w.WriteString("FIR\x00010\x00")
	var l6 [6]byte
	l6[0], l6[1] = byte(total>>40), byte(total>>32)
	binary.BigEndian.PutUint32(l6[2:], uint32(total))
	w.Write(l6[:])
	be := func(v uint16) { binary.Write(&w, binary.BigEndian, v) }
	be(0)  // capture device ID
	be(31) // image acquisition level (500 ppi)
	w.WriteByte(1)
	w.WriteByte(1) // scale units: pixels per inch
	for range 4 {
		be(uint16(ppi)) // scan h/v, image h/v
	}
	w.WriteByte(8) // pixel depth
	w.WriteByte(5) // compression: PNG
	be(0)          // reserved
	binary.Write(&w, binary.BigEndian, uint32(firFingerHdrLen+pngBuf.Len()))
	w.WriteByte(byte(position))
	w.WriteByte(1) // views
	w.WriteByte(1) // view number
	w.WriteByte(byte(quality))
	w.WriteByte(0) // live-scan plain
	be(uint16(b.Dx()))
	be(uint16(b.Dy()))
	w.WriteByte(0)
	w.Write(pngBuf.Bytes())
	return w.Bytes(), nil
}

// DecodeFinger reads an ISO/IEC 19794-4:2005 record with one view (PNG or
// uncompressed 8-bit); the image size must match the header.
func DecodeFinger(b []byte) (*ISOFinger, error) {
	if len(b) < firHeaderLen+firFingerHdrLen {
		return nil, fmt.Errorf("iso 19794-4 record: %d bytes, shorter than its headers", len(b))
	}
	if string(b[:4]) != "FIR\x00" {
		return nil, errors.New("iso 19794-4 record: missing FIR magic")
	}
	total := int(uint64(b[8])<<40 | uint64(b[9])<<32 | uint64(binary.BigEndian.Uint32(b[10:14])))
	if total != len(b) {
		return nil, fmt.Errorf("iso 19794-4 record: header says %d bytes, have %d", total, len(b))
	}
	if b[18] != 1 {
		return nil, fmt.Errorf("iso 19794-4 record: %d fingers, want 1", b[18])
	}
	ppi := int(binary.BigEndian.Uint16(b[24:26]))
	depth, comp := b[28], b[29]
	f := b[firHeaderLen:]
	blk := int(binary.BigEndian.Uint32(f[0:4]))
	if blk != len(f) {
		return nil, fmt.Errorf("iso 19794-4 finger block: says %d bytes, have %d", blk, len(f))
	}
	w, h := int(binary.BigEndian.Uint16(f[9:11])), int(binary.BigEndian.Uint16(f[11:13]))
	if w == 0 || h == 0 || w > maxImageSide || h > maxImageSide {
		return nil, fmt.Errorf("iso 19794-4 finger: image size %dx%d out of range", w, h)
	}
	out := &ISOFinger{Position: int(f[4]), Quality: int(f[7]), PPI: ppi}
	data := f[firFingerHdrLen:]
	switch comp {
	case 0:
		if depth != 8 || len(data) != w*h {
			return nil, fmt.Errorf("iso 19794-4 finger: raw data %d bytes at depth %d, want %d at 8", len(data), depth, w*h)
		}
		out.Image = &image.Gray{Pix: append([]byte(nil), data...), Stride: w, Rect: image.Rect(0, 0, w, h)}
	case 5:
		cfg, err := png.DecodeConfig(bytes.NewReader(data))
		if err != nil {
			return nil, fmt.Errorf("iso 19794-4 finger png: %w", err)
		}
		if cfg.Width != w || cfg.Height != h {
			return nil, fmt.Errorf("iso 19794-4 finger: png is %dx%d, header says %dx%d", cfg.Width, cfg.Height, w, h)
		}
		img, err := png.Decode(bytes.NewReader(data))
		if err != nil {
			return nil, fmt.Errorf("iso 19794-4 finger png: %w", err)
		}
		out.Image = toGray(img)
	default:
		return nil, fmt.Errorf("iso 19794-4 finger: compression %d not supported (want PNG or raw)", comp)
	}
	return out, nil
}

// EncodeFace writes an ISO/IEC 19794-5:2005 record with one JPEG full-frontal image.
func EncodeFace(img image.Image) ([]byte, error) {
	var jb bytes.Buffer
	if err := jpeg.Encode(&jb, img, &jpeg.Options{Quality: 92}); err != nil {
		return nil, fmt.Errorf("encode face jpeg: %w", err)
	}
	b := img.Bounds()
	block := 4 + facInfoLen - 4 + facImageInfoLen + jb.Len()
	total := facHeaderLen + block
	var w bytes.Buffer
	w.WriteString("FAC\x00010\x00")
	binary.Write(&w, binary.BigEndian, uint32(total))
	binary.Write(&w, binary.BigEndian, uint16(1))
	binary.Write(&w, binary.BigEndian, uint32(block))
	w.Write(make([]byte, facInfoLen-4)) // no feature points, unspecified gender/eyes/hair/pose
	w.WriteByte(1)                      // full frontal
	w.WriteByte(0)                      // JPEG
	binary.Write(&w, binary.BigEndian, uint16(b.Dx()))
	binary.Write(&w, binary.BigEndian, uint16(b.Dy()))
	w.WriteByte(1) // 24-bit RGB
	w.WriteByte(2) // digital camera
	binary.Write(&w, binary.BigEndian, uint16(0))
	binary.Write(&w, binary.BigEndian, uint16(0))
	w.Write(jb.Bytes())
	return w.Bytes(), nil
}

// DecodeFace reads the image of an ISO/IEC 19794-5:2005 record written by a
// device (one face, JPEG or PNG data, no feature points).
func DecodeFace(b []byte) (image.Image, error) {
	if len(b) < facHeaderLen+facInfoLen+facImageInfoLen {
		return nil, fmt.Errorf("iso 19794-5 record: %d bytes, shorter than its headers", len(b))
	}
	if string(b[:4]) != "FAC\x00" {
		return nil, errors.New("iso 19794-5 record: missing FAC magic")
	}
	if int(binary.BigEndian.Uint32(b[8:12])) != len(b) {
		return nil, fmt.Errorf("iso 19794-5 record: length field %d, have %d bytes", binary.BigEndian.Uint32(b[8:12]), len(b))
	}
	info := b[facHeaderLen:]
	points := int(binary.BigEndian.Uint16(info[4:6]))
	off := facInfoLen + 8*points
	if len(info) < off+facImageInfoLen {
		return nil, errors.New("iso 19794-5 record: truncated image information")
	}
	ii := info[off:]
	w, h := int(binary.BigEndian.Uint16(ii[2:4])), int(binary.BigEndian.Uint16(ii[4:6]))
	if w == 0 || h == 0 || w > maxImageSide || h > maxImageSide {
		return nil, fmt.Errorf("iso 19794-5 face: image size %dx%d out of range", w, h)
	}
	data := ii[facImageInfoLen:]
	cfg, format, err := image.DecodeConfig(bytes.NewReader(data))
	if err != nil {
		return nil, fmt.Errorf("iso 19794-5 face image: %w", err)
	}
	if cfg.Width != w || cfg.Height != h {
		return nil, fmt.Errorf("iso 19794-5 face: %s is %dx%d, header says %dx%d", format, cfg.Width, cfg.Height, w, h)
	}
	img, _, err := image.Decode(bytes.NewReader(data))
	if err != nil {
		return nil, fmt.Errorf("iso 19794-5 face image: %w", err)
	}
	return img, nil
}

func toGray(img image.Image) *image.Gray {
	if g, ok := img.(*image.Gray); ok {
		return g
	}
	b := img.Bounds()
	g := image.NewGray(image.Rect(0, 0, b.Dx(), b.Dy()))
	for y := b.Min.Y; y < b.Max.Y; y++ {
		for x := b.Min.X; x < b.Max.X; x++ {
			g.Set(x-b.Min.X, y-b.Min.Y, img.At(x, y))
		}
	}
	return g
}
