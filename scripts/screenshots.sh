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
# keep Go's caches where they are: the walk runs with a throw-away HOME
export GOCACHE="$(go env GOCACHE)" GOMODCACHE="$(go env GOMODCACHE)" GOPATH="$(go env GOPATH)"
export DISPLAY=$disp LANG=en_US.UTF-8 HOME="$work/home" XDG_CONFIG_HOME="$work/config"
mkdir -p "$HOME" "$XDG_CONFIG_HOME/fieldscreen"
# the walk clicks at fixed places: a fixed window size (not maximised) and English; the
# simulated devices the second walk pairs are offered as for training
cat >"$XDG_CONFIG_HOME/fieldscreen/settings.json" <<'JSON'
{"language": "en", "windowWidth": 1100, "windowHeight": 720, "trainingDevices": true}
JSON
for _ in $(seq 50); do xdpyinfo >/dev/null 2>&1 && break; sleep 0.1; done

go build -o bin/fieldscreen .
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
kill "$app"; wait "$app" 2>/dev/null || true

# Second walk: a terminal prepared headlessly with fieldscreenctl (users, enrolment with a
# reference central on loopback, paired simulated devices, three seeded screenings sent and
# answered), then the officer's, technician's and auditor's screens.
ctl() { ./bin/fieldscreenctl --vault "$work/v2" "$@" >>"$work/setup.log" 2>&1; }
CGO_ENABLED=0 go build -o bin/ ./cmd/...
port=$((20000 + RANDOM % 20000))
token=$(./bin/fieldscreen-central token create --data "$work/central")
./bin/fieldscreen-central serve --data "$work/central" --listen "127.0.0.1:$port" --watchlist testdata/demo-watchlist.txt >"$work/central.log" 2>&1 &
central=$!
trap 'kill $central 2>/dev/null || true; cleanup' EXIT
sleep 1
export FIELDSCREEN_PASSPHRASE="correct horse battery staple"
ctl vault init --user sup1
for u in off1:officer tec1:technician aud1:auditor; do
  FIELDSCREEN_NEW_PASSPHRASE="passphrase of ${u%%:*}" ctl --user sup1 user add "${u%%:*}" --role "${u##*:}"
done
FIELDSCREEN_PASSPHRASE="passphrase of off1" ctl --user off1 enroll --central "https://127.0.0.1:$port" --token "$token"
for d in sim:finger:SIM-finger-0001 sim:face:SIM-face-0001 sim:document:SIM-document-0001; do
  FIELDSCREEN_PASSPHRASE="passphrase of tec1" ctl --user tec1 device pair "$d" --drivers sim --yes
done
FIELDSCREEN_PASSPHRASE="passphrase of off1" ctl --user off1 demo seed --cases 3
FIELDSCREEN_PASSPHRASE="passphrase of off1" ctl --user off1 sync run --once
sleep 1
FIELDSCREEN_PASSPHRASE="passphrase of off1" ctl --user off1 sync run --once
# the walk opens the first of these answered screenings by its reference
first_ref=$(FIELDSCREEN_PASSPHRASE="passphrase of off1" ./bin/fieldscreenctl --vault "$work/v2" --user off1 case list | awk 'NR==2 {print $2}')
# one more screening, captured and queued while central is out of reach: the Sync screen
# groups its waiting packets (with the Eurodac time left) above the delivered cases
kill "$central" 2>/dev/null || true
wait "$central" 2>/dev/null || true
FIELDSCREEN_PASSPHRASE="passphrase of off1" ctl --user off1 demo seed --cases 1 --seed 2
./bin/fieldscreen --vault "$work/v2" >"$work/app2.log" 2>&1 &
app=$!
for _ in $(seq 100); do xdotool search --onlyvisible --name fieldscreen >/dev/null 2>&1 && break; sleep 0.2; done
sleep 1.5
signin() { typ "$1"; xdotool key Return; typ "$2"; xdotool key Return; sleep 3; }
signin off1 "passphrase of off1"
shot 08-officer-case-list-sent
typ "$first_ref"; sleep 1 # the search box has the focus: only that case stays listed
click 300 160; sleep 2
# the case header (name, age, face, both limits) above the hand diagram with ten thumbnails
xdotool key ctrl+8; sleep 3
shot 09-biometrics-captured
xdotool key ctrl+9; sleep 1
shot 10-security-checks-answered
xdotool key ctrl+k; sleep 2; click 87 48; sleep 2
shot 11-sync-grouped-by-case
xdotool key ctrl+l; sleep 1.5
signin tec1 "passphrase of tec1"
click 72 152; sleep 4
shot 12-technician-devices
xdotool key ctrl+l; sleep 1.5
signin aud1 "passphrase of aud1"
shot 13-auditor-audit-log
