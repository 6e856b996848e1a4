#!/usr/bin/env bash
# Screenshots of every page (en + ko) into docs/screenshots/, from a real X11 window.
# Uses the display you have, or starts a virtual one (Debian: apt-get install xvfb).
set -euo pipefail
cd "$(dirname "$0")/.."
if [ -z "${DISPLAY:-}" ]; then
  command -v Xvfb >/dev/null || { echo "needs a display or Xvfb (apt-get install xvfb)" >&2; exit 2; }
  Xvfb :97 -screen 0 1400x900x24 -nolisten tcp >/dev/null 2>&1 &
  xvfb=$!
  trap 'kill $xvfb' EXIT
  export DISPLAY=:97
  sleep 1
fi
.venv/bin/python packaging/screenshots.py "$@"
