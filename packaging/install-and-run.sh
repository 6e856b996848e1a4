#!/usr/bin/env bash
# Installs FitCoach and everything it needs, then runs it.
#   bash packaging/install-and-run.sh            install, then run `fitcoach`
#   bash packaging/install-and-run.sh --no-run   install only (CI)
# System packages (Debian/Ubuntu, via apt-get; skipped elsewhere): espeak-ng for offline speech,
# a Korean font, and the X11/EGL libraries Qt needs. Python packages go into ./.venv.
set -euo pipefail
cd "$(dirname "$0")/.."

run=1
[ "${1:-}" = "--no-run" ] && run=0

apt_pkgs=(
  libespeak-ng1 espeak-ng-data       # pyttsx3's offline voices (en, ko)
  libportaudio2                      # sounddevice: non-blocking playback of spoken cues
  fonts-nanum                        # Korean text in the GUI
  libegl1 libgl1 libgles2            # MediaPipe and Qt rendering libraries
  libxkbcommon0 libxkbcommon-x11-0 libfontconfig1 libdbus-1-3
  libxcb-cursor0 libxcb-icccm4 libxcb-keysyms1 libxcb-image0 libxcb-render-util0
  libxcb-shape0 libxcb-xinerama0 libxcb-randr0 libxcb-xfixes0 libxcb-xkb1   # Qt's xcb platform
)
if command -v apt-get >/dev/null 2>&1 && command -v dpkg-query >/dev/null 2>&1; then
  missing=()
  for p in "${apt_pkgs[@]}"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
  done
  if [ ${#missing[@]} -gt 0 ]; then
    sudo=""
    [ "$(id -u)" -ne 0 ] && sudo="sudo"
    echo "Installing system packages: ${missing[*]}"
    $sudo apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
  fi
else
  echo "Not a Debian/Ubuntu system: install espeak-ng and a Korean font with your package manager."
fi

py="${PYTHON:-python3}"
"$py" -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "FitCoach needs Python 3.11 or newer")'
[ -x .venv/bin/python ] || "$py" -m venv .venv
.venv/bin/python -m pip install -q --upgrade pip
.venv/bin/python -m pip install -q -e ".[test,train]"
.venv/bin/fitcoach models verify

if [ "$run" = 1 ]; then
  exec .venv/bin/fitcoach
fi
