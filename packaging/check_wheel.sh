#!/usr/bin/env bash
# Builds the sdist and the wheel and checks that the wheel works on its own (issue 12: a
# `pip install .` used to lack models/ and exercises/ and failed "model manifest missing").
#
#   bash packaging/check_wheel.sh [OUTDIR]    default OUTDIR: build/wheel
#
# 1. `python -m build` (the test extra's `build`: .venv, or $BUILD_PYTHON): the sdist, then the
#    wheel built FROM that sdist, so both are checked at once (setup.py's hook, MANIFEST.in).
# 2. A fresh venv in a temporary folder, the wheel installed into it (not editable), and every
#    command run from another temporary folder with a throw-away HOME and data folder, so
#    neither the checkout nor the developer's files can be found by accident:
#    fitcoach --info, models verify, exercises validate, demo (--save, --annotate), analyze of the
#    demo recording (reps with form scores, byte-identical to the checkout's JSON; Korean cues
#    from the phrase files), analyze of the demo video through MediaPipe with the lite model, the
#    desktop window (offscreen Qt) and where the app icon and other shipped files were found.
# It ends with the sizes and the time taken. .ci/run then builds the desktop bundle from this wheel.
set -euo pipefail
cd "$(dirname "$0")/.."
repo=$(pwd)
t_start=$(date +%s)
out=$(realpath -m "${1:-build/wheel}")
py_build="${BUILD_PYTHON:-$repo/.venv/bin/python}"  # has `build` (the test extra)
py_venv="${PYTHON:-python3}"                        # the Python the fresh venv is made from

rm -rf "$out" && mkdir -p "$out"
"$py_build" -m build --outdir "$out" . >"$out/build.log" 2>&1 || { cat "$out/build.log" >&2; echo "FAIL: python -m build" >&2; exit 1; }
wheel=$(ls "$out"/fitcoach-*.whl)
sdist=$(ls "$out"/fitcoach-*.tar.gz)
t_built=$(date +%s)

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
"$py_venv" -m venv "$tmp/venv"
"$tmp/venv/bin/python" -m pip install -q "$wheel"
t_installed=$(date +%s)

mkdir -p "$tmp/run" "$tmp/home"
cd "$tmp/run"  # not the checkout: nothing of it is importable or readable from here
export HOME="$tmp/home" FITCOACH_DATA_DIR="$tmp/data" QT_QPA_PLATFORM=offscreen
unset PYTHONPATH
fc="$tmp/venv/bin/fitcoach"
site=$("$tmp/venv/bin/python" -c "import fitcoach, pathlib; print(pathlib.Path(fitcoach.__file__).parent)")
case "$site" in "$tmp/venv/"*) ;; *) echo "FAIL: fitcoach imported from $site, not the wheel" >&2; exit 1 ;; esac

info=$("$fc" --info)
echo "$info" | grep -q "Models in $site/_shipped/models:" || { echo "$info"; echo "FAIL: --info: models not in the wheel" >&2; exit 1; }
"$fc" models verify
"$fc" exercises validate >/dev/null
"$fc" demo --save demo.npz --annotate demo.mp4 >/dev/null
"$fc" analyze demo.npz -e squat --json demo.json
"$fc" analyze demo.npz -e squat --lang ko --json demo-ko.json >/dev/null
# the same analysis from the checkout's editable install, when there is one: the README promises
# byte-identical JSON for the same input, so the wheel must not differ from the source tree
if [ -x "$repo/.venv/bin/fitcoach" ]; then
  "$repo/.venv/bin/fitcoach" analyze demo.npz -e squat --json demo-checkout.json >/dev/null
  cmp demo.json demo-checkout.json || { echo "FAIL: the wheel's analysis differs from the checkout's" >&2; exit 1; }
  echo "wheel analyze == checkout analyze (byte-identical JSON)"
fi
"$tmp/venv/bin/python" - "$site" <<'EOF'
import json, sys
out = json.load(open("demo.json"))
assert out["summary"]["reps"] >= 5, out["summary"]  # the demo take: 8 squats (one of them shallow)
assert out["scorer"] == "form_scorer.onnx" and all(r["score"] is not None for r in out["reps"]), out["scorer"]
ko = json.load(open("demo-ko.json"))
assert any("스쿼트" in c["text"] for c in ko["cues"]), ko["cues"][:3]  # fitcoach/data/phrases.toml (ko)
from fitcoach.core import resources
site = sys.argv[1]
found = {"models": resources.models_dir(), "exercises": resources.exercises_dir(),
         "data": resources.data_dir(), "icon": resources.app_icon()}
from fitcoach.i18n import LANGS, catalogue_dir, tr
found["i18n"] = catalogue_dir()
assert LANGS[0] == "en" and "ko" in LANGS and tr("Stop", "ko") == "정지", (LANGS, catalogue_dir())  # fitcoach/i18n/*.toml
assert all(str(p).startswith(site) for p in found.values()), found
assert resources.checkout_dir() is None, resources.checkout_dir()
print(f"wheel analyze (demo recording): {out['summary']['reps']} reps, {out['summary']['partial_reps']} partial, "
      f"form scores from {out['scorer']}; Korean cues; shipped files all under {site}")
EOF
# the demo video through MediaPipe and the wheel's lite .task: a drawn skeleton, so nobody is
# detected (exit 2 with that one line is the expected answer)
set +e
"$fc" analyze demo.mp4 -e squat --model lite --people 1 --no-progress --json video.json 2>video.err
rc=$?
set -e
grep -q "nobody was detected" video.err && [ "$rc" = 2 ] || { cat video.err >&2; echo "FAIL: video analyze (exit $rc)" >&2; exit 1; }
"$tmp/venv/bin/python" -c "
import json; o = json.load(open('video.json')); assert o['model'] == 'lite' and o['input']['frames'] > 900, o['input']
print(f\"wheel analyze (video, lite pose model): {o['input']['frames']} frames through MediaPipe, exit 2 as expected\")"
shown=$("$fc" gui --quit-after-show --no-demo 2>&1 | grep "window shown" || true)
[ -n "$shown" ] || { echo "FAIL: the desktop app did not show its window from the wheel" >&2; exit 1; }
echo "wheel gui: $shown"

cd "$repo"
kb() { echo "$(( ($(stat -c %s "$1") + 512) / 1024 )) KiB"; }
echo "wheel: $wheel, $(kb "$wheel"), $("$tmp/venv/bin/python" -c "import zipfile,sys; print(len(zipfile.ZipFile(sys.argv[1]).namelist()))" "$wheel") files"
echo "sdist: $sdist, $(kb "$sdist")"
echo "installed venv: $(du -sm "$tmp/venv" | cut -f1) MB"
t_end=$(date +%s)
echo "check_wheel.sh done in $((t_end - t_start)) s (build $((t_built - t_start)) s, venv + install $((t_installed - t_built)) s, checks $((t_end - t_installed)) s)"
