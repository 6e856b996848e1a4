"""The command line on landmark recordings and bad input: no pose model, no camera."""

import json
import socket
import subprocess
import sys

import numpy as np

from fitcoach.cli import main




def test_analyze_recording_json_is_stable(demo_npz, tmp_path, capsys):
    a, b = tmp_path / "a.json", tmp_path / "b.json"
    assert main(["analyze", str(demo_npz), "--exercise", "squat", "--json", str(a)]) == 0
    assert main(["analyze", str(demo_npz), "--exercise", "squat", "--json", str(b)]) == 0
    assert a.read_bytes() == b.read_bytes()
    out = json.loads(a.read_text())
    assert out["schema"] == "fitcoach.analysis/1"
    assert out["summary"]["reps"] == 8 and out["summary"]["partial_reps"] == 0 and out["summary"]["reps_at_target"] == 7
    rep = out["reps"][0]
    assert set(rep) >= {"index", "side", "t_start_s", "t_end_s", "partial", "rom_deg", "tempo_s", "faults", "score"}
    assert set(rep["rom_deg"]) == {"min", "max", "range"}
    assert set(rep["tempo_s"]) == {"down", "bottom", "up", "top"}
    # the shipped form scorer knows squats: every rep has a 0-100 score; the shallow one scores lowest
    scores = [r["score"] for r in out["reps"]]
    assert all(0 <= x <= 100 for x in scores)
    shallow = next(r for r in out["reps"] if not r["reached_target"])
    assert shallow["score"] < min(r["score"] for r in out["reps"] if r["reached_target"])
    assert out["scorer"] == "form_scorer.onnx"


def test_analyze_opens_no_socket(demo_npz, tmp_path, monkeypatch):
    def refuse(*a, **k):
        raise AssertionError("network access attempted")

    monkeypatch.setattr(socket.socket, "connect", refuse)
    monkeypatch.setattr(socket.socket, "connect_ex", refuse)
    monkeypatch.setattr(socket, "create_connection", refuse)
    monkeypatch.setattr(socket, "getaddrinfo", refuse)
    assert main(["analyze", str(demo_npz), "-e", "squat", "--json", str(tmp_path / "o.json")]) == 0


def test_demo_runs_and_counts(capsys):
    assert main(["demo"]) == 0
    out = capsys.readouterr().out
    assert "Done: 8 complete reps (7 at the target depth), 0 partial." in out
    assert "rep, short of the target: depth 115°, target ≤ 100°" in out


def test_annotate_recording(demo_npz, tmp_path):
    import cv2

    video = tmp_path / "a.mp4"
    assert main(["analyze", str(demo_npz), "-e", "squat", "--json", str(tmp_path / "o.json"), "--annotate", str(video)]) == 0
    cap = cv2.VideoCapture(str(video))
    n = int(cap.get(cv2.CAP_PROP_FRAME_COUNT))
    ok, img = cap.read()
    assert ok and n > 900 and img.shape[:2] == (480, 640)


def _one_error_line(capsys, argv, *words):
    code = main(argv)
    err = capsys.readouterr().err.strip().splitlines()
    assert code == 2
    assert len(err) == 1 and err[0].startswith("fitcoach: error: "), err
    for w in words:
        assert w in err[0]
    return err[0]


def test_missing_file(capsys, tmp_path):
    _one_error_line(capsys, ["analyze", str(tmp_path / "nope.mp4"), "-e", "squat"], "nope.mp4", "no such file")


def test_text_file_named_mp4(capsys, tmp_path):
    p = tmp_path / "fake.mp4"
    p.write_text("this is not a video\n")
    _one_error_line(capsys, ["analyze", str(p), "-e", "squat"], "fake.mp4", "not a readable video")


def test_unknown_exercise(capsys, demo_npz):
    _one_error_line(capsys, ["analyze", str(demo_npz), "-e", "sqaut"], "unknown exercise id 'sqaut'")


def test_malformed_exercise_file(capsys, demo_npz, tmp_path):
    (tmp_path / "squat.toml").write_text('schema_version = 1\nid = "squat"\nkind = "reps"\nlaterality = "both"\n')
    _one_error_line(capsys, ["analyze", str(demo_npz), "-e", "squat", "--exercises-dir", str(tmp_path)],
                    "squat.toml: laterality", "bilateral")


def test_malformed_recording(capsys, tmp_path):
    p = tmp_path / "bad.npz"
    np.savez(p, schema=np.array("fitcoach.landmarks/1"), t_s=np.array([0.0, 0.0]),
             image_xyzv=np.zeros((2, 33, 4), np.float32), frame_size=np.array([640, 480], np.int32))
    _one_error_line(capsys, ["analyze", str(p), "-e", "squat"], "bad.npz", "strictly increasing")


def test_exercises_list_and_validate(capsys):
    assert main(["exercises", "list"]) == 0
    assert "squat" in capsys.readouterr().out
    assert main(["exercises", "validate"]) == 0


def test_no_traceback_from_the_real_entry_point(tmp_path):
    r = subprocess.run([sys.executable, "-m", "fitcoach", "analyze", str(tmp_path / "x.mp4"), "-e", "squat"],
                       capture_output=True, text=True, timeout=60)
    assert r.returncode == 2
    assert "Traceback" not in r.stderr and "no such file" in r.stderr
