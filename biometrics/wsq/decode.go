package wsq

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"image"
	"image/color"
	"io"
	"math"
	"strconv"
	"strings"
)

// Marker codes (spec Part 1, Table 1).
const (
	markerSOI  = 0xFFA0
	markerEOI  = 0xFFA1
	markerSOF  = 0xFFA2
	markerSOB  = 0xFFA3
	markerDTT  = 0xFFA4
	markerDQT  = 0xFFA5
	markerDHT  = 0xFFA6
	markerDRI  = 0xFFA7
	markerCOM  = 0xFFA8
	markerRST0 = 0xFFB0
	markerRST7 = 0xFFB7
)

// Size limits. WSQ holds friction-ridge images at 500 ppi; the largest of them are the 8 × 8
// inch ten-print card and the 5.5 × 8 inch full palm (ANSI/NIST-ITL Type-15), at most 4000
// pixels a side and 16 Mpx. A header claiming more is not a fingerprint, and since decoding
// allocates about 9 bytes per claimed pixel before the coded data is used, such claims are
// refused from the frame header alone (a 23 KB file claiming 8000 × 8000 used to cost
// 585 MB and several seconds).
const (
	// MaxSide bounds width and height: 10 inches at 500 ppi.
	MaxSide = 5000
	// MaxPixels bounds width × height (5000 × 4000; the decoder's peak memory is then about
	// 180 MB).
	MaxPixels = 20_000_000
)

// maxFileSize bounds how much Decode reads from its reader: more than 3 bytes for each pixel
// of the largest image, where a WSQ print at the usual 0.75 bpp target takes about 1/15 byte.
const maxFileSize = 64 << 20

var (
	// ErrFormat: the data is not a well-formed WSQ file.
	ErrFormat = errors.New("wsq: malformed file")
	// ErrTooLarge: the declared image exceeds MaxSide or MaxPixels.
	ErrTooLarge = errors.New("wsq: image too large")
	// ErrUnsupported: a valid feature this implementation does not handle.
	ErrUnsupported = errors.New("wsq: unsupported feature")
)

func formatErr(format string, args ...any) error {
	return fmt.Errorf("%w: %s", ErrFormat, fmt.Sprintf(format, args...))
}

// Info describes a WSQ file without its pixels.
type Info struct {
	Width, Height int
	// PPI is the scan resolution from the NIST_COM comment; 0 when the file does not say.
	PPI int
	// Bitrate is the encoder's target rate (WSQ_BITRATE) from NIST_COM; 0 when absent.
	Bitrate float64
	// Comments holds the text of every COM segment in file order.
	Comments []string
	// Encoder and Software are the SOF's encoder number and software implementation number.
	Encoder, Software int
}

func init() {
	image.RegisterFormat("wsq", "\xff\xa0", Decode, DecodeConfig)
}

// Decode reads a WSQ file and returns its pixels as an *image.Gray.
func Decode(r io.Reader) (image.Image, error) {
	data, err := readAll(r)
	if err != nil {
		return nil, err
	}
	img, _, err := decodeBytes(data)
	if err != nil {
		return nil, err
	}
	return img, nil
}

// DecodeConfig returns the size of a WSQ image (8-bit grey) without decoding it.
func DecodeConfig(r io.Reader) (image.Config, error) {
	info, err := DecodeInfo(r)
	if err != nil {
		return image.Config{}, err
	}
	return image.Config{ColorModel: color.GrayModel, Width: info.Width, Height: info.Height}, nil
}

// DecodeInfo reads the headers and comments of a WSQ file up to its frame header, without
// reading the coded data. Encoders write NIST_COM before the frame header; a comment placed
// after it (allowed, rare) is not in Info.Comments.
func DecodeInfo(r io.Reader) (Info, error) {
	d := &decoder{}
	if err := d.readHeaders(bufio.NewReader(r)); err != nil {
		return Info{}, err
	}
	return d.info(), nil
}

func readAll(r io.Reader) ([]byte, error) {
	data, err := io.ReadAll(io.LimitReader(r, maxFileSize+1))
	if err != nil {
		return nil, fmt.Errorf("wsq: read: %w", err)
	}
	if len(data) > maxFileSize {
		return nil, fmt.Errorf("%w: file larger than %d bytes", ErrTooLarge, maxFileSize)
	}
	return data, nil
}

// huffTable is a canonical Huffman table as transmitted in DHT (JPEG-style: the number of
// codes of each length 1..16, then the symbols in code order).
type huffTable struct {
	maxcode [17]int32 // largest code of each length, -1 if none
	valptr  [17]int32 // index into vals of the first code of each length
	mincode [17]int32
	vals    []byte
	// fast maps the next 8 bits to (length<<8 | symbol) for codes of at most 8 bits.
	fast [256]uint16
}

func newHuffTable(counts [16]byte, vals []byte) (*huffTable, error) {
	t := &huffTable{vals: vals}
	code := int32(0)
	k := int32(0)
	for l := 1; l <= 16; l++ {
		n := int32(counts[l-1])
		t.valptr[l] = k
		t.mincode[l] = code
		code += n
		k += n
		if n == 0 {
			t.maxcode[l] = -1
		} else {
			t.maxcode[l] = code - 1
		}
		if code > 1<<l {
			return nil, formatErr("Huffman table has more codes of length %d than fit", l)
		}
		if l <= 8 {
			for c := t.mincode[l]; c <= t.maxcode[l]; c++ {
				sym := vals[t.valptr[l]+c-t.mincode[l]]
				shift := 8 - l
				for f := c << shift; f < (c+1)<<shift; f++ {
					t.fast[f] = uint16(l)<<8 | uint16(sym)
				}
			}
		}
		code <<= 1
	}
	return t, nil
}

type decoder struct {
	width, height     int
	haveSOF           bool
	mShift, rScale    float32
	encoder, software int
	fb                *filterBank
	haveQ             bool
	binCenter         float32
	q, z              [numSubbands]float32
	huff              [8]*huffTable
	restart           int
	comments          []string
	// dry: decode the coded data without the coefficient plane (decodeBytes' first pass).
	dry bool
	// peak is the largest bin magnitude the escapes carried (for tests: other decoders hold
	// bins in 16-bit signed integers).
	peak int32

	// Coefficient decoding state across blocks.
	tree   *tree
	plane  []float32
	block  int
	cursor cursor
}

func (d *decoder) info() Info {
	in := Info{Width: d.width, Height: d.height, Comments: d.comments, Encoder: d.encoder, Software: d.software}
	for _, c := range d.comments {
		kv := parseNISTCom(c)
		if v, ok := kv["PPI"]; ok {
			if n, err := strconv.Atoi(v); err == nil && n > 0 {
				in.PPI = n
			}
		}
		if v, ok := kv["WSQ_BITRATE"]; ok {
			if f, err := strconv.ParseFloat(v, 64); err == nil && f > 0 && !math.IsInf(f, 0) {
				in.Bitrate = f
			}
		}
	}
	return in
}

// parseNISTCom reads a NIST_COM comment ("NIST_COM n" then "KEY VALUE" lines); other
// comments give an empty map.
func parseNISTCom(c string) map[string]string {
	if !strings.HasPrefix(c, "NIST_COM") {
		return nil
	}
	kv := map[string]string{}
	for _, line := range strings.Split(c, "\n") {
		k, v, ok := strings.Cut(strings.TrimSpace(line), " ")
		if ok {
			kv[k] = strings.TrimSpace(v)
		}
	}
	return kv
}

// byteSource abstracts the two ways segments are read: from a stream (DecodeInfo) or a slice.
type byteSource interface {
	io.Reader
	io.ByteReader
}

func readU16(r byteSource) (int, error) {
	var b [2]byte
	if _, err := io.ReadFull(r, b[:]); err != nil {
		return 0, truncated(err)
	}
	return int(b[0])<<8 | int(b[1]), nil
}

func truncated(err error) error {
	if errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) {
		return formatErr("file ends early (truncated)")
	}
	return fmt.Errorf("wsq: read: %w", err)
}

// readSegment reads a marker segment's length and body.
func readSegment(r byteSource, marker int) ([]byte, error) {
	n, err := readU16(r)
	if err != nil {
		return nil, err
	}
	if n < 2 {
		return nil, formatErr("segment %04X has length %d", marker, n)
	}
	if marker == markerDTT && n == nbisDTTLength {
		return readNBISTransformTable(r)
	}
	body := make([]byte, n-2)
	if _, err := io.ReadFull(r, body); err != nil {
		return nil, truncated(err)
	}
	return body, nil
}

// maxFilterTaps bounds the length of a transmitted filter. The field allows 255 taps and
// decoding time grows with the length: a 1.6 KB file with long filters claiming the largest
// image would keep a terminal busy for many seconds. The banks in use or studied for WSQ are
// at most 10 taps long (9/7; even 2/6, 8/8, 2/10, 6/10), so longer ones are refused as
// unsupported rather than decoded slowly.
const maxFilterTaps = 16

// nbisDTTLength is the DTT length field NIST NBIS writes whatever its filters: right for
// the 9/7 pair only. NBIS's own reader ignores the field and takes the table's size from the
// two filter lengths, so files NBIS wrote with any other pair (its 8/8 bank claims 58 for a
// 52-byte table) decode there. We accept the same files: a DTT claiming 58 bytes is read by
// its filter lengths, and whatever follows must be the next marker, or parsing fails there.
// Any other length must match the filter lengths exactly.
const nbisDTTLength = 58

// readNBISTransformTable reads a DTT body whose length field said nbisDTTLength, sizing it by
// the filter lengths as NBIS does.
func readNBISTransformTable(r byteSource) ([]byte, error) {
	var l [2]byte
	if _, err := io.ReadFull(r, l[:]); err != nil {
		return nil, truncated(err)
	}
	body := make([]byte, 2+6*((int(l[0])+1)/2+(int(l[1])+1)/2))
	copy(body, l[:])
	if _, err := io.ReadFull(r, body[2:]); err != nil {
		return nil, truncated(err)
	}
	return body, nil
}

// readHeaders reads SOI and segments up to and including SOF (for DecodeInfo).
func (d *decoder) readHeaders(r byteSource) error {
	m, err := readU16(r)
	if err != nil {
		return err
	}
	if m != markerSOI {
		return formatErr("does not start with the SOI marker FFA0 (found %04X)", m)
	}
	for !d.haveSOF {
		m, err := readU16(r)
		if err != nil {
			return err
		}
		switch m {
		case markerSOB, markerEOI:
			return formatErr("marker %04X before the frame header", m)
		}
		body, err := readSegment(r, m)
		if err != nil {
			return err
		}
		if err := d.segment(m, body); err != nil {
			return err
		}
	}
	return nil
}

// segment interprets one table/frame/comment segment.
func (d *decoder) segment(m int, b []byte) error {
	switch m {
	case markerSOF:
		return d.parseSOF(b)
	case markerDTT:
		return d.parseDTT(b)
	case markerDQT:
		return d.parseDQT(b)
	case markerDHT:
		return d.parseDHT(b)
	case markerDRI:
		if len(b) != 2 {
			return formatErr("DRI segment of %d bytes, want 2", len(b))
		}
		d.restart = int(b[0])<<8 | int(b[1])
		return nil
	case markerCOM:
		d.comments = append(d.comments, string(b))
		return nil
	}
	return formatErr("unknown marker %04X", m)
}

func (d *decoder) parseSOF(b []byte) error {
	if d.haveSOF {
		return formatErr("second frame header")
	}
	if len(b) != 15 {
		return formatErr("SOF segment of %d bytes, want 15", len(b))
	}
	d.height = int(b[2])<<8 | int(b[3])
	d.width = int(b[4])<<8 | int(b[5])
	if d.width == 0 || d.height == 0 {
		return formatErr("image size %d×%d", d.width, d.height)
	}
	if d.width > MaxSide || d.height > MaxSide || d.width*d.height > MaxPixels {
		return fmt.Errorf("%w: %d×%d pixels; no fingerprint or palm image at 500 ppi exceeds "+
			"%d pixels a side or %d pixels in all", ErrTooLarge, d.width, d.height, MaxSide, MaxPixels)
	}
	d.mShift = scaled(b[6], uint32(b[7])<<8|uint32(b[8]))
	d.rScale = scaled(b[9], uint32(b[10])<<8|uint32(b[11]))
	if d.rScale == 0 || math.IsInf(float64(d.rScale), 0) || math.IsInf(float64(d.mShift), 0) {
		return formatErr("SOF scale %v / shift %v unusable", d.rScale, d.mShift)
	}
	d.encoder = int(b[12])
	d.software = int(b[13])<<8 | int(b[14])
	d.haveSOF = true
	return nil
}

// scaled decodes the spec's scaled-integer number: value / 10^exponent.
func scaled(exp byte, v uint32) float32 {
	return float32(float64(v) / math.Pow(10, float64(exp)))
}

func (d *decoder) parseDTT(b []byte) error {
	if len(b) < 2 {
		return formatErr("DTT segment too short")
	}
	l0, l1 := int(b[0]), int(b[1])
	if l0 == 0 || l1 == 0 {
		return formatErr("DTT filter length zero")
	}
	if l0 > maxFilterTaps || l1 > maxFilterTaps {
		return fmt.Errorf("%w: transform filters of %d and %d taps; at most %d are accepted "+
			"(WSQ encoders use 9/7 or even banks of up to 10 taps): ask the sender to re-encode "+
			"with FBI encoder #1", ErrUnsupported, l0, l1, maxFilterTaps)
	}
	if l0%2 != l1%2 {
		// NBIS picks its analysis path from the parity of L0 and its synthesis path from L1:
		// no reference decodes a mixed pair, so there is nothing to be conformant with.
		return fmt.Errorf("%w: transform filters of %d and %d taps (one odd, one even); "+
			"WSQ encoders use two odd (9/7) or two even filters: ask the sender to re-encode "+
			"with FBI encoder #1", ErrUnsupported, l0, l1)
	}
	if l0%2 == 0 && (l0/2)%2 == 1 && (l1/2)%2 == 0 {
		// Pairs such as 2/4: NBIS's synthesis overwrites part of the high band there, so
		// the reference output disagrees with the filter mathematics and no decode is right.
		return fmt.Errorf("%w: even transform filters of %d and %d taps (half-lengths odd "+
			"and even), which no perfect-reconstruction pair has and NBIS decodes wrongly: "+
			"ask the sender to re-encode with FBI encoder #1", ErrUnsupported, l0, l1)
	}
	n0, n1 := (l0+1)/2, (l1+1)/2
	if len(b) != 2+6*(n0+n1) {
		return formatErr("DTT segment of %d bytes for filters of %d and %d taps (want %d)", len(b), l0, l1, 2+6*(n0+n1))
	}
	read := func(p []byte, n int) []float32 {
		f := make([]float32, n)
		for i := range f {
			c := p[6*i:]
			v := scaled(c[1], uint32(c[2])<<24|uint32(c[3])<<16|uint32(c[4])<<8|uint32(c[5]))
			if c[0] != 0 {
				v = -v
			}
			f[i] = v
		}
		return f
	}
	h0 := read(b[2:], n0)
	h1 := read(b[2+6*n0:], n1)
	if l0%2 == 0 {
		d.fb = &filterBank{even: newEvenBank(h0, h1)}
		return nil
	}
	d.fb = newFilterBank(h0, h1)
	return nil
}

// checkFilters refuses an even-length pair on an image so small that some line of the
// decomposition is shorter than the filters: there NBIS's extension departs from the rules
// the even path implements, so no reference output exists to match.
func (d *decoder) checkFilters() error {
	if d.fb == nil || d.fb.even == nil {
		return nil
	}
	if n, need := d.tree.shortestLine(), d.fb.even.minLine(); n < need {
		return fmt.Errorf("%w: %d×%d image with even-length transform filters of up to %d taps: "+
			"its decomposition has lines of %d samples, shorter than the filters, where the "+
			"reference implementation's boundary handling is not defined by the rules we follow",
			ErrUnsupported, d.width, d.height, need, n)
	}
	return nil
}

func (d *decoder) parseDQT(b []byte) error {
	if len(b) != 3+6*numSubbands {
		return formatErr("DQT segment of %d bytes, want %d", len(b), 3+6*numSubbands)
	}
	d.binCenter = scaled(b[0], uint32(b[1])<<8|uint32(b[2]))
	for k := 0; k < numSubbands; k++ {
		c := b[3+6*k:]
		d.q[k] = scaled(c[0], uint32(c[1])<<8|uint32(c[2]))
		d.z[k] = scaled(c[3], uint32(c[4])<<8|uint32(c[5]))
	}
	for k := numCoded; k < numSubbands; k++ {
		if d.q[k] != 0 {
			return fmt.Errorf("%w: subband %d has a bin width; subbands 60-63 are never coded", ErrUnsupported, k)
		}
	}
	d.haveQ = true
	return nil
}

func (d *decoder) parseDHT(b []byte) error {
	for len(b) > 0 {
		if len(b) < 17 {
			return formatErr("DHT table header truncated")
		}
		id := int(b[0])
		if id >= len(d.huff) {
			return formatErr("Huffman table number %d (0-7 allowed)", id)
		}
		var counts [16]byte
		copy(counts[:], b[1:17])
		total := 0
		for _, c := range counts {
			total += int(c)
		}
		if total == 0 || total > 256 || len(b) < 17+total {
			return formatErr("Huffman table %d declares %d codes with %d bytes left", id, total, len(b)-17)
		}
		vals := append([]byte(nil), b[17:17+total]...)
		t, err := newHuffTable(counts, vals)
		if err != nil {
			return err
		}
		d.huff[id] = t
		b = b[17+total:]
	}
	return nil
}

// decodeBytes decodes a whole file held in memory.
//
// It reads the file twice. The first pass parses every segment and entropy-decodes every
// block without the coefficient plane, and requires the coded data to account for every
// coefficient the frame header's size implies: a header claiming a larger image than its
// data holds (truncated, or a size bomb) is refused before the allocation proportional to
// that size. The second pass decodes for real. The extra pass costs the Huffman decoding
// only (see docs/BENCHMARKS.md).
func decodeBytes(data []byte) (*image.Gray, Info, error) {
	if _, err := (&decoder{dry: true}).run(data); err != nil {
		return nil, Info{}, err
	}
	d := &decoder{}
	img, err := d.run(data)
	if err != nil {
		return nil, Info{}, err
	}
	return img, d.info(), nil
}

// run parses data; a dry decoder returns no image.
func (d *decoder) run(data []byte) (*image.Gray, error) {
	r := bytes.NewReader(data)
	if err := d.readHeaders(r); err != nil {
		return nil, err
	}
	d.tree = newTree(d.width, d.height)
	pos := len(data) - r.Len()
	for {
		if pos+2 > len(data) {
			return nil, formatErr("file ends before the EOI marker (truncated)")
		}
		m := int(data[pos])<<8 | int(data[pos+1])
		pos += 2
		switch {
		case m == markerEOI:
			if d.block == 0 {
				return nil, formatErr("no coded data blocks")
			}
			if err := d.checkFilters(); err != nil {
				return nil, err
			}
			if !d.cursor.done() {
				return nil, formatErr("the coded data ends after %d of the %d coefficients a %d×%d "+
					"image has (truncated, or the header claims a larger image than the file holds)",
					d.cursor.covered(d.tree), d.cursor.total(d.tree), d.width, d.height)
			}
			if d.dry {
				return nil, nil
			}
			return d.reconstruct(), nil
		case m == markerSOB:
			r := bytes.NewReader(data[pos:])
			body, err := readSegment(r, m)
			if err != nil {
				return nil, err
			}
			pos += 2 + len(body)
			if len(body) != 1 {
				return nil, formatErr("SOB segment of %d bytes, want 1", len(body))
			}
			n, err := d.decodeBlock(data[pos:], int(body[0]))
			if err != nil {
				return nil, err
			}
			pos += n
		case m >= markerRST0 && m <= markerRST7:
			return nil, formatErr("restart marker outside coded data")
		case m>>8 != 0xFF:
			return nil, formatErr("expected a marker at byte %d, found %04X", pos-2, m)
		default:
			r := bytes.NewReader(data[pos:])
			body, err := readSegment(r, m)
			if err != nil {
				return nil, err
			}
			pos += 2 + len(body)
			if err := d.segment(m, body); err != nil {
				return nil, err
			}
		}
	}
}
