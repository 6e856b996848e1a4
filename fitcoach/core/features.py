"""Per-rep features for the form scorer: one fixed-length vector per repetition.

The same code serves training (`fitcoach train scorer`, on synthetic reps) and run time (the
pipeline, on real reps), so the model always sees features made the same way.

Per frame, `FRAME_FEATURES` metrics are taken from the landmarks (sided ones reduced to the min
or max over the two sides, which makes the vector independent of which side faces the camera).
Per rep, each is resampled at `N_SAMPLES` points evenly spaced in the rep's time (time
normalisation: a slow and a fast rep give comparable vectors), NaN-aware; a missing value is 0
and the fraction of frames where each feature was missing is appended, so the model knows what
it could not see. Angles are scaled by 1/180, ratios clipped to [-RATIO_CLIP, RATIO_CLIP].

Layout of the vector (`FEATURE_VERSION` names it; the ONNX model records it and is refused at
load time if it differs):
  [F x N_SAMPLES trajectories | F missing fractions | view one-hot (front, side, oblique) |
   exercise one-hot (the model's exercise list) | rep duration / 10 s]
"""

from __future__ import annotations

import math
from collections.abc import Callable

import numpy as np

from fitcoach.core.metrics import METRICS, Body, compute

FEATURE_VERSION = "fitcoach.rep-features/1"
N_SAMPLES = 10
VIEWS = ("front", "side", "oblique")

# (metric, reduction over sides: "min" | "max" | None for unsided)
RATIO_CLIP = 3.0  # ratios beyond this (a near-zero denominator) are clipped: not a measurement any more

FRAME_FEATURES: tuple[tuple[str, str | None], ...] = (
    ("knee", "min"), ("knee", "max"),
    ("hip", "min"), ("hip", "max"),
    ("elbow", "min"), ("elbow", "max"),
    ("shoulder", "min"), ("shoulder", "max"),
    ("shoulder_flexion", "max"),
    ("shoulder_abduction", "min"), ("shoulder_abduction", "max"),
    ("shoulder_external_rotation", "max"),
    ("body_line", "min"),
    ("shin_lean", "max"),
    ("heel_lift_ratio", "max"),
    ("knee_valgus_ratio", "max"),
    ("craniovertebral", "max"),
    ("trunk_lean", None),
    ("body_incline", None),
    ("hip_line_offset_ratio", None),
    ("knee_width_ratio", None),
    ("ankle_spread_ratio", None),
    ("shoulder_tilt", None),
    ("shoulder_elevation_ratio", None),
    ("pelvic_obliquity", None),
)
N_FRAME = len(FRAME_FEATURES)
_IN_DEG = tuple(METRICS[m].unit == "deg" for m, _ in FRAME_FEATURES)


def frame_features(body: Body, measure: Callable[[str, str | None], float] | None = None) -> np.ndarray:
    """(N_FRAME,) float32, NaN where a metric cannot be measured in this frame. `measure(metric,
    side)` gives a metric's value: by default `metrics.compute` on `body`; the pipeline passes
    the frame's `measures.Measures`, which computes each value once for all who ask."""
    if measure is None:
        def measure(metric: str, side: str | None) -> float:
            return compute(body, metric, side)
    out = np.full(N_FRAME, np.nan, np.float32)
    for k, (metric, red) in enumerate(FRAME_FEATURES):
        if red is None:
            v = measure(metric, None)
        else:
            vals = [measure(metric, s) for s in ("left", "right")]
            vals = [x for x in vals if not math.isnan(x)]
            v = (min(vals) if red == "min" else max(vals)) if vals else math.nan
        if not math.isnan(v):
            out[k] = v / 180.0 if _IN_DEG[k] else max(-RATIO_CLIP, min(RATIO_CLIP, v))
    return out


def vector_size(n_exercises: int) -> int:
    return N_FRAME * N_SAMPLES + N_FRAME + len(VIEWS) + n_exercises + 1


def rep_vector(
    times: np.ndarray, frames: np.ndarray, view: str, exercise_id: str, exercises: list[str]
) -> np.ndarray:
    """Feature vector of one rep from its frames' times (T,) and frame features (T, N_FRAME)."""
    times = np.asarray(times, np.float64)
    frames = np.asarray(frames, np.float32).reshape(-1, N_FRAME)
    traj = np.zeros((N_FRAME, N_SAMPLES), np.float32)
    missing = np.ones(N_FRAME, np.float32)
    if len(times):
        grid = np.linspace(times[0], times[-1], N_SAMPLES) if len(times) > 1 else np.full(N_SAMPLES, times[0])
        for k in range(N_FRAME):
            col = frames[:, k]
            ok = np.isfinite(col)
            missing[k] = 1.0 - float(ok.mean())
            if ok.sum() >= 2:
                traj[k] = np.interp(grid, times[ok], col[ok])
            elif ok.sum() == 1:
                traj[k] = col[ok][0]
    view_1h = np.array([1.0 if view == v else 0.0 for v in VIEWS], np.float32)
    ex_1h = np.array([1.0 if exercise_id == e else 0.0 for e in exercises], np.float32)
    duration = np.array([(times[-1] - times[0]) / 10.0 if len(times) > 1 else 0.0], np.float32)
    return np.concatenate([traj.ravel(), missing, view_1h, ex_1h, duration]).astype(np.float32)


# ------------------------------------------------------------------------------------------
# Interpretable per-rep measures (for the scorer's explanations): the lowest and the highest
# value of each frame feature over the rep, in the metric's own unit (degrees or a ratio).

MAX_MISSING = 0.5  # a measure missing in more of the rep's frames than this is not given


def measure_ids() -> list[str]:
    """`<metric>[.<side reduction>].<lowest|highest>`, in the order `rep_measures` returns."""
    out = []
    for metric, red in FRAME_FEATURES:
        base = metric if red is None else f"{metric}.{red}"
        out += [f"{base}.lowest", f"{base}.highest"]
    return out


def rep_measures(vector: np.ndarray) -> np.ndarray:
    """(2 * N_FRAME,) values of `measure_ids()` from one rep vector; NaN where not measured."""
    v = np.asarray(vector, np.float64).ravel()
    traj = v[: N_FRAME * N_SAMPLES].reshape(N_FRAME, N_SAMPLES)
    missing = v[N_FRAME * N_SAMPLES: N_FRAME * N_SAMPLES + N_FRAME]
    out = np.full(2 * N_FRAME, np.nan)
    for k, (metric, _red) in enumerate(FRAME_FEATURES):
        if missing[k] > MAX_MISSING:
            continue
        scale = 180.0 if METRICS[metric].unit == "deg" else 1.0
        out[2 * k], out[2 * k + 1] = traj[k].min() * scale, traj[k].max() * scale
    return out
