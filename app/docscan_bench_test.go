package app

import (
	"bytes"
	"image"
	"image/jpeg"
	"testing"
	"time"

	xdraw "golang.org/x/image/draw"

	"github.com/fieldscreen/fieldscreen/hardware/sim"
)

// BenchmarkPrepareScan: checking and re-encoding a picked scan (PrepareScan: header checks,
// decode, reduction above 2400 px, JPEG encode) beside the baseline every re-encode pays
// (jpeg.Decode + jpeg.Encode of the same file), interleaved, for a data page at 300 dpi
// (the simulated reader's page) and at 600 dpi (reduced).
func BenchmarkPrepareScan(b *testing.B) {
	page := sim.Page(1, sim.TestMRZ)
	for _, tc := range []struct {
		name  string
		scale int
	}{{"300dpi", 1}, {"600dpi", 2}} {
		b.Run(tc.name, func(b *testing.B) {
			var img image.Image = page
			if tc.scale > 1 {
				big := image.NewRGBA(image.Rect(0, 0, sim.PageWidth*tc.scale, sim.PageHeight*tc.scale))
				xdraw.NearestNeighbor.Scale(big, big.Bounds(), page, page.Bounds(), xdraw.Src, nil)
				img = big
			}
			var file bytes.Buffer
			if err := jpeg.Encode(&file, img, &jpeg.Options{Quality: 95}); err != nil {
				b.Fatal(err)
			}
			var subject, baseline time.Duration
			var out int
			for i := 0; b.Loop(); i++ {
				run := []func(){
					func() {
						t := time.Now()
						s, err := PrepareScan(bytes.NewReader(file.Bytes()))
						if err != nil {
							b.Fatal(err)
						}
						out = len(s.JPEG())
						subject += time.Since(t)
					},
					func() {
						t := time.Now()
						m, err := jpeg.Decode(bytes.NewReader(file.Bytes()))
						if err != nil {
							b.Fatal(err)
						}
						var buf bytes.Buffer
						if err := jpeg.Encode(&buf, m, &jpeg.Options{Quality: scanJPEGQuality}); err != nil {
							b.Fatal(err)
						}
						baseline += time.Since(t)
					},
				}
				run[i%2]()
				run[1-i%2]()
			}
			n := float64(b.N)
			b.ReportMetric(float64(subject.Microseconds())/1000/n, "ms-prepare/op")
			b.ReportMetric(float64(baseline.Microseconds())/1000/n, "ms-reencode/op")
			b.ReportMetric(float64(subject)/float64(baseline), "prepare/reencode")
			b.ReportMetric(float64(file.Len())/1024, "KiB-in")
			b.ReportMetric(float64(out)/1024, "KiB-stored")
		})
	}
}
