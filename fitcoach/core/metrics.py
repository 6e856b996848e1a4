"""Joint angles and body metrics, one written convention for all of FitCoach.

Conventions (range-tested in tests/core/test_metrics.py):

* **Joint angle** ``A-B-C``: the interior angle at B between the rays B->A and B->C, in
  [0 deg, 180 deg]. 180 deg is a straight limb (knee locked out), small values a closed joint
  (elbow fully curled ~ 35 deg). Never negative, never above 180: no wrap-around.
* **Segment angle from vertical** ``P->Q``: angle between the segment and "up", in [0, 180];
  0 = Q straight above P, 90 = horizontal, 180 = Q straight below P.
* **Segment angle from horizontal**: angle between the segment *line* and the horizontal,
  in [0, 90]; 0 = level.
* **Signed planar angles** (``shoulder_flexion``, ``shoulder_abduction``): angle of the upper
  arm from "hanging down" measured in the body's sagittal or frontal plane;
  positive is flexion (forward) / abduction (away from the body). Range (-90, 270]: an arm
  straight overhead reads 180 and never jumps to -180; extension/adduction are small negatives. They need world landmarks
  to know where "forward" is; from the image alone they use the nose to tell which way the
  person faces, and are reliable only in a square side (flexion) or front (abduction) view.
* **Ratios** are unit-free and named ``*_ratio``; offsets normalised by a body length.

Image landmarks are normalised by frame width and height; they are scaled back to pixels
before any angle is taken, otherwise a 16:9 frame would skew every angle.
World landmarks (metres, hip-centred, y down like the image) give 3-D angles that do not
depend on the camera being square to the movement; the pipeline prefers them for joint
angles when present.

A landmark whose visibility is below ``min_visibility`` is NaN, and any metric that needs it
is NaN: never a made-up angle.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Callable

import numpy as np

from fitcoach.core.landmarks import INDEX

SIDES = ("left", "right")


def joint_angle_deg(a: np.ndarray, b: np.ndarray, c: np.ndarray) -> float:
    """Interior angle at `b` (degrees, [0, 180]); NaN if any point is NaN or degenerate."""
    u = a - b
    v = c - b
    nu = math.sqrt(float(np.dot(u, u)))
    nv = math.sqrt(float(np.dot(v, v)))
    if not (nu > 1e-9 and nv > 1e-9):  # also False for NaN
        return math.nan
    cos = float(np.dot(u, v)) / (nu * nv)
    return math.degrees(math.acos(max(-1.0, min(1.0, cos))))


def segment_from_vertical_deg(p: np.ndarray, q: np.ndarray) -> float:
    """Angle between segment p->q and 'up' ([0, 180]); y grows downward as in images."""
    d = q - p
    n = math.sqrt(float(np.dot(d, d)))
    if not n > 1e-9:
        return math.nan
    up_component = -float(d[1]) / n
    return math.degrees(math.acos(max(-1.0, min(1.0, up_component))))


def segment_from_horizontal_deg(p: np.ndarray, q: np.ndarray) -> float:
    """Angle between the line through p, q and the horizontal ([0, 90])."""
    a = segment_from_vertical_deg(p, q)
    if math.isnan(a):
        return a
    return abs(90.0 - a)


@dataclass(frozen=True, slots=True)
class Body:
    """One frame of landmarks prepared for metric computation.

    `img_px` (33, 2) float64: image landmarks in pixels, NaN where not visible enough.
    `world_m` (33, 3) float64 or None: world landmarks in metres, NaN where not visible.
    """

    img_px: np.ndarray
    world_m: np.ndarray | None
    # the trunk frame of `world_m`, computed on first use (several arm and hip metrics of the
    # same frame need it: once per frame instead of up to eight times)
    _trunk: list = field(default_factory=list, compare=False, repr=False)

    def trunk(self) -> tuple[np.ndarray, np.ndarray, np.ndarray] | None:
        """Unit vectors (left, up, forward) of the trunk from the world landmarks, or None."""
        if not self._trunk:
            self._trunk.append(_body_frame(self.world_m) if self.world_m is not None else None)
        return self._trunk[0]

    @staticmethod
    def from_landmarks(
        image_xyzv: np.ndarray,
        frame_size: tuple[int, int],
        world_xyz_m: np.ndarray | None = None,
        min_visibility: float = 0.5,
    ) -> "Body":
        w, h = frame_size
        img = image_xyzv[:, :2].astype(np.float64) * (float(w), float(h))
        hidden = ~(image_xyzv[:, 3] >= min_visibility)  # NaN visibility counts as hidden
        img[hidden] = np.nan
        world = None
        if world_xyz_m is not None and np.isfinite(world_xyz_m).any():
            world = world_xyz_m.astype(np.float64)
            world[hidden] = np.nan
        return Body(img, world)

    def pts(self, space: str) -> np.ndarray:
        if space == "world" and self.world_m is not None:
            return self.world_m
        return self.img_px

    def visible(self, name: str) -> bool:
        return bool(np.isfinite(self.img_px[INDEX[name]]).all())


def _p(pts: np.ndarray, name: str) -> np.ndarray:
    return pts[INDEX[name]]


def _mid(pts: np.ndarray, a: str, b: str) -> np.ndarray:
    """Midpoint of two landmarks; the visible one alone when the other is hidden (side view)."""
    pa, pb = pts[INDEX[a]], pts[INDEX[b]]
    fa, fb = bool(np.isfinite(pa).all()), bool(np.isfinite(pb).all())
    if fa and fb:
        return (pa + pb) / 2.0
    return pa if fa else pb


# --- joint angles: (A, B, C) with the angle at B, names without side prefix ---------------
JOINT_ANGLES: dict[str, tuple[str, str, str]] = {
    "knee": ("hip", "knee", "ankle"),
    "hip": ("shoulder", "hip", "knee"),
    "elbow": ("shoulder", "elbow", "wrist"),
    "shoulder": ("hip", "shoulder", "elbow"),
    "ankle": ("knee", "ankle", "foot_index"),
    "body_line": ("shoulder", "hip", "ankle"),
}


def _body_frame(world: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray] | None:
    """Unit vectors (left, up, forward) of the trunk from world landmarks, or None."""
    ls, rs = _p(world, "left_shoulder"), _p(world, "right_shoulder")
    lh, rh = _p(world, "left_hip"), _p(world, "right_hip")
    left = (ls - rs) + (lh - rh)
    up = (ls + rs) / 2 - (lh + rh) / 2
    if not (np.isfinite(left).all() and np.isfinite(up).all()):
        return None
    up = up / (np.linalg.norm(up) + 1e-12)
    left = left - np.dot(left, up) * up
    nl = np.linalg.norm(left)
    if nl < 1e-6:
        return None
    left = left / nl
    # y points down in MediaPipe's frame, so (left x up) points out of the person's chest.
    # (written out: np.cross's axis handling costs more than the product of two 3-vectors)
    forward = np.array([left[1] * up[2] - left[2] * up[1], left[2] * up[0] - left[0] * up[2],
                        left[0] * up[1] - left[1] * up[0]])
    return left, up, forward


def _facing_sign_2d(img: np.ndarray) -> float:
    """+1 if the person faces image-right (nose right of the ears), -1 if left, NaN if unknown."""
    nose = _p(img, "nose")
    ears = [_p(img, "left_ear"), _p(img, "right_ear")]
    ears = [e for e in ears if np.isfinite(e).all()]
    if not ears or not np.isfinite(nose).all():
        return math.nan
    dx = float(nose[0] - np.mean([e[0] for e in ears]))
    return 1.0 if dx >= 0 else -1.0


def _wrap_planar(deg: float) -> float:
    """Map atan2's (-180, 180] to (-90, 270]: overhead reads 180 and never wraps to -180."""
    return deg + 360.0 if deg <= -90.0 else deg


def _arm_planar(body: Body, side: str, plane: str) -> float:
    return _wrap_planar(_arm_planar_raw(body, side, plane))


def _arm_planar_raw(body: Body, side: str, plane: str) -> float:
    sh, el = f"{side}_shoulder", f"{side}_elbow"
    frame = body.trunk()
    arm = _p(body.world_m, el) - _p(body.world_m, sh) if body.world_m is not None else None
    # The 3-D trunk frame needs both shoulders and hips; in a side view one side is often
    # hidden, and then the 2-D measurement (valid in that view) is used instead.
    if frame is not None and arm is not None and np.isfinite(arm).all():
        left, up, forward = frame
        down_c = -float(np.dot(arm, up))
        if plane == "sagittal":
            other = float(np.dot(arm, forward))
        else:
            out = left if side == "left" else -left
            other = float(np.dot(arm, out))
        return math.degrees(math.atan2(other, down_c))
    img = body.img_px
    shoulder = _p(img, sh)
    arm = _p(img, el) - shoulder
    hip = _p(img, f"{side}_hip")
    td = hip - shoulder
    width = _p(img, "left_shoulder") - _p(img, "right_shoulder")
    mid_down = _mid(img, "left_hip", "right_hip") - _mid(img, "left_shoulder", "right_shoulder")
    if plane == "frontal" and np.isfinite(width).all() and np.isfinite(mid_down).all():
        # the trunk's midline is vertical in the body; a shoulder-to-same-hip line leans
        # inward (shoulders are wider than hips) and would add ~10 deg
        td = mid_down
    tl = float(np.linalg.norm(td))
    if not (np.isfinite(arm).all() and tl > 1e-9):
        return math.nan
    td = td / tl
    # One shoulder hidden: the person is side-on to the camera.
    ratio = float(np.linalg.norm(width)) / tl if np.isfinite(width).all() else 0.0
    down_c = float(np.dot(arm, td))
    if plane == "sagittal":
        # Only measurable when the camera sees the person from the side.
        sign = _facing_sign_2d(img)
        if math.isnan(sign) or ratio > 0.6:
            return math.nan
        other = -float(td[0] * arm[1] - td[1] * arm[0]) * sign
    else:
        # Only measurable when the camera sees the person from the front or back.
        if ratio < 0.3:
            return math.nan
        out = width if side == "left" else -width
        out = out - np.dot(out, td) * td
        out = out / (np.linalg.norm(out) + 1e-12)
        other = float(np.dot(arm, out))
    return math.degrees(math.atan2(other, down_c))


def _hip_abduction(body: Body, side: str) -> float:
    """Thigh out to the side from hanging, frontal plane (deg; + away from the midline)."""
    hip, knee = f"{side}_hip", f"{side}_knee"
    if body.world_m is not None:
        frame = body.trunk()
        thigh = _p(body.world_m, knee) - _p(body.world_m, hip)
        if frame is not None and np.isfinite(thigh).all():
            left, up, _fwd = frame
            out = left if side == "left" else -left
            return math.degrees(math.atan2(float(np.dot(thigh, out)), -float(np.dot(thigh, up))))
    img = body.img_px
    down = _mid(img, "left_hip", "right_hip") - _mid(img, "left_shoulder", "right_shoulder")
    across = _p(img, "left_hip") - _p(img, "right_hip")
    thigh = _p(img, knee) - _p(img, hip)
    n = float(np.linalg.norm(down))
    if not (np.isfinite(thigh).all() and np.isfinite(across).all() and n > 1e-9):
        return math.nan
    down = down / n
    if float(np.linalg.norm(across)) / n < 0.25:  # side-on: the frontal plane is not visible
        return math.nan
    out = across if side == "left" else -across
    out = out - np.dot(out, down) * down
    out = out / (np.linalg.norm(out) + 1e-12)
    return math.degrees(math.atan2(float(np.dot(thigh, out)), float(np.dot(thigh, down))))


def _shoulder_external_rotation(body: Body, side: str) -> float:
    """Forearm rotation out from pointing forward, elbow at the side bent 90 deg (world only).

    0 = forearm points forward, +90 = points straight out to the side.
    """
    if body.world_m is None:
        return math.nan
    frame = body.trunk()
    fore = _p(body.world_m, f"{side}_wrist") - _p(body.world_m, f"{side}_elbow")
    if frame is None or not np.isfinite(fore).all():
        return math.nan
    left, up, forward = frame
    out = left if side == "left" else -left
    a, b = float(np.dot(fore, out)), float(np.dot(fore, forward))
    # Only defined while the forearm is roughly horizontal (elbow bent, upper arm down);
    # a hanging forearm has no meaningful rotation and would give noise.
    if math.hypot(a, b) < 0.6 * float(np.linalg.norm(fore)):
        return math.nan
    return math.degrees(math.atan2(a, b))


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
_register("shoulder_flexion", "deg", True, lambda b, s: _arm_planar(b, s, "sagittal"),
          "upper arm from hanging, sagittal plane; + forward (flexion), - backward (extension)")
_register("shoulder_extension", "deg", True, lambda b, s: -_arm_planar(b, s, "sagittal"),
          "upper arm behind the trunk, sagittal plane (= -shoulder_flexion)")
_register("shoulder_abduction", "deg", True, lambda b, s: _arm_planar(b, s, "frontal"),
          "upper arm from hanging, frontal plane; + away from the body")
_register("shoulder_external_rotation", "deg", True, _shoulder_external_rotation,
          "forearm rotated out from pointing forward (elbow at side, 90 deg); world landmarks only")
_register("hip_abduction", "deg", True, _hip_abduction, "thigh out to the side from hanging, frontal plane")
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
