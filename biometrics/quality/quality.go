// Package quality gives a 0-100 fingerprint capture-quality score, so the
// capture screen can ask for a retake before the person has left. It is a
// capture-quality score built from published features; it is NOT NFIQ 2 and
// must never be reported as NFIQ 2 (no calibration against NFIQ 2's training
// data or utility has been done). A certified NFIQ 2 can replace it behind
// the same Score call.
//
// # Features
//
// The image is cut into square blocks of 32 px at 500 ppi (scaled with ppi),
// as NFIQ 2 does. For every block:
//
//   - Foreground: a block is finger when the standard deviation of its grey
//     levels is at least 10 (paper, platen and smudges are flat). Partial
//     and smudged captures lose foreground blocks.
//   - Orientation certainty level (OCL): from the covariance of the 3×3
//     Sobel gradients (a = Σgx², b = Σgy², c = Σgx·gy) with eigenvalues
//     λmax ≥ λmin, OCL = 1 − λmin/λmax. Parallel ridges give 1, noise near 0.
//   - Ridge signature: the block's pixels inside a 16 px radius are binned by
//     their 1 px coordinate across the dominant orientation and averaged per
//     bin (then smoothed 1-2-1). This is the ridge-valley profile that local
//     clarity and frequency analysis in ISO/IEC 29794-4 and NFIQ 2 use.
//   - Local clarity (LCS): the profile's mean splits bins into ridge and
//     valley; α is the fraction of pixels in valley bins that are darker than
//     that mean, β the fraction in ridge bins that are lighter.
//     Clarity = max(0, 1 − (α + β)): 1 for clean ridges, 0 for noise.
//   - Ridge contrast: mean of the valley bins minus mean of the ridge bins,
//     in grey levels, mapped to 1 − exp(−amplitude/80). Blur and low contrast
//     shrink it.
//   - Ridge frequency validity: the ridge period is the profile's span
//     between its first and last ridge divided by the ridges between them;
//     valid when it lies in 5..15 px at 500 ppi (adult ridges are 7-12 px)
//     and every spacing is within ±40 % of it (noise is not regular).
//     Invalid blocks get factor 0.1: smooth shading, blotches and text have
//     clear light and dark halves but not ridges.
//
// A block's quality is the weighted geometric mean
//
//	q = OCL^0.25 · Clarity^0.25 · Contrast^0.30 · Frequency^0.20
//
// and the image's score is
//
//	Score = round(100 · Q · A · S)
//	Q = mean q over the foreground blocks
//	A = 1 − exp(−area/150 mm²), area = foreground area in mm²
//	S = 1 − dark/(foreground + dark), dark = flat blocks with mean grey < 100
//
// A is "enough finger": a flat little finger from a slap (≈ 140 mm²) has
// A ≈ 0.6, a flat index finger (≈ 230 mm²) ≈ 0.8, a 400×500 synthetic
// rolled print (≈ 440 mm²) ≈ 0.95, a rolled card print ≈ 1.
// S is "no smear": flat and dark is a smudge, a wet finger or over-inking,
// where flat and light is just paper or platen. A blank image scores 0.
//
// The weights and scales were set by hand so that each defect the synth
// package applies (blur, noise, contrast loss, missing part, smudge) lowers
// the score steadily; the tests pin that behaviour on synthetic prints and
// on NIST sample card prints. Clean prints score about 45-75 (synthetic
// rolled ≈ 70, synthetic flat slap fingers 45-65, NIST card prints 50-60);
// there is no calibrated pass mark: the caller picks a retake threshold.
package quality

import (
	"errors"
	"fmt"
	"image"
	"math"
	"runtime"
	"sync"
)

// Errors a caller decides on.
var (
	// ErrTooSmall: the image is smaller than MinSize at its resolution.
	ErrTooSmall = errors.New("fingerprint image too small to score")
	// ErrResolution: ppi is outside MinPPI..MaxPPI.
	ErrResolution = errors.New("fingerprint resolution not supported")
)

// Limits of the inputs Score accepts.
const (
	MinPPI = 250
	MaxPPI = 1000
	// MinSize is the smallest width and height, in pixels at 500 ppi
	// (scaled with ppi): three blocks, about 5 mm.
	MinSize = 96
)

// Block-level constants at 500 ppi.
const (
	block500      = 32
	fgMinStd      = 10.0
	contrastScale = 80.0
	areaScaleMM2  = 150.0
	darkMean      = 100.0
	periodMin500  = 5.0
	periodMax500  = 15.0
	freqPenalty   = 0.1
	wOCL, wLCS    = 0.25, 0.25
	wContrast     = 0.30
	wFreq         = 0.20
)

// Features are the image-level measurements behind a score. Means are over
// the foreground blocks (0 when there are none).
type Features struct {
	Blocks           int     // blocks in the image
	ForegroundBlocks int     // blocks taken as finger
	ForegroundArea   float64 // mm²
	OCL              float64 // mean orientation certainty, 0..1
	Clarity          float64 // mean local clarity, 0..1
	RidgeContrast    float64 // mean valley−ridge amplitude, grey levels
	FrequencyValid   float64 // fraction of blocks with a plausible ridge period
	MeanGrey         float64 // mean grey level of the foreground
	DarkFlatBlocks   int     // flat blocks darker than a finger: smudges, over-inking
	BlockQuality     float64 // Q: mean block quality, 0..1
	AreaFactor       float64 // A: 1 − exp(−area/150 mm²)
	SmudgeFactor     float64 // S: 1 − dark flat blocks/(foreground + dark flat blocks)
}

// Result is a capture-quality score with its features.
type Result struct {
	Score    int // 0 (unusable) .. 100
	Features Features
}

// Score rates a fingerprint image captured at ppi pixels per inch. Colour
// images are converted to grey. It returns ErrTooSmall or ErrResolution
// (wrapped, with the numbers) for inputs it cannot rate.
func Score(img image.Image, ppi int) (Result, error) {
	if img == nil {
		return Result{}, fmt.Errorf("score fingerprint: no image")
	}
	if ppi < MinPPI || ppi > MaxPPI {
		return Result{}, fmt.Errorf("score fingerprint at %d ppi (want %d..%d, usually 500): %w", ppi, MinPPI, MaxPPI, ErrResolution)
	}
	scale := float64(ppi) / 500
	b := img.Bounds()
	w, h := b.Dx(), b.Dy()
	minSide := int(math.Ceil(MinSize * scale))
	if w < minSide || h < minSide {
		return Result{}, fmt.Errorf("score fingerprint of %dx%d px at %d ppi (want at least %dx%d): %w", w, h, ppi, minSide, minSide, ErrTooSmall)
	}
	bs := int(math.Round(block500 * scale))
	s := &scorer{raw: greyPixels(img), w: w, h: h, bs: bs,
		pMin: periodMin500 * scale, pMax: periodMax500 * scale}
	s.gradients()

	// Blocks are measured in parallel (one goroutine per CPU, at most four)
	// and summed in block order, so the result does not depend on timing.
	bw, bh := w/bs, h/bs
	blocks := make([]blockQuality, bw*bh)
	fg := make([]bool, bw*bh)
	workers := max(1, min(runtime.GOMAXPROCS(0), 4, bh))
	var wg sync.WaitGroup
	for k := 0; k < workers; k++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			bins := make([]int16, bs*bs)
			for j := k; j < bh; j += workers {
				for i := 0; i < bw; i++ {
					blocks[j*bw+i], fg[j*bw+i] = s.block(i*bs, j*bs, bins)
				}
			}
		}()
	}
	wg.Wait()

	var f Features
	var sumQ, sumOCL, sumLCS, sumAmp, sumFreq, sumGrey float64
	f.Blocks = len(blocks)
	for i, bq := range blocks {
		if !fg[i] {
			if bq.mean < darkMean {
				f.DarkFlatBlocks++
			}
			continue
		}
		f.ForegroundBlocks++
		sumQ += bq.q
		sumOCL += bq.ocl
		sumLCS += bq.clarity
		sumAmp += bq.amp
		sumGrey += bq.mean
		if bq.freqOK {
			sumFreq++
		}
	}
	mmPerPx := 25.4 / float64(ppi)
	f.ForegroundArea = float64(f.ForegroundBlocks*bs*bs) * mmPerPx * mmPerPx
	f.AreaFactor = 1 - math.Exp(-f.ForegroundArea/areaScaleMM2)
	if n := float64(f.ForegroundBlocks); n > 0 {
		f.BlockQuality = sumQ / n
		f.OCL = sumOCL / n
		f.Clarity = sumLCS / n
		f.RidgeContrast = sumAmp / n
		f.FrequencyValid = sumFreq / n
		f.MeanGrey = sumGrey / n
	}
	if n := f.ForegroundBlocks + f.DarkFlatBlocks; n > 0 {
		f.SmudgeFactor = 1 - float64(f.DarkFlatBlocks)/float64(n)
	}
	score := int(math.Round(100 * f.BlockQuality * f.AreaFactor * f.SmudgeFactor))
	return Result{Score: max(0, min(100, score)), Features: f}, nil
}

// greyPixels returns the image as row-major float32 grey levels (0..255),
// with a fast path for *image.Gray.
func greyPixels(img image.Image) []float32 {
	b := img.Bounds()
	w, h := b.Dx(), b.Dy()
	px := make([]float32, w*h)
	if g, ok := img.(*image.Gray); ok {
		for y := 0; y < h; y++ {
			row := g.Pix[(y+b.Min.Y-g.Rect.Min.Y)*g.Stride+(b.Min.X-g.Rect.Min.X):]
			for x := 0; x < w; x++ {
				px[y*w+x] = float32(row[x])
			}
		}
		return px
	}
	for y := 0; y < h; y++ {
		for x := 0; x < w; x++ {
			r, gg, bb, _ := img.At(b.Min.X+x, b.Min.Y+y).RGBA()
			// ITU-R BT.601 luma, as image/color's Gray model.
			px[y*w+x] = float32((19595*r + 38470*gg + 7471*bb + 1<<15) >> 24)
		}
	}
	return px
}

type scorer struct {
	raw        []float32 // grey levels, row-major
	gx, gy     []float32
	w, h, bs   int
	pMin, pMax float64
}

// gradients fills gx, gy with 3×3 Sobel derivatives (zero on the border);
// Sobel's cross smoothing keeps pixel grain from swinging the OCL.
func (s *scorer) gradients() {
	w, h := s.w, s.h
	s.gx = make([]float32, w*h)
	s.gy = make([]float32, w*h)
	for y := 1; y < h-1; y++ {
		for x := 1; x < w-1; x++ {
			i := y*w + x
			p := s.raw
			s.gx[i] = (p[i-w+1] + 2*p[i+1] + p[i+w+1]) - (p[i-w-1] + 2*p[i-1] + p[i+w-1])
			s.gy[i] = (p[i+w-1] + 2*p[i+w] + p[i+w+1]) - (p[i-w-1] + 2*p[i-w] + p[i-w+1])
		}
	}
}

type blockQuality struct {
	ocl, clarity, amp, mean, q float64
	freqOK                     bool
}

// block measures the block with top-left corner (bx, by). ok is false for
// background blocks; their mean grey is still set. bins is scratch space
// of bs×bs.
func (s *scorer) block(bx, by int, bins []int16) (bq blockQuality, ok bool) {
	bs, w := s.bs, s.w
	var sum, sum2 float64
	var a, b, c float64
	for y := by; y < by+bs; y++ {
		for x := bx; x < bx+bs; x++ {
			i := y*w + x
			v := float64(s.raw[i])
			sum += v
			sum2 += v * v
			gx, gy := float64(s.gx[i]), float64(s.gy[i])
			a += gx * gx
			b += gy * gy
			c += gx * gy
		}
	}
	n := float64(bs * bs)
	mean := sum / n
	std := math.Sqrt(math.Max(0, sum2/n-mean*mean))
	bq.mean = mean
	if std < fgMinStd {
		return bq, false
	}

	// Eigenvalues of [[a c][c b]].
	tr, disc := a+b, math.Sqrt((a-b)*(a-b)+4*c*c)
	lmax, lmin := (tr+disc)/2, (tr-disc)/2
	if lmax > 0 {
		bq.ocl = 1 - lmin/lmax
	}

	// Ridge signature across the dominant gradient direction.
	th := 0.5 * math.Atan2(2*c, a-b)
	nx, ny := math.Cos(th), math.Sin(th)
	rad := float64(bs) / 2
	nb := int(math.Ceil(2*rad)) + 2        // every bin floor(u+rad+0.5) for |u| ≤ rad
	var sig, cnt [2*block500*2 + 1]float64 // room for bs up to 64 (1000 ppi)
	// Each pixel's bin across the ridges, -1 outside the inscribed circle.
	for y := 0; y < bs; y++ {
		for x := 0; x < bs; x++ {
			dx, dy := float64(x)-rad+0.5, float64(y)-rad+0.5
			k := int16(-1)
			if dx*dx+dy*dy <= rad*rad {
				k = int16(max(0, min(nb-1, int(math.Floor(dx*nx+dy*ny+rad+0.5)))))
			}
			bins[y*bs+x] = k
		}
	}
	for y := 0; y < bs; y++ {
		row := s.raw[(by+y)*w+bx : (by+y)*w+bx+bs]
		for x, v := range row {
			if k := bins[y*bs+x]; k >= 0 {
				sig[k] += float64(v)
				cnt[k]++
			}
		}
	}
	prof := make([]float64, 0, nb)
	for k := 0; k < nb; k++ {
		if cnt[k] > 0 {
			prof = append(prof, sig[k]/cnt[k])
		} else {
			prof = append(prof, math.NaN())
		}
	}
	smooth := make([]float64, nb)
	var tsum, tn float64
	for k := range prof {
		var v, wsum float64
		for d, wt := range [3]float64{1, 2, 1} {
			j := k + d - 1
			if j >= 0 && j < nb && !math.IsNaN(prof[j]) {
				v += wt * prof[j]
				wsum += wt
			}
		}
		if wsum > 0 {
			smooth[k] = v / wsum
			tsum += smooth[k]
			tn++
		} else {
			smooth[k] = math.NaN()
		}
	}
	t := tsum / tn

	// Clarity: does each pixel agree with its bin's ridge/valley label?
	var ridgeN, ridgeBad, valleyN, valleyBad float64
	for y := 0; y < bs; y++ {
		row := s.raw[(by+y)*w+bx : (by+y)*w+bx+bs]
		for x, v := range row {
			k := bins[y*bs+x]
			if k < 0 || math.IsNaN(smooth[k]) {
				continue
			}
			dark := float64(v) < t
			if smooth[k] < t {
				ridgeN++
				if !dark {
					ridgeBad++
				}
			} else {
				valleyN++
				if dark {
					valleyBad++
				}
			}
		}
	}
	if ridgeN > 0 && valleyN > 0 {
		bq.clarity = math.Max(0, 1-(ridgeBad/ridgeN+valleyBad/valleyN))
	}

	// Contrast and period from the profile.
	var rs, rn, vs, vn float64
	var starts []int // bins where a ridge (run below the mean) begins
	inRidge := false
	for k, v := range smooth {
		if math.IsNaN(v) {
			continue
		}
		if v < t {
			rs += v
			rn++
			if !inRidge {
				starts = append(starts, k)
			}
			inRidge = true
		} else {
			vs += v
			vn++
			inRidge = false
		}
	}
	if rn > 0 && vn > 0 {
		bq.amp = vs/vn - rs/rn
	}
	bq.freqOK = regularPeriod(starts, s.pMin, s.pMax)

	contrast := 1 - math.Exp(-bq.amp/contrastScale)
	freq := freqPenalty
	if bq.freqOK {
		freq = 1
	}
	if bq.ocl <= 0 || bq.clarity <= 0 || contrast <= 0 {
		bq.q = 0
	} else {
		bq.q = math.Exp(wOCL*math.Log(bq.ocl) + wLCS*math.Log(bq.clarity) +
			wContrast*math.Log(contrast) + wFreq*math.Log(freq))
	}
	return bq, true
}

// regularPeriod reports whether ridges starting at these profile bins have a
// mean spacing in [pMin, pMax] and spacings within ±40 % of that mean: a
// ridge pattern is regular, noise crossing its mean is not.
func regularPeriod(starts []int, pMin, pMax float64) bool {
	if len(starts) < 2 {
		return false
	}
	period := float64(starts[len(starts)-1]-starts[0]) / float64(len(starts)-1)
	if period < pMin || period > pMax {
		return false
	}
	for i := 1; i < len(starts); i++ {
		if d := float64(starts[i] - starts[i-1]); math.Abs(d-period) > 0.4*period {
			return false
		}
	}
	return true
}
