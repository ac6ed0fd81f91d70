#!/usr/bin/env bash
# Rebuilds docs/BENCHMARKS.md from the per-package pages in docs/bench/ (each written from a
# `make bench` or package benchmark run, with its command and machine).
set -euo pipefail
cd "$(dirname "$0")/.."
{
  cat <<'HEAD'
# Benchmarks

Every figure below comes from a Go benchmark (`make bench` runs them all; each page names its
own command) that runs the subject **beside a baseline in the same process**, because these
machines are shared and noisy: read the ratios and medians, not single wall times.
No unit test asserts a timing.

Machine for all pages unless a page says otherwise: a 2-core Debian 12 VM (Intel Xeon), 24 GiB,
Go 1.26.8, measured while other builds and tests ran on the same cores (load average 4–10), so
absolute times are pessimistic.

Pages: app and UI, vault, forms and PDF, MRZ, WSQ, ANSI/NIST, biometrics (synth, quality, face),
hardware, sync, end to end.

HEAD
  for f in app vault forms mrz wsq nist biometrics hardware sync e2e; do
    [ -f "docs/bench/$f.md" ] || continue
    echo
    sed -e 's/^# /## /' -e 's/^## \(.*\)/### \1/' "docs/bench/$f.md" | sed -e '1s/^### /## /'
  done
} > docs/BENCHMARKS.md
echo "wrote docs/BENCHMARKS.md"
