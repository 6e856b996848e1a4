"""The real MediaPipe pose model on a real photograph and on generated videos."""

from __future__ import annotations

import json
import subprocess
import sys

import numpy as np
import pytest

pytestmark = pytest.mark.model

skimage_data = pytest.importorskip("skimage.data", reason="scikit-image (test extra) provides astronaut.png")


@pytest.fixture(scope="module")
def astronaut_bgr():
    return np.ascontiguousarray(skimage_data.astronaut()[:, :, ::-1])


@pytest.fixture(scope="module")
def full_pose():
    from fitcoach.io.pose import MediaPipePose

    p = MediaPipePose("full", num_poses=1)
    yield p
    p.close()


def _px(c, i, shape):
    return c.image_xyzv[i, 0] * shape[1], c.image_xyzv[i, 1] * shape[0]


@pytest.mark.parametrize("variant", ["lite", "full"])
def test_astronaut_landmarks_land_on_the_person(astronaut_bgr, variant):
    from fitcoach.io.pose import MediaPipePose

    pose = MediaPipePose(variant, num_poses=1)
    try:
        cands = pose.detect(astronaut_bgr, 0.0)
    finally:
        pose.close()
    assert len(cands) == 1
    c = cands[0]
    assert c.world_xyz_m is not None and np.isfinite(c.world_xyz_m).all()
    h, w = astronaut_bgr.shape[:2]
    nose = _px(c, 0, (h, w))
    ls, rs = _px(c, 11, (h, w)), _px(c, 12, (h, w))
    le, re = _px(c, 13, (h, w)), _px(c, 14, (h, w))
    # The astronaut's face is in the upper-left-centre of the 512x512 picture, shoulders below it.
    assert 150 < nose[0] < 260 and 60 < nose[1] < 160, nose
    for s in (ls, rs):
        assert 80 < s[0] < 380 and 150 < s[1] < 300, s
    assert ls[0] > rs[0]  # her left shoulder is on the image right (not mirrored)
    for e in (le, re):
        assert 40 < e[0] < 450 and 200 < e[1] < 480, e
    assert c.image_xyzv[[0, 11, 12], 3].min() > 0.5


def _write_video(path, frames, fps=15.0):
    import cv2

    h, w = frames[0].shape[:2]
    vw = cv2.VideoWriter(str(path), cv2.VideoWriter_fourcc(*"mp4v"), fps, (w, h))
    for f in frames:
        vw.write(f)
    vw.release()


def _run(*argv):
    return subprocess.run([sys.executable, "-m", "fitcoach", *argv], capture_output=True, text=True, timeout=300)


def test_video_with_nobody(tmp_path):
    frames = [np.full((240, 320, 3), 40 + i, np.uint8) for i in range(20)]
    v = tmp_path / "empty.mp4"
    _write_video(v, frames)
    out = tmp_path / "o.json"
    r = _run("analyze", str(v), "-e", "squat", "--json", str(out), "--no-progress")
    assert r.returncode == 2
    lines = [ln for ln in r.stderr.splitlines() if ln.strip()]
    assert lines == [x for x in lines if x.startswith("fitcoach: error:")] and len(lines) == 1, r.stderr
    assert "nobody was detected" in lines[0] and "Traceback" not in r.stderr
    data = json.loads(out.read_text())
    assert data["summary"]["frames"] == 20 and data["summary"]["frames_with_person"] == 0


def test_truncated_video_keeps_results_up_to_the_damage(tmp_path, astronaut_bgr):
    # MJPEG in AVI stays decodable up to the cut (an MP4 cut before its index is not; below)
    import cv2

    v = tmp_path / "whole.avi"
    h, w = astronaut_bgr.shape[:2]
    vw = cv2.VideoWriter(str(v), cv2.VideoWriter_fourcc(*"MJPG"), 30.0, (w, h))
    for _ in range(60):
        vw.write(astronaut_bgr)
    vw.release()
    data = v.read_bytes()
    cut = tmp_path / "cut.avi"
    cut.write_bytes(data[: int(len(data) * 0.6)])
    out = tmp_path / "o.json"
    r = _run("analyze", str(cut), "-e", "squat", "--json", str(out), "--no-progress")
    assert r.returncode == 2, r.stderr
    assert "Traceback" not in r.stderr
    err = [ln for ln in r.stderr.splitlines() if ln.strip()]
    assert len(err) == 1 and "truncated" in err[0] and "cut.avi" in err[0], err
    res = json.loads(out.read_text())
    assert 0 < res["summary"]["frames"] < 60
    assert res["summary"]["frames_with_person"] == res["summary"]["frames"]


def test_mp4_cut_before_its_index_says_so(tmp_path, astronaut_bgr):
    v = tmp_path / "whole.mp4"
    _write_video(v, [astronaut_bgr] * 30)
    data = v.read_bytes()
    cut = tmp_path / "cut.mp4"
    cut.write_bytes(data[: int(len(data) * 0.6)])
    r = _run("analyze", str(cut), "-e", "squat", "--no-progress")
    assert r.returncode == 2 and "Traceback" not in r.stderr
    err = [ln for ln in r.stderr.splitlines() if ln.strip()]
    assert len(err) == 1 and "cut.mp4" in err[0] and "moov" in err[0], err


def test_same_video_same_json(tmp_path, astronaut_bgr):
    # the person leans: rotate the photo a little per frame so the model has work to do
    import cv2

    frames = []
    for i in range(30):
        m = cv2.getRotationMatrix2D((256, 256), 10 * np.sin(i / 5), 1.0)
        frames.append(cv2.warpAffine(astronaut_bgr, m, (512, 512)))
    v = tmp_path / "lean.mp4"
    _write_video(v, frames)
    a, b = tmp_path / "a.json", tmp_path / "b.json"
    assert _run("analyze", str(v), "-e", "squat", "--json", str(a), "--no-progress").returncode == 0
    assert _run("analyze", str(v), "-e", "squat", "--json", str(b), "--no-progress").returncode == 0
    assert a.read_bytes() == b.read_bytes()


def test_record_then_replay(tmp_path, astronaut_bgr):
    frames = [astronaut_bgr] * 10
    v = tmp_path / "still.mp4"
    _write_video(v, frames)
    npz = tmp_path / "still.npz"
    r = _run("record", str(v), str(npz), "--no-progress")
    assert r.returncode == 0, r.stderr
    from fitcoach.io.recordings import load_recording

    rec = load_recording(npz)
    assert len(rec) == 10 and rec.frame_size == (512, 512)
    assert np.isfinite(rec.image_xyzv[:, 0, 0]).all() and rec.world_xyz_m is not None


def test_models_verify():
    r = _run("models", "verify")
    assert r.returncode == 0, r.stdout + r.stderr
    assert "pose_landmarker_full.task" in r.stdout and "pose_landmarker_lite.task" in r.stdout


def test_no_network_with_the_real_model(tmp_path, astronaut_bgr, monkeypatch):
    import socket

    from fitcoach.cli import main

    def refuse(*a, **k):
        raise AssertionError("network access attempted")

    for name in ("connect", "connect_ex"):
        monkeypatch.setattr(socket.socket, name, refuse)
    monkeypatch.setattr(socket, "create_connection", refuse)
    monkeypatch.setattr(socket, "getaddrinfo", refuse)
    v = tmp_path / "still.mp4"
    _write_video(v, [astronaut_bgr] * 5)
    assert main(["analyze", str(v), "-e", "squat", "--json", str(tmp_path / "o.json"), "--no-progress"]) == 0


def test_assess_posture_from_a_real_photo(tmp_path, astronaut_bgr):
    import cv2

    photo = tmp_path / "front.png"
    cv2.imwrite(str(photo), astronaut_bgr)
    out, page = tmp_path / "p.json", tmp_path / "p.html"
    r = _run("assess", "posture", "--front", str(photo), "--json", str(out), "--html", str(page))
    assert r.returncode == 0, r.stderr
    res = json.loads(out.read_text())
    f = {x["id"]: x for x in res["findings"]}
    # the astronaut faces the camera: head tilt and shoulder line are measured, with a source
    assert f["shoulder_height_asymmetry"]["value"] is not None and f["shoulder_height_asymmetry"]["source"]
    assert f["head_tilt"]["uncertainty"] is not None
    assert f["craniovertebral_angle"]["status"] == "not_assessed"
    assert "no side view" in r.stderr
    assert "<table>" in page.read_text()


def test_assess_posture_wrong_view_and_empty_photo(tmp_path, astronaut_bgr):
    import cv2

    photo = tmp_path / "me.png"
    cv2.imwrite(str(photo), astronaut_bgr)
    r = _run("assess", "posture", "--side", str(photo))
    assert r.returncode == 2 and "looks like a front view" in r.stderr and "me.png" in r.stderr
    blank = tmp_path / "wall.png"
    cv2.imwrite(str(blank), np.full((480, 640, 3), 200, np.uint8))
    r = _run("assess", "posture", "--front", str(blank))
    assert r.returncode == 2 and "wall.png: no person found" in r.stderr
    assert "Traceback" not in r.stderr


def test_auto_people_finds_the_second_person_and_stays_deterministic(astronaut_bgr):
    """--people auto: one person per frame, a periodic look for others on its own thread (its answer
    read CHECK_LAG frames later), every frame with the two-person landmarker once a second person
    walks in; the same frames give the same candidates on every run."""
    from fitcoach.io.pose import CHECK_LAG, MediaPipePose

    one = np.zeros((512, 1024, 3), np.uint8)
    one[:, :512] = astronaut_bgr
    two = np.concatenate([astronaut_bgr, astronaut_bgr], axis=1)
    frames = [one] * 30 + [two] * 30
    every = 10

    def run():
        p = MediaPipePose("lite", num_poses=2, check_every=every)
        try:
            counts = [len(p.detect(f, i / 30.0)) for i, f in enumerate(frames)]
        finally:
            p.close()
        return counts, p.checks

    counts, checks = run()
    assert max(counts[:30]) == 1, counts
    # the second person is in view from frame 30: found by the next periodic look, at the latest
    # CHECK_LAG frames after it, then analysed on every frame
    first_two = counts.index(2)
    assert 30 <= first_two <= 30 + every + CHECK_LAG + 1, counts
    assert all(c == 2 for c in counts[first_two + 1:]), counts
    # looks while one person is in view: the periodic ones plus at most one per window for jumps
    assert checks <= 2 * (first_two // every + 1) + (len(frames) - first_two), checks
    assert run() == (counts, checks)
