#!/usr/bin/env bash
# Starts the real fieldscreen binary under Xvfb, drives it with xdotool through the main
# screens, and saves a PNG of each into the folder given (default docs/screenshots).
# Fails when the window never maps or a screenshot is blank. Synthetic data only.
set -euo pipefail
cd "$(dirname "$0")/.."
out=${1:-docs/screenshots}
mkdir -p "$out"
work=$(mktemp -d)
disp=:$((90 + RANDOM % 9))
Xvfb "$disp" -screen 0 1280x800x24 -nolisten tcp >"$work/xvfb.log" 2>&1 &
xvfb=$!
cleanup() { kill "${app:-}" 2>/dev/null || true; kill "$xvfb" 2>/dev/null || true; rm -rf "$work" 2>/dev/null || true; }
trap cleanup EXIT
prev=""
export DISPLAY=$disp LANG=en_US.UTF-8 HOME="$work/home" XDG_CONFIG_HOME="$work/config"
mkdir -p "$HOME"
for _ in $(seq 50); do xdpyinfo >/dev/null 2>&1 && break; sleep 0.1; done

[ -x bin/fieldscreen ] || go build -o bin/fieldscreen .
./bin/fieldscreen --vault "$work/vault" --demo >"$work/app.log" 2>&1 &
app=$!

# wait for the window to map
for _ in $(seq 100); do
  xdotool search --onlyvisible --name fieldscreen >/dev/null 2>&1 && break
  sleep 0.2
done
if ! xdotool search --onlyvisible --name fieldscreen >/dev/null 2>&1; then
  echo "screenshots: the fieldscreen window never mapped; app log:" >&2
  cat "$work/app.log" >&2
  exit 1
fi
sleep 1.5

shot() { # name
  import -window root "$out/$1.png"
  sd=$(convert "$out/$1.png" -colorspace Gray -format '%[fx:standard_deviation]' info:)
  if awk -v s="$sd" 'BEGIN { exit !(s < 0.02) }'; then
    echo "screenshots: $1.png is blank (grey standard deviation $sd)" >&2
    exit 1
  fi
  if [ -n "${prev:-}" ]; then
    diff=$(compare -metric AE "$prev" "$out/$1.png" null: 2>&1 || true)
    if [ "${diff%% *}" -lt 2000 ] 2>/dev/null; then
      echo "screenshots: $1.png shows the same screen as $(basename "$prev") ($diff pixels differ): the walk is stuck" >&2
      exit 1
    fi
  fi
  prev="$out/$1.png"
  echo "screenshots: $out/$1.png (contrast $sd)"
}
click() { xdotool mousemove "$1" "$2" click 1; sleep 0.3; }
typ() { xdotool type --delay 30 "$1"; sleep 0.2; }

# The window is 1100x720 at the top left; coordinates below follow the layouts in app/ui.
shot 01-first-run
typ "sup.demo"; xdotool key Tab
typ "correct horse battery staple"; xdotool key Tab
typ "correct horse battery staple"
xdotool key Return
sleep 6
shot 02-case-list
xdotool key ctrl+n; sleep 1
shot 03-new-case-trigger
typ "NLSPL Schiphol border crossing point"
xdotool key ctrl+2; sleep 0.8
typ "Testperson"; xdotool key Tab
typ "Alpha Synthetic"; xdotool key Tab
typ "2031-01-01"
xdotool key ctrl+s; sleep 1.5
shot 04-identity-with-a-problem
xdotool key ctrl+k; sleep 1.5
shot 05-case-list-with-case
click 92 72; sleep 1.5
shot 06-users
xdotool key ctrl+l; sleep 1.5
shot 07-locked
