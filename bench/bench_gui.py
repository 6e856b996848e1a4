"""Desktop app responsiveness: time to a shown window, and the event loop while analysing.

    QT_QPA_PLATFORM=offscreen .venv/bin/python bench/bench_gui.py     (or under Xvfb with DISPLAY set)

1. Start-up: `fitcoach gui --quit-after-show` in a fresh process (wall time to exit, and the
   app's own "window shown" figure), against a baseline process that only imports PySide6 and
   shows an empty QMainWindow — the cost of FitCoach itself on top of Qt.
2. Responsiveness: a 10 ms QTimer's worst gap while the Replay page analyses the demo recording
   with the form scorer, against the same timer's worst gap on an idle window (baseline).
"""

from __future__ import annotations

import os
import re
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
BASELINE = ("from PySide6.QtWidgets import QApplication, QMainWindow; from PySide6.QtCore import QTimer; "
            "a = QApplication([]); w = QMainWindow(); w.show(); QTimer.singleShot(200, a.quit); a.exec()")


def _startup(runs: int = 3) -> None:
    env = dict(os.environ, FITCOACH_DATA_DIR=tempfile.mkdtemp(prefix="fitcoach-bench-"))
    app_wall, shown, base_wall = [], [], []
    for _ in range(runs):
        t = time.perf_counter()
        out = subprocess.run([sys.executable, "-m", "fitcoach", "gui", "--quit-after-show", "--no-demo"], env=env,
                             capture_output=True, text=True, timeout=120).stdout
        app_wall.append(time.perf_counter() - t)
        m = re.search(r"window shown (\d+) ms", out)
        if m:
            shown.append(int(m.group(1)) / 1000)
        t = time.perf_counter()
        subprocess.run([sys.executable, "-c", BASELINE], env=env, capture_output=True, timeout=60)
        base_wall.append(time.perf_counter() - t)
    a, b = statistics.median(app_wall), statistics.median(base_wall)
    print(f"start-up (median of {runs}, process start to exit incl. 0.2 s shown): fitcoach gui {a:.2f} s, "
          f"empty Qt window {b:.2f} s, ratio {a / b:.2f}")
    if shown:
        print(f"  window shown {statistics.median(shown) * 1000:.0f} ms after the GUI's main() starts "
              f"(models load in the background; target < 2 s)")


def _stalls() -> None:
    os.environ["FITCOACH_DATA_DIR"] = tempfile.mkdtemp(prefix="fitcoach-bench-")
    from PySide6.QtCore import QTimer
    from PySide6.QtWidgets import QApplication

    from fitcoach.core import synth
    from fitcoach.io.recordings import save_recording
    from fitcoach.core.scorer import load_default_scorer
    from fitcoach.gui.app import MainWindow

    app = QApplication.instance() or QApplication([])
    demo = Path(tempfile.mkdtemp()) / "demo.npz"
    rec, _ = synth.generate(synth.demo_take())
    save_recording(demo, rec)
    w = MainWindow("en", load_default_scorer(), voice=False)
    w.show()

    def measure(seconds: float, until=None) -> tuple[float, int]:
        ticks = []
        timer = QTimer()
        timer.setInterval(10)
        timer.timeout.connect(lambda: ticks.append(time.perf_counter()))
        timer.start()
        end = time.perf_counter() + seconds
        while time.perf_counter() < end and not (until and until()):
            app.processEvents()
            time.sleep(0.002)
        timer.stop()
        gaps = [b - a for a, b in zip(ticks, ticks[1:])]
        return (max(gaps) if gaps else 0.0), len(ticks)

    idle, _ = measure(2.0)
    w.tabs.setCurrentWidget(w.replay)
    t = time.perf_counter()
    w.replay.open(str(demo), "squat", play=True)
    busy, n = measure(60.0, lambda: w.replay.finished)
    took = time.perf_counter() - t
    frames = w.replay.analysed
    print(f"event loop: worst stall idle {idle * 1000:.0f} ms, while analysing the demo ({frames} frames in "
          f"{took:.1f} s, playing at 1x) {busy * 1000:.0f} ms, ratio {busy / max(idle, 1e-3):.1f} ({n} ticks)")
    w.close()


if __name__ == "__main__":
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen" if not os.environ.get("DISPLAY") else "xcb")
    _startup()
    _stalls()
