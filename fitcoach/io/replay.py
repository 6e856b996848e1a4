"""Random access to the images of a replayed input, for display (pause, step, seek).

The analysis reads its input once, in order (`run.analyze`); the replay view needs the image
of any frame it shows, so it opens the input a second time here. Sequential reads stay cheap
(one decode per frame); a seek backwards or far ahead repositions the decoder. Landmark
recordings have no images: `image()` returns None and the view draws on a blank canvas.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from fitcoach.core.errors import InputError
from fitcoach.io.native import native_stderr_quiet

SEEK_AHEAD = 30  # frames: nearer than this, decode forward instead of repositioning


class FrameReader:
    def __init__(self, path: str | Path) -> None:
        from fitcoach.io.sources import IMAGE_EXTS

        self.path = Path(path)
        self._cap = None
        self._files: list[Path] | None = None
        self._next = 0
        self._last: tuple[int, np.ndarray] | None = None
        if self.path.suffix.lower() == ".npz":
            self.kind = "landmarks"
        elif self.path.is_dir():
            self.kind = "images"
            self._files = sorted(p for p in self.path.iterdir() if p.suffix.lower() in IMAGE_EXTS)
        else:
            import cv2

            self.kind = "video"
            with native_stderr_quiet():
                self._cap = cv2.VideoCapture(str(self.path))
            if not self._cap.isOpened():
                raise InputError(f"{path}: not a readable video (OpenCV could not open it)")

    def image(self, index: int) -> np.ndarray | None:
        """BGR image of frame `index` (as numbered by the source), or None if there is none."""
        if self.kind == "landmarks" or index < 0:
            return None
        if self._last is not None and self._last[0] == index:
            return self._last[1]
        if self.kind == "images":
            import cv2

            if index >= len(self._files):
                return None
            img = cv2.imread(str(self._files[index]))
        else:
            import cv2

            if not (self._next <= index < self._next + SEEK_AHEAD):
                self._cap.set(cv2.CAP_PROP_POS_FRAMES, index)
                self._next = index
            img = None
            while self._next <= index:
                ok, img = self._cap.read()
                self._next += 1
                if not ok:
                    return None
        if img is not None:
            self._last = (index, img)
        return img

    def close(self) -> None:
        if self._cap is not None:
            self._cap.release()
