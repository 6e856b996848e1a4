"""The people a pose backend sees (`PoseCandidate`), the backend protocol (`PoseBackend`), and
the `PersonTracker` that keeps following the exerciser when others are in frame.

"No person" is a normal result (an empty candidate list). With several people in frame the
tracker follows the one it started with (the exerciser), not whoever is biggest in one frame.
The MediaPipe backend is I/O and lives in `fitcoach.io.pose`; `FakePose` is the test double.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Protocol

import numpy as np


@dataclass(frozen=True, slots=True)
class PoseCandidate:
    image_xyzv: np.ndarray  # float32 (33, 4)
    world_xyz_m: np.ndarray | None  # float32 (33, 3)

    def bbox(self) -> tuple[float, float, float, float]:
        v = self.image_xyzv
        ok = np.isfinite(v[:, 0]) & (v[:, 3] > 0.3)
        if not ok.any():
            ok = np.isfinite(v[:, 0])
        xs, ys = v[ok, 0], v[ok, 1]
        return float(xs.min()), float(ys.min()), float(xs.max()), float(ys.max())

    def center(self) -> tuple[float, float]:
        # Mid-hip and mid-shoulder: stable under arm and leg motion.
        pts = self.image_xyzv[[11, 12, 23, 24], :2]
        pts = pts[np.isfinite(pts).all(1)]
        if len(pts) == 0:
            x0, y0, x1, y1 = self.bbox()
            return (x0 + x1) / 2, (y0 + y1) / 2
        return float(pts[:, 0].mean()), float(pts[:, 1].mean())


class PoseBackend(Protocol):
    name: str

    def detect(self, image_bgr: np.ndarray, t_s: float) -> list[PoseCandidate]: ...

    def close(self) -> None: ...


class FakePose:
    """Returns queued candidates per call (for tests of the pipeline without a model)."""

    name = "fake"

    def __init__(self, per_frame: list[list[PoseCandidate]]) -> None:
        self.per_frame = per_frame
        self.calls = 0

    def detect(self, image_bgr: np.ndarray, t_s: float) -> list[PoseCandidate]:
        out = self.per_frame[self.calls] if self.calls < len(self.per_frame) else []
        self.calls += 1
        return out

    def close(self) -> None:
        pass


class PersonTracker:
    """Chooses which detected person is the exerciser, consistently over time.

    The first choice is the most completely visible person (sum of visibilities, then size);
    after that, the candidate closest to where the exerciser was is kept, as long as it is
    within ``max_jump`` (normalised units) plus half a frame width per second unseen. After
    ``lost_after_s`` without a match the exerciser is re-acquired.
    """

    def __init__(self, max_jump: float = 0.15, lost_after_s: float = 1.5) -> None:
        self.max_jump = max_jump
        self.lost_after_s = lost_after_s
        self._center: tuple[float, float] | None = None
        self._t_seen = -math.inf
        self.switches = 0

    def choose(self, t_s: float, candidates: list[PoseCandidate]) -> PoseCandidate | None:
        if not candidates:
            return None
        if self._center is None or t_s - self._t_seen > self.lost_after_s:
            best = max(candidates, key=_presence_score)
            if self._center is not None:
                self.switches += 1
        else:
            cx, cy = self._center
            dists = [math.hypot(c.center()[0] - cx, c.center()[1] - cy) for c in candidates]
            k = int(np.argmin(dists))
            allowed = self.max_jump + 0.5 * (t_s - self._t_seen)  # plus half a frame width per second unseen
            if dists[k] > allowed:
                return None  # the exerciser is not among the detections this frame
            best = candidates[k]
        self._center = best.center()
        self._t_seen = t_s
        return best


def _presence_score(c: PoseCandidate) -> tuple[float, float]:
    vis = c.image_xyzv[:, 3]
    x0, y0, x1, y1 = c.bbox()
    return float(np.nansum(vis)), (x1 - x0) * (y1 - y0)


SAME_PERSON_IOU = 0.5  # two skeletons whose boxes overlap this much (intersection over union) are one person


def people_count(candidates: list[PoseCandidate]) -> int:
    """How many different people the candidates are. A landmarker asked for several people
    sometimes returns the same person twice (a fresh detection after a gap: two skeletons whose
    boxes nearly coincide, IoU ~0.95 where it was seen); such a pair counts once."""
    boxes: list[tuple[float, float, float, float]] = []
    for c in candidates:
        b = c.bbox()
        if all(_iou(b, o) < SAME_PERSON_IOU for o in boxes):
            boxes.append(b)
    return len(boxes)


def _iou(a: tuple[float, float, float, float], b: tuple[float, float, float, float]) -> float:
    w = min(a[2], b[2]) - max(a[0], b[0])
    h = min(a[3], b[3]) - max(a[1], b[1])
    if w <= 0 or h <= 0:
        return 0.0
    inter = w * h
    union = (a[2] - a[0]) * (a[3] - a[1]) + (b[2] - b[0]) * (b[3] - b[1]) - inter
    return inter / union if union > 0 else 0.0
