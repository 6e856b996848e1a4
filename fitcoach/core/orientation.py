"""Which way the body is turned: the camera's view of it (`view_of`: front, side, oblique) and
`FlipGuard`, which drops a detection whose torso turned over within a few frames (implausible).

Both run once per frame on the analysis thread, inside `Pipeline.step`.
"""

from __future__ import annotations

import math

import numpy as np

from fitcoach.core.metrics import Body


def _torso_angle_deg(image_xyzv: np.ndarray, size: tuple[int, int]) -> float:
    """Direction of mid-hip -> mid-shoulder in the image (degrees, 0 = up), NaN if unknown."""
    pts = image_xyzv[[11, 12, 23, 24], :2].astype(np.float64) * np.asarray(size, dtype=np.float64)
    if not np.isfinite(pts).all():
        return math.nan
    d = (pts[0] + pts[1]) / 2 - (pts[2] + pts[3]) / 2
    return math.degrees(math.atan2(float(d[0]), -float(d[1])))


class FlipGuard:
    """Rejects single implausible detections: a torso that turns over within a few frames.

    In dark or low-contrast video the pose model sometimes returns an upside-down or mirrored
    skeleton for a frame or two. A real body does not rotate its trunk by more than
    ``MAX_TURN_DEG`` in ``WINDOW_S``; such a detection is dropped (the frame counts as "nobody"
    and the smoother bridges it). If the new orientation persists for ``ACCEPT_AFTER_S`` it is
    real (the person lay down) and is accepted.
    """

    MAX_TURN_DEG = 75.0
    WINDOW_S = 0.5
    ACCEPT_AFTER_S = 0.6

    def __init__(self) -> None:
        self.angle = math.nan
        self.t_angle = math.nan
        self.t_first_reject = math.nan
        self.rejected = 0

    def accept(self, t: float, image_xyzv: np.ndarray, size: tuple[int, int]) -> bool:
        a = _torso_angle_deg(image_xyzv, size)
        if math.isnan(a):
            return True
        if math.isnan(self.angle) or t - self.t_angle > self.WINDOW_S:
            self.angle, self.t_angle, self.t_first_reject = a, t, math.nan
            return True
        turn = abs((a - self.angle + 180.0) % 360.0 - 180.0)
        if turn <= self.MAX_TURN_DEG:
            self.angle, self.t_angle, self.t_first_reject = a, t, math.nan
            return True
        if math.isnan(self.t_first_reject):
            self.t_first_reject = t
        if t - self.t_first_reject >= self.ACCEPT_AFTER_S:
            self.angle, self.t_angle, self.t_first_reject = a, t, math.nan
            return True
        self.rejected += 1
        return False


def view_of(body: Body) -> str:
    """front / side / oblique.

    With world landmarks (camera-aligned, metres): the shoulder line's turn away from the
    image plane (< 30 deg front, > 60 deg side), which a leaning trunk does not disturb.
    Otherwise from the image: shoulder width against trunk length.
    """
    if body.world_m is not None:
        v = body.world_m[11] - body.world_m[12]
        if np.isfinite(v).all() and float(np.hypot(v[0], v[2])) > 1e-6:
            turn = math.degrees(math.atan2(abs(float(v[2])), abs(float(v[0]))))
            return "front" if turn < 30.0 else ("side" if turn > 60.0 else "oblique")
    img = body.img_px
    ls, rs, lh, rh = img[11], img[12], img[23], img[24]
    ok = np.isfinite(np.stack([ls, rs, lh, rh])).all(1)
    if not ok.all():
        # One side hidden behind the other: the camera sees the person side-on.
        return "side" if (ok[0] != ok[1] and (ok[2] or ok[3])) else "unknown"
    width = float(np.linalg.norm(ls - rs))
    trunk = float(np.linalg.norm((ls + rs) / 2 - (lh + rh) / 2))
    if trunk < 1e-9:
        return "unknown"
    r = width / trunk
    return "front" if r >= 0.55 else ("side" if r <= 0.3 else "oblique")
