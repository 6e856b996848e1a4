"""Live runner: a camera thread feeding the analysis thread through a latest-wins slot.

Threads: the *capture* thread only grabs frames (and stamps their time); the *analysis* thread
(the caller of `run`) creates the pose backend, runs `Pipeline.step` and hands each result to a
callback. If analysis is slower than the camera, older frames are dropped — never queued — and
every drop is counted in `LiveStats.dropped`, so latency stays one frame.
"""

from __future__ import annotations

import logging
import threading
from dataclasses import dataclass
from typing import Callable

from fitcoach.core.exercises import Exercise
from fitcoach.core.pipeline import FrameResult, Pipeline
from fitcoach.core.pose import PoseBackend
from fitcoach.core.sources import Frame, FrameSource

log = logging.getLogger(__name__)


class LatestSlot:
    """One-slot mailbox: `put` replaces what is there (counting the drop), `get` waits."""

    def __init__(self) -> None:
        self._cond = threading.Condition()
        self._item: Frame | None = None
        self._closed = False
        self.dropped = 0

    def put(self, item: Frame) -> None:
        with self._cond:
            if self._item is not None:
                self.dropped += 1
            self._item = item
            self._cond.notify()

    def close(self) -> None:
        with self._cond:
            self._closed = True
            self._cond.notify_all()

    def get(self, timeout: float | None = None) -> Frame | None:
        with self._cond:
            while self._item is None and not self._closed:
                if not self._cond.wait(timeout):
                    return None
            item, self._item = self._item, None
            return item


@dataclass
class LiveStats:
    grabbed: int = 0
    analysed: int = 0
    dropped: int = 0
    error: str | None = None


class LiveRunner:
    def __init__(
        self,
        source: FrameSource,
        exercise: Exercise,
        backend_factory: Callable[[], PoseBackend],
        on_result: Callable[[FrameResult, Frame], None],
        scorer=None,
    ) -> None:
        self.source = source
        self.scorer = scorer
        self.exercise = exercise
        self.backend_factory = backend_factory
        self.on_result = on_result
        self.slot = LatestSlot()
        self.stats = LiveStats()
        self._stop = threading.Event()
        self._capture = threading.Thread(target=self._capture_loop, name="capture", daemon=True)

    def _capture_loop(self) -> None:
        try:
            for frame in self.source:
                if self._stop.is_set():
                    break
                self.stats.grabbed += 1
                self.slot.put(frame)
        except Exception as exc:  # a worker's failure becomes a visible event, not silence
            self.stats.error = f"capture failed: {exc}"
            log.exception("capture thread failed")
        finally:
            self.slot.close()

    def stop(self) -> None:
        self._stop.set()
        self.source.close()

    def run(self) -> Pipeline:
        """Run until the source ends or `stop()` is called; returns the pipeline (with reps)."""
        backend = self.backend_factory()  # created on this (analysis) thread
        pipe = Pipeline(self.exercise, backend=backend, frame_size=self.source.frame_size, scorer=self.scorer)
        self._capture.start()
        try:
            while not self._stop.is_set():
                frame = self.slot.get(timeout=0.5)
                if frame is None:
                    if not self._capture.is_alive():
                        break
                    continue
                res = pipe.step(frame)
                self.stats.analysed += 1
                self.stats.dropped = self.slot.dropped
                self.on_result(res, frame)
            pipe.finish()
        finally:
            self.stop()
            self._capture.join(timeout=2.0)
            backend.close()
        return pipe
