#!/usr/bin/env bash
# `make run`: opens the desktop app on the embedded defaults (a vault in the user's data
# directory, the built-in simulated scanner). Settings in ~/.config/fieldscreen/settings.json
# override the defaults.
set -euo pipefail
cd "$(dirname "$0")/.."
if [ -z "${DISPLAY:-}" ] && [ -z "${WAYLAND_DISPLAY:-}" ]; then
  echo "fieldscreen needs a display: run it from a desktop session, or start Xvfb :99 and export DISPLAY=:99" >&2
  exit 1
fi
export LANG=${LANG:-en_US.UTF-8}
[ "$LANG" = "C" ] || [ "$LANG" = "POSIX" ] && export LANG=en_US.UTF-8
exec ./bin/fieldscreen "$@"
