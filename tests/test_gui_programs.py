"""The Programs page for physiotherapists, offscreen: rows removed and reordered, a patient list
to pick from and add to, switching patients never carries one patient's program to another,
readable headers, and pickers for conditions and exercises to avoid. Unexpected dialogs fail;
data lives in a temporary folder, never the user's (fixtures as in test_gui.py)."""

import json
import os

import pytest

pytestmark = pytest.mark.gui
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
pytest.importorskip("pytestqt")


from tests.test_gui import isolated  # noqa: E402,F401  (the same autouse fixture: no dialogs, a temp data folder)


def _page(qtbot, lang="en"):
    from fitcoach.core.exercises import ExerciseCatalog
    from fitcoach.gui.programs import ProgramsPage

    page = ProgramsPage(ExerciseCatalog.load(), lang)
    qtbot.addWidget(page)
    page.show()
    return page


def _ids(page):
    return [page.table.item(r, 0).text() for r in range(page.table.rowCount())]


def _profiles(*names):
    from fitcoach.io.store import Store

    store = Store()
    try:
        for n in names:
            store.profile(n)
    finally:
        store.close()


def test_program_rows_can_be_removed_and_reordered(qtbot):
    from PySide6.QtCore import Qt

    page = _page(qtbot)
    for ex in ("squat", "plank", "glute_bridge", "sit_to_stand"):
        page.add_row({"id": ex, "sets": 2, "reps": 10})
    page.table.selectRow(1)
    page.remove_btn.click()
    assert _ids(page) == ["squat", "glute_bridge", "sit_to_stand"]
    page.table.selectRow(2)
    page.up_btn.click()
    assert _ids(page) == ["squat", "sit_to_stand", "glute_bridge"]
    assert page.table.currentRow() == 1  # the moved row stays selected: press again to move it further
    page.up_btn.click()
    assert _ids(page) == ["sit_to_stand", "squat", "glute_bridge"]
    page.up_btn.click()  # already first: nothing moves
    assert _ids(page) == ["sit_to_stand", "squat", "glute_bridge"]
    page.down_btn.click()
    assert _ids(page) == ["squat", "sit_to_stand", "glute_bridge"]
    assert [page.table.item(1, c).text() for c in range(3)] == ["sit_to_stand", "2", "10"]  # the whole row moved
    page.table.selectRow(0)
    page.table.setFocus()
    qtbot.keyClick(page.table, Qt.Key.Key_Delete)
    assert _ids(page) == ["sit_to_stand", "glute_bridge"]
    page.table.clearSelection()
    page.table.setCurrentCell(-1, -1)
    page.remove_btn.click()  # nothing selected: nothing removed
    assert page.table.rowCount() == 2


def test_switching_to_a_patient_without_a_program_clears_the_table(qtbot):
    page = _page(qtbot)
    page.profile.setText("anna")
    page.name.setText("Knee rehab")
    page.notes.setPlainText("ice after the session")
    page.add_row({"id": "squat", "sets": 3, "reps": 8})
    assert page.save()
    _profiles("bob")
    page.profile.setText("bob")
    page.load_patient()
    assert page.table.rowCount() == 0 and page.notes.toPlainText() == "" and page.name.text() == ""
    page.profile.setText("anna")  # back to anna: her own program, not an empty table
    page.load_patient()
    assert _ids(page) == ["squat"] and page.notes.toPlainText() == "ice after the session"
    assert page.name.text() == "Knee rehab"
    page.profile.setText("carl")  # not a patient yet: a blank program too
    page.load_patient()
    assert page.table.rowCount() == 0 and page.name.text() == ""


def test_patients_are_picked_from_a_list_and_added(qtbot):
    from fitcoach.io.store import Store

    _profiles("bob", "anna")
    page = _page(qtbot)
    names = lambda: [page.patients.item(i).text() for i in range(page.patients.count())]  # noqa: E731
    assert names() == ["anna", "bob"]
    page.profile.setText("anna")
    page.name.setText("Balance")
    page.age_band.setCurrentIndex(page.age_band.findData("65-79"))
    page.add_row({"id": "squat", "sets": 3, "reps": 8})
    assert page.save_patient() and page.save()
    page.patients.setCurrentRow(1)  # bob
    assert page.profile.text() == "bob" and page.age_band.currentData() is None and page.table.rowCount() == 0
    page.patients.setCurrentRow(0)  # anna again
    assert page.profile.text() == "anna" and page.age_band.currentData() == "65-79" and _ids(page) == ["squat"]
    page.new_patient.setText("  carl ")
    page.add_patient_btn.click()
    assert names() == ["anna", "bob", "carl"] and page.profile.text() == "carl"
    assert page.patients.currentItem().text() == "carl" and page.table.rowCount() == 0
    store = Store()
    assert "carl" in store.profile_names()
    store.close()
    page.new_patient.setText("x" * 101)  # too long for a profile name: said in the page, nothing added
    page.add_patient_btn.click()
    assert "1-100" in page.message.text() and page.patients.count() == 3 and page.profile.text() == "carl"


@pytest.mark.parametrize("lang, hold, safe_min", [("en", "Hold (s)", "Safe min (°)"), ("ko", "유지 (초)", "안전 최소 (°)")])
def test_headers_are_readable(qtbot, lang, hold, safe_min):
    from fitcoach.gui.programs import COLUMNS

    page = _page(qtbot, lang)
    headers = [page.table.horizontalHeaderItem(c).text() for c in range(page.table.columnCount())]
    assert headers[COLUMNS.index("hold_s")] == hold and headers[COLUMNS.index("safe_min")] == safe_min
    assert not any("_" in h or h in COLUMNS for h in headers), headers


@pytest.mark.parametrize("lang", ["en", "ko"])
def test_conditions_and_avoid_are_picked_from_the_catalog(qtbot, lang):
    from PySide6.QtCore import Qt

    from fitcoach.core.exercises import ExerciseCatalog
    from fitcoach.io.store import Store

    catalog = ExerciseCatalog.load()
    page = _page(qtbot, lang)
    tags = sorted({t for ex in catalog for t in ex.corrects})
    assert [page.conditions.item(i).data(Qt.ItemDataRole.UserRole) for i in range(page.conditions.count())] == tags
    assert [page.avoid.item(i).data(Qt.ItemDataRole.UserRole) for i in range(page.avoid.count())] == catalog.ids()
    jj = next(page.avoid.item(i) for i in range(page.avoid.count())
              if page.avoid.item(i).data(Qt.ItemDataRole.UserRole) == "jumping_jack")
    assert jj.text() == catalog.get("jumping_jack").name.get(lang)  # the name, in the UI language
    assert jj.flags() & Qt.ItemFlag.ItemIsUserCheckable
    jj.setCheckState(Qt.CheckState.Checked)
    knee = next(page.conditions.item(i) for i in range(page.conditions.count())
                if page.conditions.item(i).data(Qt.ItemDataRole.UserRole) == "knee_valgus")
    knee.setCheckState(Qt.CheckState.Checked)
    page.profile.setText("dana")
    assert page.save_patient()
    store = Store()
    prof = store.export_profile("dana")["profile"]
    store.close()
    assert json.loads(prof["conditions"]) == ["knee_valgus"] and json.loads(prof["avoid"]) == ["jumping_jack"]
    knee.setCheckState(Qt.CheckState.Unchecked)
    jj.setCheckState(Qt.CheckState.Unchecked)
    page.load_patient()
    assert knee.checkState() == Qt.CheckState.Checked and jj.checkState() == Qt.CheckState.Checked
    # a stored condition that no exercise corrects (e.g. from an assessment) is kept, shown and checked
    _profiles("erin")
    store = Store()
    store.set_profile("erin", conditions=["scoliosis"], avoid=[])
    store.close()
    page.profile.setText("erin")
    page.load_patient()
    assert page.conditions.text() == "scoliosis" and page.avoid.text() == ""
    assert page.save_patient()


@pytest.mark.parametrize("lang", ["en", "ko"])
def test_every_column_header_fits_its_column(qtbot, lang):
    """'Tempo (s per phase)' was cut to 'mpo (s per phas' in a 1280-wide window."""
    page = _page(qtbot, lang)
    page.resize(1280, 800)
    page.add_row({"id": "squat", "sets": 3, "reps": 8, "tempo": "3-1-2-0", "rest_s": 90})
    header = page.table.horizontalHeader()
    metrics = header.fontMetrics()
    for i in range(page.table.columnCount()):
        text = page.table.horizontalHeaderItem(i).text()
        assert header.sectionSize(i) >= metrics.horizontalAdvance(text), (i, text, header.sectionSize(i))
