#!/usr/bin/env bash
# Benchmarks with their same-process baselines; raw output goes to bench.out for benchstat.
set -euo pipefail
cd "$(dirname "$0")/.."
out=${1:-bench.out}
{
  echo "# $(date -u +%FT%TZ) $(go version) $(nproc) cores $(uname -m)"
  grep -m1 'model name' /proc/cpuinfo || true
  LANG=en_US.UTF-8 CGO_ENABLED=0 go test -run '^$' -bench . -benchmem -count ${COUNT:-5} -timeout 60m \
    $(CGO_ENABLED=0 go list ./... 2>/dev/null | grep -v 'fieldscreen$')
} | tee "$out"
echo "raw results in $out; the per-package pages in docs/bench/ quote their medians (scripts/benchmarks-doc.sh rebuilds docs/BENCHMARKS.md)"
