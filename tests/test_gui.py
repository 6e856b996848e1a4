"""The desktop app, offscreen: replay a synthetic landmark recording in the Workout page and read
the rep count off the HUD; the event loop stays responsive while the analysis runs."""

import os
import time

import pytest

pytestmark = pytest.mark.gui
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
pytest.importorskip("pytestqt")


@pytest.fixture(autouse=True)
def no_dialogs(monkeypatch):
    from PySide6.QtWidgets import QMessageBox

    def fail(*a, **k):
        raise AssertionError(f"unexpected dialog: {a[1:3]}")

    for name in ("information", "warning", "critical", "question"):
        monkeypatch.setattr(QMessageBox, name, fail)




@pytest.mark.parametrize("lang, expect", [("en", "Reps 7"), ("ko", "7회")])
def test_workout_replay_counts_reps_on_the_hud(qtbot, demo_npz, lang, expect):
    from fitcoach.core.scorer import load_default_scorer
    from fitcoach.gui.app import MainWindow

    w = MainWindow(lang, load_default_scorer())
    qtbot.addWidget(w)
    w.show()
    page = w.workout
    ticks = []
    from PySide6.QtCore import QTimer

    timer = QTimer()
    timer.setInterval(10)
    timer.timeout.connect(lambda: ticks.append(time.perf_counter()))
    timer.start()
    page.start_file(str(demo_npz), "squat", realtime=False)
    qtbot.waitUntil(lambda: page.pipeline is not None, timeout=60_000)
    timer.stop()
    assert page.reps_label.text().startswith(expect)
    assert page.pipeline.reps and sum(not r.partial for r in page.pipeline.reps) == 7
    stalls = [b - a for a, b in zip(ticks, ticks[1:])]
    worst = max(stalls) if stalls else 0.0
    print(f"worst event-loop stall during analysis: {worst * 1000:.0f} ms over {len(ticks)} ticks")
    assert worst < 0.25
    assert page.video.pixmap() is not None and not page.video.pixmap().isNull()
    assert page.dropped >= 0 and page.shown > 0
    w.close()


def test_today_history_settings_pages(qtbot, tmp_path, monkeypatch, demo_npz):
    monkeypatch.setenv("FITCOACH_DATA_DIR", str(tmp_path / "data"))  # never the user's real data
    from fitcoach.cli import main as cli

    assert cli(["analyze", str(demo_npz), "-e", "squat", "--save", "--profile", "gui", "--json",
                str(tmp_path / "a.json")]) == 0
    from fitcoach.gui.app import MainWindow

    w = MainWindow("ko", None)
    qtbot.addWidget(w)
    w.today.profile.setText("gui")
    w.today.refresh()
    assert "다음 운동" in w.today.plan_view.toHtml() and w.today.plan["items"][0]["exercise"] == "squat"
    w.today.start_btn.click()
    assert w.tabs.currentWidget() is w.workout and w.workout.exercise.currentData() == "squat"
    w.history.profile.setText("gui")
    w.history.refresh()
    assert w.history.table.rowCount() == 1 and w.history.table.item(0, 2).text() == "7"
    w.settings.rate.setValue(150)
    w.settings.ui_lang.setCurrentIndex(w.settings.ui_lang.findData("ko"))
    w.settings.save()
    from fitcoach.core.settings import load_settings

    st = load_settings(tmp_path / "data")
    assert (st.voice_rate, st.lang) == (150, "ko")
    assert "네트워크" in w.settings.findChild(type(w.settings.message), "privacy").text()
    w.close()


def test_programs_page_validates_at_the_field_and_saves(qtbot, tmp_path, monkeypatch):
    monkeypatch.setenv("FITCOACH_DATA_DIR", str(tmp_path / "data"))
    from PySide6.QtGui import QColor

    from fitcoach.gui.app import MainWindow

    w = MainWindow("en", None)
    qtbot.addWidget(w)
    page = w.programs
    page.profile.setText("patient1")
    page.name.setText("Knee rehab")
    page.add_row({"id": "sit_to_stand", "sets": 3, "reps": 10, "tempo": "2-0-2-1"})
    page.add_row({"id": "plank", "sets": 2, "reps": 30})  # a hold given reps: wrong
    assert page.save() is False
    assert "exercise[1].reps" in page.message.text()
    assert page.table.item(1, 2).background().color() == QColor("#f8c0c0")
    page.table.setItem(1, 2, type(page.table.item(0, 0))(""))
    page.table.setItem(1, 3, type(page.table.item(0, 0))("30"))
    assert page.save() is True and "version 1" in page.message.text()
    out = tmp_path / "p.toml"
    assert page.export_file(str(out))
    page.table.setRowCount(0)
    assert page.load_file(str(out)) and page.table.rowCount() == 2
    page.write_fhir(str(tmp_path / "p.fhir.json"))
    assert (tmp_path / "p.fhir.json").read_text().count("CarePlan") >= 1
    w.close()


def test_assessment_page_posture_and_rom(qtbot, tmp_path):
    from fitcoach.core import synth
    from fitcoach.core.landmarks import save_recording
    from fitcoach.gui.app import MainWindow

    w = MainWindow("ko", None)
    qtbot.addWidget(w)
    page = w.assessment
    still = synth.Pose(head_forward_m=0.14)
    rec, _ = synth.generate(synth.Take(exercise="still", motion=(still, still), reps=0, lead_in_s=1.0, tail_s=0.0,
                                       yaw_deg=-90, noise=0.002))
    side = tmp_path / "side.npz"
    save_recording(side, rec)
    page.side_path = str(side)
    page.run_posture()
    qtbot.waitUntil(lambda: not page.busy, timeout=30_000)
    assert "거북목" in page.result.toHtml() and page.last["outside_normal"] == ["craniovertebral_angle"]
    page.front_path = str(side)  # a side view given as the front photo: a clear message, no dialog
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
