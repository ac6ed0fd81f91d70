package wsq

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"image"
	"io"
	"math"
	"runtime"
	"strings"
	"sync"
)

// DefaultBitrate is FBI encoder #1's target rate in bits per pixel (about 15:1). The spec's
// rate model overestimates the coded size, so files land near 0.55 bits per pixel.
const DefaultBitrate = 0.75

// MaxBitrate is the highest target rate Encode accepts, in bits per pixel. Every rate up to
// it gives a file whose quantised values fit 16 bits signed (see binWidths); above about
// 4 bpp the target is no longer reached exactly, because the coarsest subbands' steps are
// widened to keep that promise, and nothing is gained for fingerprints anyway.
const MaxBitrate = 8

// SpecPPI is the only scan resolution WSQ is defined for (19.69 px/mm); 1000 ppi prints
// need JPEG 2000 instead.
const SpecPPI = 500

// ErrResolution: the image is not a 500 ppi scan.
var ErrResolution = errors.New("wsq: WSQ is defined only for 500 ppi images")

// Options tune the encoder. A nil *Options means DefaultBitrate at 500 ppi.
type Options struct {
	// Bitrate is the target rate in bits per pixel for the bit allocation (default 0.75).
	Bitrate float64
	// PPI is the scan resolution; 0 means 500. Anything else is ErrResolution.
	PPI int
	// Comment, when not empty, is stored in a second COM segment after NIST_COM.
	Comment string
}

// Encoder #1 constants (spec Part 3).
const (
	binCenter    = 0.44 // C: where in a bin the decoder places the value
	zeroBinRatio = 1.2  // Z = 1.2 Q
	minVariance  = 1.01 // subbands with less variance are not coded
)

// Encode writes img as a WSQ file using FBI encoder #1's parameters. Colour images are
// converted to 8-bit grey first.
//
// This encoder is NOT FBI-certified (see the package comment): keep a lossless copy (PNG)
// of every capture elsewhere.
func Encode(w io.Writer, img image.Image, opt *Options) error {
	o := Options{Bitrate: DefaultBitrate, PPI: SpecPPI}
	if opt != nil {
		o.Comment = opt.Comment
		if opt.Bitrate != 0 {
			o.Bitrate = opt.Bitrate
		}
		if opt.PPI != 0 {
			o.PPI = opt.PPI
		}
	}
	if o.PPI != SpecPPI {
		return fmt.Errorf("%w: image is %d ppi; rescale it to 500 ppi or store it losslessly (PNG)", ErrResolution, o.PPI)
	}
	if !(o.Bitrate > 0 && o.Bitrate <= MaxBitrate) {
		return fmt.Errorf("wsq: bit rate %v out of range: want above 0 and at most %v bits per pixel (FBI: %v)", o.Bitrate, MaxBitrate, DefaultBitrate)
	}
	if strings.ContainsRune(o.Comment, 0) || len(o.Comment) > 60000 {
		return errors.New("wsq: comment holds a NUL byte or is longer than 60000 bytes")
	}
	g := toGray(img)
	width, height := g.Rect.Dx(), g.Rect.Dy()
	if width < 1 || height < 1 || width > MaxSide || height > MaxSide || width*height > MaxPixels {
		return fmt.Errorf("%w: cannot encode a %d×%d image (1..%d per side, at most %d pixels, "+
			"the limits decoders here accept)", ErrTooLarge, width, height, MaxSide, MaxPixels)
	}
	e, err := encodeGray(g, o, 0)
	if err != nil {
		return err
	}
	bw := bufio.NewWriter(w)
	if _, err := bw.Write(e); err != nil {
		return fmt.Errorf("wsq: write: %w", err)
	}
	if err := bw.Flush(); err != nil {
		return fmt.Errorf("wsq: write: %w", err)
	}
	return nil
}

// encodeGray produces the whole file in memory.
// restartEvery > 0 puts a restart marker after every that many symbols (tests only: it costs
// size and no receiver needs it).
func encodeGray(g *image.Gray, o Options, restartEvery int) ([]byte, error) {
	width, height := g.Rect.Dx(), g.Rect.Dy()

	plane, mE, mV, rE, rV, err := normalise(g)
	if err != nil {
		return nil, err
	}
	t := newTree(width, height)
	newFilterBank(specLowpass[:], specHighpass[:]).forward(plane, width, t)

	q := allocate(subbandVariances(plane, width, t), o.Bitrate)

	tq, tz, qs, zs, err := binWidths(q, subbandPeaks(plane, width, t))
	if err != nil {
		return nil, err
	}

	// Symbols of the three blocks; block 1 gets table 0, blocks 2 and 3 share table 1.
	var blocks [3][]symbol
	for b := 0; b < 3; b++ {
		if blocks[b], err = quantizeBlock(plane, width, t, &tq, &tz, blockStarts[b], blockStarts[b+1]); err != nil {
			return nil, err
		}
	}
	tab0 := buildHuffman(blocks[0])
	tab1 := buildHuffman(blocks[1], blocks[2])

	w := &segWriter{restartEvery: restartEvery}
	w.marker(markerSOI)
	w.segment(markerCOM, []byte(nistCom(width, height, o)))
	if o.Comment != "" {
		w.segment(markerCOM, []byte(o.Comment))
	}
	w.segment(markerDTT, dttBody())
	dqt := []byte{2, 0, 44} // C = 0.44
	for k := 0; k < numSubbands; k++ {
		dqt = append(dqt, qs[k][:]...)
		dqt = append(dqt, zs[k][:]...)
	}
	w.segment(markerDQT, dqt)
	w.segment(markerSOF, []byte{
		0, 255,
		byte(height >> 8), byte(height), byte(width >> 8), byte(width),
		mE, byte(mV >> 8), byte(mV), rE, byte(rV >> 8), byte(rV),
		0, 0, 0, // encoder and software number: not a certified implementation
	})
	if restartEvery > 0 {
		w.segment(markerDRI, []byte{byte(restartEvery >> 8), byte(restartEvery)})
	}
	w.segment(markerDHT, tab0.dhtBody(0))
	w.segment(markerSOB, []byte{0})
	w.coded(blocks[0], tab0)
	w.segment(markerDHT, tab1.dhtBody(1))
	for b := 1; b < 3; b++ {
		if len(blocks[b]) == 0 {
			continue
		}
		w.segment(markerSOB, []byte{1})
		w.coded(blocks[b], tab1)
	}
	w.marker(markerEOI)
	return w.buf, nil
}

// nistCom is the NIST_COM comment the ANSI/NIST tooling reads (size, depth, ppi, rate).
func nistCom(width, height int, o Options) string {
	lines := []string{
		fmt.Sprintf("PIX_WIDTH %d", width),
		fmt.Sprintf("PIX_HEIGHT %d", height),
		"PIX_DEPTH 8",
		fmt.Sprintf("PPI %d", o.PPI),
		"LOSSY 1",
		"COLORSPACE GRAY",
		"COMPRESSION WSQ",
		fmt.Sprintf("WSQ_BITRATE %f", o.Bitrate),
	}
	return fmt.Sprintf("NIST_COM %d\n%s\n", len(lines)+1, strings.Join(lines, "\n"))
}

// toScaled writes v ≥ 0 as value/10^exp with value ≤ max, keeping as many digits as fit.
func toScaled(v float64, maxV uint32) (byte, uint32, error) {
	if v < 0 || math.IsNaN(v) || math.Round(v) > float64(maxV) {
		return 0, 0, fmt.Errorf("wsq: internal: %v does not fit a scaled %d-bit field", v, bitsOf(maxV))
	}
	e := 0
	for e < 30 && math.Round(v*math.Pow(10, float64(e+1))) <= float64(maxV) {
		e++
	}
	return byte(e), uint32(math.Round(v * math.Pow(10, float64(e)))), nil
}

func bitsOf(v uint32) int {
	if v > 0xFFFF {
		return 32
	}
	return 16
}

// dttBody transmits the analysis filters: lengths, then the centre and one side of each
// filter as sign, exponent, 32-bit value.
func dttBody() []byte {
	b := []byte{byte(2*len(specLowpass) - 1), byte(2*len(specHighpass) - 1)}
	for _, f := range [][]float32{specLowpass[:], specHighpass[:]} {
		for _, c := range f {
			sign := byte(0)
			if c < 0 {
				sign = 1
			}
			e, v, _ := toScaled(math.Abs(float64(c)), math.MaxUint32)
			b = append(b, sign, e, byte(v>>24), byte(v>>16), byte(v>>8), byte(v))
		}
	}
	return b
}

// segWriter assembles the file.
type segWriter struct {
	buf          []byte
	restartEvery int
	restarts     int
}

func (w *segWriter) marker(m int) { w.buf = append(w.buf, byte(m>>8), byte(m)) }

func (w *segWriter) segment(m int, body []byte) {
	w.marker(m)
	n := len(body) + 2
	w.buf = append(w.buf, byte(n>>8), byte(n))
	w.buf = append(w.buf, body...)
}

// normalise maps the pixels to about ±128 around zero: (p - M)/R with M the mean and
// R = max(max-M, M-min)/128, using M and R as transmitted (scaled integers) so the
// decoder's inverse matches what was transformed.
func normalise(g *image.Gray) (plane []float32, mE byte, mV uint32, rE byte, rV uint32, err error) {
	width, height := g.Rect.Dx(), g.Rect.Dy()
	var sum float64
	lo, hi := uint8(255), uint8(0)
	for y := 0; y < height; y++ {
		for _, p := range g.Pix[y*g.Stride : y*g.Stride+width] {
			sum += float64(p)
			lo, hi = min(lo, p), max(hi, p)
		}
	}
	mean := sum / float64(width*height)
	rs := math.Max(float64(hi)-mean, mean-float64(lo)) / 128
	if rs == 0 {
		rs = 1 // a flat image: every coefficient is zero whatever the scale
	}
	if mE, mV, err = toScaled(mean, 0xFFFF); err != nil {
		return
	}
	if rE, rV, err = toScaled(rs, 0xFFFF); err != nil {
		return
	}
	m32, r32 := scaled(mE, mV), scaled(rE, rV)
	plane = make([]float32, width*height)
	for y := 0; y < height; y++ {
		row := g.Pix[y*g.Stride : y*g.Stride+width]
		out := plane[y*width : (y+1)*width]
		for x, p := range row {
			out[x] = (float32(p) - m32) / r32
		}
	}
	return
}

// EncodeAll encodes several prints (a ten-print set, a slap) concurrently, one goroutine per
// CPU, and returns the files in input order. The first error stops the remaining work.
func EncodeAll(parent context.Context, imgs []image.Image, opt *Options) ([][]byte, error) {
	out := make([][]byte, len(imgs))
	errs := make([]error, len(imgs))
	next := make(chan int)
	var wg sync.WaitGroup
	workers := min(runtime.GOMAXPROCS(0), len(imgs))
	ctx, cancel := context.WithCancel(parent)
	defer cancel()
	for range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range next {
				var buf bytes.Buffer
				if err := Encode(&buf, imgs[i], opt); err != nil {
					errs[i] = fmt.Errorf("print %d: %w", i+1, err)
					cancel()
					continue
				}
				out[i] = buf.Bytes()
			}
		}()
	}
feed:
	for i := range imgs {
		select {
		case next <- i:
		case <-ctx.Done():
			break feed
		}
	}
	close(next)
	wg.Wait()
	for _, err := range errs {
		if err != nil {
			return nil, err
		}
	}
	if err := parent.Err(); err != nil {
		return nil, fmt.Errorf("wsq: encode all: %w", err)
	}
	return out, nil
}
