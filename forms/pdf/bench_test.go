package pdf

import (
	"bytes"
	"io"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/carlos7ags/folio/document"
	"github.com/carlos7ags/folio/font"
	"github.com/carlos7ags/folio/layout"
)

// plainLatinPage is the baseline: folio writing a one-page Latin text document with a
// standard font (no embedding, no shaping).
func plainLatinPage() error {
	text := strings.Repeat("The screening form is completed and printed in a language the person understands. ", 30)
	doc := document.NewDocument(document.PageSizeA4)
	doc.Add(layout.NewHeading("Screening form", layout.H1))
	for range 4 {
		doc.Add(layout.NewParagraph(text, font.Helvetica, 10))
	}
	_, err := doc.WriteTo(io.Discard)
	return err
}

func BenchmarkFolioPlainLatin(b *testing.B) {
	for b.Loop() {
		if err := plainLatinPage(); err != nil {
			b.Fatal(err)
		}
	}
}

// baselineNs times the baseline by hand (testing.Benchmark cannot run inside a benchmark):
// the median of 15 runs after one warm-up.
func baselineNs(b *testing.B) float64 {
	var runs []float64
	for i := range 16 {
		start := time.Now()
		if err := plainLatinPage(); err != nil {
			b.Fatal(err)
		}
		if i > 0 {
			runs = append(runs, float64(time.Since(start).Nanoseconds()))
		}
	}
	sort.Float64s(runs)
	return runs[len(runs)/2]
}

// BenchmarkRenderForm renders the two-page sample form per language and reports the ratio to
// the plain one-page baseline measured in the same process.
func BenchmarkRenderForm(b *testing.B) {
	c := SampleCase()
	for _, lang := range Languages() {
		b.Run(lang, func(b *testing.B) {
			base := baselineNs(b)
			b.ResetTimer()
			var buf bytes.Buffer
			b.ReportAllocs()
			for b.Loop() {
				buf.Reset()
				if err := RenderForm(&buf, c, lang, Options{Now: printedAt}); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64(buf.Len()), "pdf-bytes")
			b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/base, "x-plain-latin")
		})
	}
}

// BenchmarkRenderLeaflet renders the v2 leaflet with the sample contacts: en, ar (folio's own
// shaping), ps (shape.go's joining and two fonts) and ti (Ethiopic runs), with the ratio to the
// plain one-page baseline measured in the same process.
func BenchmarkRenderLeaflet(b *testing.B) {
	for _, lang := range []string{"en", "ar", "ps", "ti"} {
		b.Run(lang, func(b *testing.B) {
			base := baselineNs(b)
			b.ResetTimer()
			var buf bytes.Buffer
			for b.Loop() {
				buf.Reset()
				if err := RenderLeaflet(&buf, lang, Options{Now: printedAt, DataProtection: SampleDataProtection(), PurgeAfter: 72 * time.Hour}); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64(buf.Len()), "pdf-bytes")
			b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/base, "x-plain-latin")
		})
	}
}
