#!/usr/bin/env bash
# Measures the real binary's start: process exec to a mapped window on the unlock screen,
# under Xvfb, N times (default 5). Prints each figure and the median.
set -euo pipefail
cd "$(dirname "$0")/.."
n=${1:-5}
work=$(mktemp -d)
disp=:$((80 + RANDOM % 9))
Xvfb "$disp" -screen 0 1280x800x24 -nolisten tcp >/dev/null 2>&1 &
xvfb=$!
trap 'kill $xvfb 2>/dev/null; rm -rf "$work"' EXIT
export DISPLAY=$disp LANG=en_US.UTF-8
sleep 1
FIELDSCREEN_PASSPHRASE="correct horse battery staple" ./bin/fieldscreenctl --vault "$work/v" vault init --user sup1 >/dev/null
times=()
for _ in $(seq "$n"); do
  s=$(date +%s%N)
  ./bin/fieldscreen --vault "$work/v" --settings "$work/none.json" >/dev/null 2>&1 &
  p=$!
  until xdotool search --onlyvisible --name fieldscreen >/dev/null 2>&1; do sleep 0.01; done
  e=$(date +%s%N)
  times+=($(( (e - s) / 1000000 )))
  kill $p; wait $p 2>/dev/null || true
  sleep 0.3
done
printf 'start to mapped unlock window (ms): %s\n' "${times[*]}"
printf '%s\n' "${times[@]}" | sort -n | awk '{a[NR]=$1} END {print "median:", a[int((NR+1)/2)], "ms"}'
