package wsq

import (
	"errors"
	"fmt"
	"math"
)

// subbandVariances measures each coded subband's variance on its central region (spec
// Part 3: skip 1/8 of the width and 9/32 of the height, use 3/4 of the width and 7/16 of the
// height), where the print usually is. If those add up to under 20000 (a faint or tiny
// image) the whole subbands are used instead.
func subbandVariances(plane []float32, width int, t *tree) [numCoded]float64 {
	measure := func(central bool) (v [numCoded]float64, total float64) {
		for k := 0; k < numCoded; k++ {
			r := t.subbands[k]
			x0, y0, w, h := r.x, r.y, r.w, r.h
			if central {
				x0 += r.w / 8
				y0 += 9 * r.h / 32
				w = 3 * r.w / 4
				h = 7 * r.h / 16
			}
			n := w * h
			if n < 2 {
				continue
			}
			var s, ss float64
			for y := y0; y < y0+h; y++ {
				for _, c := range plane[y*width+x0 : y*width+x0+w] {
					f := float64(c)
					s += f
					ss += float64(f * f)
				}
			}
			v[k] = (ss - s*s/float64(n)) / float64(n-1)
			total += v[k]
		}
		return v, total
	}
	v, total := measure(true)
	if total < 20000 {
		v, _ = measure(false)
	}
	return v
}

// subbandShare is 1/m_k: how many pixels of the image one coefficient of subband k stands
// for (1024 for the four coarsest, 256 down to subband 50, 16 for the rest).
func subbandShare(k int) float64 {
	switch {
	case k < 4:
		return 1024
	case k < 51:
		return 256
	}
	return 16
}

// weightA is encoder #1's extra weighting A_k of the relative bin widths of the diagonal
// and finest subbands 52-59 (1 elsewhere).
func weightA(k int) float64 {
	switch k {
	case 52, 56:
		return 1.32
	case 53, 58:
		return 1.08
	case 54, 57:
		return 1.42
	case 55, 59:
		return 1.08
	}
	return 1
}

// allocate chooses the bin widths Q_k for a target rate (spec Part 3, bit allocation).
//
// The relative widths are Q'_k = 1 for subbands 0-3 and 10/(A_k ln σ²_k) above; one scale q
// sets Q_k = Q'_k/q. The rate model charges each coded subband log2(5σ_k/Q_k) bits per
// coefficient, so a target r gives q = 2^(r/S-1) / (2.5 Π(σ_k/Q'_k)^(m_k/S)) with S = Σm_k.
// Subbands the model would give no bits (Q_k ≥ 5σ_k) leave the product and q is recomputed
// until the set is stable; they are still coded, with their Q'_k/q (see below). The model
// ignores the Huffman coder's run-length gain on the many zero bins, which is why real files
// come out near 0.55 bits per pixel for r = 0.75.
func allocate(variance [numCoded]float64, rate float64) [numSubbands]float64 {
	var qp, sigma [numCoded]float64
	var in [numCoded]bool
	for k := 0; k < numCoded; k++ {
		if variance[k] < minVariance {
			continue
		}
		in[k] = true
		sigma[k] = math.Sqrt(variance[k])
		if k < 4 {
			qp[k] = 1
		} else {
			qp[k] = 10 / (weightA(k) * math.Log(variance[k]))
		}
	}
	var q float64
	for {
		var s, logP float64
		for k := 0; k < numCoded; k++ {
			if in[k] {
				m := 1 / subbandShare(k)
				s += m
				logP += float64(m * math.Log(sigma[k]/qp[k]))
			}
		}
		if s == 0 {
			return [numSubbands]float64{}
		}
		q = math.Pow(2, rate/s-1) / 2.5 / math.Exp(logP/s)
		dropped := false
		for k := 0; k < numCoded; k++ {
			if in[k] && qp[k]/q >= 5*sigma[k] {
				in[k] = false
				dropped = true
			}
		}
		if !dropped {
			break
		}
	}
	// Every subband with enough variance is coded with Q'_k/q, including those the rate
	// model gave no bits (as NBIS does): their coarse step still codes the few large
	// coefficients, which matters for re-encoding prints that were WSQ before.
	var out [numSubbands]float64
	for k := 0; k < numCoded; k++ {
		if qp[k] != 0 {
			out[k] = qp[k] / q
		}
	}
	return out
}

// maxBin is the largest quantised magnitude a file may carry. The format's escapes have 16
// bits, but NBIS and other decoders hold coefficients in 16-bit signed integers, so a value
// above 32767 reads back as a negative one there.
const maxBin = 32767

// subbandPeaks is the largest coefficient magnitude of each coded subband.
func subbandPeaks(plane []float32, width int, t *tree) [numCoded]float32 {
	var peak [numCoded]float32
	for k := range peak {
		r := t.subbands[k]
		for y := r.y; y < r.y+r.h; y++ {
			for _, c := range plane[y*width+r.x : y*width+r.x+r.w] {
				peak[k] = max(peak[k], c, -c)
			}
		}
	}
	return peak
}

// binIndex is the quantiser: bins start at ±z/2 and are q wide; 0 is the zero bin.
func binIndex(a, q, z float32) int {
	half := z / 2
	switch {
	case a > half:
		return int(math.Floor(float64((a-half)/q))) + 1
	case a < -half:
		return int(math.Ceil(float64((a+half)/q))) - 1
	}
	return 0
}

// binWidths turns the allocation's Q_k into the transmitted bin widths (scaled integers,
// Z = 1.2 Q) and returns them as the decoder will read them, so the encoder quantises with
// exactly those. A subband whose largest coefficient would land beyond maxBin gets a wider
// bin, just wide enough: at high rates (from about 4 bpp on ordinary prints) the allocation
// asks for steps so fine that the coarsest subbands' values no longer fit 16 bits. Widening
// only those steps keeps every rate the encoder accepts safe for every decoder, at the cost
// of a little of the precision the rate asked for in those few subbands.
func binWidths(q [numSubbands]float64, peak [numCoded]float32) (tq, tz [numSubbands]float32, qs, zs [numSubbands][3]byte, err error) {
	for k := range q {
		if q[k] == 0 {
			continue
		}
		want := q[k]
		if k < numCoded {
			// With Z = 1.2 Q the peak's bin is floor(peak/Q - 0.6) + 1.
			want = math.Max(want, float64(peak[k])/(maxBin+0.4))
		}
		for range 100 {
			// The widest step the field holds is 65535; only a near-empty rate would ask
			// for more, and a finer step costs bits, never correctness.
			want = math.Min(want, 0xFFFF/zeroBinRatio)
			e1, v1, err1 := toScaled(want, 0xFFFF)
			e2, v2, err2 := toScaled(zeroBinRatio*want, 0xFFFF)
			if err = errors.Join(err1, err2); err != nil {
				return
			}
			tq[k], tz[k] = scaled(e1, v1), scaled(e2, v2)
			qs[k] = [3]byte{e1, byte(v1 >> 8), byte(v1)}
			zs[k] = [3]byte{e2, byte(v2 >> 8), byte(v2)}
			if k >= numCoded || abs(binIndex(peak[k], tq[k], tz[k])) <= maxBin {
				break
			}
			want *= 1 + 1e-4 // the transmitted value rounded below what was needed
		}
	}
	return
}

func abs(v int) int {
	if v < 0 {
		return -v
	}
	return v
}

// symbol is one Huffman symbol with the raw bits that follow it (escapes only).
type symbol struct {
	sym   byte
	bits  uint8 // 0, 8 or 16
	extra uint16
}

// quantizeBlock quantises subbands [from, to) (dead-zone uniform quantiser: zero bin of
// width Z, other bins Q wide) and turns them into run-length/value symbols. A value beyond
// maxBin is an internal error (binWidths prevents it), never a clipped or wrapped value.
func quantizeBlock(plane []float32, width int, t *tree, tq, tz *[numSubbands]float32, from, to int) ([]symbol, error) {
	var out []symbol
	run := 0
	flush := func() {
		for run > 0 {
			switch {
			case run <= maxShortRun:
				out = append(out, symbol{sym: byte(run)})
				run = 0
			case run <= 0xFF:
				out = append(out, symbol{sym: symRun8, bits: 8, extra: uint16(run)})
				run = 0
			default:
				n := min(run, 0xFFFF)
				out = append(out, symbol{sym: symRun16, bits: 16, extra: uint16(n)})
				run -= n
			}
		}
	}
	for k := from; k < to; k++ {
		q, z := tq[k], tz[k]
		r := t.subbands[k]
		if q == 0 || r.w == 0 || r.h == 0 {
			continue
		}
		for y := r.y; y < r.y+r.h; y++ {
			for _, a := range plane[y*width+r.x : y*width+r.x+r.w] {
				v := binIndex(a, q, z)
				if v == 0 {
					run++
					continue
				}
				if abs(v) > maxBin {
					return nil, fmt.Errorf("wsq: internal: subband %d quantises to %d, beyond 16 bits", k, v)
				}
				flush()
				out = append(out, valueSymbol(v))
			}
		}
	}
	flush()
	return out, nil
}

// valueSymbol codes a bin index of magnitude at most maxBin.
func valueSymbol(v int) symbol {
	switch {
	case v >= minShortVal && v <= maxShortVal:
		return symbol{sym: byte(symValue0 + v)}
	case v > 0 && v <= 0xFF:
		return symbol{sym: symPos8, bits: 8, extra: uint16(v)}
	case v < 0 && v >= -0xFF:
		return symbol{sym: symNeg8, bits: 8, extra: uint16(-v)}
	case v > 0:
		return symbol{sym: symPos16, bits: 16, extra: uint16(v)}
	default:
		return symbol{sym: symNeg16, bits: 16, extra: uint16(-v)}
	}
}
