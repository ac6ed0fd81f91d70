#!/usr/bin/env bash
# `make run`: opens the desktop app. With no central configured in
# ~/.config/fieldscreen/settings.json it is a demonstration: a reference central server and a
# simulated SBI fingerprint/face device service start on loopback, and the app opens on a
# vault marked DEMO in ~/.local/share/fieldscreen/demo-vault, with an enrolment token ready,
# so a full screening and its sync can be seen at once. The built-in simulated scanner and
# document reader are always there.
set -euo pipefail
cd "$(dirname "$0")/.."
if [ -z "${DISPLAY:-}" ] && [ -z "${WAYLAND_DISPLAY:-}" ]; then
  echo "fieldscreen needs a display: run it from a desktop session, or start Xvfb :99 and export DISPLAY=:99" >&2
  exit 1
fi
case "${LANG:-C}" in C|POSIX|C.*) export LANG=en_US.UTF-8 ;; esac

settings="${XDG_CONFIG_HOME:-$HOME/.config}/fieldscreen/settings.json"
if [ -f "$settings" ] && grep -q '"centralURL": *"https' "$settings"; then
  exec ./bin/fieldscreen "$@"
fi

data="${XDG_DATA_HOME:-$HOME/.local/share}/fieldscreen"
mkdir -p "$data"
pids=()
cleanup() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; }
trap cleanup EXIT INT TERM

port=8443
# a fresh one-time token each start; the app ignores it once the demo vault is enrolled
token=$(./bin/fieldscreen-central token create --data "$data/demo-central")
./bin/fieldscreen-central serve --data "$data/demo-central" --listen "127.0.0.1:$port" \
  --watchlist testdata/demo-watchlist.txt >"$data/demo-central.log" 2>&1 &
pids+=($!)
./bin/fieldscreen-devsim --port 4501 --cert-dir "$data/demo-devsim" >"$data/demo-devsim.log" 2>&1 &
pids+=($!)
echo "demo: central on https://127.0.0.1:$port (log $data/demo-central.log), SBI device service on 127.0.0.1:4501"
./bin/fieldscreen --demo --vault "$data/demo-vault" --central "https://127.0.0.1:$port" --enrol-token "$token" "$@"
