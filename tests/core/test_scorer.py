"""The form scorer's training, ONNX export, load-time contract check and use in analyze."""

import hashlib
import json

import numpy as np
import pytest

from fitcoach.core import synth
from fitcoach.run.analyze import analyze
from fitcoach.core.features import FEATURE_VERSION, vector_size
from fitcoach.core.scorer import FormScorer, ScorerError
from fitcoach.io.sources import RecordingSource

pytest.importorskip("onnx")
from fitcoach.train.evaluation import auc  # noqa: E402
from fitcoach.train.scorer import train  # noqa: E402

TINY = dict(takes=2, heldout_takes=1, epochs=4, workers=1, exercises=["squat", "bicep_curl"], log=None)


@pytest.fixture(scope="module")
def tiny_model(tmp_path_factory):
    path = tmp_path_factory.mktemp("scorer") / "s.onnx"
    report = train(path, seed=3, **TINY)
    return path, report


def test_tiny_training_runs_end_to_end_and_loads(tiny_model):
    path, report = tiny_model
    s = FormScorer(path)
    assert s.exercises == ["squat", "bicep_curl"]
    assert "incomplete_range" in s.faults and "knee_valgus" in s.faults
    assert report["train_reps"] > 6 and report["heldout_reps"] > 0
    r = s.score(np.zeros(vector_size(2), np.float32), "squat")
    assert 0 <= r.score <= 100
    assert set(r.fault_p) == set(s.mask["squat"])


def test_same_seed_same_bytes(tiny_model, tmp_path):
    path, _ = tiny_model
    again = tmp_path / "again.onnx"
    train(again, seed=3, **TINY)
    assert hashlib.sha256(again.read_bytes()).digest() == hashlib.sha256(path.read_bytes()).digest()


def test_contract_is_checked_at_load(tiny_model, tmp_path):
    import onnx

    path, _ = tiny_model
    m = onnx.load(str(path))
    for p in m.metadata_props:
        if p.key == "feature_version":
            p.value = "something/0"
    bad = tmp_path / "bad.onnx"
    onnx.save(m, str(bad))
    with pytest.raises(ScorerError, match="features"):
        FormScorer(bad)
    m = onnx.load(str(path))
    for p in m.metadata_props:
        if p.key == "exercises":
            p.value = json.dumps(["squat"])  # vector length no longer matches the input
    bad2 = tmp_path / "bad2.onnx"
    onnx.save(m, str(bad2))
    with pytest.raises(ScorerError, match="input must be"):
        FormScorer(bad2)
    (tmp_path / "junk.onnx").write_bytes(b"not a model")
    with pytest.raises(ScorerError, match="not a loadable"):
        FormScorer(tmp_path / "junk.onnx")
    assert FEATURE_VERSION.startswith("fitcoach.rep-features/")


def test_analyze_fills_score_and_model_confidence(tiny_model, catalog):
    path, _ = tiny_model
    rec, _ = synth.generate(synth.Take(reps=3, yaw_deg=45, noise=0.002,
                                       rep_faults=[{}, {"forward_lean": 1.0}, {}]))
    out = analyze(RecordingSource(rec), catalog.get("squat"), scorer=FormScorer(path))
    assert out["scorer"] == "s.onnx"
    assert all(r["score"] is not None and 0 <= r["score"] <= 100 for r in out["reps"])
    lean = [f for f in out["reps"][1]["faults"] if f["id"] == "forward_lean"]
    assert lean and lean[0]["measured"] > 50 and lean[0]["target"] == "≤ 50°"
    assert lean[0]["confidence"] is not None and lean[0]["source"] in ("rule", "rule+model")
    # an exercise the model does not know: rules still work, score is null
    rec2, _ = synth.generate(synth.Take(exercise="pushup", reps=2, yaw_deg=-90))
    out2 = analyze(RecordingSource(rec2), catalog.get("pushup"), scorer=FormScorer(path))
    assert out2["scorer"] is None and all(r["score"] is None for r in out2["reps"])


def test_auc_statistic():
    assert auc(np.array([0.1, 0.2, 0.8, 0.9]), np.array([0, 0, 1, 1])) == 1.0
    assert auc(np.array([0.9, 0.8, 0.2, 0.1]), np.array([0, 0, 1, 1])) == 0.0
    assert auc(np.array([0.5, 0.5]), np.array([0, 1])) == 0.5
    assert auc(np.array([0.5, 0.6]), np.array([1, 1])) is None
