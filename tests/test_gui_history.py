"""The History page from a history built in the store: loaded when first shown and when the
profile changes, adherence against the session's own prescribed sets (as Today shows it),
fixed chart ranges with a "no data yet" text, one series per exercise, values never rounded
across their target, and the plain week-on-week sentence in English and Korean."""

import os
import time

import pytest

pytestmark = pytest.mark.gui
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
pytest.importorskip("pytestqt")

DAY = 86400.0


@pytest.fixture(autouse=True)
def isolated(monkeypatch, tmp_path):
    from PySide6.QtWidgets import QMessageBox

    def fail(*a, **k):
        raise AssertionError(f"unexpected dialog: {a[1:3]}")

    for name in ("information", "warning", "critical", "question"):
        monkeypatch.setattr(QMessageBox, name, fail)
    monkeypatch.setenv("FITCOACH_DATA_DIR", str(tmp_path / "data"))


def _rep(i, lo, hi, score=90.0, faults=(), partial=False):
    return {"index": i, "side": "both", "t_start_s": 2.0 * i, "t_end_s": 2.0 * i + 1.5, "partial": partial,
            "rom_deg": {"min": lo, "max": hi}, "tempo_s": {"down": 1.5, "bottom": 0.5, "up": 1.5, "top": 0.5},
            "score": score, "faults": list(faults)}


def _session(store, pid, exercise, days_ago, sets, roms, faults=()):
    """A session `days_ago` days back: `sets` is the prescribed reps per set, `roms` the
    (min, max) of each full rep, spread over the sets in order."""
    sid, set_id = store.start_session(pid, exercise, prescribed_reps=sets[0])
    set_ids = [set_id] + [store.start_set(sid, k + 1, p) for k, p in enumerate(sets[1:], 1)]
    for i, (lo, hi) in enumerate(roms):
        store.add_rep(set_ids[min(i // max(1, sets[0]), len(set_ids) - 1)],
                      _rep(i + 1, lo, hi, faults=faults if i == 0 else ())).result()
    store.end_session(sid, set_ids[-1])
    t = time.time() - days_ago * DAY
    store.write(lambda con: (con.execute("UPDATE sessions SET started_utc = ? WHERE id = ?", (t, sid)),
                             con.execute("UPDATE sets SET started_utc = ? WHERE session_id = ?", (t, sid)))).result()
    return sid


def _page(qtbot, lang="en"):
    from fitcoach.core.exercises import ExerciseCatalog
    from fitcoach.gui.history import HistoryPage

    page = HistoryPage(ExerciseCatalog.load(), lang)
    qtbot.addWidget(page)
    return page


def test_history_loads_when_first_shown_and_when_the_profile_changes(qtbot):
    from fitcoach.io.store import Store

    with Store() as st:
        _session(st, st.profile("me"), "squat", 1, [3], [(95, 170)] * 3)
        _session(st, st.profile("other"), "squat", 1, [3], [(95, 170)] * 2)
    page = _page(qtbot)
    page.show()  # nobody pressed Show
    qtbot.waitUntil(lambda: page.table.rowCount() == 1, timeout=5000)
    page.profile.setText("other")
    page.profile.editingFinished.emit()  # read again, on the worker thread
    qtbot.waitUntil(lambda: page.loaded_profile == "other", timeout=5000)
    assert page.table.rowCount() == 1 and page.table.item(0, 3).text().startswith("2")


def test_history_is_read_on_a_worker_thread_and_a_profile_typed_meanwhile_is_read_next(qtbot, monkeypatch):
    import threading

    from fitcoach.gui import history as history_page
    from fitcoach.io.store import Store

    with Store() as st:
        _session(st, st.profile("me"), "squat", 1, [3], [(95, 170)] * 3)
        _session(st, st.profile("other"), "squat", 1, [3], [(95, 170)] * 2)
    real, release, threads = history_page._read_history, threading.Event(), []

    def slow_read(db, profile, catalog):  # a long history
        threads.append((threading.current_thread().name, profile))
        assert release.wait(10)
        return real(db, profile, catalog)

    monkeypatch.setattr(history_page, "_read_history", slow_read)
    page = _page(qtbot)
    page.load_btn.click()
    qtbot.waitUntil(lambda: threads == [("history", "me")], timeout=5000)
    assert page.summary.text() == "Reading the history..." and not page.load_btn.isEnabled()
    page.profile.setText("other")
    page.profile.editingFinished.emit()  # while "me" is being read
    release.set()
    qtbot.waitUntil(lambda: page.loaded_profile == "other", timeout=10_000)
    assert threads == [("history", "me"), ("history", "other")] and page.load_btn.isEnabled()
    assert page.table.rowCount() == 1 and page.table.item(0, 3).text().startswith("2")
    page.stop_loading()


def test_history_adherence_counts_the_sessions_own_prescribed_sets(qtbot):
    from fitcoach.io.store import Store

    with Store() as st:
        _session(st, st.profile("me"), "squat", 1, [3, 3], [(95, 170)] * 5)  # 2 x 3 prescribed, 5 done
    page = _page(qtbot)
    page.refresh()
    s = page.sessions[0]
    assert page.table.item(0, 3).text() == "5 / 6" and s["adherence"] == 83  # Today shows 5/6 too


def test_history_charts_have_fixed_ranges_a_no_data_text_and_one_series_per_exercise(qtbot):
    from fitcoach.io.store import Store

    page = _page(qtbot)
    page.refresh()  # no history: every chart says so, on sensible ranges
    for key, plot in page.plots.items():
        assert page.empty_text[key].isVisible() and page.empty_text[key].toPlainText() == "No data yet"
        lo, hi = plot.viewRange()[1]
        assert lo <= 0 + 5 and hi >= 100 - 5, (key, lo, hi)
    with Store() as st:
        pid = st.profile("me")
        _session(st, pid, "squat", 2, [3], [(95, 170)] * 3)
        _session(st, pid, "shoulder_flexion", 1, [3], [(20, 150)] * 3)
        _session(st, pid, "squat", 0, [3], [(90, 170)] * 3)
    page.refresh()
    assert not page.empty_text["score"].isVisible()
    rom = page.plots["rom_extreme"]
    items = rom.listDataItems()
    assert len(items) == 2  # knee and shoulder never joined in one line
    assert sorted(len(i.getData()[0]) for i in items) == [1, 2]
    lo, hi = page.plots["adherence"].viewRange()[1]
    assert lo <= 0 + 5 and hi >= 100 - 5  # one 100 % session is not drawn on a 99.6-100.4 axis
    page.exercise.setCurrentIndex(page.exercise.findData("shoulder_flexion"))
    lo, hi = rom.viewRange()[1]
    assert hi - lo >= 20 and lo < 150 < hi
    from pyqtgraph import DateAxisItem
    assert isinstance(rom.getAxis("bottom"), DateAxisItem)
    x0, x1 = rom.viewRange()[0]
    assert x1 - x0 >= DAY  # a single session is shown on a day-wide date axis, not a 1 s one


def test_history_never_rounds_a_value_across_its_target():
    from fitcoach.gui.history import fmt_measured

    assert fmt_measured(0.796, "ratio", "≥ 0.8") == "0.796"
    assert fmt_measured(0.75, "ratio", "≥ 0.8") == "0.75"
    assert fmt_measured(100.4, "deg", "≤ 100°") == "100.4"
    assert fmt_measured(115.0, "deg", "≤ 100°") == "115"
    assert fmt_measured(9.96, "deg", "10°–30°") == "9.96"


def test_history_details_show_a_failing_ratio_as_failing(qtbot):
    from fitcoach.io.store import Store

    fault = {"id": "knee_valgus", "message": "x", "measured": 0.796, "target": "≥ 0.8", "unit": "ratio"}
    with Store() as st:
        _session(st, st.profile("me"), "squat", 1, [3], [(95, 170)] * 3, faults=[fault])
    page = _page(qtbot)
    page.refresh()
    page.table.selectRow(0)
    html = page.details.toHtml()
    assert "0.796 ratio; target ≥ 0.8" in html and "(1 ratio" not in html


@pytest.mark.parametrize("lang, expect", [("en", "Your Squat range of motion improved 6° this week"),
                                          ("ko", "이번 주 스쿼트 가동 범위가 6° 좋아졌어요")])
def test_history_says_in_a_sentence_how_the_week_went(qtbot, lang, expect):
    from fitcoach.io.store import Store

    with Store() as st:
        pid = st.profile("me")
        _session(st, pid, "squat", 10, [3], [(102, 170)] * 3)  # the week before: knee 102°
        _session(st, pid, "squat", 2, [3], [(96, 170)] * 3)  # this week: 96°, 6° deeper (smaller is deeper)
    page = _page(qtbot, lang)
    page.refresh()
    assert expect in page.headline.text()
