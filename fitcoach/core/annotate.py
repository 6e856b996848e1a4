"""`--annotate OUT.mp4`: the skeleton, rep counter, phase and driver angle drawn on the video.

Runs on the analysis thread with the frame the result came from, so the overlay is never
out of step. Landmark recordings (no image) are drawn on a dark canvas of their frame size.
"""

from __future__ import annotations

import math
from pathlib import Path

import cv2
import numpy as np

from fitcoach.core.errors import InputError
from fitcoach.core.exercises import Exercise
from fitcoach.core.landmarks import SKELETON_EDGES
from fitcoach.core.pipeline import FrameResult
from fitcoach.core.sources import Frame


def draw_overlay(img: np.ndarray, res: FrameResult, ex: Exercise) -> None:
    """Draw skeleton and HUD onto `img` (BGR, modified in place)."""
    draw_skeleton(img, res)
    h, w = img.shape[:2]
    _draw_text_hud(img, res, ex, w, h)


def draw_skeleton(img: np.ndarray, res: FrameResult) -> None:
    """The skeleton only (the desktop app draws its text with Qt, which renders Korean)."""
    h, w = img.shape[:2]
    lm = res.image_xyzv
    if lm is not None:
        pts = np.column_stack([lm[:, 0] * w, lm[:, 1] * h])
        ok = np.isfinite(pts).all(1) & (lm[:, 3] >= 0.5)
        pred = res.predicted if res.predicted is not None else np.zeros(33, bool)
        for a, b in SKELETON_EDGES:
            if ok[a] and ok[b]:
                color = (0, 200, 255) if (pred[a] or pred[b]) else (80, 255, 80)
                cv2.line(img, tuple(int(v) for v in pts[a]), tuple(int(v) for v in pts[b]), color, 2, cv2.LINE_AA)
        for i in np.flatnonzero(ok):
            cv2.circle(img, (int(pts[i, 0]), int(pts[i, 1])), 3, (255, 255, 255), -1, cv2.LINE_AA)


def _draw_text_hud(img: np.ndarray, res: FrameResult, ex: Exercise, w: int, h: int) -> None:
    scale = max(0.5, min(w, h) / 700)
    lines = [ex.name.en]
    if ex.kind == "reps":
        lines.append(f"reps {res.reps}" + (f"  partial {res.partial_reps}" if res.partial_reps else ""))
        unit = "deg" if ex.driver and ex.driver.unit == "deg" else ""
        val = "--" if math.isnan(res.driver_value) else f"{res.driver_value:.0f} {unit}"
        lines.append(f"{res.phase}  {ex.driver.metric if ex.driver else ''} {val}")
    else:
        lines.append(f"hold {res.hold_s:.1f} s  {'in position' if res.phase == 'hold' else 'not in position'}")
    if res.status == "no_person":
        lines.append("nobody in frame")
    elif res.status == "body_not_visible":
        lines.append("step back: whole body not visible")
    y = int(30 * scale)
    for text in lines:
        cv2.putText(img, text, (10, y), cv2.FONT_HERSHEY_SIMPLEX, 0.8 * scale, (0, 0, 0), int(4 * scale), cv2.LINE_AA)
        cv2.putText(img, text, (10, y), cv2.FONT_HERSHEY_SIMPLEX, 0.8 * scale, (255, 255, 255), max(1, int(2 * scale)), cv2.LINE_AA)
        y += int(32 * scale)


class Annotator:
    def __init__(self, path: str | Path, frame_size: tuple[int, int], fps: float, ex: Exercise,
                 text_renderer=None) -> None:
        # text_renderer(img, text, (x, y), height_px): draws non-ASCII text (Korean cues); OpenCV's
        # own fonts are ASCII-only. Supplied by the caller (e.g. Qt), so the core stays Qt-free.
        self.text_renderer = text_renderer
        self._cue = None
        self.path = Path(path)
        self.size = frame_size
        self.ex = ex
        self._w = cv2.VideoWriter(str(self.path), cv2.VideoWriter_fourcc(*"mp4v"), float(fps), frame_size)
        if not self._w.isOpened():
            raise InputError(f"{path}: cannot write a video here")

    def write(self, frame: Frame, res: FrameResult, cue=None) -> None:
        if frame.image_bgr is not None:
            img = frame.image_bgr.copy()
        else:
            img = np.full((self.size[1], self.size[0], 3), 32, dtype=np.uint8)
        draw_overlay(img, res, self.ex)
        if cue is not None:
            self._cue = cue
        if self._cue is not None and frame.t_s <= self._cue.t_s + max(1.5, self._cue.duration_s):
            self._draw_cue(img, self._cue.text)
        self._w.write(img)

    def _draw_cue(self, img: np.ndarray, text: str) -> None:
        h, w = img.shape[:2]
        px = max(18, int(min(w, h) / 14))
        y = h - int(px * 0.8)
        cv2.rectangle(img, (0, y - int(px * 1.3)), (w, h), (0, 0, 0), -1)
        if text.isascii() or self.text_renderer is None:
            scale = px / 30.0
            shown, color = (text, (80, 220, 255)) if text.isascii() else ("(cue: no font renderer)", (160, 160, 160))
            cv2.putText(img, shown, (12, y), cv2.FONT_HERSHEY_SIMPLEX, scale, color, max(1, int(2 * scale)), cv2.LINE_AA)
        else:
            self.text_renderer(img, text, (12, y - px), px)

    def close(self) -> None:
        self._w.release()
