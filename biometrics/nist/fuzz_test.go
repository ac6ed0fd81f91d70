package nist

import (
	"bytes"
	"os"
	"path/filepath"
	"runtime"
	"sync/atomic"
	"testing"
)

var fuzzCount atomic.Int64

// FuzzParse feeds arbitrary bytes to the parser. It must never panic, never allocate
// beyond a small multiple of the input (every length is checked against the bytes present
// before use), and whatever it accepts must write back to the same bytes and parse again.
func FuzzParse(f *testing.F) {
	files, _ := filepath.Glob(filepath.Join("testdata", "*.an2"))
	for _, name := range files {
		b, err := os.ReadFile(name)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(shrinkImages(f, b))
	}
	f.Add([]byte("1.001:40\x1d1.002:0502\x1d1.003:1\x1f1\x1e4\x1f01\x1c\x00\x00\x00\x12\x01\x00\x0d\xff\xff\xff\xff\xff\x00\x00\x01\x00\x01\x01"))
	f.Add([]byte("1.001:99999999\x1d1.003:1\x1f0\x1c"))
	f.Add([]byte("1.001:22\x1d1.003:1\x1f1\x1e7\x1f00\x1c\xff\xff\xff\xff\x00"))
	f.Fuzz(func(t *testing.T, in []byte) {
		// The parser references the input; what it allocates is record and field headers,
		// bounded by a multiple of the input size plus a constant. ReadMemStats stops the
		// world, so past the first 64 inputs (which cover the seed corpus) only every 64th
		// input is measured.
		n := fuzzCount.Add(1)
		measure := n <= 64 || n%64 == 0
		var before, after runtime.MemStats
		if measure {
			runtime.ReadMemStats(&before)
		}
		tx, err := ParseBytes(in)
		if measure {
			runtime.ReadMemStats(&after)
			if grew := after.TotalAlloc - before.TotalAlloc; grew > uint64(64*len(in)+4096) {
				t.Fatalf("parse of %d bytes allocated %d bytes", len(in), grew)
			}
		}
		if err != nil {
			return
		}
		out, err := tx.Bytes()
		if err != nil {
			t.Fatalf("parsed but cannot write: %v", err)
		}
		// With a consistent CNT the output must be the input; otherwise the writer repairs
		// CNT, and the repaired file must be stable.
		if len(tx.checkCNT()) == 0 && !bytes.Equal(out, in) {
			t.Fatalf("accepted input does not round-trip (first difference at %d)", firstDiff(out, in))
		}
		tx2, err := ParseBytes(out)
		if err != nil {
			t.Fatalf("cannot parse own output: %v", err)
		}
		if out2, err := tx2.Bytes(); err != nil || !bytes.Equal(out2, out) {
			t.Fatalf("second write differs (%v)", err)
		}
		_ = tx.Validate()
		for _, im := range tx.Images() {
			_ = SniffCompression(im.Data)
		}
	})
}

// shrinkImages replaces the image data of large records by a few bytes so that the seed
// corpus stays small but keeps every record structure.
func shrinkImages(t testing.TB, b []byte) []byte {
	tx, err := ParseBytes(b)
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range tx.Records() {
		if f := r.Field(999); f != nil && len(f.Value) > 64 {
			f.Value = f.Value[:64]
			if c := cgaField[r.Type]; c != 0 && r.Value(c) == "NONE" {
				_ = r.SetField(6, "8")
				_ = r.SetField(7, "8")
			}
		}
	}
	out, err := tx.Bytes()
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// TestParseAllocationBound checks that hostile lengths cannot make the parser allocate
// more than a small multiple of the input.
func TestParseAllocationBound(t *testing.T) {
	inputs := [][]byte{
		[]byte("1.001:2147483647\x1d1.003:1\x1f1\x1e4\x1f01\x1c"),
		[]byte("1.001:27\x1d1.003:1\x1f1\x1e4\x1f01\x1c\x7f\xff\xff\xff\x01\x00\x0d\xff\xff\xff\xff\xff\x00\x00\x01\x00\x01\x01"),
		[]byte("1.001:27\x1d1.003:1\x1f1\x1e10\x1f01\x1c10.001:999999999\x1d10.002:01\x1c"),
	}
	for i, in := range inputs {
		var before, after runtime.MemStats
		runtime.ReadMemStats(&before)
		_, _ = ParseBytes(in)
		runtime.ReadMemStats(&after)
		if grew := after.TotalAlloc - before.TotalAlloc; grew > 16<<10 {
			t.Errorf("input %d: parse of %d bytes allocated %d bytes", i, len(in), grew)
		}
		if _, err := ParseBytes(in); err == nil {
			t.Errorf("input %d: hostile length accepted", i)
		}
	}
}
