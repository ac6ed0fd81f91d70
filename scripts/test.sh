#!/usr/bin/env bash
# The whole test suite: vet, every unit/integration test (fuzz targets run on their seed
# corpora), the libfprint driver against libfprint's virtual reader, the real window
# under Xvfb, the Debian package in a throw-away root, and fieldscreenctl.exe under wine.
# Fails on the first failing step.
set -euo pipefail
cd "$(dirname "$0")/.."
export LANG=en_US.UTF-8

echo "== gofmt"
unformatted=$(gofmt -l $(git ls-files '*.go'))
if [ -n "$unformatted" ]; then echo "gofmt would change: $unformatted"; exit 1; fi

echo "== go vet"
go vet ./...

echo "== go test"
go test -count=1 -timeout 30m ./...

if [ -d hardware/fprint ]; then
  echo "== go test -tags fprint (libfprint virtual image device)"
  go test -count=1 -timeout 10m -tags fprint ./hardware/fprint/...
fi

if [ -x scripts/screenshots.sh ] && [ -f scripts/screenshot_test.sh ]; then
  echo "== real window under Xvfb"
  ./scripts/screenshot_test.sh
fi

echo "== Debian package: build, install and remove in a throw-away root"
./scripts/package_test.sh

echo "== Windows: fieldscreenctl.exe under wine"
./scripts/windows-smoke.sh
