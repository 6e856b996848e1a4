"""Pose backends: MediaPipe PoseLandmarker (VIDEO mode) and a fake for tests.

The landmarker is created by, and only used on, the analysis thread (MediaPipe releases the
GIL in native code, so a thread is enough). The engine owns the timestamps: it passes the
frame's ``t_s`` converted to whole milliseconds and forced to increase strictly, because VIDEO
mode rejects a timestamp that does not.

"No person" is a normal result (an empty candidate list). With several people in frame the
`PersonTracker` follows the one it started with (the exerciser), not whoever is biggest in
one frame.

Frames are never mirrored before inference: left and right would swap. Mirror in the view.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

import numpy as np

from fitcoach.core.models import pose_model_path
from fitcoach.core.native import native_stderr_quiet as _native_stderr_quiet


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


class MediaPipePose:
    """MediaPipe Tasks PoseLandmarker in VIDEO mode."""

    def __init__(
        self,
        variant: str = "full",
        num_poses: int = 2,
        model_path: Path | None = None,
        min_detection_confidence: float = 0.5,
        min_tracking_confidence: float = 0.5,
        check_every: int = 0,
        calm_s: float = 2.0,
    ) -> None:
        import mediapipe as mp  # imported here: the core must load without MediaPipe for replays
        from mediapipe.tasks.python import BaseOptions, vision

        self._mp = mp
        self.variant = variant
        self.name = f"mediapipe-{variant}"
        path = model_path or pose_model_path(variant)

        def make(n: int):
            options = vision.PoseLandmarkerOptions(
                base_options=BaseOptions(model_asset_path=str(path)),
                running_mode=vision.RunningMode.VIDEO,
                num_poses=n,
                min_pose_detection_confidence=min_detection_confidence,
                min_pose_presence_confidence=min_detection_confidence,
                min_tracking_confidence=min_tracking_confidence,
            )
            with _native_stderr_quiet():
                return vision.PoseLandmarker.create_from_options(options)

        # "one person per frame plus a periodic check for others" (check_every > 0 and num_poses
        # > 1): a one-person landmarker on every frame; every `check_every` frames, and whenever
        # its person jumps or vanishes, the `num_poses` landmarker looks too. When that one sees
        # more than one person it analyses every frame until it has seen one person for `calm_s`.
        self.check_every = check_every if num_poses > 1 else 0
        self.calm_s = calm_s
        self._landmarker = make(1 if self.check_every else num_poses)
        self._multi = make(num_poses) if self.check_every else None
        self._multi_until = -math.inf
        self._frames = 0
        self._last_center: tuple[float, float] | None = None
        self.checks = 0  # calls of the multi-person landmarker (for the bench)
        self._last_ms = -1
        self._quiet_calls = 2  # the first inferences also log (delegate, feedback tensors)

    def detect(self, image_bgr: np.ndarray, t_s: float) -> list[PoseCandidate]:
        t_ms = int(round(t_s * 1000.0))
        if t_ms <= self._last_ms:
            t_ms = self._last_ms + 1
        self._last_ms = t_ms
        rgb = _to_rgb(image_bgr)
        image = self._mp.Image(image_format=self._mp.ImageFormat.SRGB, data=rgb)
        if self._multi is None:
            return self._candidates(self._run(self._landmarker, image, t_ms))
        self._frames += 1
        if t_s < self._multi_until:  # others are in view: look for all of them on every frame
            return self._check(image, t_ms, t_s)
        out = self._candidates(self._run(self._landmarker, image, t_ms))
        c = out[0].center() if out else None
        last, self._last_center = self._last_center, c
        jumped = (c is None) != (last is None) or (
            c is not None and last is not None and math.hypot(c[0] - last[0], c[1] - last[1]) > 0.15)
        if jumped or self._frames % self.check_every == 0:
            multi = self._check(image, t_ms, t_s)
            if len(multi) > 1:
                return multi
        return out

    def _check(self, image, t_ms: int, t_s: float) -> list[PoseCandidate]:
        self.checks += 1
        out = self._candidates(self._run(self._multi, image, t_ms))
        if len(out) > 1:
            self._multi_until = t_s + self.calm_s
        return out

    def _run(self, landmarker, image, t_ms: int):
        if self._quiet_calls > 0:
            self._quiet_calls -= 1
            with _native_stderr_quiet():
                return landmarker.detect_for_video(image, t_ms)
        return landmarker.detect_for_video(image, t_ms)

    def _candidates(self, result) -> list[PoseCandidate]:
        out = []
        for k, lms in enumerate(result.pose_landmarks):
            img = np.array(
                [(lm.x, lm.y, lm.z, lm.visibility if lm.visibility is not None else 0.0) for lm in lms],
                dtype=np.float32,
            )
            world = None
            if k < len(result.pose_world_landmarks):
                world = np.array([(lm.x, lm.y, lm.z) for lm in result.pose_world_landmarks[k]], dtype=np.float32)
            np.clip(img[:, 3], 0.0, 1.0, out=img[:, 3])
            out.append(PoseCandidate(img, world))
        return out

    def close(self) -> None:
        self._landmarker.close()
        if self._multi is not None:
            self._multi.close()


def _to_rgb(image_bgr: np.ndarray) -> np.ndarray:
    """The RGB copy MediaPipe takes: OpenCV's conversion (0.2 ms at 1280x720) rather than a
    reversed numpy view made contiguous (2.6 ms); the same bytes."""
    import cv2

    if image_bgr.ndim == 3 and image_bgr.shape[2] == 3 and image_bgr.dtype == np.uint8:
        return cv2.cvtColor(image_bgr, cv2.COLOR_BGR2RGB)
    return np.ascontiguousarray(image_bgr[:, :, ::-1])


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
