"""Benchmark: the cost of scoring one rep with the shipped form scorer (goal <= 1 ms).

    .venv/bin/python bench/bench_scorer.py

In one run, on real feature vectors (synthetic squat reps through the real pipeline):
- baseline: the same network as plain numpy matrix products (weights read from the ONNX file),
- onnxruntime: `FormScorer.score` (what the app calls per rep, explanation included),
- features: building a rep's vector from its frames (`rep_vector`),
printing median and p95 in microseconds and the ratio onnxruntime / numpy.
"""

from __future__ import annotations

import statistics
import sys
import time
from pathlib import Path

import numpy as np

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from fitcoach.core import synth  # noqa: E402
from fitcoach.core.exercises import ExerciseCatalog  # noqa: E402
from fitcoach.core.features import N_FRAME, rep_vector  # noqa: E402
from fitcoach.core.pipeline import Pipeline  # noqa: E402
from fitcoach.core.scorer import default_scorer_path, load_default_scorer  # noqa: E402
from fitcoach.io.sources import RecordingSource  # noqa: E402


def _timed(fn, n: int) -> list[float]:
    out = []
    for _ in range(n):
        t0 = time.perf_counter()
        fn()
        out.append((time.perf_counter() - t0) * 1e6)
    return out


def main() -> int:
    scorer = load_default_scorer()
    if scorer is None:
        print(f"no scorer at {default_scorer_path()}")
        return 1
    ex = ExerciseCatalog.load().get("squat")
    rec, _ = synth.generate(synth.Take(reps=6, yaw_deg=45, noise=0.003))
    pipe = Pipeline(ex, frame_size=rec.frame_size, collect_features=scorer.exercises)
    for f in RecordingSource(rec):
        pipe.step(f)
    vecs = pipe.rep_vectors
    import onnx
    from onnx import numpy_helper

    m = onnx.load(str(scorer.path))
    w = {i.name: numpy_helper.to_array(i) for i in m.graph.initializer}

    from fitcoach.train.scorer import with_summary

    pooled = any(n.op_type == "ReduceMin" for n in m.graph.node)  # the graph pools over time first

    def numpy_forward(x):
        h = with_summary(x) if pooled else x
        for i in range(3):
            h = h @ w[f"W{i}"] + w[f"B{i}"]
            h = np.maximum(h, 0) if i < 2 else 1 / (1 + np.exp(-h))
        return h

    k = [0]

    def ort_one():
        scorer.score(vecs[k[0] % len(vecs)], "squat", "oblique")  # with its explanation
        k[0] += 1

    def np_one():
        numpy_forward(vecs[k[0] % len(vecs)].reshape(1, -1))
        k[0] += 1

    frames = np.random.default_rng(0).normal(size=(90, N_FRAME)).astype(np.float32)
    times = np.arange(90) / 30.0

    def feat_one():
        rep_vector(times, frames, "side", "squat", scorer.exercises)

    for fn in (ort_one, np_one, feat_one):
        _timed(fn, 200)  # warm-up
    base = _timed(np_one, 3000)
    ort = _timed(ort_one, 3000)
    feat = _timed(feat_one, 1000)
    q = lambda xs: (statistics.median(xs), sorted(xs)[int(0.95 * len(xs))])  # noqa: E731
    print(f"scorer: {scorer.path.name}  inputs {vecs[0].shape[0]}  reps {len(vecs)}")
    for name, xs in (("numpy forward (baseline)", base), ("onnxruntime FormScorer.score", ort), ("rep feature vector", feat)):
        med, p95 = q(xs)
        print(f"{name:30s}: median {med:7.1f} us   p95 {p95:7.1f} us")
    print(f"ratio onnxruntime / numpy (median): {q(ort)[0] / q(base)[0]:.2f}")
    print(f"score + features per rep (median): {(q(ort)[0] + q(feat)[0]) / 1000:.3f} ms  (goal <= 1 ms)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
