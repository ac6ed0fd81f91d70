#!/usr/bin/env bash
# Benchmarks with their same-process baselines; raw output goes to bench.out for benchstat.
set -euo pipefail
cd "$(dirname "$0")/.."
out=${1:-bench.out}
{
  echo "# $(date -u +%FT%TZ) $(go version) $(nproc) cores $(uname -m)"
  grep -m1 'model name' /proc/cpuinfo || true
  CGO_ENABLED=0 go test -run '^$' -bench . -benchmem -count ${COUNT:-5} -timeout 60m \
    $(CGO_ENABLED=0 go list ./... | grep -v '/app/ui$' | grep -v 'fieldscreen$')
} | tee "$out"
