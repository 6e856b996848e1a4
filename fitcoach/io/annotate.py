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
from fitcoach.core.frame import Frame


def draw_overlay(img: np.ndarray, res: FrameResult, ex: Exercise) -> None:
    """Draw skeleton and HUD onto `img` (BGR, modified in place)."""
    draw_skeleton(img, res)
    h, w = img.shape[:2]
    _draw_text_hud(img, res, ex, w, h)


def draw_skeleton(img: np.ndarray, res: FrameResult) -> None:
    """The skeleton only (the desktop app draws its text with Qt, which renders Korean).

    Landmarks may lie anywhere (MediaPipe reports some off-frame; a damaged input may say
    1e30): non-finite points are skipped, and every bone is clipped to the frame in floating
    point before it becomes OpenCV's int coordinates, so nothing overflows and a bone that
    leaves the frame keeps its direction.
    """
    h, w = img.shape[:2]
    lm = res.image_xyzv
    if lm is not None:
        pts = np.column_stack([lm[:, 0].astype(np.float64) * w, lm[:, 1].astype(np.float64) * h])
        ok = np.isfinite(pts).all(1) & (lm[:, 3] >= 0.5)
        pred = res.predicted if res.predicted is not None else np.zeros(33, bool)
        for a, b in SKELETON_EDGES:
            if ok[a] and ok[b]:
                seg = clip_segment(pts[a], pts[b], w, h)
                if seg is None:
                    continue
                color = (0, 200, 255) if (pred[a] or pred[b]) else (80, 255, 80)
                cv2.line(img, seg[0], seg[1], color, 2, cv2.LINE_AA)
        inside = ok & (pts[:, 0] >= 0) & (pts[:, 0] < w) & (pts[:, 1] >= 0) & (pts[:, 1] < h)
        for i in np.flatnonzero(inside):
            cv2.circle(img, (int(pts[i, 0]), int(pts[i, 1])), 3, (255, 255, 255), -1, cv2.LINE_AA)


def clip_segment(p: np.ndarray, q: np.ndarray, w: int, h: int, margin: float = 4.0):
    """The part of segment p-q inside the frame (grown by `margin` px) as two int points, or
    None when none of it is (Liang-Barsky clipping; p and q finite, any magnitude). Exact when
    an end is near the frame; with both ends ~1e30 away float64 only keeps it inside."""
    if max(abs(float(p[0])), abs(float(p[1]))) > max(abs(float(q[0])), abs(float(q[1]))):
        p, q = q, p  # start from the end nearer the frame: its arithmetic stays exact
    x0, y0 = float(p[0]), float(p[1])
    dx, dy = float(q[0]) - x0, float(q[1]) - y0
    t0, t1 = 0.0, 1.0
    for step, dist in ((-dx, x0 + margin), (dx, w - 1 + margin - x0),
                       (-dy, y0 + margin), (dy, h - 1 + margin - y0)):
        if step == 0:
            if dist < 0:  # parallel to this edge and outside it
                return None
            continue
        t = dist / step
        if step < 0:
            t0 = max(t0, t)
        else:
            t1 = min(t1, t)
        if t0 > t1:
            return None

    def pixel(t: float) -> tuple[int, int]:  # clamped: rounding far away must not leave the frame
        return (int(round(min(max(x0 + t * dx, -margin), w - 1 + margin))),
                int(round(min(max(y0 + t * dy, -margin), h - 1 + margin))))

    return pixel(t0), pixel(t1)


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
        # 0600 whatever the umask: the file is created private before OpenCV writes into it
        # (see private_video_writer; chmod after creating would leave a window).
        from fitcoach.io.private_files import private_video_writer

        # A recording's frame rate is whatever its timestamps say (a 1e-9 s step is 1e9 fps);
        # the container takes 1-1000 fps, and the overlay's playback speed is all it changes.
        fps = min(1000.0, max(1.0, fps)) if math.isfinite(fps) else 30.0
        self._w = private_video_writer(self.path, "mp4v", fps, frame_size)
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
