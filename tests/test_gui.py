"""The desktop app, offscreen: every page, the Workout page end to end (rep count read off the
HUD, reps saved as they happen, the pain/effort prompt), the Replay page's controls and JSON,
and the event loop staying responsive while a recording is analysed. Unexpected dialogs fail;
settings and data live in a temporary folder, never the user's."""

import csv
import json
import os
import re
import time
from pathlib import Path

import pytest

pytestmark = pytest.mark.gui
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
pytest.importorskip("pytestqt")


@pytest.fixture(autouse=True)
def isolated(monkeypatch, tmp_path):
    """No dialogs, and the user's real settings and history are never touched."""
    from PySide6.QtWidgets import QFileDialog, QMessageBox

    def fail(*a, **k):
        raise AssertionError(f"unexpected dialog: {a[1:3]}")

    for name in ("information", "warning", "critical", "question", "about"):
        monkeypatch.setattr(QMessageBox, name, fail)
    for name in ("getOpenFileName", "getSaveFileName", "getExistingDirectory"):
        monkeypatch.setattr(QFileDialog, name, fail)
    monkeypatch.setattr(QMessageBox, "exec", fail)
    data = tmp_path / "data"
    monkeypatch.setenv("FITCOACH_DATA_DIR", str(data))
    return data


def _window(qtbot, lang="en", scorer=None):
    from fitcoach.gui.app import MainWindow

    w = MainWindow(lang, scorer, voice=False)
    qtbot.addWidget(w)
    w.show()
    return w


class StallMeter:
    """A 10 ms QTimer on the GUI thread: the longest gap between its ticks is the worst stall."""

    def __init__(self):
        from PySide6.QtCore import QTimer

        self.ticks = []
        self.timer = QTimer()
        self.timer.setInterval(10)
        self.timer.timeout.connect(lambda: self.ticks.append(time.perf_counter()))
        self.timer.start()

    def stop(self) -> float:
        self.timer.stop()
        gaps = [b - a for a, b in zip(self.ticks, self.ticks[1:])]
        return max(gaps) if gaps else 0.0


@pytest.mark.parametrize("lang, expect", [("en", "Reps 8"), ("ko", "8회")])
def test_replay_counts_reps_on_the_hud_and_stays_responsive(qtbot, demo_npz, lang, expect):
    from fitcoach.core.scorer import load_default_scorer

    w = _window(qtbot, lang, load_default_scorer())
    page = w.replay
    meter = StallMeter()
    assert page.open(str(demo_npz), "squat", play=False)
    qtbot.waitUntil(lambda: page.finished, timeout=60_000)
    worst = meter.stop()
    print(f"worst event-loop stall while analysing the demo ({lang}): {worst * 1000:.0f} ms over {len(meter.ticks)} ticks")
    assert worst < 0.25  # a stall this long would be a blocked GUI, not timing noise
    page.seek(page.analysed - 1)
    assert page.reps_label.text().startswith(expect)
    assert page.hud.set_label.text() == ""  # no partial movement in the demo
    shallow = next(r for r in page.runner.out["reps"] if not r["reached_target"])
    page.seek(int(shallow["t_end_s"] * 30) + 5)  # just after the rep that stopped short of the target
    short = "목표에 조금 못 미침" if lang == "ko" else "short of the target"
    assert f"{short} 114.7° (" in page.hud.score_label.text(), page.hud.score_label.text()
    assert page.video.has_frame()
    w.close()


def test_replay_controls_and_json_match_the_cli(qtbot, demo_npz, tmp_path):
    from fitcoach.cli import main as cli

    from fitcoach.core.scorer import load_default_scorer

    assert cli(["analyze", str(demo_npz), "-e", "squat", "--json", str(tmp_path / "cli.json")]) == 0
    w = _window(qtbot, "en", load_default_scorer())
    page = w.replay
    page.open(str(demo_npz), "squat", play=False)
    qtbot.waitUntil(lambda: page.finished, timeout=60_000)
    assert page.export_json(str(tmp_path / "gui.json"))
    assert (tmp_path / "gui.json").read_bytes() == (tmp_path / "cli.json").read_bytes()
    # step, seek, pause
    page.seek(100)
    assert page.pos == 100 and page.slider.value() == 100
    page.step(1)
    assert page.pos == 101 and not page.playing
    page.step(-5)
    assert page.pos == 96
    page.seek(10**6)
    assert page.pos == page.analysed - 1
    n_full = json.loads((tmp_path / "cli.json").read_text())["summary"]["reps"]
    assert page.reps_label.text().startswith(f"Reps {n_full}")
    # play at 4x from the start: the frame shown advances with the frames' own clock
    page.seek(0)
    page.speed.setCurrentIndex(page.speed.findData(4.0))
    page.toggle_play()
    assert page.playing and page.play_btn.text() == "Pause"
    t0 = time.perf_counter()
    qtbot.waitUntil(lambda: page.pos >= 60, timeout=10_000)
    elapsed = time.perf_counter() - t0
    shown_t = page.runner.results[page.pos].t_s
    assert shown_t > 1.5 * elapsed  # faster than real time (4x nominal, loose for a busy CI box)
    page.toggle_play()
    assert not page.playing
    from PySide6.QtCore import Qt as _Qt

    page.seek(200)
    page.slider.setFocus()
    qtbot.keyClick(page.slider, _Qt.Key.Key_Right)  # the page's shortcuts, not the slider's own keys
    assert page.pos == 201
    qtbot.keyClick(page.slider, _Qt.Key.Key_Home)
    assert page.pos == 0
    w.close()


def test_opening_another_file_stops_the_previous_analysis(qtbot, demo_npz):
    w = _window(qtbot, "en")
    page = w.replay
    page.open(str(demo_npz), "squat", play=False)
    first = page.runner
    page.open(str(demo_npz), "squat", play=False)
    first.join(10)
    assert not first._thread.is_alive() and (first.error == "cancelled" or first.out is not None)
    qtbot.waitUntil(lambda: page.finished, timeout=60_000)
    assert page.runner.out["summary"]["reps"] == 8
    w.close()


def test_replay_reports_a_broken_file_in_the_page(qtbot, tmp_path):
    bad = tmp_path / "broken.mp4"
    bad.write_bytes(b"not a video at all")
    w = _window(qtbot, "en")
    assert not w.replay.open(str(bad), "squat")
    assert "broken.mp4" in w.replay.status_label.text()
    w.close()


def _six_squats(tmp_path):
    from fitcoach.core import synth
    from fitcoach.io.recordings import save_recording

    rec, _ = synth.generate(synth.Take(exercise="squat", reps=8, tempo=(1.2, 0.3, 1.0, 0.5), yaw_deg=30,
                                       noise=0.002, lead_in_s=2.0, seed=11))
    p = tmp_path / "eight.npz"
    save_recording(p, rec)
    return p


def test_workout_sets_rest_and_saves_as_it_happens(qtbot, tmp_path, isolated):
    from fitcoach.io.store import Store

    rec = _six_squats(tmp_path)
    w = _window(qtbot, "en")
    page = w.workout
    page.profile.setText("anna")
    page.exercise.setCurrentIndex(page.exercise.findData("squat"))
    page.sets.setValue(2)
    page.reps.setValue(3)
    page.rest.setValue(2)
    page.countdown.setValue(1)
    page.record.setChecked(True)
    meter = StallMeter()
    page.start_file(str(rec), realtime=False)
    qtbot.waitUntil(lambda: page.pipeline is not None, timeout=60_000)
    worst = meter.stop()
    print(f"worst event-loop stall during a workout replay: {worst * 1000:.0f} ms")
    assert worst < 0.25
    assert page.reps_label.text() == "Reps 3 / 3"
    assert "3, 3" in page.hud.set_label.text()
    assert page.session_id is not None and not page.prompt.isHidden()
    page.pain.setValue(2)
    page.effort.setValue(7)
    assert page.save_self_report()
    store = Store()
    export = store.export_profile("anna")
    store.close()
    assert sorted(s["idx"] for s in export["sets"]) == [1, 2]
    assert sum(1 for r in export["reps"] if not r["partial"]) == 6
    assert export["self_reports"][0]["pain"] == 2 and export["self_reports"][0]["rpe"] == 7
    recs = list((isolated / "recordings").glob("anna-squat-*.npz"))
    assert len(recs) == 1
    # the recorded landmarks replay to the same reps
    from fitcoach.run.analyze import analyze
    from fitcoach.io.sources import RecordingSource

    again = analyze(RecordingSource(str(recs[0])), w.catalog.get("squat"), progress=False)
    assert again["summary"]["reps"] == sum(not r.partial for r in page.pipeline.reps)
    w.close()


def test_workout_numbers_reps_per_set_ignores_the_rest_and_shows_a_summary(qtbot, tmp_path):
    """2 sets x 3 with a 5 s rest: the file's 4th squat falls in the rest. It is not counted,
    spoken or saved; set 2 counts 1, 2, 3 again (HUD, cue and store); the summary shows at the end."""
    from fitcoach.io.store import Store

    rec = _six_squats(tmp_path)
    w = _window(qtbot, "en")
    page = w.workout
    page.profile.setText("bo")
    page.exercise.setCurrentIndex(page.exercise.findData("squat"))
    page.sets.setValue(2)
    page.reps.setValue(3)
    page.rest.setValue(5)
    page.countdown.setValue(1)
    shown = []  # every text the cue label showed (what the voice coach would say)
    set_text = page.cue_label.setText
    page.cue_label.setText = lambda text: (shown.append(text), set_text(text))
    frames = []  # what the page drew, to replay the end below
    show = page._show
    page._show = lambda *item: (frames.append(item), show(*item))
    page.start_file(str(rec), realtime=False)
    qtbot.waitUntil(lambda: page.pipeline is not None, timeout=60_000)
    counts = [t for t in shown if t.isdigit()]
    assert counts and set(counts) <= {"1", "2", "3"}, shown
    assert page.reps_label.text() == "Reps 3 / 3" and page.hud.set_label.text() == "Sets done: 3, 3"
    assert sum(not r.partial for r in page.pipeline.reps) > 6  # the analysis saw the rest's squats
    summary = page.summary_label.text()
    assert not page.summary_label.isHidden() and "Session summary" in summary and "2 sets × 3 reps (3, 3)" in summary
    assert page.summary.achieved == (3, 3)
    store = Store()
    export = store.export_profile("bo")
    store.close()
    assert sorted((r["set_idx"], r["idx"]) for r in export["reps"]) == [(1, 1), (1, 2), (1, 3), (2, 1), (2, 2), (2, 3)]

    # the last frame and the end can reach the page in the same poll: the frame must not
    # overwrite "Sets done" (it used to put back "Set 2 of 2")
    import queue

    class LateFrame:
        events, produced, session_id, alive = queue.Queue(), 1, page.session_id, False

        def take_latest(self):
            return frames[-1]

        def stop(self):
            pass

    late = LateFrame()
    from types import SimpleNamespace

    from fitcoach.run.events import Finished

    late.events.put(Finished(SimpleNamespace(pipe=page.pipeline)))
    page._runner, page._finished = late, False
    page._poll()
    assert page.hud.set_label.text() == "Sets done: 3, 3" and page.video.banner == "Done"
    page._runner = None
    w.close()


def test_workout_uses_the_program_prescription_and_todays_plan(qtbot, tmp_path):
    w = _window(qtbot, "ko")
    prog = w.programs
    prog.profile.setText("kim")
    prog.name.setText("무릎 재활")
    prog.add_row({"id": "squat", "sets": 4, "reps": 6, "tempo": "3-1-2-0", "rest_s": 45, "safe_min": 80, "target": 110})
    prog.verbosity.setCurrentIndex(prog.verbosity.findData("counts"))
    assert prog.save()
    page = w.workout
    page.profile.setText("kim")
    page.exercise.setCurrentIndex(page.exercise.findData("squat"))
    page.refresh_prescription()
    assert (page.sets.value(), page.reps.value(), page.rest.value()) == (4, 6, 45)
    assert page.program_verbosity == "counts"
    text = page.presc_label.text()
    assert "무릎 재활" in text and "3-1-2-0" in text and "≥ 80°" in text and "110°" in text
    page.start_planned({"exercise": "squat", "sets": 2, "reps": 9, "tempo": "2-0-2-1", "rest_s": 60})
    assert (page.sets.value(), page.reps.value()) == (2, 9)
    assert page.prescription.safe_min == 80  # the physiotherapist's limit survives the plan
    w.close()


def test_workout_shows_a_missing_camera_in_the_page(qtbot):
    w = _window(qtbot, "en")
    page = w.workout
    if page.camera.currentData() != -1:
        pytest.skip("this machine has a camera")
    assert not page.camera_btn.isEnabled()
    page.start_camera()  # e.g. from a keyboard shortcut: a message, no dialog, no crash
    assert "camera" in page.status_label.text()
    w.close()


def test_workout_page_counts_a_real_clip(qtbot, shared_dir):
    rows = [r for r in csv.DictReader(open(shared_dir / "clips" / "manifest.csv", encoding="utf-8"))
            if r["reps_confidence"] == "sure" and r["people"] == "1"]
    row = min(rows, key=lambda r: float(r["duration_s"]))
    w = _window(qtbot, "en")
    page = w.workout
    page.exercise.setCurrentIndex(page.exercise.findData(row["exercise"]))
    page.sets.setValue(1)
    page.reps.setValue(99)
    page.countdown.setValue(0)
    page.start_file(str(shared_dir / "clips" / row["file"]), realtime=False)
    qtbot.waitUntil(lambda: page.pipeline is not None, timeout=120_000)
    assert page.reps_label.text() == f"Reps {row['reps']} / 99", row["file"]
    assert page.video.has_frame()
    w.close()


def test_today_history_settings_pages(qtbot, tmp_path, demo_npz, isolated):
    from fitcoach.cli import main as cli

    assert cli(["analyze", str(demo_npz), "-e", "squat", "--save", "--profile", "gui", "--json",
                str(tmp_path / "a.json")]) == 0
    w = _window(qtbot, "ko")
    w.today.profile.setText("gui")
    w.today.refresh()
    assert "다음 운동" in w.today.plan_view.toHtml() and w.today.plan["items"][0]["exercise"] == "squat"
    w.today.start_btn.click()
    assert w.tabs.currentWidget() is w.workout and w.workout.exercise.currentData() == "squat"
    assert "오늘의 계획" in w.workout.presc_label.text()
    w.history.profile.setText("gui")
    w.history.refresh()
    h = w.history
    assert h.table.rowCount() == 1 and h.table.item(0, 3).text() == "8" and h.table.item(0, 2).text() == "1"
    assert len(h.plots["score"].listDataItems()) == 1 and "최근 7일 운동: 1회" in h.summary.text()
    h.table.selectRow(0)
    html = h.details.toHtml()
    assert "스쿼트" in html and "목표에 조금 못 미침 (115 deg; 목표 ≤ 100°)" in html  # the shallow rep, in Korean
    s = w.settings_page
    s.rate.setValue(150)
    s.volume.setValue(40)
    s.ui_lang.setCurrentIndex(s.ui_lang.findData("ko"))
    s.resolution.setCurrentIndex(s.resolution.findData("1280x720"))
    assert s.save()
    from fitcoach.io.settings import load_settings

    st = load_settings(isolated)
    assert (st.voice_rate, st.lang, st.voice_volume, st.resolution) == (150, "ko", 0.4, "1280x720")
    assert (isolated / "settings.toml").stat().st_mode & 0o077 == 0  # readable by the user only
    assert "네트워크" in s.findChild(type(s.message), "privacy").text()
    w.close()


def test_a_broken_settings_file_is_reported_not_fatal(qtbot, isolated):
    isolated.mkdir(parents=True, exist_ok=True)
    (isolated / "settings.toml").write_text('schema_version = 1\nvoice_rate = "fast"\n', encoding="utf-8")
    w = _window(qtbot, None)
    assert "voice_rate" in w.settings_page.message.text()
    assert w.settings.voice_rate == 170
    w.close()


def test_programs_page_validates_at_the_field_and_saves(qtbot, tmp_path):
    from PySide6.QtGui import QColor

    w = _window(qtbot, "en")
    page = w.programs
    page.profile.setText("patient1")
    page.name.setText("Knee rehab")
    page.add_row({"id": "sit_to_stand", "sets": 3, "reps": 10, "tempo": "2-0-2-1"})
    page.add_row({"id": "plank", "sets": 2, "reps": 30})  # a hold given reps: wrong
    page.add_row({"id": "glute_bridge", "sets": 2, "reps": 10, "safe_min": 100, "safe_max": 170, "target": 185})
    assert page.save() is False
    # every problem at once, in plain words with the 1-based row and its exercise, each at its cell
    assert page.message.text().splitlines() == [
        "Row 2, Plank: Plank is a hold: give hold_s (seconds), not reps",
        "Row 3, Glute bridge: target 185° is outside the safe range 100–170°"]
    assert page.table.item(1, 2).background().color() == QColor("#f8c0c0")
    assert page.table.item(2, 8).background().color() == QColor("#f8c0c0")
    assert page.table.item(2, 6).background().color() != QColor("#f8c0c0")
    page.table.setItem(1, 2, type(page.table.item(0, 0))(""))
    page.table.setItem(1, 3, type(page.table.item(0, 0))("30"))
    page.table.removeRow(2)
    assert page.save() is True and "version 1" in page.message.text()
    page.age_band.setCurrentIndex(page.age_band.findData("65-79"))
    page.conditions.setText("knee_valgus")
    page.avoid.setText("jumping_jack, nonsense")
    assert not page.save_patient() and "nonsense" in page.message.text()
    page.avoid.setText("jumping_jack")
    assert page.save_patient()
    page.age_band.setCurrentIndex(0)
    page.load_patient()
    assert page.age_band.currentData() == "65-79" and page.avoid.text() == "jumping_jack"
    out = tmp_path / "p.toml"
    assert page.export_file(str(out))
    page.table.setRowCount(0)
    assert page.load_file(str(out)) and page.table.rowCount() == 2
    page.write_fhir(str(tmp_path / "p.fhir.json"))
    assert (tmp_path / "p.fhir.json").read_text().count("CarePlan") >= 1
    w.close()


def test_assessment_page_posture_and_rom(qtbot, tmp_path):
    from fitcoach.core import synth
    from fitcoach.io.recordings import save_recording

    w = _window(qtbot, "ko")
    page = w.assessment
    still = synth.Pose(head_forward_m=0.14)
    rec, _ = synth.generate(synth.Take(exercise="still", motion=(still, still), reps=0, lead_in_s=1.0, tail_s=0.0,
                                       yaw_deg=-90, noise=0.002))
    side = tmp_path / "side.npz"
    save_recording(side, rec)
    page.set_photo("side", str(side))
    assert page.preview.guide == "side"
    page.run_posture()
    qtbot.waitUntil(lambda: not page.busy, timeout=30_000)
    assert "거북목" in page.result.toHtml() and page.last["outside_normal"] == ["craniovertebral_angle"]
    page.set_photo("front", str(side))  # a side view given as the front photo: a clear message, no dialog
    page.run_posture()
    qtbot.waitUntil(lambda: not page.busy, timeout=30_000)
    assert "side view" in page.result.toPlainText()
    rom, _ = synth.generate(synth.Take(exercise="rom_knee_flexion", reps=1, tempo=(2.0, 1.0, 2.0, 0.5), yaw_deg=-90,
                                       noise=0.002, lead_in_s=1.0))
    clip = tmp_path / "rom.npz"
    save_recording(clip, rom)
    page.test.setCurrentIndex(page.test.findData("knee_flexion"))
    page.run_rom(str(clip))
    qtbot.waitUntil(lambda: not page.busy, timeout=30_000)
    assert abs(page.last["max_deg"] - 125) < 3
    w.close()


def test_every_ui_string_has_korean():
    """Each literal passed to tr() in the GUI, and each driver metric, has a Korean text (fitcoach/i18n/ko.toml;
    tests/core/test_i18n.py checks every language has every English key)."""
    from fitcoach.core.exercises import ExerciseCatalog
    from fitcoach.i18n import CATALOGUES

    src = Path(__file__).resolve().parent.parent / "fitcoach" / "gui"
    literals = set()
    for f in src.glob("*.py"):
        text = f.read_text(encoding="utf-8")
        literals |= set(re.findall(r'\btr\(\s*"((?:[^"\\]|\\.)*)"\s*,', text))
        literals |= set(re.findall(r"\btr\(\s*'([^']*)'\s*,", text))
    literals |= {e.driver.metric for e in ExerciseCatalog.load() if e.driver}
    missing = sorted(s for s in literals if s not in CATALOGUES["ko"].messages)
    assert not missing, missing


def test_main_window_starts_with_the_demo_when_there_is_no_camera(qtbot, monkeypatch):
    import fitcoach.gui.app as app_mod

    w = _window(qtbot, "en")
    w.open_demo()
    assert w.tabs.currentWidget() is w.replay
    qtbot.waitUntil(lambda: w.replay.finished, timeout=60_000)
    assert w.replay.runner.out["summary"]["reps"] == 8
    assert app_mod.LazyScorer(lambda: 42).get(5.0) == 42
    w.close()


def test_qt_bindings_keep_reference_counts():
    """PySide6 6.12.0 on Python 3.11 released a reference to None on every call of a method
    returning void (QLabel.setText, QPainter.fillRect, ...) until None was freed and the app
    aborted ("none_dealloc"); pyproject pins a release without that bug. This catches a bad pin."""
    import sys

    from PySide6.QtCore import QRectF
    from PySide6.QtGui import QColor, QImage, QPainter
    from PySide6.QtWidgets import QApplication, QLabel

    QApplication.instance() or QApplication([])
    label = QLabel()
    img = QImage(20, 20, QImage.Format.Format_RGB32)
    p = QPainter(img)
    before = sys.getrefcount(None)
    for _ in range(500):
        label.setText("x")
        p.fillRect(QRectF(0, 0, 5, 5), QColor("red"))
    after = sys.getrefcount(None)
    p.end()
    assert after - before > -50, f"None lost {before - after} references in 1000 Qt calls"


class _FakeCapture:
    """A cv2.VideoCapture stand-in: empty frames from a room with nobody in it, at ~30 fps."""

    def __init__(self, n: int = 90) -> None:
        import numpy as np

        self.n, self.img = n, np.full((480, 640, 3), 120, np.uint8)

    def isOpened(self):
        return True

    def read(self):
        if self.n <= 0:
            return False, None
        self.n -= 1
        time.sleep(1 / 30)
        return True, self.img.copy()

    def get(self, prop):
        import cv2

        return {cv2.CAP_PROP_FRAME_WIDTH: 640, cv2.CAP_PROP_FRAME_HEIGHT: 480}.get(prop, 0)

    def set(self, *a):
        return True

    def release(self):
        self.n = 0


def test_workout_from_a_camera_with_nobody_in_view(qtbot):
    """The camera path (capture thread, latest-wins slot, the real pose model) on a fake camera:
    nobody in the room is said on the HUD and over the video; nothing is saved."""
    from fitcoach.io.sources import CameraSource

    w = _window(qtbot, "en")
    page = w.workout
    caps = iter([_FakeCapture(), None])
    page.start(CameraSource(opener=lambda: next(caps, None), reconnect_s=0.01, max_reconnect_s=0.05), realtime=False)
    qtbot.waitUntil(lambda: page.status_label.text() == "Nobody in view", timeout=30_000)
    assert page.video.banner == "Step into view" and page.running
    qtbot.waitUntil(lambda: page.pipeline is not None, timeout=30_000)
    assert page.session_id is None and page.prompt.isHidden()  # no set started: nothing stored, no prompt
    assert page.reps_label.text().startswith("Reps 0")
    w.close()


def test_replay_of_a_real_clip_saves_landmarks_that_replay_the_same(qtbot, shared_dir, tmp_path):
    from fitcoach.run.analyze import analyze
    from fitcoach.io.sources import RecordingSource

    rows = [r for r in csv.DictReader(open(shared_dir / "clips" / "manifest.csv", encoding="utf-8"))
            if r["reps_confidence"] == "sure" and r["people"] == "1"]
    row = min(rows, key=lambda r: float(r["duration_s"]))
    w = _window(qtbot, "en")
    page = w.replay
    assert page.open(str(shared_dir / "clips" / row["file"]), row["exercise"], play=False)
    qtbot.waitUntil(lambda: page.finished, timeout=120_000)
    assert page.runner.out["summary"]["reps"] == int(row["reps"]), row["file"]
    page.seek(page.analysed // 2)
    assert page.video.has_frame() and page.reader.kind == "video"
    out = tmp_path / "clip.npz"
    assert page.save_landmarks(str(out))
    again = analyze(RecordingSource(str(out)), page.runner.exercise, progress=False)
    assert again["reps"] == page.runner.out["reps"]  # the same reps, to the millisecond and degree
    w.close()


def test_video_view_shows_opencv_colours_unchanged(qtbot):
    """Frames are BGR (OpenCV); the view must show blue as blue."""
    import numpy as np

    from fitcoach.gui.widgets import VideoView

    v = VideoView()
    qtbot.addWidget(v)
    img = np.zeros((4, 6, 3), np.uint8)
    img[..., 0] = 255  # blue in BGR
    img[0, 0] = (0, 0, 255)  # one red pixel
    v.show_frame(img, None, (6, 4))
    assert (v._img.pixelColor(1, 1).blue(), v._img.pixelColor(1, 1).red()) == (255, 0)
    assert (v._img.pixelColor(0, 0).red(), v._img.pixelColor(0, 0).blue()) == (255, 0)


def test_the_window_opens_one_store_for_all_its_pages(qtbot, tmp_path):
    """Issue 16: one Store per process, owned by the app (it used to open one per page, read and
    button); a workout saves through it too, and closing the window closes it."""
    from fitcoach.io import store as store_module

    opened = []
    real = store_module.Store.__init__

    def counting(self, *a, **k):
        opened.append(a)
        real(self, *a, **k)

    store_module.Store.__init__ = counting
    try:
        rec = _six_squats(tmp_path)
        w = _window(qtbot, "en")
        for page in (w.today, w.workout, w.replay, w.assessment, w.history, w.programs, w.settings_page):
            w.tabs.setCurrentWidget(page)
            qtbot.wait(10)
        prog = w.programs
        prog.new_patient.setText("kim")
        assert prog.add_patient()
        prog.name.setText("knee")
        prog.add_row({"id": "squat", "sets": 1, "reps": 3})
        assert prog.save() and prog.save_patient()
        page = w.workout
        page.profile.setText("kim")
        page.exercise.setCurrentIndex(page.exercise.findData("squat"))
        page.refresh_prescription()
        assert "knee" in page.presc_label.text()
        page.countdown.setValue(0)
        page.start_file(str(rec), realtime=False)
        qtbot.waitUntil(lambda: page.pipeline is not None, timeout=60_000)
        assert page.session_id is not None and page.save_self_report()
        w.today.profile.setText("kim")
        w.today.refresh()
        w.history.profile.setText("kim")
        w.history.refresh()
        assert w.history.table.rowCount() == 1
        assert len(opened) == 1 and w.db.opens == 1
        w.close()
        assert not w.db.is_open
    finally:
        store_module.Store.__init__ = real
