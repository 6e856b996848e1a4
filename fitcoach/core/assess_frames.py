"""What an assessment reads: one person's smoothed frames, and how fit a frame is to measure.

`person_frames` reads any source (a photo, a video, an image folder, a camera or a landmark
recording) through the person tracker, the flip guard and the One-Euro smoother into
`Snapshot`s. The rest says how much a measurement on them can be trusted: the landmarks'
visibility (`mean_visibility`), the spread of several frames (`robust_spread`, MAD), how far
the camera is off square to the body (`off_square`), and whether the view is the one asked
for (`check_view`). Posture is `fitcoach.core.assess`, range of motion `fitcoach.core.assess_rom`.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from fitcoach.core.errors import InputError
from fitcoach.core.filters import LandmarkSmoother
from fitcoach.core.landmarks import INDEX
from fitcoach.core.metrics import Body
from fitcoach.core.pipeline import FlipGuard, view_of
from fitcoach.core.people import PersonTracker


@dataclass
class Snapshot:
    """One frame of one person: smoothed landmarks and what they are made of."""

    t_s: float
    image_xyzv: np.ndarray  # (33, 4) normalised
    world_m: np.ndarray | None
    body: Body


def person_frames(source, backend=None, min_visibility: float = 0.5, smooth: bool = True) -> list[Snapshot]:
    """All frames where a person is seen (smoothed unless single stills)."""
    smoother = LandmarkSmoother(min_visibility=min_visibility)
    tracker, guard = PersonTracker(), FlipGuard()
    out = []
    size = source.frame_size
    try:
        for frame in source:
            if frame.image_xyzv is not None:
                img, world = frame.image_xyzv, frame.world_xyz_m
                if not np.isfinite(img[:, :2]).any():
                    img = None
            else:
                if backend is None:
                    raise InputError(f"{source.name}: needs the pose model (frames are images)")
                cand = tracker.choose(frame.t_s, backend.detect(frame.image_bgr, frame.t_s))
                img, world = (cand.image_xyzv, cand.world_xyz_m) if cand is not None else (None, None)
                size = (frame.image_bgr.shape[1], frame.image_bgr.shape[0])
            if img is not None and not guard.accept(frame.t_s, img, size):
                img = None
            if smooth:
                sm = smoother.step(frame.t_s, img, world)
                img_s, world_s = sm.image_xyzv, sm.world_xyz_m
            else:
                img_s, world_s = img, world
            if img_s is None or not np.isfinite(img_s[:, 0]).any():
                continue
            body = Body.from_landmarks(img_s, size, world_s, min_visibility)
            out.append(Snapshot(frame.t_s, img_s, world_s, body))
    finally:
        source.close()
    return out


def mean_visibility(img: np.ndarray, names: list[str]) -> float:
    """Mean visibility of the named landmarks in `img` (33, 4); 0 when none is known."""
    v = [float(img[INDEX[n], 3]) for n in names if np.isfinite(img[INDEX[n], 3])]
    return float(np.mean(v)) if v else 0.0


def robust_spread(x: np.ndarray) -> float:
    """The median absolute deviation scaled to a standard deviation (1.4826 x MAD); 0 for one value."""
    return float(np.median(np.abs(x - np.median(x)))) * 1.4826 if len(x) > 1 else 0.0


def off_square(s: Snapshot, view: str) -> float:
    """How far (deg) the camera is from square to the body for this view."""
    img = s.body.img_px
    ls, rs, lh, rh = (img[INDEX[n]] for n in ("left_shoulder", "right_shoulder", "left_hip", "right_hip"))
    if view == "front":
        z = s.image_xyzv[[INDEX["left_shoulder"], INDEX["right_shoulder"]], 2]
        x = s.image_xyzv[[INDEX["left_shoulder"], INDEX["right_shoulder"]], 0]
        if np.isfinite(z).all() and np.isfinite(x).all() and abs(x[0] - x[1]) > 1e-6:
            return math.degrees(math.atan2(abs(float(z[0] - z[1])), abs(float(x[0] - x[1]))))
        return 45.0
    # side: the visible shoulder width against the trunk (0 when exactly side-on)
    if not (np.isfinite(ls).all() and np.isfinite(rs).all()):
        return 0.0
    trunk = [float(np.linalg.norm(a - b)) for a, b in ((ls, lh), (rs, rh)) if np.isfinite(a).all() and np.isfinite(b).all()]
    if not trunk:
        return 45.0
    r = float(np.linalg.norm(ls - rs)) / max(trunk)
    return math.degrees(math.asin(min(1.0, r / 0.75)))


def check_view(frames: list[Snapshot], want: str, name: str) -> None:
    """InputError when most frames show the other view (a front photo given as the side one)."""
    views = [view_of(s.body) for s in frames]
    known = [v for v in views if v != "unknown"]
    if not known:
        return
    top = max(set(known), key=known.count)
    if want == "side" and top == "front":
        raise InputError(f"{name}: this looks like a front view (shoulders square to the camera); "
                         "the side photo must show the person side-on")
    if want == "front" and top == "side":
        raise InputError(f"{name}: this looks like a side view; the front photo must show the person facing the camera")
