#!/usr/bin/env bash
# Builds the Linux desktop bundle and checks it runs with no Python around it.
#
#   bash packaging/build_bundle.sh                   build into build/dist/fitcoach/, then check it
#   bash packaging/build_bundle.sh --wheel FILE.whl  the same, from a wheel built before (.ci/run
#                                                    passes the one packaging/check_wheel.sh tested)
#   bash packaging/build_bundle.sh --check           only check an existing build
#
# The build uses a clean venv (build/bundle-venv, made afresh: the FitCoach wheel, not the
# checkout, plus PyInstaller; none of the test or training extras). Without --wheel it first
# builds the wheel (sdist -> wheel, with `build` in that venv). PyInstaller then takes code and
# data from the installed wheel (see fitcoach.spec), so the bundle holds what the wheel holds.
# The check runs the bundle with an empty environment (env -i: no venv, an empty PATH, a
# throw-away HOME and data folder), in a network namespace with no network when the system
# allows one:
#   fitcoach --info, fitcoach models verify, fitcoach analyze on the built-in demo recording and
#   on a demo video (through MediaPipe's native library and the bundled .task model), a progress
#   report (HTML and PDF), speech to a WAV file (when espeak-ng is installed), the desktop window
#   under Xvfb; and, with strace, that no Python file outside the bundle is opened and no internet
#   socket is created. It ends with the bundle's size and start-up time.
set -euo pipefail
cd "$(dirname "$0")/.."
repo=$(pwd)
check_only=0 wheel=""
while [ $# -gt 0 ]; do
  case "$1" in
    --check) check_only=1 ;;
    --wheel) [ $# -ge 2 ] || { echo "build_bundle.sh: --wheel needs a .whl file" >&2; exit 2; }
             wheel=$(realpath "$2"); shift ;;
    *) echo "build_bundle.sh: unknown argument $1 (use --wheel FILE.whl or --check)" >&2; exit 2 ;;
  esac
  shift
done
[ -z "$wheel" ] || [ -f "$wheel" ] || { echo "build_bundle.sh: $wheel: no such wheel" >&2; exit 2; }
t_start=$(date +%s)
PYINSTALLER_VERSION=6.22.3  # the newest release at the time of writing; supports Python 3.8-3.14

# --- build-time tools (Debian/Ubuntu); none of them ends up in the bundle -------------------------
# binutils: objdump (PyInstaller's dependency scan) and strip; desktop-file-utils and appstream:
# the validators; xvfb: a display for the window check; strace: the no-Python / no-network proof.
need=()
command -v objdump >/dev/null || need+=(binutils)
command -v strip >/dev/null || need+=(binutils)
command -v desktop-file-validate >/dev/null || need+=(desktop-file-utils)
command -v appstreamcli >/dev/null || need+=(appstream)
command -v Xvfb >/dev/null || need+=(xvfb)
command -v strace >/dev/null || need+=(strace)
if [ ${#need[@]} -gt 0 ] && command -v apt-get >/dev/null; then
  sudo=""; [ "$(id -u)" -ne 0 ] && sudo="sudo"
  mapfile -t need < <(printf '%s\n' "${need[@]}" | sort -u)
  echo "Installing build-time tools: ${need[*]}"
  # another apt/dpkg may hold the lock (unattended upgrades, a parallel install): wait, then retry
  for attempt in 1 2 3; do
    if $sudo apt-get -o DPkg::Lock::Timeout=120 update -qq \
       && DEBIAN_FRONTEND=noninteractive $sudo apt-get -o DPkg::Lock::Timeout=120 install -y -qq \
          --no-install-recommends "${need[@]}" >/dev/null; then
      break
    fi
    [ "$attempt" = 3 ] && { echo "FAIL: could not install ${need[*]}" >&2; exit 1; }
    echo "apt busy or failed; retrying in 15 s" >&2
    sleep 15
  done
fi

dist=build/dist/fitcoach
if [ "$check_only" = 0 ]; then
  t0=$(date +%s)
  py="${PYTHON:-python3}"
  rm -rf build/bundle-venv build/work "$dist"
  "$py" -m venv build/bundle-venv
  build/bundle-venv/bin/python -m pip install -q --upgrade pip
  if [ -z "$wheel" ]; then  # no wheel given: build one from this checkout (sdist -> wheel)
    rm -rf build/bundle-wheel
    build/bundle-venv/bin/python -m pip install -q "build>=1.2"
    build/bundle-venv/bin/python -m build --outdir build/bundle-wheel . >/dev/null
    wheel=$(ls build/bundle-wheel/fitcoach-*.whl)
  fi
  echo "bundling $wheel"
  build/bundle-venv/bin/python -m pip install -q "$wheel" "pyinstaller==$PYINSTALLER_VERSION"
  # PyInstaller must see the installed wheel, not this checkout (it runs from the repo root)
  installed=$(cd / && "$repo/build/bundle-venv/bin/python" -c "from fitcoach.core import resources as r; print(r.models_dir())")
  case "$installed" in
    "$repo/build/bundle-venv/"*) ;;
    *) echo "FAIL: the bundle venv's FitCoach is not the wheel (models in $installed)" >&2; exit 1 ;;
  esac
  # the 256 px PNG icon for the desktop entry, rendered from the SVG with the venv's Qt
  QT_QPA_PLATFORM=offscreen build/bundle-venv/bin/python - <<'EOF'
from PySide6.QtGui import QGuiApplication, QImage, QPainter
from PySide6.QtSvg import QSvgRenderer
app = QGuiApplication([])
img = QImage(256, 256, QImage.Format.Format_ARGB32)
img.fill(0)
p = QPainter(img)
QSvgRenderer("packaging/linux/org.fitcoach.FitCoach.svg").render(p)
p.end()
assert img.save("build/org.fitcoach.FitCoach.png")
EOF
  build/bundle-venv/bin/pyinstaller packaging/fitcoach.spec --distpath build/dist --workpath build/work \
    --noconfirm --log-level WARN
  # what PyInstaller collected (its table of contents) comes from the wheel, none from this checkout
  from_checkout=$(grep -oE "'$repo/(fitcoach|models|exercises)/[^']*'" build/work/fitcoach/Analysis-00.toc | head -3 || true)
  [ -z "$from_checkout" ] || { echo "FAIL: the bundle took files from the checkout: $from_checkout" >&2; exit 1; }
  # desktop integration files, next to the program (see packaging/README.md: installing)
  mkdir -p "$dist/share/applications" "$dist/share/metainfo" "$dist/share/icons/hicolor/256x256/apps" \
    "$dist/share/icons/hicolor/scalable/apps"
  cp packaging/linux/org.fitcoach.FitCoach.desktop "$dist/share/applications/"
  cp packaging/linux/org.fitcoach.FitCoach.metainfo.xml "$dist/share/metainfo/"
  cp build/org.fitcoach.FitCoach.png "$dist/share/icons/hicolor/256x256/apps/"
  cp packaging/linux/org.fitcoach.FitCoach.svg "$dist/share/icons/hicolor/scalable/apps/"
  echo "built $dist in $(( $(date +%s) - t0 )) s"
fi
[ -x "$dist/fitcoach" ] || { echo "FAIL: no bundle at $dist (build it first)" >&2; exit 1; }

desktop-file-validate packaging/linux/org.fitcoach.FitCoach.desktop
appstreamcli validate --no-net --pedantic packaging/linux/org.fitcoach.FitCoach.metainfo.xml >/dev/null \
  || appstreamcli validate --no-net packaging/linux/org.fitcoach.FitCoach.metainfo.xml

# --- the check: no Python environment around the bundle ------------------------------------------
tmp=$(mktemp -d)
xvfb="" realtime=""
cleanup() {
  [ -n "$xvfb" ] && kill "$xvfb" 2>/dev/null
  [ -n "$realtime" ] && kill "$realtime" 2>/dev/null
  rm -rf "$tmp"
}
trap cleanup EXIT
mkdir -p "$tmp/empty-path"  # the bundle's PATH: an empty folder, so no python can be found on it
exe="$repo/$dist/fitcoach"
# No network for the bundle: an empty network namespace (only a loopback that is down), as root
# or through a user namespace; where neither is allowed, the strace check below still applies.
nonet=()
if unshare -n true 2>/dev/null; then nonet=(unshare -n)
elif unshare -rn true 2>/dev/null; then nonet=(unshare -rn)
else echo "note: no network namespace available here; the bundle runs with the host's network"
fi
run() {
  "${nonet[@]}" env -i HOME="$tmp/home" PATH="$tmp/empty-path" FITCOACH_DATA_DIR="$tmp/data" LANG=C.UTF-8 \
    "$exe" "$@"
}
mkdir -p "$tmp/home"
py_check="$repo/build/bundle-venv/bin/python"  # reads the bundle's JSON output; not used by the bundle
[ -x "$py_check" ] || py_check=python3

info=$(run --info)
echo "$info"
echo "$info" | grep -q "Installed as a bundle" || { echo "FAIL: --info does not report a bundle" >&2; exit 1; }
run models verify
run demo --save "$tmp/demo.npz" --annotate "$tmp/demo.mp4" >/dev/null
run analyze "$tmp/demo.npz" -e squat --json "$tmp/demo.json"
"$py_check" - "$tmp/demo.json" <<'EOF'
import json, sys
out = json.load(open(sys.argv[1]))
assert out["summary"]["reps"] == 8 and out["summary"]["partial_reps"] == 0, out["summary"]
assert out["scorer"] == "form_scorer.onnx" and all(r["score"] is not None for r in out["reps"]), out["scorer"]
print(f"bundle analyze (landmark recording): {out['summary']['reps']} reps, {out['summary']['partial_reps']} partial, "
      f"form scores from {out['scorer']} (onnxruntime)")
EOF
# Traced runs, for the proof below: every file opened, program run and socket made.
# 1) In the background, the demo recording replayed at its own speed (34 s, with the form scorer
#    loaded): long enough for anything on a timer (ONNX Runtime's telemetry fires ~9 s after
#    import when it is not switched off) to show itself.
strace_log="$tmp/strace.log"
tracer=() tracer_rt=()
if command -v strace >/dev/null; then
  tracer=(strace -f -qq -e trace=open,openat,execve,socket,connect -o "$strace_log")
  tracer_rt=(strace -f -qq -e trace=open,openat,execve,socket,connect -o "$tmp/strace-realtime.log")
  "${nonet[@]}" "${tracer_rt[@]}" env -i HOME="$tmp/home" PATH="$tmp/empty-path" FITCOACH_DATA_DIR="$tmp/data" \
    LANG=C.UTF-8 "$exe" analyze "$tmp/demo.npz" -e squat --realtime --no-progress --json "$tmp/realtime.json" \
    >/dev/null 2>"$tmp/realtime.err" &
  realtime=$!
fi
# 2) The pose model from inside the bundle: the demo video shows a drawn skeleton, not a person,
#    so every frame runs through MediaPipe and finds nobody (exit 2, "nobody was detected").
set +e
"${nonet[@]}" "${tracer[@]}" env -i HOME="$tmp/home" PATH="$tmp/empty-path" FITCOACH_DATA_DIR="$tmp/data" \
  LANG=C.UTF-8 "$exe" analyze "$tmp/demo.mp4" -e squat --json "$tmp/video.json" 2>"$tmp/video.err"
rc=$?
set -e
"$py_check" - "$tmp/video.json" "$rc" "$tmp/video.err" <<'EOF'
import json, sys
out = json.load(open(sys.argv[1]))
rc, err = int(sys.argv[2]), open(sys.argv[3]).read()
assert out["model"] == "full" and out["input"]["frames"] > 900, out["input"]
assert rc == 2 and "nobody was detected" in err, (rc, err)
print(f"bundle analyze (video, pose model): {out['input']['frames']} frames through MediaPipe, "
      f"person frames {out['summary']['frames_with_person']} (a drawn skeleton), exit {rc} as expected")
EOF
if [ ${#tracer[@]} -gt 0 ]; then
  wait "$realtime" || { cat "$tmp/realtime.err" >&2; echo "FAIL: the real-time replay failed" >&2; exit 1; }
  realtime=""
  "$py_check" - "$strace_log" "$repo/$dist" "$tmp/strace-realtime.log" <<'EOF'
import re, sys
bundle = sys.argv[2]
log = [ln for f in (sys.argv[1], sys.argv[3]) for ln in open(f, encoding="utf-8", errors="replace").read().splitlines()]
opened = [m.group(1) for ln in log if (m := re.search(r'open(?:at)?\(.*?"([^"]+)".*\)\s*=\s*\d', ln))]
python_files = [p for p in opened if not p.startswith(bundle)
                and (re.search(r"\.(py|pyc|pth)$", p) or "site-packages" in p or re.search(r"/lib/python3", p))]
assert not python_files, f"the bundle opened Python files outside itself: {python_files[:5]}"
assert any(p.endswith("pose_landmarker_full.task") and p.startswith(bundle) for p in opened), "pose model not read"
assert any(p.endswith("libmediapipe.so") and p.startswith(bundle) for p in opened), "libmediapipe.so not loaded"
execs = [m.group(1) for ln in log if (m := re.search(r'execve\("([^"]+)"', ln))]
assert not [e for e in execs if "python" in e], execs
inet = [ln for ln in log if re.search(r"socket\(AF_INET6?,", ln) or re.search(r"connect\(.*AF_INET", ln)]
assert not inet, f"internet sockets: {inet[:3]}"
telemetry = [p for p in opened if "/Microsoft/" in p]
assert not telemetry, f"ONNX Runtime telemetry files written: {telemetry[:3]}"
print(f"bundle proof (strace, 2 runs): {len(opened)} files opened, none of them Python outside the bundle; "
      f"the pose model and libmediapipe.so read from the bundle; programs run: "
      f"{', '.join(sorted({e.rsplit('/', 1)[-1] for e in execs}))}; no internet socket, no telemetry files")
EOF
else
  echo "note: strace not installed; the no-Python / no-socket proof was skipped"
fi

# a progress report from the local history (matplotlib charts: SVG in HTML, PDF)
run analyze "$tmp/demo.npz" -e squat --save --profile check --json "$tmp/saved.json" >/dev/null
run report --profile check --out "$tmp/report.html"
run report --profile check --out "$tmp/report.pdf"
grep -q "<svg" "$tmp/report.html" && head -c 5 "$tmp/report.pdf" | grep -q "%PDF" \
  || { echo "FAIL: the bundle's reports have no charts" >&2; exit 1; }

# speech: pyttsx3's espeak driver (a hidden import) with the system's espeak-ng library
if /sbin/ldconfig -p 2>/dev/null | grep -q "libespeak-ng.so.1"; then
  run say "Nice work" --out "$tmp/say.wav"
else
  echo "note: libespeak-ng1 not installed; speech not checked (the bundle uses the system's espeak-ng)"
fi

# the desktop app from the bundle: a real X11 window (Qt's xcb plugin and the GUI's imports)
if command -v Xvfb >/dev/null; then
  display=""
  for n in 95 96 97 98 99; do [ -e "/tmp/.X11-unix/X$n" ] || [ -e "/tmp/.X$n-lock" ] || { display=$n; break; }; done
  [ -n "$display" ] || { echo "FAIL: no free X display for Xvfb" >&2; exit 1; }
  Xvfb ":$display" -screen 0 1280x800x24 -nolisten tcp >/dev/null 2>&1 &
  xvfb=$!
  for _ in $(seq 50); do [ -e "/tmp/.X11-unix/X$display" ] && break; sleep 0.1; done
  shown=$(env -i HOME="$tmp/home" PATH="$tmp/empty-path" FITCOACH_DATA_DIR="$tmp/data" LANG=C.UTF-8 \
    DISPLAY=":$display" "$exe" gui --quit-after-show --no-demo 2>&1 | grep "window shown" || true)
  kill "$xvfb"; wait "$xvfb" 2>/dev/null || true; xvfb=""
  [ -n "$shown" ] || { echo "FAIL: the bundle's desktop app did not show its window" >&2; exit 1; }
  echo "bundle gui: $shown"
else
  echo "note: Xvfb not installed; the bundle's window was not checked"
fi

# what the runs left behind, and what the bundle must not hold
[ ! -e "$tmp/home/.cache/Microsoft" ] || { echo "FAIL: ONNX Runtime telemetry files in HOME" >&2; exit 1; }
dangling=$(find "$dist" -xtype l)
[ -z "$dangling" ] || { echo "FAIL: dangling links in the bundle: $dangling" >&2; exit 1; }
! find "$dist" -name "libQt6Network*" | grep -q . || { echo "FAIL: Qt's network library is in the bundle" >&2; exit 1; }

# --- size and start-up time --------------------------------------------------------------------
median5() {  # wall time of 5 runs of the bundle with the given arguments, median in ms
  local times=() s e
  for _ in 1 2 3 4 5; do
    s=$(date +%s%N); run "$@" >/dev/null; e=$(date +%s%N)
    times+=($(( (e - s) / 1000000 )))
  done
  echo "$(printf '%s\n' "${times[@]}" | sort -n | sed -n 3p) ms (runs: ${times[*]})"
}
size=$(du -sm "$dist" | cut -f1)
echo "bundle: $dist, $size MB, $(find "$dist" -type f | wc -l) files"
echo "start-up, median of 5: \`fitcoach --version\` $(median5 --version); \`fitcoach --info\` $(median5 --info)"
echo "largest parts:"
du -sm "$dist"/_internal/* 2>/dev/null | sort -rn | awk 'NR<=10 {printf "  %5d MB  %s\n", $1, $2}'
echo "build_bundle.sh done in $(( $(date +%s) - t_start )) s"
