package wsq

import (
	"bytes"
	"image"
	"math"
	"os"
	"path/filepath"
	"testing"
)

func psnr(a, b *image.Gray) float64 {
	var se float64
	for i := range a.Pix {
		d := float64(a.Pix[i]) - float64(b.Pix[i])
		se += d * d
	}
	mse := se / float64(len(a.Pix))
	if mse == 0 {
		return math.Inf(1)
	}
	return 10 * math.Log10(255*255/mse)
}

// TestEncodeReferenceSize: at the default 0.75 target our files are 0.8-1.25× the size of
// the reference encoder's, and our decode of them is at least 30 dB PSNR from the original.
func TestEncodeReferenceSize(t *testing.T) {
	for _, path := range referenceFiles(t) {
		t.Run(filepath.Base(path), func(t *testing.T) {
			ref, err := os.Stat(path)
			if err != nil {
				t.Fatal(err)
			}
			src := readPNG(t, path[:len(path)-4]+".png")
			var buf bytes.Buffer
			if err := Encode(&buf, src, nil); err != nil {
				t.Fatal(err)
			}
			ratio := float64(buf.Len()) / float64(ref.Size())
			back, err := Decode(bytes.NewReader(buf.Bytes()))
			if err != nil {
				t.Fatalf("decode our own file: %v", err)
			}
			p := psnr(src, back.(*image.Gray))
			bpp := 8 * float64(buf.Len()) / float64(len(src.Pix))
			t.Logf("%d bytes (%.3f bpp), reference %d bytes: ratio %.3f, PSNR %.2f dB", buf.Len(), bpp, ref.Size(), ratio, p)
			if ratio < 0.8 || ratio > 1.25 {
				t.Errorf("size ratio %.3f outside 0.8-1.25", ratio)
			}
			if p < 30 {
				t.Errorf("PSNR %.2f dB < 30 dB", p)
			}
		})
	}
}

// TestAllocationMatchesReference: the bin widths our bit allocation picks for the reference
// decodes are within 10 % of those the reference encoder transmitted for the originals. The
// inputs differ by the compression loss, which removes most of the energy of the finest
// bands, so the reference may code a few subbands ours drops; never the other way round.
func TestAllocationMatchesReference(t *testing.T) {
	for _, path := range referenceFiles(t) {
		t.Run(filepath.Base(path), func(t *testing.T) {
			f, err := os.Open(path)
			if err != nil {
				t.Fatal(err)
			}
			defer f.Close()
			d := &decoder{}
			if err := d.readHeaders(bufioReader(f)); err != nil {
				t.Fatal(err)
			}
			if !d.haveQ {
				t.Fatal("reference file has its DQT after the frame header: this comparison needs the tables before the first block; read them from the block headers")
			}
			src := readPNG(t, path[:len(path)-4]+".png")
			plane, width, tr := normalisedTransform(src)
			q := allocate(subbandVariances(plane, width, tr), DefaultBitrate)
			worst := 0.0
			var dropped []int
			for k := 0; k < numSubbands; k++ {
				ref := float64(d.q[k])
				if ref == 0 && q[k] != 0 {
					t.Errorf("subband %d: reference does not code it, ours has Q %v", k, q[k])
					continue
				}
				if q[k] == 0 {
					if ref != 0 {
						dropped = append(dropped, k)
					}
					continue
				}
				if ref != 0 {
					worst = math.Max(worst, math.Abs(q[k]/ref-1))
				}
			}
			t.Logf("largest relative difference of Q_k: %.2f%%; coded by the reference only: %v", 100*worst, dropped)
			if worst > 0.10 {
				t.Errorf("bin widths differ by up to %.1f%% from the reference", 100*worst)
			}
		})
	}
}
