"""The desktop app's writers keep health data private too: the demo recording in the cache, the
Replay page's JSON and landmark exports, and the Programs page's program, FHIR and report files
are 0600 (their folders 0700) under umask 000; the FHIR export from the app validates against R4
although the optional heavy pose model is not installed."""

import json
import os
import stat
import sys

import pytest

pytestmark = [pytest.mark.gui, pytest.mark.skipif(sys.platform == "win32", reason="POSIX file modes")]
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
pytest.importorskip("pytestqt")


def _mode(p) -> int:
    return stat.S_IMODE(os.lstat(p).st_mode)


@pytest.fixture
def window(qtbot, monkeypatch, tmp_path):
    from PySide6.QtWidgets import QFileDialog, QMessageBox

    def fail(*a, **k):
        raise AssertionError(f"unexpected dialog: {a[1:3]}")

    for name in ("information", "warning", "critical", "question"):
        monkeypatch.setattr(QMessageBox, name, fail)
    for name in ("getOpenFileName", "getSaveFileName", "getExistingDirectory"):
        monkeypatch.setattr(QFileDialog, name, fail)
    monkeypatch.setenv("FITCOACH_DATA_DIR", str(tmp_path / "data"))
    from fitcoach.gui.app import MainWindow

    old = os.umask(0)
    w = MainWindow("en", None, voice=False)
    qtbot.addWidget(w)
    yield w
    w.close()
    os.umask(old)


def test_demo_cache_and_replay_exports_are_private(window, qtbot, tmp_path):
    cache = tmp_path / "data" / "cache"
    cache.mkdir(parents=True)
    cache.chmod(0o755)  # made by an older FitCoach
    window.open_demo()
    demo = cache / "demo-squat.npz"
    assert _mode(demo) == 0o600 and _mode(cache) == 0o700
    page = window.replay
    qtbot.waitUntil(lambda: page.finished, timeout=60_000)
    assert page.export_json(str(tmp_path / "out" / "replay.json"))
    assert page.save_landmarks(str(tmp_path / "out" / "replay.npz"))
    assert _mode(tmp_path / "out" / "replay.json") == 0o600 and _mode(tmp_path / "out" / "replay.npz") == 0o600
    assert _mode(tmp_path / "out") == 0o700


def test_programs_page_files_are_private_and_its_fhir_validates(window, tmp_path):
    fr = pytest.importorskip("fhir.resources")
    from fhir.resources.bundle import Bundle

    page = window.programs
    page.profile.setText("patient1")
    page.name.setText("Kim knee rehab")
    page.add_row({"id": "sit_to_stand", "sets": 3, "reps": 10, "tempo": "2-0-2-1"})
    assert page.save() is True
    assert page.export_file(str(tmp_path / "p.toml"))
    page.write_fhir(str(tmp_path / "p.fhir.json"))
    page.write_report(str(tmp_path / "r.html"))
    page.write_report(str(tmp_path / "r.pdf"))
    for name in ("p.toml", "p.fhir.json", "r.html", "r.pdf"):
        assert _mode(tmp_path / name) == 0o600, name
    b = json.loads((tmp_path / "p.fhir.json").read_text(encoding="utf-8"))
    assert fr.__fhir_version__ == "4.0.1"
    Bundle.parse_obj(b)  # used to fail: Device.version with value "" for the heavy model
    assert "Kim" not in json.dumps(b)
