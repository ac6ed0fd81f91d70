package forms

import (
	"bytes"
	"encoding/json"
	"testing"
	"time"
)

// BenchmarkValidate times Validate on a full case beside a baseline in the same process:
// decoding the same case from JSON with encoding/json (what every import does anyway).
func BenchmarkValidate(b *testing.B) {
	c := fullCase()
	now := t0.Add(2 * day)
	var buf bytes.Buffer
	if err := EncodeCase(&buf, c); err != nil {
		b.Fatal(err)
	}
	data := buf.Bytes()
	// testing.Benchmark cannot run inside a benchmark (it takes the same lock), so the
	// baseline is timed by hand over a fixed number of decodes.
	const baseN = 2000
	start := time.Now()
	for range baseN {
		var x Case
		if err := json.Unmarshal(data, &x); err != nil {
			b.Fatal(err)
		}
	}
	baseNs := float64(time.Since(start).Nanoseconds()) / baseN
	b.ResetTimer()
	b.ReportAllocs()
	for b.Loop() {
		if ps := c.Validate(now); len(ps) != 0 {
			b.Fatal(ps)
		}
	}
	b.ReportMetric(baseNs, "json-decode-ns")
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/baseNs, "x-json-decode")
}

// BenchmarkSummary is the per-save cost of the case-list record.
func BenchmarkSummary(b *testing.B) {
	c := fullCase()
	now := t0.Add(2 * day)
	for b.Loop() {
		_ = c.Summary(now)
	}
}
