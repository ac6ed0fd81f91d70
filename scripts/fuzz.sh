#!/usr/bin/env bash
# Runs every fuzz target for a short time each (default 20s): `make fuzz`.
set -euo pipefail
cd "$(dirname "$0")/.."
t=${1:-20s}
for pkg in $(CGO_ENABLED=0 go list ./...); do
  dir=$(CGO_ENABLED=0 go list -f '{{.Dir}}' "$pkg")
  for f in $(grep -ho '^func Fuzz[A-Za-z0-9_]*' "$dir"/*_test.go 2>/dev/null | awk '{print $2}'); do
    echo "== $pkg $f"
    CGO_ENABLED=0 go test -run '^$' -fuzz "^$f\$" -fuzztime "$t" "$pkg"
  done
done
