#!/bin/sh
# A/B benchmark of this package against an earlier revision of it, in one process.
#
# Usage (from anywhere in the repository):
#   biometrics/wsq/abbench.sh [OLD-REVISION] [ROUNDS]
# OLD-REVISION defaults to 4358952, the code before issue 16 (even filters, NBIS-grade
# quantisation, header-bomb checks); ROUNDS defaults to 5.
#
# It copies the package at OLD-REVISION and the working tree's package into a scratch
# module and runs one benchmark per operation that times old, new and a standard-library
# baseline (image/png) alternately inside the same loop, on the same input, so load on the
# shared machine hits all three alike. Inputs: the NIST print fp-1 (804x752) decoded from
# the reference encoder's WSQ file, and that decode encoded at 0.75 bpp. Figures go to
# docs/BENCHMARKS.md; this script changes nothing in the repository.
set -eu
old=${1:-4358952}
rounds=${2:-5}
root=$(git rev-parse --show-toplevel)
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
mkdir -p "$tmp/old" "$tmp/new" "$tmp/ab"
git -C "$root" archive "$old" biometrics/wsq | tar -x -C "$tmp/old" --strip-components=2
cp "$root"/biometrics/wsq/*.go "$tmp/new/"
rm -f "$tmp"/old/*_test.go "$tmp"/new/*_test.go
cp "$root/biometrics/wsq/testdata/fp-1.wsq" "$tmp/ab/"
cat > "$tmp/go.mod" <<'EOF'
module wsqab

go 1.24
EOF
cat > "$tmp/ab/ab_test.go" <<'EOF'
package ab

import (
	"bytes"
	"image"
	"image/png"
	"os"
	"slices"
	"syscall"
	"testing"
	"time"

	wsqnew "wsqab/new"
	wsqold "wsqab/old"
)

// cpu is the CPU time (user + system) this process has used; other programs on the
// machine do not inflate it.
func cpu() time.Duration {
	var ru syscall.Rusage
	_ = syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// run times each function once per iteration, in turn, and reports the median wall time of
// each, the mean CPU time of old and new, and the new/old and new/baseline ratios.
func run(b *testing.B, oldF, newF, base func() error) {
	var wall [3][]time.Duration
	var cpus [3]time.Duration
	for b.Loop() {
		for i, f := range []func() error{oldF, newF, base} {
			c0, t0 := cpu(), time.Now()
			if err := f(); err != nil {
				b.Fatal(err)
			}
			wall[i] = append(wall[i], time.Since(t0))
			cpus[i] += cpu() - c0
		}
	}
	med := func(d []time.Duration) float64 {
		slices.Sort(d)
		return float64(d[len(d)/2].Microseconds()) / 1000
	}
	n := float64(len(wall[0]))
	mean := func(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 / n }
	mo, mn, mb := med(wall[0]), med(wall[1]), med(wall[2])
	b.ReportMetric(mo, "old-ms")
	b.ReportMetric(mn, "new-ms")
	b.ReportMetric(mb, "png-ms")
	b.ReportMetric(mn/mo, "new/old")
	b.ReportMetric(mn/mb, "new/png")
	b.ReportMetric(mean(cpus[0]), "old-cpu-ms")
	b.ReportMetric(mean(cpus[1]), "new-cpu-ms")
	b.ReportMetric(mean(cpus[1])/mean(cpus[0]), "cpu-new/old")
}

func input(b *testing.B) ([]byte, image.Image, []byte) {
	w, err := os.ReadFile("fp-1.wsq")
	if err != nil {
		b.Fatal(err)
	}
	img, err := wsqnew.Decode(bytes.NewReader(w))
	if err != nil {
		b.Fatal(err)
	}
	var p bytes.Buffer
	if err := png.Encode(&p, img); err != nil {
		b.Fatal(err)
	}
	return w, img, p.Bytes()
}

func BenchmarkDecode(b *testing.B) {
	w, _, p := input(b)
	run(b,
		func() error { _, err := wsqold.Decode(bytes.NewReader(w)); return err },
		func() error { _, err := wsqnew.Decode(bytes.NewReader(w)); return err },
		func() error { _, err := png.Decode(bytes.NewReader(p)); return err })
}

func BenchmarkEncode(b *testing.B) {
	_, img, _ := input(b)
	run(b,
		func() error { return wsqold.Encode(&bytes.Buffer{}, img, nil) },
		func() error { return wsqnew.Encode(&bytes.Buffer{}, img, nil) },
		func() error { return png.Encode(&bytes.Buffer{}, img) })
}
EOF
cd "$tmp/ab"
CGO_ENABLED=0 GOFLAGS=-mod=mod go test -run '^$' -bench . -benchtime 30x -count "$rounds" .
