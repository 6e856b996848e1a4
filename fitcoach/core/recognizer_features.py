"""The exercise recogniser's features: 60 posture and motion numbers per landmark recording.

What separates exercises is posture context plus which joints move (see `fitcoach.core.recognize`
for why, and for the classifier that reads these):

* **Posture** (median over the recording): trunk from vertical, thigh and shin from vertical,
  which way the chest faces (up / down / sideways), shoulder line from horizontal (side plank),
  wrist height against the shoulder, head position (chin tuck, shrug).
* **Motion** (robust range p95 - p5): joint angles (knee, hip, elbow, shoulder), the upper arm
  in the trunk's frame (forward = flexion, outward = abduction, the scapular plane in
  between), forearm direction (external rotation), thigh out to the side, feet and hands apart,
  and the pelvis's travel in the image (squats and jumps move the whole body; curls do not).
* **Symmetry**: for each sided quantity the larger and the smaller of the left and right
  ranges (one arm moving = unilateral) - mirror-invariant, so the person may use either side.

All are computed vectorised over the frames (the same definitions as `fitcoach.core.metrics`
- interior angles at a joint, segments against gravity - but on arrays, not a Python call per
frame), so a 30 s recording costs a few milliseconds, and no exercise pipeline is run.

Runs on whatever thread calls `features` (the analysis job's, or the CLI's); Qt-free.
"""

from __future__ import annotations

import math

import numpy as np

from fitcoach.core.landmarks import INDEX, LandmarkRecording

MIN_VISIBILITY = 0.5
MIN_FRAMES = 10  # fewer frames with a person than this: nothing to recognise
MAX_FRAMES = 9000  # frames looked at (5 min at 30 fps); longer recordings are sampled evenly
LEG_MIN_VISIBILITY = 0.3  # below this a knee/ankle/foot is taken as out of the picture

_SIDES = ("left", "right")
_LEGS = [INDEX[f"{s}_{j}"] for s in _SIDES for j in ("knee", "ankle", "heel", "foot_index")]
# features that need the knees or feet
LEG_FEATURES = ("knee", "hip", "thigh_from_down", "shin_from_down", "thigh_out", "ankle_fwd", "feet_apart")


# --- per-frame quantities ------------------------------------------------------------------


def _unit(v: np.ndarray) -> np.ndarray:
    n = np.linalg.norm(v, axis=-1, keepdims=True)
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(n > 1e-9, v / n, np.nan)


def _angle(a: np.ndarray, b: np.ndarray, c: np.ndarray) -> np.ndarray:
    """Interior angle at b (degrees), per frame."""
    u, v = _unit(a - b), _unit(c - b)
    return np.degrees(np.arccos(np.clip(np.sum(u * v, axis=-1), -1.0, 1.0)))


def _from_down(v: np.ndarray) -> np.ndarray:
    """Angle of a segment from pointing straight down (y is down), degrees: 0 hanging, 180 up."""
    return np.degrees(np.arccos(np.clip(_unit(v)[..., 1], -1.0, 1.0)))


def _dot(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    return np.sum(a * b, axis=-1)


def _points(rec: LandmarkRecording) -> tuple[np.ndarray, np.ndarray]:
    """(P, px): the (T, 33, 3) points the quantities are measured on (world landmarks when the
    recording has them, else pixels) and the image landmarks in pixels, NaN where hidden."""
    # Bounded cost and memory: a long recording is sampled evenly (medians and ranges barely move).
    keep = np.linspace(0, len(rec) - 1, MAX_FRAMES).astype(int) if len(rec) > MAX_FRAMES else slice(None)
    img = rec.image_xyzv[keep].astype(np.float64)
    vis = img[:, :, 3] >= MIN_VISIBILITY  # NaN visibility counts as hidden
    w, h = rec.frame_size
    px = np.concatenate([img[:, :, :1] * w, img[:, :, 1:2] * h, img[:, :, 2:3] * w], axis=2)
    px[~vis] = np.nan
    world = None if rec.world_xyz_m is None else rec.world_xyz_m[keep]
    if world is not None and np.isfinite(world).any():
        # World landmarks are kept even where the image point is poorly visible: the pose model
        # still estimates the far side in 3-D, and the trunk frame needs both shoulders.
        P = world.astype(np.float64)
        # ... but not legs the camera does not see at all (a close-up of a curl cuts them off):
        # the model's guess for them is not a measurement.
        legs = P[:, _LEGS]
        legs[img[:, _LEGS, 3] < LEG_MIN_VISIBILITY] = np.nan
        P[:, _LEGS] = legs
        # (a frame without world points stays NaN: mixing in pixel coordinates would put
        # frames of another scale and orientation into the same statistics)
    else:
        P = px
    return P, px


def _frame_quantities(rec: LandmarkRecording) -> tuple[dict[str, np.ndarray], dict[str, tuple[np.ndarray, np.ndarray]]]:
    """Per-frame posture/motion series: unsided {name: (T,)} and sided {name: (left, right)}."""
    P, px = _points(rec)

    def p(name: str) -> np.ndarray:
        return P[:, INDEX[name]]

    def mid(a: str, b: str) -> np.ndarray:
        return np.nanmean(np.stack([p(a), p(b)]), axis=0)

    with np.errstate(invalid="ignore", divide="ignore"), _quiet():
        hip_c, sh_c = mid("left_hip", "right_hip"), mid("left_shoulder", "right_shoulder")
        trunk = sh_c - hip_c
        trunk_len = np.linalg.norm(trunk, axis=-1)
        up_t = _unit(trunk)
        left_ax = _unit(p("left_shoulder") - p("right_shoulder"))
        hip_ax = _unit(p("left_hip") - p("right_hip"))
        # shoulders hidden on one side (side view): the hip line gives the trunk's left axis
        left_ax = np.where(np.isfinite(left_ax), left_ax, hip_ax)
        fwd = _unit(np.cross(up_t, left_ax))
        uns: dict[str, np.ndarray] = {
            "trunk_from_down": _from_down(trunk),  # 180 upright, 90 lying
            "chest_down": fwd[:, 1],  # + chest faces the floor (prone), - the ceiling (supine)
            "shoulder_line_vertical": np.abs(left_ax[:, 1]),  # 1 on the side (side plank)
            # in trunk lengths: the hip width depends on the skeleton's definition of the hip
            # (MediaPipe's hips are wider than a motion-capture hip joint centre)
            "feet_apart": np.linalg.norm(p("left_ankle") - p("right_ankle"), axis=-1) / trunk_len,
            "hands_apart": np.linalg.norm(p("left_wrist") - p("right_wrist"), axis=-1) / trunk_len,
            "head_fwd": _dot(p("nose") - sh_c, fwd) / trunk_len,
            "ear_up": _dot(mid("left_ear", "right_ear") - sh_c, up_t) / trunk_len,
        }
        # pelvis travel in the image, in trunk lengths (world landmarks are hip-centred)
        pimg = np.nanmean(np.stack([px[:, INDEX["left_hip"]], px[:, INDEX["right_hip"]]]), axis=0)
        simg = np.nanmean(np.stack([px[:, INDEX["left_shoulder"]], px[:, INDEX["right_shoulder"]]]), axis=0)
        scale = np.nanmedian(np.linalg.norm(simg[:, :2] - pimg[:, :2], axis=-1))
        uns["pelvis_y"] = pimg[:, 1] / scale if scale > 1e-6 else np.full(len(pimg), np.nan)
        uns["pelvis_x"] = pimg[:, 0] / scale if scale > 1e-6 else np.full(len(pimg), np.nan)
        sided: dict[str, tuple[np.ndarray, np.ndarray]] = {}
        for key, fn in _SIDED.items():
            sided[key] = tuple(fn(p, s, sgn, up_t, left_ax, fwd, trunk_len) for s, sgn in (("left", 1.0), ("right", -1.0)))
    return uns, sided


def _arm(p, s, sgn, up_t, left_ax, fwd, trunk_len, comp):
    ua = _unit(p(f"{s}_elbow") - p(f"{s}_shoulder"))
    if comp == "fwd":
        return _dot(ua, fwd)
    if comp == "out":
        return sgn * _dot(ua, left_ax)
    return _dot(ua, up_t)


def _forearm(p, s, sgn, up_t, left_ax, fwd, trunk_len, comp):
    fa = _unit(p(f"{s}_wrist") - p(f"{s}_elbow"))
    return sgn * _dot(fa, left_ax) if comp == "out" else _dot(fa, fwd)


_SIDED = {
    "knee": lambda p, s, *a: _angle(p(f"{s}_hip"), p(f"{s}_knee"), p(f"{s}_ankle")),
    "hip": lambda p, s, *a: _angle(p(f"{s}_shoulder"), p(f"{s}_hip"), p(f"{s}_knee")),
    "elbow": lambda p, s, *a: _angle(p(f"{s}_shoulder"), p(f"{s}_elbow"), p(f"{s}_wrist")),
    "shoulder": lambda p, s, *a: _angle(p(f"{s}_hip"), p(f"{s}_shoulder"), p(f"{s}_elbow")),
    "upper_arm_from_down": lambda p, s, *a: _from_down(p(f"{s}_elbow") - p(f"{s}_shoulder")),
    "arm_fwd": lambda *a: _arm(*a, comp="fwd"),
    "arm_out": lambda *a: _arm(*a, comp="out"),
    "arm_up": lambda *a: _arm(*a, comp="up"),
    "forearm_out": lambda *a: _forearm(*a, comp="out"),
    "forearm_fwd": lambda *a: _forearm(*a, comp="fwd"),
    "thigh_from_down": lambda p, s, *a: _from_down(p(f"{s}_knee") - p(f"{s}_hip")),
    "shin_from_down": lambda p, s, *a: _from_down(p(f"{s}_ankle") - p(f"{s}_knee")),
    "thigh_out": lambda p, s, sgn, up_t, left_ax, *a: sgn * _dot(_unit(p(f"{s}_knee") - p(f"{s}_hip")), left_ax),
    "wrist_above_shoulder": lambda p, s, sgn, up_t, left_ax, fwd, tl: _dot(p(f"{s}_wrist") - p(f"{s}_shoulder"), up_t) / tl,
    "ankle_fwd": lambda p, s, sgn, up_t, left_ax, fwd, tl: _dot(p(f"{s}_ankle") - p(f"{s}_hip"), fwd) / tl,
}


# How far the thigh points outward at rest also depends on where the skeleton puts the hip
# joint; only its range (abduction movement) is used.
_NO_MEDIAN = {"thigh_out"}


class _quiet:
    """Silence numpy's all-NaN warnings (a hidden side is normal, not a problem)."""

    def __enter__(self):
        import warnings

        self._w = warnings.catch_warnings()
        self._w.__enter__()
        warnings.simplefilter("ignore", RuntimeWarning)

    def __exit__(self, *exc):
        self._w.__exit__(*exc)
        return False


def _stats(x: np.ndarray) -> tuple[float, float]:
    """(median, robust range p95 - p5) of the finite values; NaN when there are too few."""
    x = x[np.isfinite(x)]
    if x.size < MIN_FRAMES:
        return math.nan, math.nan
    p5, p50, p95 = np.percentile(x, (5, 50, 95))
    return float(p50), float(p95 - p5)


def feature_names() -> list[str]:
    names = []
    for k in ("trunk_from_down", "chest_down", "shoulder_line_vertical", "feet_apart", "hands_apart",
              "head_fwd", "ear_up"):
        names += [f"{k}.median", f"{k}.range"]
    names += ["pelvis_y.range", "pelvis_x.range"]
    for k in _SIDED:
        names += ([] if k in _NO_MEDIAN else [f"{k}.median"]) + [f"{k}.range_max", f"{k}.range_min"]
    return names


def features(rec: LandmarkRecording) -> np.ndarray:
    """The per-recording feature vector (float64, len(feature_names())); NaN where unmeasurable."""
    uns, sided = _frame_quantities(rec)
    out: list[float] = []
    for k in ("trunk_from_down", "chest_down", "shoulder_line_vertical", "feet_apart", "hands_apart",
              "head_fwd", "ear_up"):
        out += list(_stats(uns[k]))
    out += [_stats(uns["pelvis_y"])[1], _stats(uns["pelvis_x"])[1]]
    with _quiet():
        for k in _SIDED:
            (ml, rl), (mr, rr) = _stats(sided[k][0]), _stats(sided[k][1])
            out += ([] if k in _NO_MEDIAN else [float(np.nanmean([ml, mr]))]) + [float(np.nanmax([rl, rr])),
                                                                              float(np.nanmin([rl, rr]))]
    return np.asarray(out, dtype=np.float64)


def frames_with_person(rec: LandmarkRecording) -> int:
    return int(np.isfinite(rec.image_xyzv[:, :, 0]).any(axis=1).sum()) if len(rec) else 0
