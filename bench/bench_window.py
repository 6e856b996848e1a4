"""Window build time with a big history: `MainWindow` built, shown (the event loop free again),
and the Today page's plan on screen (it plans from the history when it is first shown), and how
many times a `Store` was opened meanwhile.

    QT_QPA_PLATFORM=offscreen .venv/bin/python bench/bench_window.py [--sessions 1500] [--baseline SRC]

The history (SESSIONS sessions of 2 sets x 10 squats, one program) is made once in a temporary
data folder; each measurement is a fresh process (median of 3). `--baseline SRC` runs the same
child on another source tree (e.g. `git archive OLD | tar -x -C SRC`: the child starts in SRC, so
it imports that tree's `fitcoach`) in the same run, so the figures compare on the same machine
and load.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent

CHILD = r"""
import json, os, sys, time
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
try:
    from fitcoach.io import store as S
except ImportError:  # before the store moved to the I/O layer
    from fitcoach.core import store as S
opened = []
real = S.Store.__init__
def counting(self, *a, **k):
    opened.append(1)
    real(self, *a, **k)
S.Store.__init__ = counting
from PySide6.QtWidgets import QApplication
from fitcoach.gui.app import MainWindow
app = QApplication([])
t0 = time.perf_counter()
w = MainWindow("en", None, voice=False)
built = time.perf_counter() - t0
w.show()
app.processEvents()
shown = time.perf_counter() - t0
deadline = time.perf_counter() + 120
while w.today.plan is None and time.perf_counter() < deadline:  # planned on a worker thread (or already)
    app.processEvents()
    time.sleep(0.002)
planned = time.perf_counter() - t0
assert w.today.plan is not None, "the Today page did not plan"
print(json.dumps({"built": built, "shown": shown, "planned": planned, "stores": len(opened)}))
w.close()
"""


def make_history(folder: Path, sessions: int) -> int:
    """SESSIONS sessions of 2 sets x 10 reps for profile "me", one program; the rep count."""
    sys.path.insert(0, str(REPO))
    from fitcoach.core.exercises import ExerciseCatalog
    from fitcoach.core.programs import parse_program
    try:
        from fitcoach.io.store import Store
    except ImportError:  # a baseline from before the store moved to the I/O layer
        from fitcoach.core.store import Store
    from fitcoach.io.settings import Settings, save_settings

    save_settings(Settings(profile="me"), folder)
    store = Store(folder)
    pid = store.profile("me")
    prog = parse_program('schema_version = 1\nname = "legs"\nsessions_per_week = 3\n[[exercise]]\nid = "squat"\n'
                         'sets = 2\nreps = 10\n', "bench", ExerciseCatalog.load())
    store.add_program(pid, prog)
    t_start = time.time() - sessions * 86400 / 3

    def fill(con):
        n = 0
        for s in range(sessions):
            t = t_start + s * 86400 / 3
            sid = con.execute("INSERT INTO sessions (profile_id, exercise_id, source, started_utc, ended_utc) "
                              "VALUES (?, 'squat', 'bench', ?, ?)", (pid, t, t + 300)).lastrowid
            for k in (1, 2):
                set_id = con.execute("INSERT INTO sets (session_id, idx, prescribed_reps, started_utc, ended_utc) "
                                     "VALUES (?, ?, 10, ?, ?)", (sid, k, t, t + 100)).lastrowid
                con.executemany(
                    "INSERT INTO reps (set_id, idx, side, t_start_s, t_end_s, partial, partial_reason, rom_min, "
                    "rom_max, tempo_down, tempo_bottom, tempo_up, tempo_top, score, faults) "
                    "VALUES (?, ?, 'both', ?, ?, 0, NULL, ?, 170, 1.5, 0.3, 1.2, 0.5, 85, '[]')",
                    [(set_id, i + 1, 3.0 * i, 3.0 * i + 2.5, 85 + (s + i) % 15) for i in range(10)])
                n += 10
        return n

    n = store.write(fill).result()
    store.close()
    return n


def measure(src: Path | None, folder: Path, runs: int) -> dict:
    """Median figures of RUNS fresh processes; SRC: the source tree to import (None: this one)."""
    env = dict(os.environ, FITCOACH_DATA_DIR=str(folder), QT_QPA_PLATFORM="offscreen")
    out = []
    for _ in range(runs):
        r = subprocess.run([sys.executable, "-c", CHILD], env=env, cwd=str(src or REPO), capture_output=True,
                           text=True, timeout=300)
        if r.returncode != 0:
            raise SystemExit(f"{src or REPO}: {r.stderr[-2000:]}")
        out.append(json.loads(r.stdout.strip().splitlines()[-1]))
    return {k: statistics.median(o[k] for o in out) for k in ("built", "shown", "planned", "stores")}


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--sessions", type=int, default=1500)
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--baseline", type=Path, help="another source tree, measured in the same run")
    args = ap.parse_args()
    folder = Path(tempfile.mkdtemp(prefix="fitcoach-bench-window-"))
    reps = make_history(folder, args.sessions)
    print(f"history: {args.sessions} sessions, {reps} reps; load average {os.getloadavg()[0]:.2f}")
    rows = [("this checkout", None)] + ([("baseline", args.baseline)] if args.baseline else [])
    for label, src in rows:
        m = measure(src, folder, args.runs)
        print(f"{label:14s} window built {m['built'] * 1000:6.0f} ms, shown {m['shown'] * 1000:6.0f} ms, "
              f"Today planned {m['planned'] * 1000:6.0f} ms, Store opened {m['stores']:.0f}x  (median of {args.runs})")


if __name__ == "__main__":
    main()
