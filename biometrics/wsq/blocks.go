package wsq

import (
	"errors"
	"image"
)

// Huffman symbol categories (spec Part 1, Table 6): 1-100 are zero runs of that length,
// 101-106 escapes followed by 8 or 16 raw bits, and 107-254 the coefficients -73..74
// (symbol - 180).
const (
	symPos8     = 101
	symNeg8     = 102
	symPos16    = 103
	symNeg16    = 104
	symRun8     = 105
	symRun16    = 106
	symValue0   = 180
	maxShortRun = 100
	minShortVal = -73
	maxShortVal = 74
)

// cursor walks the coded subbands' coefficients in transmission order: subband by subband
// (those with a non-zero bin width), each in raster order.
type cursor struct {
	subs  []int
	i     int // index into subs
	idx   int // position inside the current subband
	r     region
	width int
}

func (c *cursor) init(t *tree, q *[numSubbands]float32, width int) {
	c.subs = c.subs[:0]
	for k := 0; k < numCoded; k++ {
		r := t.subbands[k]
		if q[k] != 0 && r.w > 0 && r.h > 0 {
			c.subs = append(c.subs, k)
		}
	}
	c.width = width
	c.i, c.idx = 0, 0
	if len(c.subs) > 0 {
		c.r = t.subbands[c.subs[0]]
	}
}

func (c *cursor) done() bool { return c.i >= len(c.subs) }

// total is the number of coefficients the coded subbands hold.
func (c *cursor) total(t *tree) int {
	n := 0
	for _, k := range c.subs {
		n += t.subbands[k].w * t.subbands[k].h
	}
	return n
}

// covered is the number of coefficients decoded (or skipped by zero runs) so far.
func (c *cursor) covered(t *tree) int {
	n := c.idx
	for _, k := range c.subs[:min(c.i, len(c.subs))] {
		n += t.subbands[k].w * t.subbands[k].h
	}
	return n
}

// skip moves past n zero coefficients; false when that runs past the last subband.
func (c *cursor) skip(n int, t *tree) bool {
	for n > 0 {
		if c.done() {
			return false
		}
		remain := c.r.w*c.r.h - c.idx
		if n < remain {
			c.idx += n
			return true
		}
		n -= remain
		c.next(t)
	}
	return true
}

func (c *cursor) next(t *tree) {
	c.i++
	c.idx = 0
	if c.i < len(c.subs) {
		c.r = t.subbands[c.subs[c.i]]
	}
}

// bitReader reads the entropy-coded bytes of a block: 0xFF is followed by a stuffed 0x00;
// any other byte after 0xFF is a marker, which ends the data (or is a restart).
type bitReader struct {
	data []byte
	pos  int
	acc  uint32
	n    uint
}

var errMarker = errors.New("marker reached")

func (br *bitReader) fill() error {
	if br.pos >= len(br.data) {
		return formatErr("coded data ends without a marker (truncated)")
	}
	b := br.data[br.pos]
	if b == 0xFF {
		if br.pos+1 >= len(br.data) {
			return formatErr("coded data ends inside a marker (truncated)")
		}
		if br.data[br.pos+1] != 0 {
			return errMarker
		}
		br.pos += 2
	} else {
		br.pos++
	}
	br.acc = br.acc<<8 | uint32(b)
	br.n += 8
	return nil
}

func (br *bitReader) bits(k uint) (uint32, error) {
	for br.n < k {
		if err := br.fill(); err != nil {
			if err == errMarker {
				return 0, formatErr("coded data cut short by a marker inside a value")
			}
			return 0, err
		}
	}
	br.n -= k
	return br.acc >> br.n & (1<<k - 1), nil
}

// decodeSymbol reads one Huffman code. It returns errMarker when a marker arrives before a
// code is complete and the bits read so far are all ones (the encoder's padding).
func (br *bitReader) decodeSymbol(t *huffTable) (byte, error) {
	if br.n < 8 {
		// Top up for the fast table; a marker or the end here is decided bit by bit below.
		for br.n < 8 {
			if err := br.fill(); err != nil {
				break
			}
		}
	}
	if br.n >= 8 {
		e := t.fast[br.acc>>(br.n-8)&0xFF]
		if l := uint(e >> 8); l != 0 {
			br.n -= l
			return byte(e), nil
		}
	}
	code := int32(0)
	for l := 1; l <= 16; l++ {
		if br.n == 0 {
			if err := br.fill(); err != nil {
				if err == errMarker && code == 1<<(l-1)-1 {
					br.n = 0
					return 0, errMarker
				}
				if err == errMarker {
					return 0, formatErr("marker inside a Huffman code")
				}
				return 0, err
			}
		}
		br.n--
		code = code<<1 | int32(br.acc>>br.n&1)
		if t.maxcode[l] >= 0 && code <= t.maxcode[l] && code >= t.mincode[l] {
			return t.vals[t.valptr[l]+code-t.mincode[l]], nil
		}
	}
	return 0, formatErr("invalid Huffman code")
}

// decodeBlock decodes one SOB block's entropy-coded data (data starts right after the SOB
// segment) and returns how many bytes it used, stopping at the marker that ends it.
func (d *decoder) decodeBlock(data []byte, table int) (int, error) {
	if !d.haveQ || d.fb == nil {
		return 0, formatErr("coded data before the DQT and DTT tables")
	}
	if table >= len(d.huff) || d.huff[table] == nil {
		return 0, formatErr("block uses Huffman table %d, which was not defined", table)
	}
	if d.block >= 3 {
		return 0, formatErr("more than three coded blocks")
	}
	if d.block == 0 {
		if err := d.checkFilters(); err != nil {
			return 0, err
		}
		if !d.dry {
			d.plane = make([]float32, d.width*d.height)
		}
		d.cursor.init(d.tree, &d.q, d.width)
	}
	d.block++
	t := d.huff[table]
	br := &bitReader{data: data}
	c := &d.cursor
	for {
		sym, err := br.decodeSymbol(t)
		if err == errMarker {
			m := int(data[br.pos])<<8 | int(data[br.pos+1])
			if m >= markerRST0 && m <= markerRST7 {
				br.pos += 2
				br.n, br.acc = 0, 0
				continue
			}
			return br.pos, nil
		}
		if err != nil {
			return 0, err
		}
		var v int32
		switch {
		case sym >= 1 && sym <= maxShortRun:
			if !c.skip(int(sym), d.tree) {
				return 0, formatErr("zero run past the last coefficient")
			}
			continue
		case sym == symRun8 || sym == symRun16:
			k := uint(8)
			if sym == symRun16 {
				k = 16
			}
			n, err := br.bits(k)
			if err != nil {
				return 0, err
			}
			if !c.skip(int(n), d.tree) {
				return 0, formatErr("zero run past the last coefficient")
			}
			continue
		case sym >= symPos8 && sym <= symNeg16:
			k := uint(8)
			if sym >= symPos16 {
				k = 16
			}
			n, err := br.bits(k)
			if err != nil {
				return 0, err
			}
			v = int32(n)
			d.peak = max(d.peak, v)
			if sym == symNeg8 || sym == symNeg16 {
				v = -v
			}
		case sym > symRun16:
			v = int32(sym) - symValue0
		default:
			return 0, formatErr("Huffman symbol %d is not a WSQ category", sym)
		}
		if c.done() {
			return 0, formatErr("more coefficients than the subbands hold")
		}
		k := c.subs[c.i]
		if v != 0 && !d.dry {
			d.plane[(c.r.y+c.idx/c.r.w)*d.width+c.r.x+c.idx%c.r.w] = d.dequant(k, v)
		}
		c.idx++
		if c.idx == c.r.w*c.r.h {
			c.next(d.tree)
		}
	}
}

// dequant maps a bin index back to a coefficient (spec Part 1, eq. for â): bins start at
// ±Z/2 and are Q wide; C places the value inside the bin.
func (d *decoder) dequant(k int, v int32) float32 {
	q, z := d.q[k], d.z[k]
	if v > 0 {
		return float32((float32(v)-d.binCenter)*q) + z/2 // conversions: no FMA fusion
	}
	return float32((float32(v)+d.binCenter)*q) - z/2
}

// reconstruct runs the synthesis transform and maps back to 8-bit grey.
func (d *decoder) reconstruct() *image.Gray {
	d.fb.inverse(d.plane, d.width, d.tree)
	img := image.NewGray(image.Rect(0, 0, d.width, d.height))
	pix := img.Pix[:len(d.plane)]
	for i, v := range d.plane {
		// Round half up and clamp; truncating a non-negative value is its floor.
		p := float32(v*d.rScale) + d.mShift + 0.5
		switch {
		case p < 0:
			pix[i] = 0
		case p >= 255:
			pix[i] = 255
		default:
			pix[i] = uint8(p)
		}
	}
	return img
}
