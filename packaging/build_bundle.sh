#!/usr/bin/env bash
# Builds the Linux desktop bundle and checks it runs with no Python around it.
#
#   bash packaging/build_bundle.sh            build into build/dist/fitcoach/, then check it
#   bash packaging/build_bundle.sh --check    only check an existing build
#
# The build uses a clean venv (build/bundle-venv: FitCoach installed from this checkout, not
# editable, plus PyInstaller; none of the test or training extras). The check runs the bundle's
# `fitcoach --info`, `fitcoach models verify` and `fitcoach analyze` (on the built-in demo
# recording, and on a demo video through the pose model) with an empty environment: no venv,
# no python on PATH, a throw-away HOME and data folder. It prints the bundle's size and start-up time.
set -euo pipefail
cd "$(dirname "$0")/.."
repo=$(pwd)
check_only=0
[ "${1:-}" = "--check" ] && check_only=1

# Build-time tools (Debian/Ubuntu): objdump for PyInstaller's dependency scan, the validators
# for the desktop file and AppStream metainfo.
need=()
command -v objdump >/dev/null || need+=(binutils)
command -v desktop-file-validate >/dev/null || need+=(desktop-file-utils)
command -v appstreamcli >/dev/null || need+=(appstream)
command -v Xvfb >/dev/null || need+=(xvfb)  # to open the bundle's window in the check
if [ ${#need[@]} -gt 0 ] && command -v apt-get >/dev/null; then
  sudo=""; [ "$(id -u)" -ne 0 ] && sudo="sudo"
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
fi

dist=build/dist/fitcoach
if [ "$check_only" = 0 ]; then
  t0=$(date +%s)
  py="${PYTHON:-python3}"
  rm -rf build/bundle-venv build/work "$dist"
  "$py" -m venv build/bundle-venv
  build/bundle-venv/bin/python -m pip install -q --upgrade pip
  build/bundle-venv/bin/python -m pip install -q . "pyinstaller==6.22.3"
  # the icon as PNG for the desktop entry, rendered from the SVG with the bundle's own Qt
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
  # desktop integration files, next to the program
  mkdir -p "$dist/share/applications" "$dist/share/metainfo" "$dist/share/icons/hicolor/256x256/apps"
  cp packaging/linux/org.fitcoach.FitCoach.desktop "$dist/share/applications/"
  cp packaging/linux/org.fitcoach.FitCoach.metainfo.xml "$dist/share/metainfo/"
  cp build/org.fitcoach.FitCoach.png "$dist/share/icons/hicolor/256x256/apps/"
  echo "built $dist in $(( $(date +%s) - t0 )) s"
fi

desktop-file-validate packaging/linux/org.fitcoach.FitCoach.desktop
appstreamcli validate --no-net --pedantic packaging/linux/org.fitcoach.FitCoach.metainfo.xml >/dev/null \
  || appstreamcli validate --no-net packaging/linux/org.fitcoach.FitCoach.metainfo.xml

# --- the check: no Python environment around the bundle ------------------------------------
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
mkdir -p "$tmp/bin"  # PATH holds only coreutils-free shell basics: no python anywhere on it
run() {
  env -i HOME="$tmp" PATH="$tmp/bin:/usr/bin:/bin" FITCOACH_DATA_DIR="$tmp/data" LANG=C.UTF-8 \
    "$repo/$dist/fitcoach" "$@"
}
if env -i PATH="$tmp/bin:/usr/bin:/bin" sh -c 'command -v python3' >/dev/null 2>&1; then
  echo "note: /usr/bin has a python3 (the system's); the bundle does not use it (see --info)"
fi
info=$(run --info)
echo "$info"
echo "$info" | grep -q "Installed as a bundle" || { echo "FAIL: --info does not report a bundle" >&2; exit 1; }
run models verify
run demo --save "$tmp/demo.npz" --annotate "$tmp/demo.mp4" >/dev/null
run analyze "$tmp/demo.npz" -e squat --json "$tmp/demo.json"
"$repo/build/bundle-venv/bin/python" - "$tmp/demo.json" <<'EOF'
import json, sys
out = json.load(open(sys.argv[1]))
assert out["summary"]["reps"] == 7 and out["summary"]["partial_reps"] == 1, out["summary"]
print(f"bundle analyze (landmark recording): {out['summary']['reps']} reps, {out['summary']['partial_reps']} partial")
EOF
# the pose model from inside the bundle: the demo video shows a drawn skeleton, not a person,
# so every frame runs through MediaPipe and finds nobody (exit 2, "nobody was detected").
set +e
run analyze "$tmp/demo.mp4" -e squat --json "$tmp/video.json" 2>"$tmp/video.err"
rc=$?
set -e
"$repo/build/bundle-venv/bin/python" - "$tmp/video.json" "$rc" "$tmp/video.err" <<'EOF'
import json, sys
out = json.load(open(sys.argv[1]))
rc, err = int(sys.argv[2]), open(sys.argv[3]).read()
assert out["model"] == "full" and out["input"]["frames"] > 900, out["input"]
assert rc == 2 and "nobody was detected" in err, (rc, err)
print(f"bundle analyze (video, pose model): {out['input']['frames']} frames through MediaPipe, "
      f"person frames {out['summary']['frames_with_person']} (a drawn skeleton), exit {rc} as expected")
EOF

# the desktop app from the bundle: a real X11 window (Qt's xcb plugin and the GUI's imports)
if command -v Xvfb >/dev/null; then
  Xvfb :95 -screen 0 1280x800x24 -nolisten tcp >/dev/null 2>&1 &
  xvfb=$!
  sleep 1
  shown=$(env -i HOME="$tmp" PATH="$tmp/bin:/usr/bin:/bin" FITCOACH_DATA_DIR="$tmp/data" LANG=C.UTF-8 DISPLAY=:95 \
    "$repo/$dist/fitcoach" gui --quit-after-show --no-demo 2>&1 | grep "window shown" || true)
  kill $xvfb
  [ -n "$shown" ] || { echo "FAIL: the bundle's desktop app did not show its window" >&2; exit 1; }
  echo "bundle gui: $shown"
else
  echo "note: Xvfb not installed; the bundle's window was not checked"
fi

# size and start-up time
size=$(du -sh "$dist" | cut -f1)
times=()
for i in 1 2 3 4 5; do
  s=$(date +%s%N); run --info >/dev/null; e=$(date +%s%N)
  times+=($(( (e - s) / 1000000 )))
done
median=$(printf '%s\n' "${times[@]}" | sort -n | sed -n 3p)
echo "bundle: $dist, $size; \`fitcoach --info\` start-up median of 5: ${median} ms (runs: ${times[*]})"
echo "largest parts:"
du -s "$dist"/_internal/* 2>/dev/null | sort -rn | awk "NR<=8" | awk '{printf "  %6.1f MB  %s\n", $1/1024, $2}'
