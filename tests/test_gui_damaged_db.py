"""The desktop app with a damaged history database (offscreen): it starts, says once in a dialog
what is wrong and how to recover (the same line the command line prints), and every page goes
on working; the pages that need the history show the message instead of failing."""

import os
import sqlite3

import pytest

pytestmark = pytest.mark.gui
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
pytest.importorskip("pytestqt")


@pytest.fixture
def dialogs(monkeypatch, tmp_path):
    """QMessageBox.critical records its text instead of blocking; any other dialog fails."""
    from PySide6.QtWidgets import QFileDialog, QMessageBox

    import fitcoach.gui.pages as pages

    shown = []

    def fail(*a, **k):
        raise AssertionError(f"unexpected dialog: {a[1:3]}")

    for name in ("information", "warning", "question", "about"):
        monkeypatch.setattr(QMessageBox, name, fail)
    for name in ("getOpenFileName", "getSaveFileName", "getExistingDirectory"):
        monkeypatch.setattr(QFileDialog, name, fail)
    monkeypatch.setattr(QMessageBox, "exec", fail)
    monkeypatch.setattr(QMessageBox, "critical", lambda parent, title, text, *a, **k: shown.append(text))
    monkeypatch.setattr(pages, "_told", set(), raising=False)  # each test starts as a new run of the app
    monkeypatch.setenv("FITCOACH_DATA_DIR", str(tmp_path / "data"))
    return shown


def _damaged_history(folder, kind):
    from fitcoach.io.store import Store

    s = Store(folder)
    pid = s.profile("me")
    for _ in range(30):
        sid, set_id = s.start_session(pid, "squat")
        rep = {"index": 1, "side": "both", "t_start_s": 0.0, "t_end_s": 2.0, "partial": False,
               "rom_deg": {"min": 80, "max": 170}, "tempo_s": {"down": 1, "bottom": 0.2, "up": 0.8, "top": None},
               "score": 90.0, "faults": []}
        for i in range(10):
            s.add_rep(set_id, dict(rep, index=i)).result()
        s.end_session(sid, set_id)
    s.close()
    db = folder / "fitcoach.db"
    con = sqlite3.connect(str(db))
    con.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    con.close()
    b = bytearray(db.read_bytes())
    if kind == "flipped":
        mid = len(b) // 4096 // 2 * 4096
        for i in range(mid, mid + 4096):
            b[i] ^= 0x5A
    else:
        b = b[: len(b) // 4096 * 2 // 3 * 4096]
    db.write_bytes(bytes(b))
    return db


@pytest.mark.parametrize("kind", ["flipped", "truncated"])
def test_the_app_starts_with_a_damaged_history_and_says_how_to_recover(qtbot, tmp_path, dialogs, kind):
    from fitcoach.gui.app import MainWindow

    db = _damaged_history(tmp_path / "data", kind)
    damaged = db.read_bytes()
    w = MainWindow("en", None, voice=False)
    qtbot.addWidget(w)
    w.show()  # the Today page reads the history when it is first shown
    qtbot.waitUntil(lambda: len(dialogs) == 1, timeout=5000)
    text = dialogs[0]
    assert text.startswith(f"{db}: the history database is damaged")
    assert "`fitcoach data restore --file BACKUP`" in text and "`fitcoach data salvage`" in text
    assert "\n" not in text
    assert w.today.plan is None and w.today.plan_view.toPlainText() == text
    # every page still opens; those that need the history say why they have none
    for page in (w.workout, w.replay, w.assessment, w.history, w.programs, w.settings_page, w.today):
        w.tabs.setCurrentWidget(page)
        qtbot.wait(20)
    assert w.programs.message.text() == text
    w.today.refresh()  # asking again: the page repeats it, the dialog is not shown again
    qtbot.wait(50)
    assert len(dialogs) == 1 and w.today.plan_view.toPlainText() == text
    assert w.isVisible()
    assert db.read_bytes() == damaged  # the app wrote nothing into the damaged file
    w.close()


def test_the_app_with_a_healthy_history_shows_no_dialog(qtbot, tmp_path, dialogs):
    from fitcoach.gui.app import MainWindow

    w = MainWindow("en", None, voice=False)
    qtbot.addWidget(w)
    w.show()
    for page in (w.history, w.programs, w.today):
        w.tabs.setCurrentWidget(page)
    qtbot.wait(100)
    assert dialogs == [] and w.programs.message.text() == ""
    w.close()


def test_a_button_that_needs_a_damaged_history_shows_a_dialog_not_a_traceback(qtbot, tmp_path, dialogs, capsys):
    """A handler that opens the history after the start (Programs: save the patient's details)
    raises DatabaseDamaged inside Qt; the app shows its one line in a dialog, not a traceback."""
    from fitcoach.gui.app import MainWindow, install_error_dialogs

    db = _damaged_history(tmp_path / "data", "flipped")
    w = MainWindow("en", None, voice=False)
    qtbot.addWidget(w)
    import sys

    before = sys.excepthook
    install_error_dialogs("en")
    try:
        w.programs.profile.setText("kim")
        w.programs.patient_btn.click()  # Store() -> DatabaseDamaged, escaping the slot
        qtbot.waitUntil(lambda: len(dialogs) >= 1, timeout=5000)
    finally:
        sys.excepthook = before
    assert dialogs[-1].startswith(f"{db}: the history database is damaged")
    assert "Traceback" not in capsys.readouterr().err
    w.close()
