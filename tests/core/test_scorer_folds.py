"""Validation of the form scorer on real reps: folds never share a subject; real reps weigh in."""

import numpy as np
import pytest

pytest.importorskip("onnx")
from fitcoach.core.features import vector_size  # noqa: E402
from fitcoach.train import scorer as ts  # noqa: E402
from fitcoach.train.realreps import RealRep, relayout  # noqa: E402

D = vector_size(2)


def _reps(rng, subjects=("s01", "s02", "s03"), n=12):
    out = []
    for g in subjects:
        for i in range(n):
            for variant in ("", "yaw+25_elev0"):
                x = rng.normal(0, 1, D).astype(np.float32)
                out.append(RealRep("uiprmd", g, "squat", i % 2, x, "side", f"{g}.npz", variant))
    return out


def test_leave_one_subject_out_never_trains_on_the_held_out_subject(monkeypatch):
    rng = np.random.default_rng(0)
    reps = _reps(rng)
    synth = ts.Dataset(rng.normal(0, 1, (20, D)), rng.uniform(0, 1, (20, 3)), np.ones((20, 3)), ["squat"] * 20,
                       ["side"] * 20)
    seen = []
    real_train = ts.train_mlp

    def spy(ds, seed, **kw):
        seen.append({bytes(np.asarray(r, np.float64).tobytes()) for r in ds.x})
        return real_train(ds, seed, **{**kw, "epochs": 2})

    monkeypatch.setattr(ts, "train_mlp", spy)
    res = ts.cross_validate(synth, reps, ["x", "y"], seed=0, epochs=2, log=None)
    assert res["folds"] == ["s01", "s02", "s03"] and len(seen) == 3
    for g, rows in zip(res["folds"], seen):
        held = {bytes(np.asarray(r.x, np.float64).tobytes()) for r in reps if r.group == g}
        others = {bytes(np.asarray(r.x, np.float64).tobytes()) for r in reps if r.group != g}
        assert not held & rows  # no rep of the held-out subject, in any rendering
        assert others <= rows  # every other subject's reps, all renderings
    # the figure is on the reps as recorded only, all of them scored once
    assert res["reps"] == sum(1 for r in reps if not r.variant)
    assert set(res["per_exercise"]) == {"squat"} and 0.0 <= res["per_exercise"]["squat"]["auc"] <= 1.0


def test_real_reps_targets_and_weights():
    rng = np.random.default_rng(1)
    reps = _reps(rng, ("s01",), 4)
    ds = ts.real_arrays(reps, ["a", "b"], weight=2.5)
    assert ds.y[:, 0].tolist() == [1.0 - r.bad for r in reps]
    assert ds.m[:, 0].tolist() == [1.0] * len(reps) and not ds.m[:, 1:].any()  # fault targets unknown
    assert (ds.w == 2.5).all()
    both = ts.concat(ds, ts.Dataset(np.zeros((3, D)), np.zeros((3, 3)), np.ones((3, 3)), ["s"] * 3, ["side"] * 3))
    assert len(both) == len(reps) + 3 and both.w.tolist()[-3:] == [1.0, 1.0, 1.0]


def test_relayout_moves_the_exercise_one_hot():
    x = np.zeros(vector_size(3), np.float32)
    x[-1 - 3 + 1] = 1.0  # exercise "b" of [a, b, c]
    x[-1] = 0.7
    y = relayout(x, ["a", "b", "c"], ["b", "z"])[0]
    assert len(y) == vector_size(2) and y[-3] == 1.0 and y[-2] == 0.0 and y[-1] == pytest.approx(0.7)
