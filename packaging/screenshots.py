"""Screenshots of every page of the desktop app, in English and Korean, from a real window.

    Xvfb :99 -screen 0 1400x900x24 &   DISPLAY=:99 .venv/bin/python packaging/screenshots.py

(`bash packaging/screenshots.sh` does both.) Everything shown is synthetic: a temporary data
folder gets a profile with a few weeks of squat sessions (the kinematic model in
`fitcoach/core/synth.py`, analysed by the real pipeline), a physiotherapist's program and a
posture assessment; nothing of a real person is used. The window is captured from the X server
(`QScreen.grabWindow`), so what is saved is what a user would see.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from pathlib import Path

PAGES = ("today", "workout", "replay", "assessment", "history", "programs", "settings")
FIRST_RUN = ("welcome", "replay-demo")  # an empty data folder: the welcome, then its sample video


def _seed(data: Path, work: Path) -> dict:
    """A profile 'demo' with history, a program and an assessment; returns the files made."""
    from fitcoach.cli import main as cli
    from fitcoach.core import synth
    from fitcoach.io.recordings import save_recording

    files = {}
    for k, depth in enumerate((0.7, 0.8, 0.85, 0.9, 1.0, 1.0)):
        rec, _ = synth.generate(synth.Take(exercise="squat", reps=8, depths=[depth] * 8, yaw_deg=40, noise=0.003,
                                           tempo=(1.6 + 0.1 * k, 0.3, 1.2, 0.6), seed=20 + k))
        p = work / f"session{k}.npz"
        save_recording(p, rec)
        cli(["analyze", str(p), "-e", "squat", "--save", "--profile", "demo", "--json", str(work / "out.json")])
        cli(["data", "selfreport", "--profile", "demo", "--pain", str(max(0, 4 - k)), "--rpe", str(5 + k % 3)])
    _spread_over_weeks(data, days_between=3.5)
    prog = work / "program.toml"
    prog.write_text('schema_version = 1\nname = "Knee rehab A"\nsessions_per_week = 3\nweeks = 6\n'
                    'notes = "Pain-free range only. Knees over toes."\nverbosity = "counts"\n'
                    '[[exercise]]\nid = "sit_to_stand"\nsets = 3\nreps = 10\ntempo = "2-0-2-1"\nrest_s = 60\n'
                    'safe_min = 70.0\ntarget = 100.0\n'
                    '[[exercise]]\nid = "squat"\nsets = 3\nreps = 8\ntempo = "3-1-2-0"\nrest_s = 90\nsafe_min = 80.0\n'
                    '[[exercise]]\nid = "plank"\nsets = 2\nhold_s = 20\nrest_s = 45\n', encoding="utf-8")
    cli(["program", "import", str(prog), "--profile", "demo"])
    still = synth.Pose(head_forward_m=0.12)
    side, _ = synth.generate(synth.Take(exercise="still", motion=(still, still), reps=0, lead_in_s=1.0, tail_s=0.0,
                                        yaw_deg=-90, noise=0.002))
    files["side"] = work / "side.npz"
    save_recording(files["side"], side)
    workout, _ = synth.generate(synth.Take(exercise="squat", reps=12, tempo=(1.4, 0.3, 1.1, 0.6), yaw_deg=35,
                                           noise=0.003, lead_in_s=1.5, seed=5))
    files["workout"] = work / "workout.npz"
    save_recording(files["workout"], workout)
    demo, _ = synth.generate(synth.demo_take())
    files["demo"] = work / "demo.npz"
    save_recording(files["demo"], demo)
    return files


def _spread_over_weeks(data: Path, days_between: float) -> None:
    """The seeded sessions were all analysed just now; move them back in time (the last one
    stays today) so History and the reports show weeks of use, as a user who trained would see.
    Synthetic data only: this edits the temporary data folder's database directly."""
    import sqlite3

    from fitcoach.io.store import DB_NAME

    con = sqlite3.connect(data / DB_NAME)
    try:
        ids = [r[0] for r in con.execute("SELECT id FROM sessions ORDER BY started_utc")]
        for k, sid in enumerate(ids):
            dt = (len(ids) - 1 - k) * days_between * 86400.0
            con.execute("UPDATE sessions SET started_utc = started_utc - ?, ended_utc = ended_utc - ? WHERE id = ?",
                        (dt, dt, sid))
            con.execute("UPDATE sets SET started_utc = started_utc - ?, ended_utc = ended_utc - ? WHERE session_id = ?",
                        (dt, dt, sid))
            con.execute("UPDATE self_reports SET created_utc = created_utc - ? WHERE session_id = ?", (dt, sid))
        con.commit()
    finally:
        con.close()


def _reports(app, out: Path, work: Path) -> list[Path]:
    """The progress report of the seeded profile as the clinician gets it: the PDF's pages
    (pdftoppm) and the HTML page as a browser shows it (headless chromium), each when installed."""
    import shutil
    import subprocess

    from fitcoach.cli import main as cli

    made = []
    pdf, page = work / "report.pdf", work / "report.html"
    cli(["report", "--profile", "demo", "--out", str(pdf)])
    cli(["report", "--profile", "demo", "--out", str(page)])
    if shutil.which("pdftoppm"):
        for old in out.glob("report-pdf-page-*.png"):
            old.unlink()
        subprocess.run(["pdftoppm", "-png", "-r", "80", str(pdf), str(out / "report-pdf-page")], check=True)
        for p in sorted(out.glob("report-pdf-page-*.png")):  # pdftoppm pads the page number: -1 or -01
            fixed = out / f"report-pdf-page-{int(p.stem.rsplit('-', 1)[1])}.png"
            p.rename(fixed)
            made.append(fixed)
    browser = shutil.which("chromium") or shutil.which("chromium-browser")
    if browser:  # the HTML report is made for a browser (inline SVG charts): shoot it in one
        subprocess.run([browser, "--headless", "--no-sandbox", "--disable-gpu", "--hide-scrollbars",
                        "--window-size=1000,2600", f"--screenshot={out / 'report-html.png'}", page.as_uri()],
                       check=True, capture_output=True, timeout=120)
        made.append(out / "report-html.png")
    else:
        print("report-html.png not remade: no chromium (apt-get install chromium)", file=sys.stderr)
    return made


def _wait(app, seconds: float, until=None) -> None:
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        app.processEvents()
        if until is not None and until():
            return
        time.sleep(0.01)


def shoot(out: Path, langs: tuple[str, ...]) -> list[Path]:
    from PySide6.QtWidgets import QApplication

    from fitcoach.gui.app import MainWindow

    app = QApplication.instance() or QApplication([sys.argv[0]])
    work = Path(tempfile.mkdtemp(prefix="fitcoach-shots-"))
    files = _seed(Path(os.environ["FITCOACH_DATA_DIR"]), work)
    from fitcoach.core.scorer import load_default_scorer

    scorer = load_default_scorer()
    made = []
    out.mkdir(parents=True, exist_ok=True)
    made += _reports(app, out, work)
    from dataclasses import replace

    from fitcoach.io.settings import load_settings, save_settings

    for lang in langs:
        made += _first_run(app, out, lang, scorer)
        save_settings(replace(load_settings(), lang=lang))  # the Settings page shows the language in use
        w = MainWindow(None, scorer, voice=False)
        w.resize(1280, 800)
        w.show()
        _wait(app, 0.5)
        for page in (w.today, w.history, w.programs, w.workout):
            page.profile.setText("demo")
        w.today.refresh()
        w.history.refresh()
        w.programs.load_file(str(work / "program.toml"))
        w.assessment.set_photo("side", str(files["side"]))
        w.assessment.run_posture()
        _wait(app, 20, lambda: not w.assessment.busy)
        w.replay.open(str(files["demo"]), "squat", play=False, demo=True)
        _wait(app, 30, lambda: w.replay.finished)
        w.replay.seek(452)  # mid-rep, with a completed rep and its score on the HUD
        wk = w.workout
        wk.exercise.setCurrentIndex(wk.exercise.findData("squat"))
        wk.refresh_prescription()
        wk.countdown.setValue(1)
        wk.start_file(str(files["workout"]), realtime=True)
        w.tabs.setCurrentWidget(wk)
        _wait(app, 9.5)  # into the second rep set... mid-set, tempo bar and ROM meter live
        for name in PAGES:
            page = {"today": w.today, "workout": w.workout, "replay": w.replay, "assessment": w.assessment,
                    "history": w.history, "programs": w.programs, "settings": w.settings_page}[name]
            w.tabs.setCurrentWidget(page)
            _wait(app, 0.4)
            shot = w.screen().grabWindow(w.winId())
            path = out / f"{name}-{lang}.png"
            shot.save(str(path))
            made.append(path)
        wk.stop()
        w.close()
        _wait(app, 0.3)
    return made


def _first_run(app, out: Path, lang: str, scorer) -> list[Path]:
    """The first launch on a machine without a camera: the welcome page, then "Try a sample
    video" (the demo in Replay, labelled). Its own empty data folder; the seeded one is restored."""
    from fitcoach.gui.app import MainWindow

    seeded = os.environ["FITCOACH_DATA_DIR"]
    os.environ["FITCOACH_DATA_DIR"] = tempfile.mkdtemp(prefix="fitcoach-shots-first-")
    made = []
    try:
        w = MainWindow(lang, scorer, voice=False)
        w.resize(1280, 800)
        w.show()
        _wait(app, 0.5)
        for name in FIRST_RUN:
            if name == "replay-demo":
                w.welcome.sample_btn.click()
                _wait(app, 30, lambda: w.replay.finished)
                w.replay.playing = False
                w.replay.seek(452)
            _wait(app, 0.4)
            path = out / f"{name}-{lang}.png"
            w.screen().grabWindow(w.winId()).save(str(path))
            made.append(path)
        w.close()
        _wait(app, 0.3)
    finally:
        os.environ["FITCOACH_DATA_DIR"] = seeded
    return made


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--out", default=str(Path(__file__).resolve().parent.parent / "docs" / "screenshots"))
    ap.add_argument("--lang", action="append", choices=("en", "ko"))
    args = ap.parse_args()
    if not os.environ.get("DISPLAY"):
        print("screenshots need a display: run under Xvfb (see packaging/screenshots.sh)", file=sys.stderr)
        return 2
    os.environ["FITCOACH_DATA_DIR"] = tempfile.mkdtemp(prefix="fitcoach-shots-data-")  # never the user's data
    for p in shoot(Path(args.out), tuple(args.lang or ("en", "ko"))):
        print(p)
    return 0


if __name__ == "__main__":
    sys.exit(main())
