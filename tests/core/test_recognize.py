"""Exercise recognition: synthetic takes, `analyze --exercise auto`, the mismatch warning."""

import json
import time

import numpy as np
import pytest

from fitcoach.cli import main
from fitcoach.core import recognize as R
from fitcoach.core import synth
from fitcoach.core.errors import FitCoachError
from fitcoach.core.landmarks import LandmarkRecording
from fitcoach.io.recordings import save_recording
from fitcoach.core.models import verify_all

# Exercises with a distinct posture or moving joint (close relatives such as bicep vs hammer
# curl are checked by top-3 below). Seeds far from the training ones (0..30, 50_000..).
DISTINCT = ["squat", "pushup", "plank", "jumping_jack", "glute_bridge", "lateral_raise", "side_plank",
            "shoulder_press"]


@pytest.mark.parametrize("ex", DISTINCT)
def test_synthetic_takes_are_recognised(ex):
    for seed in (700_001, 700_002):
        r = R.recognize(R.synthetic_take(ex, seed))
        assert r.id == ex, (ex, seed, r.id, r.confidence, r.alternatives[:3])
        assert 0.0 < r.confidence <= 1.0
        assert abs(sum(r.probabilities.values()) - 1.0) < 1e-6


@pytest.mark.parametrize("ex", ["bicep_curl", "hammer_curl", "lunge", "situp", "deadlift", "shrug"])
def test_close_relatives_are_in_the_top3(ex):
    r = R.recognize(R.synthetic_take(ex, 700_003))
    assert ex in [r.id] + [a for a, _ in r.alternatives[:2]], (ex, r.id, r.alternatives[:3])


def test_recognition_is_deterministic_and_fast():
    rec, _ = synth.generate(synth.Take(exercise="squat", reps=12, noise=0.003, seed=3, tail_s=4.0))
    assert rec.duration_s >= 30.0
    R.recognize(rec)  # the model file is loaded once
    t0 = time.perf_counter()
    a = R.recognize(rec)
    assert time.perf_counter() - t0 < 1.0
    assert R.recognize(rec) == a


def test_allowed_restricts_the_answer():
    rec = R.synthetic_take("squat", 700_004)
    r = R.recognize(rec, allowed=["pushup", "plank"])
    assert r.id in ("pushup", "plank") and set(r.probabilities) >= {"pushup", "plank"}
    assert sum(v for k, v in r.probabilities.items() if k not in ("pushup", "plank")) == 0.0


def test_mismatch_needs_high_confidence_and_an_implausible_name():
    r = R.Recognition("squat", 0.9, [("sit_to_stand", 0.08), ("pushup", 0.001)],
                      {"squat": 0.9, "sit_to_stand": 0.08, "pushup": 0.001})
    assert R.mismatch("squat", r) is None
    assert R.mismatch("sit_to_stand", r) is None  # a close relative the model also considers
    assert "looks like squat" in R.mismatch("pushup", r)
    unsure = R.Recognition("squat", 0.6, [("pushup", 0.01)], {"squat": 0.6, "pushup": 0.01})
    assert R.mismatch("pushup", unsure) is None


def test_nobody_in_view_is_refused():
    n = 60
    rec = LandmarkRecording(np.arange(n) / 30.0, np.full((n, 33, 4), np.nan, np.float32), None, (640, 480))
    with pytest.raises(FitCoachError, match="only 0 frames"):
        R.recognize(rec)


def test_model_file_is_in_the_manifest_and_verifies():
    res = {r.name: r for r in verify_all()}
    assert res["exercise_recognizer"].status == "ok"
    m = R.load_default_model()
    assert len(m.classes) == 29 and m.W.shape == (len(R.feature_names()), 29)


def test_analyze_auto_picks_squat_on_the_demo(demo_npz, tmp_path, capsys):
    out_path = tmp_path / "o.json"
    assert main(["analyze", str(demo_npz), "--exercise", "auto", "--json", str(out_path)]) == 0
    out = json.loads(out_path.read_text())
    ex = out["exercise"]
    assert ex["id"] == "squat" and ex["kind"] == "reps" and ex["driver"] == "knee"  # existing keys kept
    rec = ex["recognized"]
    assert rec["id"] == "squat" and 0.5 < rec["confidence"] <= 1.0
    assert len(rec["alternatives"]) == 3 and all(a["confidence"] <= rec["confidence"] for a in rec["alternatives"])
    assert out["summary"]["reps"] == 8  # the same analysis as -e squat
    assert not any("looks like" in w for w in out["warnings"])


def test_analyze_warns_on_a_clearly_wrong_exercise(demo_npz, tmp_path, capsys):
    out_path = tmp_path / "o.json"
    assert main(["analyze", str(demo_npz), "-e", "pushup", "--json", str(out_path)]) == 0
    out = json.loads(out_path.read_text())
    assert any("looks like squat" in w and "not pushup" in w for w in out["warnings"])
    err = [ln for ln in capsys.readouterr().err.splitlines() if "looks like" in ln]
    assert len(err) == 1 and err[0].startswith("fitcoach: warning: demo.npz: ")
    assert "recognized" not in out["exercise"]


def test_analyze_right_exercise_no_warning(demo_npz, tmp_path, capsys):
    out_path = tmp_path / "o.json"
    assert main(["analyze", str(demo_npz), "-e", "squat", "--json", str(out_path)]) == 0
    assert not any("looks like" in w for w in json.loads(out_path.read_text())["warnings"])
    assert "looks like" not in capsys.readouterr().err


def test_analyze_auto_without_a_person_is_one_line(tmp_path, capsys):
    n = 60
    p = tmp_path / "empty.npz"
    save_recording(p, LandmarkRecording(np.arange(n) / 30.0, np.full((n, 33, 4), np.nan, np.float32), None,
                                        (640, 480)))
    assert main(["analyze", str(p), "-e", "auto", "--json", str(tmp_path / "o.json")]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "cannot recognise the exercise" in err[0]


def test_an_unknown_exercise_is_never_flagged():
    r = R.Recognition("squat", 0.99, [("pushup", 0.001)], {"squat": 0.99, "pushup": 0.001})
    assert R.mismatch("my_own_exercise", r) is None  # a custom exercise the recogniser never saw


def test_analyze_auto_on_a_video_runs_the_pose_model_once(shared_dir, tmp_path, monkeypatch):
    """A real clip: recognised from its landmarks, then analysed with those same landmarks."""
    from fitcoach.io import pose

    clip = shared_dir / "clips" / "front_raise" / "Kshitij-19__BE-Project-Exercise-Pose-Detection-and-Correction__Front_Raise.mp4"
    if not clip.exists():
        pytest.skip("clip not available")
    calls = []
    real = pose.MediaPipePose.detect

    def counting(self, *a, **k):
        calls.append(1)
        return real(self, *a, **k)

    monkeypatch.setattr(pose.MediaPipePose, "detect", counting)
    out_path = tmp_path / "o.json"
    assert main(["analyze", str(clip), "-e", "auto", "--json", str(out_path), "--no-progress"]) == 0
    out = json.loads(out_path.read_text())
    assert out["exercise"]["id"] == "front_raise" and out["exercise"]["recognized"]["id"] == "front_raise"
    assert out["input"]["kind"] == "video" and out["summary"]["reps"] == 2
    assert len(calls) == out["input"]["frames"]  # one pose pass, not two


def test_a_long_recording_is_sampled_not_read_whole():
    rec, _ = synth.generate(synth.Take(exercise="squat", reps=3, noise=0.003, seed=4))
    n = 3 * R.MAX_FRAMES
    idx = np.arange(n) % len(rec)
    big = LandmarkRecording(np.arange(n) / 30.0, rec.image_xyzv[idx], rec.world_xyz_m[idx], rec.frame_size)
    R.recognize(rec)
    t0 = time.perf_counter()
    assert R.recognize(big).id == "squat"
    assert time.perf_counter() - t0 < 1.0
