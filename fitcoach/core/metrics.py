"""The named body metrics (knee, trunk_lean, knee_valgus_ratio, ...): `METRICS` and `compute`.

Every metric an exercise file can name is registered here with its unit, whether it is
computed per side, and a one-line definition. They are measured in the conventions of
`fitcoach.core.angles` (joint angles in [0, 180], segment angles from vertical/horizontal,
signed planar arm angles in (-90, 270]; range-tested in tests/core/test_metrics.py), which
also holds the `Body` they take; `Body` and the angle functions are re-exported here.

* **Ratios** are unit-free and named ``*_ratio``; offsets normalised by a body length.

A landmark whose visibility is below ``min_visibility`` is NaN, and any metric that needs it
is NaN: never a made-up angle.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Callable

import numpy as np

from fitcoach.core.angles import (  # noqa: F401  (Body and the angle functions: re-exported)
    Body,
    arm_planar_deg,
    hip_abduction_deg,
    joint_angle_deg,
    segment_from_horizontal_deg,
    segment_from_vertical_deg,
    shoulder_external_rotation_deg,
)
# short local names: the metrics below use them on nearly every line
from fitcoach.core.angles import landmark as _p, midpoint as _mid
from fitcoach.core.landmarks import INDEX

SIDES = ("left", "right")


# --- joint angles: (A, B, C) with the angle at B, names without side prefix ---------------
JOINT_ANGLES: dict[str, tuple[str, str, str]] = {
    "knee": ("hip", "knee", "ankle"),
    "hip": ("shoulder", "hip", "knee"),
    "elbow": ("shoulder", "elbow", "wrist"),
    "shoulder": ("hip", "shoulder", "elbow"),
    "ankle": ("knee", "ankle", "foot_index"),
    "body_line": ("shoulder", "hip", "ankle"),
}


def _hip_line_offset_ratio(pts: np.ndarray) -> float:
    """Signed offset of mid-hip from the shoulder-ankle line / that line's length.

    Positive = hips above the line (pike), negative = below it (sag).
    """
    s = _mid(pts, "left_shoulder", "right_shoulder")
    a = _mid(pts, "left_ankle", "right_ankle")
    h = _mid(pts, "left_hip", "right_hip")
    if not (np.isfinite(s).all() and np.isfinite(a).all() and np.isfinite(h).all()):
        # fall back to whichever side is complete
        for side in SIDES:
            s, a, h = (_p(pts, f"{side}_{j}") for j in ("shoulder", "ankle", "hip"))
            if np.isfinite(s).all() and np.isfinite(a).all() and np.isfinite(h).all():
                break
        else:
            return math.nan
    line = a[:2] - s[:2]
    length = math.hypot(float(line[0]), float(line[1]))
    if length < 1e-9:
        return math.nan
    rel = h[:2] - s[:2]
    # unit normal of the line pointing "up" (negative y: image and world y grow downward)
    normal = np.array([line[1], -line[0]]) / length
    if normal[1] > 0:
        normal = -normal
    return float(np.dot(rel, normal)) / length


def _width_ratio(pts: np.ndarray, a: str, b: str) -> float:
    la, ra = _p(pts, f"left_{a}"), _p(pts, f"right_{a}")
    lb, rb = _p(pts, f"left_{b}"), _p(pts, f"right_{b}")
    wa = float(np.linalg.norm(la[:2] - ra[:2]))
    wb = float(np.linalg.norm(lb[:2] - rb[:2]))
    if not (wb > 1e-9) or math.isnan(wa):
        return math.nan
    return wa / wb


def _shoulder_elevation_ratio(pts: np.ndarray) -> float:
    """Vertical ear-to-shoulder distance / shoulder width (falls when shoulders shrug up)."""
    ear = _mid(pts, "left_ear", "right_ear")
    sh = _mid(pts, "left_shoulder", "right_shoulder")
    width = float(np.linalg.norm(_p(pts, "left_shoulder")[:2] - _p(pts, "right_shoulder")[:2]))
    if not width > 1e-9 or not np.isfinite(ear).all():
        return math.nan
    return float(sh[1] - ear[1]) / width


def _craniovertebral(img: np.ndarray, side: str) -> float:
    """Ear-shoulder line against the horizontal (deg, [0, 90]); larger = head more upright."""
    ear, sh = _p(img, f"{side}_ear"), _p(img, f"{side}_shoulder")
    if not (np.isfinite(ear).all() and np.isfinite(sh).all()):
        return math.nan
    return math.degrees(math.atan2(float(sh[1] - ear[1]), abs(float(ear[0] - sh[0]))))


MetricFn = Callable[[Body, str], float]


@dataclass(frozen=True, slots=True)
class MetricSpec:
    name: str
    unit: str  # "deg" or "ratio"
    sided: bool  # True: computed per side (left_/right_ prefix)
    fn: MetricFn
    doc: str


def _joint(name: str) -> MetricFn:
    a, b, c = JOINT_ANGLES[name]

    def fn(body: Body, side: str, _space: str = "world") -> float:
        pts = body.pts(_space)
        return joint_angle_deg(_p(pts, f"{side}_{a}"), _p(pts, f"{side}_{b}"), _p(pts, f"{side}_{c}"))

    return fn


def _trunk_lean(body: Body, _side: str) -> float:
    img = body.img_px
    return segment_from_vertical_deg(
        _mid(img, "left_hip", "right_hip"), _mid(img, "left_shoulder", "right_shoulder")
    )


def _shin_lean(body: Body, side: str) -> float:
    img = body.img_px
    return segment_from_vertical_deg(_p(img, f"{side}_ankle"), _p(img, f"{side}_knee"))


def _body_incline(body: Body, _side: str) -> float:
    img = body.img_px
    s = _mid(img, "left_shoulder", "right_shoulder")
    a = _mid(img, "left_ankle", "right_ankle")
    if not np.isfinite(a).all():
        a = _mid(img, "left_knee", "right_knee")
    return segment_from_horizontal_deg(s, a)


def _shoulder_tilt(body: Body, _side: str) -> float:
    img = body.img_px
    return segment_from_horizontal_deg(_p(img, "left_shoulder"), _p(img, "right_shoulder"))


def _wrist_height_ratio(body: Body, side: str) -> float:
    """(shoulder y - wrist y) / trunk length: > 0 when the wrist is above the shoulder."""
    img = body.img_px
    sh, wr, hip = _p(img, f"{side}_shoulder"), _p(img, f"{side}_wrist"), _p(img, f"{side}_hip")
    trunk = float(np.linalg.norm(sh - hip))
    if not trunk > 1e-9:
        return math.nan
    return float(sh[1] - wr[1]) / trunk


def _rise_ratio(img: np.ndarray, base: str, point: str) -> float:
    """How far `point` is above `base` in the image, over their distance (sine of the segment's
    angle to the horizontal, + when `point` is higher)."""
    b, p = _p(img, base), _p(img, point)
    n = float(np.linalg.norm(p - b))
    if not n > 1e-9:
        return math.nan
    return float(b[1] - p[1]) / n


def _knee_lift_ratio(body: Body, side: str) -> float:
    """(hip y - knee y) / thigh length + 1: 0 leg hanging, 1 thigh level, 2 knee at hip-thigh above."""
    return _rise_ratio(body.img_px, f"{side}_hip", f"{side}_knee") + 1.0


def _heel_lift_ratio(body: Body, side: str) -> float:
    """(toe y - heel y) / heel-to-toe length: ~0 foot flat, > 0.25 up on the toes.

    From world landmarks when present (a foot seen at an angle is foreshortened in the image,
    which would exaggerate the ratio), else from the image (valid side-on only).
    """
    if body.world_m is not None:
        v = _rise_ratio(body.world_m, f"{side}_foot_index", f"{side}_heel")
        if not math.isnan(v):
            return v
    return _rise_ratio(body.img_px, f"{side}_foot_index", f"{side}_heel")


def _knee_valgus_ratio(body: Body, side: str) -> float:
    """How far the knee sits toward the midline of the hip-ankle line, / leg length (front view).

    0 = knee on the line; > 0 = knee caving in (valgus); < 0 = bowing out.
    """
    img = body.img_px
    other = "right" if side == "left" else "left"
    h, k, a = (_p(img, f"{side}_{j}") for j in ("hip", "knee", "ankle"))
    o = _p(img, f"{other}_hip")
    if not (np.isfinite(h).all() and np.isfinite(k).all() and np.isfinite(a).all() and np.isfinite(o).all()):
        return math.nan
    line = a - h
    length = float(np.linalg.norm(line))
    if not length > 1e-9:
        return math.nan
    normal = np.array([-line[1], line[0]]) / length
    if float(np.dot(o - h, normal)) < 0:  # point the normal toward the midline
        normal = -normal
    return float(np.dot(k - h, normal)) / length


def _pelvic_obliquity(body: Body, _side: str) -> float:
    """Hip line against the shoulder line, about the trunk's forward axis (deg, world only).

    + = the left hip is higher (a left hip hitch), whatever the body's orientation.
    """
    w = body.world_m
    if w is None:
        return math.nan
    hips = _p(w, "left_hip") - _p(w, "right_hip")
    shoulders = _p(w, "left_shoulder") - _p(w, "right_shoulder")
    axis = _mid(w, "left_shoulder", "right_shoulder") - _mid(w, "left_hip", "right_hip")
    if not (np.isfinite(hips).all() and np.isfinite(shoulders).all() and np.isfinite(axis).all()):
        return math.nan
    fwd = np.cross(shoulders, axis)
    n = float(np.linalg.norm(fwd))
    if not n > 1e-9:
        return math.nan
    fwd /= n
    u = hips - np.dot(hips, fwd) * fwd
    v = shoulders - np.dot(shoulders, fwd) * fwd
    # world y points down: "left hip higher" turns the hip line toward -axis... sign by cross
    ang = math.degrees(math.atan2(float(np.dot(np.cross(v, u), fwd)), float(np.dot(u, v))))
    return ang


def _ankle_spread_ratio(body: Body, _side: str) -> float:
    return _width_ratio(body.img_px, "ankle", "hip")


METRICS: dict[str, MetricSpec] = {}


def _register(name: str, unit: str, sided: bool, fn: MetricFn, doc: str) -> None:
    METRICS[name] = MetricSpec(name, unit, sided, fn, doc)


for _name, (_a, _b, _c) in JOINT_ANGLES.items():
    _register(_name, "deg", True, _joint(_name), f"joint angle {_a}-{_b}-{_c} at the {_b}")
_register("shoulder_flexion", "deg", True, lambda b, s: arm_planar_deg(b, s, "sagittal"),
          "upper arm from hanging, sagittal plane; + forward (flexion), - backward (extension)")
_register("shoulder_extension", "deg", True, lambda b, s: -arm_planar_deg(b, s, "sagittal"),
          "upper arm behind the trunk, sagittal plane (= -shoulder_flexion)")
_register("shoulder_abduction", "deg", True, lambda b, s: arm_planar_deg(b, s, "frontal"),
          "upper arm from hanging, frontal plane; + away from the body")
_register("shoulder_external_rotation", "deg", True, shoulder_external_rotation_deg,
          "forearm rotated out from pointing forward (elbow at side, 90 deg); world landmarks only")
_register("hip_abduction", "deg", True, hip_abduction_deg, "thigh out to the side from hanging, frontal plane")
for _j in ("elbow", "hip", "knee"):
    _register(f"{_j}_flexion", "deg", True, (lambda j: lambda b, s: 180.0 - _joint(j)(b, s))(_j),
              f"180 - the {_j} joint angle (0 = straight)")
_register("trunk_lean", "deg", False, _trunk_lean, "mid-hip to mid-shoulder from vertical (0 upright)")
_register("shin_lean", "deg", True, _shin_lean, "ankle to knee from vertical")
_register("body_incline", "deg", False, _body_incline,
          "mid-shoulder to mid-ankle against horizontal (0 = body level)")
_register("shoulder_tilt", "deg", False, _shoulder_tilt, "shoulder line against horizontal")
_register("craniovertebral", "deg", True, lambda b, s: _craniovertebral(b.img_px, s),
          "ear-shoulder line against horizontal, side view (larger = head more upright)")
_register("hip_line_offset_ratio", "ratio", False, lambda b, s: _hip_line_offset_ratio(b.img_px),
          "mid-hip offset from the shoulder-ankle line / its length; + pike, - sag")
_register("knee_width_ratio", "ratio", False, lambda b, s: _width_ratio(b.img_px, "knee", "ankle"),
          "knee distance / ankle distance (front view; < 1 knees caving in)")
_register("ankle_spread_ratio", "ratio", False, _ankle_spread_ratio,
          "ankle distance / hip distance (front view; legs apart > 1.5)")
_register("shoulder_elevation_ratio", "ratio", False, lambda b, s: _shoulder_elevation_ratio(b.img_px),
          "vertical ear-to-shoulder distance / shoulder width (drops when shrugging)")
_register("wrist_height_ratio", "ratio", True, _wrist_height_ratio,
          "(shoulder y - wrist y) / trunk length; > 0 wrist above shoulder")
_register("heel_lift_ratio", "ratio", True, _heel_lift_ratio,
          "(toe y - heel y) / foot length in the image; ~0 flat, > 0.25 up on the toes")
_register("knee_valgus_ratio", "ratio", True, _knee_valgus_ratio,
          "knee offset toward the midline from the hip-ankle line / leg length (front view; > 0 caving in)")
_register("pelvic_obliquity", "deg", False, _pelvic_obliquity,
          "hip line against the shoulder line in the frontal plane (world); + left hip higher")
_register("knee_lift_ratio", "ratio", True, _knee_lift_ratio,
          "knee height relative to the hip in thigh lengths; 0 hanging, 1 thigh level")


def compute(body: Body, name: str, side: str | None, space: str = "world") -> float:
    """Value of metric `name` for `side` ('left'/'right', ignored for unsided metrics)."""
    spec = METRICS[name]
    s = side or "left"
    if name in JOINT_ANGLES:
        return spec.fn(body, s, space)  # type: ignore[call-arg]
    return spec.fn(body, s)


def side_visibility(image_xyzv: np.ndarray, name: str, side: str) -> float:
    """Mean visibility of the landmarks a sided joint metric uses (0 when unknown)."""
    if name not in JOINT_ANGLES:
        return 1.0
    idx = [INDEX[f"{side}_{j}"] for j in JOINT_ANGLES[name]]
    v = image_xyzv[idx, 3]
    v = v[np.isfinite(v)]
    return float(v.mean()) if v.size == len(idx) else 0.0
