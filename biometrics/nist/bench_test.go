package nist

import (
	"bytes"
	"fmt"
	"strings"
	"testing"
	"time"
)

// benchInputs: a real 0.97 MB NIST reference file (one big image) and a synthetic ~1 MB
// transaction of 100 Type-2 records with 100 text fields each, which exercises the field
// scanner rather than the image copy.
func benchInputs(b *testing.B) map[string][]byte {
	b.Helper()
	ref := readTestdata(b, "type-9-10-14.an2")
	tx, err := New(Header{Type: "BENCH", Date: time.Date(2026, 6, 1, 0, 0, 0, 0, time.UTC), Destination: "D", Originator: "O", ControlNum: "1"})
	if err != nil {
		b.Fatal(err)
	}
	val := strings.Repeat("TESTPERSON\x1fALPHA\x1e", 5)
	for i := 0; i < 100; i++ {
		r, _ := NewRecord(2, i)
		for f := 3; f < 103; f++ {
			if err := r.SetField(f, val); err != nil {
				b.Fatal(err)
			}
		}
		if err := tx.Add(r); err != nil {
			b.Fatal(err)
		}
	}
	fields, err := tx.Bytes()
	if err != nil {
		b.Fatal(err)
	}
	return map[string][]byte{"reference-0.97MB": ref, fmt.Sprintf("fields-%.2fMB", float64(len(fields))/1e6): fields}
}

// BenchmarkParse parses a ~1 MB transaction; the baseline in the same loop splits the same
// bytes at every record and field separator (bytes.Split), the least any tokenizer does.
func BenchmarkParse(b *testing.B) {
	for name, in := range benchInputs(b) {
		b.Run(name, func(b *testing.B) {
			b.SetBytes(int64(len(in)))
			var subject, baseline time.Duration
			for i := 0; i < b.N; i++ {
				t0 := time.Now()
				if _, err := ParseBytes(in); err != nil {
					b.Fatal(err)
				}
				t1 := time.Now()
				n := 0
				for _, rec := range bytes.Split(in, []byte{FS}) {
					n += len(bytes.Split(rec, []byte{GS}))
				}
				if n == 0 {
					b.Fatal("nothing split")
				}
				subject += t1.Sub(t0)
				baseline += time.Since(t1)
			}
			b.ReportMetric(float64(subject.Nanoseconds())/float64(b.N), "parse-ns/op")
			b.ReportMetric(float64(baseline.Nanoseconds())/float64(b.N), "split-ns/op")
			b.ReportMetric(float64(subject)/float64(baseline), "ratio")
		})
	}
}

// BenchmarkWrite encodes the parsed transaction; the baseline copies the same number of
// bytes (bytes.Clone), which the writer must do at least once.
func BenchmarkWrite(b *testing.B) {
	for name, in := range benchInputs(b) {
		b.Run(name, func(b *testing.B) {
			tx, err := ParseBytes(in)
			if err != nil {
				b.Fatal(err)
			}
			b.SetBytes(int64(len(in)))
			var subject, baseline time.Duration
			for i := 0; i < b.N; i++ {
				t0 := time.Now()
				out, err := tx.Bytes()
				if err != nil || len(out) != len(in) {
					b.Fatal(err)
				}
				t1 := time.Now()
				if c := bytes.Clone(in); len(c) != len(in) {
					b.Fatal("short copy")
				}
				subject += t1.Sub(t0)
				baseline += time.Since(t1)
			}
			b.ReportMetric(float64(subject.Nanoseconds())/float64(b.N), "write-ns/op")
			b.ReportMetric(float64(baseline.Nanoseconds())/float64(b.N), "copy-ns/op")
			b.ReportMetric(float64(subject)/float64(baseline), "ratio")
		})
	}
}
