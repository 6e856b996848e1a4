"""Angle maths on one frame's body: the conventions every metric of FitCoach is measured in.

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


Image landmarks are normalised by frame width and height; `Body.from_landmarks` scales them
back to pixels before any angle is taken, otherwise a 16:9 frame would skew every angle.
World landmarks (metres, hip-centred, y down like the image) give 3-D angles that do not
depend on the camera being square to the movement; the trunk's frame (`trunk_frame`: left,
up, forward) turns them into angles in the body's own planes.

The named metrics built on these (knee, trunk_lean, *_ratio, ...) are `fitcoach.core.metrics`.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np

from fitcoach.core.landmarks import INDEX


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
            self._trunk.append(trunk_frame(self.world_m) if self.world_m is not None else None)
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


def landmark(pts: np.ndarray, name: str) -> np.ndarray:
    """The row of landmark `name` (e.g. "left_knee") in a (33, 2|3) array."""
    return pts[INDEX[name]]


def midpoint(pts: np.ndarray, a: str, b: str) -> np.ndarray:
    """Midpoint of two landmarks; the visible one alone when the other is hidden (side view)."""
    pa, pb = pts[INDEX[a]], pts[INDEX[b]]
    fa, fb = bool(np.isfinite(pa).all()), bool(np.isfinite(pb).all())
    if fa and fb:
        return (pa + pb) / 2.0
    return pa if fa else pb



def trunk_frame(world: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray] | None:
    """Unit vectors (left, up, forward) of the trunk from world landmarks, or None."""
    ls, rs = landmark(world, "left_shoulder"), landmark(world, "right_shoulder")
    lh, rh = landmark(world, "left_hip"), landmark(world, "right_hip")
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


def facing_sign_2d(img: np.ndarray) -> float:
    """+1 if the person faces image-right (nose right of the ears), -1 if left, NaN if unknown."""
    nose = landmark(img, "nose")
    ears = [landmark(img, "left_ear"), landmark(img, "right_ear")]
    ears = [e for e in ears if np.isfinite(e).all()]
    if not ears or not np.isfinite(nose).all():
        return math.nan
    dx = float(nose[0] - np.mean([e[0] for e in ears]))
    return 1.0 if dx >= 0 else -1.0


def wrap_planar(deg: float) -> float:
    """Map atan2's (-180, 180] to (-90, 270]: overhead reads 180 and never wraps to -180."""
    return deg + 360.0 if deg <= -90.0 else deg


def arm_planar_deg(body: Body, side: str, plane: str) -> float:
    """Upper arm from hanging in the "sagittal" or "frontal" plane (deg, (-90, 270])."""
    return wrap_planar(_arm_planar_atan2(body, side, plane))


def _arm_planar_atan2(body: Body, side: str, plane: str) -> float:
    """arm_planar_deg before wrapping: atan2's (-180, 180]; world trunk frame, else the image."""
    sh, el = f"{side}_shoulder", f"{side}_elbow"
    frame = body.trunk()
    arm = landmark(body.world_m, el) - landmark(body.world_m, sh) if body.world_m is not None else None
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
    shoulder = landmark(img, sh)
    arm = landmark(img, el) - shoulder
    hip = landmark(img, f"{side}_hip")
    td = hip - shoulder
    width = landmark(img, "left_shoulder") - landmark(img, "right_shoulder")
    mid_down = midpoint(img, "left_hip", "right_hip") - midpoint(img, "left_shoulder", "right_shoulder")
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
        sign = facing_sign_2d(img)
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


def hip_abduction_deg(body: Body, side: str) -> float:
    """Thigh out to the side from hanging, frontal plane (deg; + away from the midline)."""
    hip, knee = f"{side}_hip", f"{side}_knee"
    if body.world_m is not None:
        frame = body.trunk()
        thigh = landmark(body.world_m, knee) - landmark(body.world_m, hip)
        if frame is not None and np.isfinite(thigh).all():
            left, up, _fwd = frame
            out = left if side == "left" else -left
            return math.degrees(math.atan2(float(np.dot(thigh, out)), -float(np.dot(thigh, up))))
    img = body.img_px
    down = midpoint(img, "left_hip", "right_hip") - midpoint(img, "left_shoulder", "right_shoulder")
    across = landmark(img, "left_hip") - landmark(img, "right_hip")
    thigh = landmark(img, knee) - landmark(img, hip)
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


def shoulder_external_rotation_deg(body: Body, side: str) -> float:
    """Forearm rotation out from pointing forward, elbow at the side bent 90 deg (world only).

    0 = forearm points forward, +90 = points straight out to the side.
    """
    if body.world_m is None:
        return math.nan
    frame = body.trunk()
    fore = landmark(body.world_m, f"{side}_wrist") - landmark(body.world_m, f"{side}_elbow")
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
