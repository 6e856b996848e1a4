"""`fitcoach.app.sessions`: the recording path (a profile name cannot leave the folder), the
voice a workout gets, and a prepared workout run for real on a synthetic take: its reps saved
in the process's one store, which the run does not close."""

import time
from types import SimpleNamespace

import pytest

from fitcoach.app.database import Database
from fitcoach.app.sessions import VoiceChoice, prepare_workout, recording_path, safe_name, voice_for
from fitcoach.core.session import Prescription
from fitcoach.io.settings import Settings


@pytest.fixture
def data(monkeypatch, tmp_path):
    folder = tmp_path / "data"
    monkeypatch.setenv("FITCOACH_DATA_DIR", str(folder))
    return folder


@pytest.mark.parametrize("name, safe", [
    ("anna", "anna"), ("../../etc/passwd", ".._.._etc_passwd"), ("a\\b", "a_b"), ("tab\there", "tab_here"),
    ("new\nline", "new_line"), ("100%", "100_"), ("%Y", "_Y"), ("..", "_"), ("", "_"), ("김민지", "김민지"),
])
def test_safe_name(name, safe):
    assert safe_name(name) == safe


def test_recording_path_stays_in_the_private_recordings_folder(data):
    when = time.strptime("2026-03-04 05:06:07", "%Y-%m-%d %H:%M:%S")
    p = recording_path("../up/%d", "squat", when=when)
    assert p == data / "recordings" / ".._up__d-squat-20260304-050607.npz"
    assert p.parent.is_dir() and p.parent.stat().st_mode & 0o777 == 0o700
    assert recording_path("kim", "plank", folder=data, when=when).name == "kim-plank-20260304-050607.npz"


def test_the_voice_a_workout_gets():
    s = Settings(voice_rate=150, voice_volume=0.5)
    assert voice_for(s, "full") == VoiceChoice(150, 0.5)
    assert voice_for(s, "counts", enabled=False) is None
    assert voice_for(s, "silent") is None
    assert voice_for(Settings(mute=True), "full") is None


def test_prepare_workout_applies_the_prescription_and_the_programs_voice(data, catalog):
    squat = catalog.get("squat")
    p = Prescription.for_exercise(squat, sets=2, reps=3)
    from dataclasses import replace

    p = replace(p, target=100.0, safe_min=75.0)
    video = SimpleNamespace(kind="video", name="/clips/a.mp4")
    setup = prepare_workout(None, Settings(verbosity="full", model="lite"), squat, p, "  ", video, "en", 2,
                            program_verbosity="counts", voice=True, record=True)
    assert setup.profile == "me" and setup.verbosity == "counts" and setup.model_name == "lite"
    assert setup.exercise.driver.target == 100.0 and setup.exercise.safe_min == 75.0
    assert setup.voice == VoiceChoice(170, 1.0) and setup.countdown_s == 2.0 and setup.source_name == "/clips/a.mp4"
    assert setup.record_path.parent == data / "recordings" and setup.record_path.name.startswith("me-squat-")
    assert setup.recorder_factory() is None  # no database: nothing saved
    tape = SimpleNamespace(kind="landmarks", name="t.npz")
    quiet = prepare_workout(None, Settings(verbosity="silent"), squat, p, "kim", tape)
    assert quiet.model_name is None and quiet.voice is None and quiet.record_path is None and quiet.make_voice() is None


def test_a_prepared_workout_saves_into_the_one_store(data, catalog, demo_npz):
    from fitcoach.io.sources import RecordingSource
    from fitcoach.run.workout import run_workout

    db = Database()
    squat = catalog.get("squat")
    p = Prescription.for_exercise(squat, sets=1, reps=3)
    src = RecordingSource(str(demo_npz))
    setup = prepare_workout(db, Settings(), squat, p, "ines", src, countdown_s=0, voice=False)
    out = run_workout(setup.job(src))
    assert out["summary"]["achieved"] == [3] and out["saved"]["reps"] == 3
    assert db.is_open and db.opens == 1  # the run used the process's store and left it open
    export = db.store().export_profile("ines")
    assert len(export["sessions"]) == 1 and len(export["reps"]) == 3
    assert export["sessions"][0]["id"] == out["saved"]["session_id"]
    db.close()
