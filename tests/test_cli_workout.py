"""`fitcoach workout` end to end on synthetic recordings: sets, rests, reps numbered within each
set, nothing counted or spoken during the rest, what was saved."""

from __future__ import annotations

import json
import sqlite3

import numpy as np
import pytest

from fitcoach.cli import main
from fitcoach.core import synth
from fitcoach.core.landmarks import LandmarkRecording
from fitcoach.io.recordings import save_recording


def _concat(parts):
    ts, im, wo, off = [], [], [], 0.0
    for rec in parts:
        ts.append(rec.t_s + off)
        im.append(rec.image_xyzv)
        wo.append(rec.world_xyz_m)
        off = ts[-1][-1] + 1 / 30
    return LandmarkRecording(np.concatenate(ts), np.concatenate(im), np.concatenate(wo), parts[0].frame_size)


@pytest.fixture(scope="module")
def two_sets(tmp_path_factory):
    """3 squats (after a 4 s lead-in), 2 more during what will be the rest, then 3 more:
    rep ends at about 7.2, 11.2, 15.2 | 20.7, 24.7 | 30.7, 34.7, 38.7 s."""
    a, _ = synth.generate(synth.Take(reps=3, lead_in_s=4.0, tail_s=0.5, noise=0.002, seed=1))
    b, _ = synth.generate(synth.Take(reps=2, lead_in_s=1.0, tail_s=1.0, noise=0.002, seed=2))
    c, _ = synth.generate(synth.Take(reps=3, lead_in_s=1.0, tail_s=1.0, noise=0.002, seed=3))
    path = tmp_path_factory.mktemp("workout") / "two_sets.npz"
    save_recording(path, _concat([a, b, c]))
    return path


def _run(args, tmp_path):
    out = tmp_path / "w.json"
    assert main(["workout", *map(str, args), "--json", str(out), "--no-scorer"]) == 0
    return json.loads(out.read_text())


def _check_two_sets_of_three(d):
    assert [[r["index"] for r in s["reps"]] for s in d["sets"]] == [[1, 2, 3], [1, 2, 3]]
    assert [s["achieved"] for s in d["sets"]] == [3, 3] and d["state"] == "done"
    assert len(d["rests"]) == 1
    rest = d["rests"][0]
    assert rest["after_set"] == 1 and rest["t_end_s"] - rest["t_start_s"] == pytest.approx(10.0, abs=0.1)
    for s in d["sets"]:  # every credited rep lies inside its set
        assert all(s["t_start_s"] <= r["t_end_s"] <= s["t_end_s"] for r in s["reps"])
    in_rest = [c for c in d["cues"] if rest["t_start_s"] < c["t_s"] < rest["t_end_s"]]
    assert in_rest and all(c["priority"] == "session" for c in in_rest)  # "rest", never a count
    counts = [c["text"] for c in d["cues"] if c["priority"] == "count"]
    assert counts and set(counts) <= {"1", "2", "3"}  # numbered within the set, never "4"


def test_two_sets_of_three_with_a_rest(two_sets, tmp_path, capsys):
    d = _run([two_sets, "-e", "squat", "--sets", 2, "--reps", 3, "--rest", 10, "--countdown", 3, "--speed", 0],
             tmp_path)
    _check_two_sets_of_three(d)
    assert d["input"]["frames_dropped"] == 0 and d["saved"]["session_id"] is None
    assert "set 2 started" in capsys.readouterr().out


def test_played_as_live_faster_than_real_time(two_sets, tmp_path):
    d = _run([two_sets, "-e", "squat", "--sets", 2, "--reps", 3, "--rest", 10, "--countdown", 3, "--speed", 20],
             tmp_path)
    _check_two_sets_of_three(d)
    assert d["live"]["latency_ms_p95"] is not None


def test_saved_reps_are_numbered_within_each_set(two_sets, tmp_path, monkeypatch):
    monkeypatch.setenv("FITCOACH_DATA_DIR", str(tmp_path / "data"))
    rec = tmp_path / "session.npz"
    d = _run([two_sets, "-e", "squat", "--sets", 2, "--reps", 3, "--rest", 10, "--speed", 0, "--profile", "ann",
              "--record", rec], tmp_path)
    _check_two_sets_of_three(d)
    assert d["saved"]["reps"] == 6 and d["saved"]["session_id"] is not None
    assert d["saved"]["landmarks"] == str(rec) and rec.exists()
    db = next((tmp_path / "data").rglob("*.db"))
    con = sqlite3.connect(db)
    tables = {r[0] for r in con.execute("select name from sqlite_master where type='table'")}
    assert "reps" in tables and "sets" in tables
    con.close()


def test_file_or_camera_is_required(capsys):
    assert main(["workout", "-e", "squat"]) != 0
    assert "FILE or --camera" in capsys.readouterr().err
