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
import threading
from pathlib import Path

import numpy as np

from fitcoach.core.models import pose_model_path
from fitcoach.core.people import (FakePose, PersonTracker, PoseBackend,  # noqa: F401  (re-exported)
                                 PoseCandidate, people_count)
from fitcoach.io.native import native_stderr_quiet as _native_stderr_quiet


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
        # > 1): a one-person landmarker on every frame; every `check_every` frames the `num_poses`
        # landmarker looks too, on its own thread beside the next frames (it costs more than a
        # one-person frame, and the second core is otherwise idle). Its answer is read exactly
        # CHECK_LAG frames later, waiting for it if need be, so the same input always gives the
        # same output whatever the threads' timing. Whenever the person jumps or vanishes it looks
        # too (the same way, at most once per check_every frames; meanwhile the PersonTracker holds
        # on to the exerciser it had). When it
        # sees more than one person (`people_count`: the same person returned twice counts once)
        # every frame is analysed by it, on this thread, until it has seen one person for `calm_s`.
        self.check_every = check_every if num_poses > 1 else 0
        self.calm_s = calm_s
        self._landmarker = make(1 if self.check_every else num_poses)
        self._multi = make(num_poses) if self.check_every else None
        self._checker = _Checker(self._multi) if self._multi is not None else None
        self._pending: tuple[int, float] | None = None  # (frame number, t_s) of the check in flight
        self._recheck = False  # the person jumped or vanished while a check was in flight
        self._jump_window = -1  # the check_every window of the last jump-triggered look
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
        if self._pending is not None and self._frames - self._pending[0] >= CHECK_LAG:
            self._collect()
        if t_s < self._multi_until:  # others are in view: look for all of them on every frame
            return self._check(image, t_ms, t_s)
        out = self._candidates(self._run(self._landmarker, image, t_ms))
        c = out[0].center() if out else None
        last, self._last_center = self._last_center, c
        jumped = (c is None) != (last is None) or (
            c is not None and last is not None and math.hypot(c[0] - last[0], c[1] - last[1]) > 0.15)
        window = self._frames // self.check_every
        if jumped and window != self._jump_window:
            # at most one jump-triggered look per check_every frames: a person flickering in and out
            # of detection (108 jumps in one 450-frame clip) is one question, not a hundred; the
            # periodic look answers it again at the window's end
            self._jump_window = window
            self._recheck = True
        if (self._recheck or self._frames % self.check_every == 0) and self._pending is None:
            self._recheck = False
            self.checks += 1
            self._pending = (self._frames, t_s)
            self._checker.submit(image, t_ms)
        return out

    def _collect(self) -> None:
        """Wait for the check in flight; when it saw others, analyse every frame with them."""
        _frame, t_checked = self._pending
        self._pending = None
        if people_count(self._candidates(self._checker.collect())) > 1:
            self._multi_until = t_checked + self.calm_s

    def _check(self, image, t_ms: int, t_s: float) -> list[PoseCandidate]:
        if self._pending is not None:  # one user of the multi-person landmarker at a time
            self._collect()
        self.checks += 1
        out = self._candidates(self._run(self._multi, image, t_ms))
        if people_count(out) > 1:
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
        if self._checker is not None:
            self._checker.close()
        self._landmarker.close()
        if self._multi is not None:
            self._multi.close()


CHECK_LAG = 3  # frames between handing a periodic check to its thread and reading its answer


class _Checker:
    """Runs one landmarker call at a time on its own thread: `submit`, then `collect` the result
    (or the exception it raised). The landmarker is used only by this thread between the two."""

    def __init__(self, landmarker) -> None:
        self._landmarker = landmarker
        self._quiet = True  # its first inference logs too (feedback tensors)
        self._cond = threading.Condition()
        self._job = None
        self._done = True
        self._result = None
        self._error: BaseException | None = None
        self._closed = False
        self._thread = threading.Thread(target=self._loop, name="fitcoach-person-check", daemon=True)
        self._thread.start()

    def submit(self, image, t_ms: int) -> None:
        with self._cond:
            self._job, self._done, self._result, self._error = (image, t_ms), False, None, None
            self._cond.notify_all()

    def collect(self):
        with self._cond:
            while not self._done:
                self._cond.wait()
            if self._error is not None:
                raise self._error
            return self._result

    def close(self) -> None:
        with self._cond:
            while not self._done:  # never close the landmarker under a running call
                self._cond.wait()
            self._closed = True
            self._cond.notify_all()
        self._thread.join()

    def _loop(self) -> None:
        while True:
            with self._cond:
                while self._job is None and not self._closed:
                    self._cond.wait()
                if self._closed:
                    return
                (image, t_ms), self._job = self._job, None
            try:
                if self._quiet:
                    self._quiet = False
                    with _native_stderr_quiet():
                        result = self._landmarker.detect_for_video(image, t_ms)
                else:
                    result = self._landmarker.detect_for_video(image, t_ms)
                error = None
            except BaseException as e:  # handed to the analysis thread by collect()
                result, error = None, e
            with self._cond:
                self._result, self._error, self._done = result, error, True
                self._cond.notify_all()


def _to_rgb(image_bgr: np.ndarray) -> np.ndarray:
    """The RGB copy MediaPipe takes: OpenCV's conversion (0.2 ms at 1280x720) rather than a
    reversed numpy view made contiguous (2.6 ms); the same bytes."""
    import cv2

    if image_bgr.ndim == 3 and image_bgr.shape[2] == 3 and image_bgr.dtype == np.uint8:
        return cv2.cvtColor(image_bgr, cv2.COLOR_BGR2RGB)
    return np.ascontiguousarray(image_bgr[:, :, ::-1])


