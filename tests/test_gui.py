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
