"""The form scorer's explanations: measures against the ranges correct reps show, in the rep JSON."""

import json

import numpy as np
import pytest

from fitcoach.core import synth
from fitcoach.run.analyze import analyze
from fitcoach.core.features import FRAME_FEATURES, N_FRAME, N_SAMPLES, RATIO_CLIP, measure_ids, rep_measures, vector_size
from fitcoach.core.scorer import FormScorer, ScorerError, explain, reason_text
from fitcoach.io.sources import RecordingSource

onnx = pytest.importorskip("onnx")
from fitcoach.train.scorer import reference_ranges, train  # noqa: E402

KNEE = [k for k, f in enumerate(FRAME_FEATURES) if f == ("knee", "min")][0]


def _vector(knee_deg: float, n_ex: int = 1) -> np.ndarray:
    v = np.zeros(vector_size(n_ex), np.float32)
    traj = np.full((N_FRAME, N_SAMPLES), 0.5, np.float32)
    traj[KNEE] = np.linspace(170, knee_deg, N_SAMPLES) / 180.0
    v[: N_FRAME * N_SAMPLES] = traj.ravel()
    return v


def test_rep_measures_are_in_the_metric_units():
    m = dict(zip(measure_ids(), rep_measures(_vector(118.0))))
    assert m["knee.min.lowest"] == pytest.approx(118.0, abs=0.01)
    assert m["knee.min.highest"] == pytest.approx(170.0, abs=0.01)
    v = _vector(118.0)
    v[N_FRAME * N_SAMPLES + KNEE] = 0.9  # knee missing in 90 % of the frames: not measured
    assert np.isnan(dict(zip(measure_ids(), rep_measures(v)))["knee.min.lowest"])


def test_explain_names_the_measure_value_and_correct_range():
    ranges = {"knee.min.lowest": [85.0, 100.0], "knee.min.highest": [160.0, 175.0], "trunk_lean.highest": [0, 200]}
    reasons = explain(rep_measures(_vector(118.0)), ranges)
    assert len(reasons) == 1  # knee lowest is outside; highest inside; trunk lean inside
    r = reasons[0]
    assert r["measure"] == "knee.min.lowest" and r["value"] == pytest.approx(118.0, abs=0.1)
    assert r["unit"] == "deg" and r["correct_range"] == [85.0, 100.0]
    assert r["text"] == "knee angle (smaller side), lowest in the rep 118°; correct reps: 85–100°"
    ko = {"knee angle": "무릎 각도", "{name} {value}; correct reps: {range}": "{name} {value}; 올바른 반복: {range}"}
    assert reason_text(r, lambda s: ko.get(s, s)) == "무릎 각도 (smaller side), lowest in the rep 118°; 올바른 반복: 85–100°"
    assert explain(rep_measures(_vector(92.0)), ranges) == ()


def test_explain_ranks_worst_first_and_one_per_metric():
    v = _vector(140.0)
    vals = rep_measures(v)
    ids = measure_ids()
    ranges = {m: [float(vals[i]) - 1, float(vals[i]) + 1] for i, m in enumerate(ids) if np.isfinite(vals[i])}
    ranges["knee.min.lowest"] = [85.0, 100.0]  # 40° out
    ranges["knee.max.lowest"] = [85.0, 130.0]  # also knee: not a second reason
    hip = float(vals[ids.index("hip.min.lowest")])
    ranges["hip.min.lowest"] = [hip + 20, hip + 40]  # 20° out of a 20° range
    ranges["elbow.min.lowest"] = [float(vals[ids.index("elbow.min.lowest")]) + 2, 300.0]  # barely out: no reason
    reasons = explain(vals, ranges)
    assert [r["measure"] for r in reasons] == ["knee.min.lowest", "hip.min.lowest"]


def test_a_range_at_the_ratio_clip_bound_is_no_reason():
    # correct reps whose ear-to-shoulder ratio all sat at the clip bound (3.00-3.00, a near-zero
    # denominator) cannot be compared with a real 0.60: not "ear-to-shoulder height 0.60; correct
    # reps: 3.00-3.00" on a squat
    ids = measure_ids()
    j = FRAME_FEATURES.index(("shoulder_elevation_ratio", None))
    v = _vector(92.0)
    v[j * N_SAMPLES:(j + 1) * N_SAMPLES] = 0.6
    vals = rep_measures(v)
    m = "shoulder_elevation_ratio.highest"
    assert vals[ids.index(m)] == pytest.approx(0.6, abs=1e-4)
    assert explain(vals, {m: [RATIO_CLIP, RATIO_CLIP]}) == ()
    assert [r["measure"] for r in explain(vals, {m: [1.0, 1.2]})] == [m]  # a real range still explains
    clipped = []
    for k in np.linspace(85, 100, 40):
        c = _vector(k)
        c[j * N_SAMPLES:(j + 1) * N_SAMPLES] = RATIO_CLIP
        clipped.append(c)
    ref = reference_ranges({"squat": {"side": clipped}})
    assert m not in ref["squat"]["side"] and "knee.min.lowest" in ref["squat"]["side"]


def test_reference_ranges_from_correct_reps():
    vecs = [_vector(k) for k in np.linspace(85, 100, 40)]
    ref = reference_ranges({"squat": {"side": vecs}})
    lo, hi = ref["squat"]["side"]["knee.min.lowest"]
    assert 85 <= lo < 87 and 98 < hi <= 100
    assert ref["squat"]["any"] == ref["squat"]["side"]
    assert reference_ranges({"squat": {"side": vecs[:5]}}) == {}  # too few correct reps


@pytest.fixture(scope="module")
def tiny(tmp_path_factory):
    path = tmp_path_factory.mktemp("explain") / "s.onnx"
    train(path, seed=5, takes=2, heldout_takes=1, epochs=3, workers=1, exercises=["squat"], log=None)
    return path


def _with_meta(src, dst, **meta):
    m = onnx.load(str(src))
    keep = [p for p in m.metadata_props if p.key not in meta]
    del m.metadata_props[:]
    for p in keep:
        m.metadata_props.add(key=p.key, value=p.value)
    for k, v in meta.items():
        m.metadata_props.add(key=k, value=v)
    onnx.save(m, str(dst))
    return dst


def test_rep_json_carries_reasons_and_basis(tiny, tmp_path, catalog):
    ref = {"squat": {"any": {"knee.min.lowest": [20.0, 25.0]}}}  # no real squat bottoms out at 20-25°
    path = _with_meta(tiny, tmp_path / "m.onnx", reference_ranges=json.dumps(ref),
                      score_basis=json.dumps({"squat": "synthetic"}))
    rec, _ = synth.generate(synth.Take(reps=2, yaw_deg=-90, noise=0.002))
    out = analyze(RecordingSource(rec), catalog.get("squat"), scorer=FormScorer(path))
    assert out["reps"]
    for rep in out["reps"]:
        assert rep["score_basis"] == "synthetic"
        (r,) = rep["score_reasons"]
        assert r["measure"] == "knee.min.lowest" and r["correct_range"] == [20.0, 25.0] and r["value"] > 25
        assert r["text"].endswith("correct reps: 20–25°")
    # the shipped-without-ranges case: no reasons, basis unknown
    out2 = analyze(RecordingSource(rec), catalog.get("squat"), scorer=FormScorer(tiny))
    assert all(rep["score_reasons"] == [] for rep in out2["reps"])


def test_bad_reference_ranges_are_refused(tiny, tmp_path):
    bad = _with_meta(tiny, tmp_path / "b.onnx", reference_ranges=json.dumps({"squat": {"any": {"nope.lowest": [1, 2]}}}))
    with pytest.raises(ScorerError, match="reference_ranges"):
        FormScorer(bad)
    bad2 = _with_meta(tiny, tmp_path / "b2.onnx", reference_ranges="{not json")
    with pytest.raises(ScorerError, match="not JSON"):
        FormScorer(bad2)
