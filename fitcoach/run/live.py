"""Live runner: a camera thread feeding the analysis thread through a latest-wins slot.

Threads: the *capture* thread only grabs frames (and stamps their time); the *analysis* thread
(the caller of `run`) creates the pose backend, runs `Pipeline.step` (the frame loop of
`fitcoach.run`) and hands each result to a callback. If analysis is slower than the camera, older frames are dropped — never queued — and
every drop is counted in `LiveStats.dropped`, so latency stays one frame.
"""

from __future__ import annotations

import logging
import threading
from dataclasses import dataclass
from typing import Callable

from fitcoach.core.exercises import Exercise
from fitcoach.core.pipeline import FrameResult, Pipeline
from fitcoach.core.people import PoseBackend
from fitcoach.core.frame import Frame, FrameSource

log = logging.getLogger(__name__)


class LatestSlot:
    """One-slot mailbox: `put` replaces what is there (counting the drop), `get` waits."""

    def __init__(self) -> None:
        self._cond = threading.Condition()
        self._item: Frame | None = None
        self._closed = False
        self.dropped = 0

    def put(self, item: Frame) -> None:
        """Replace what is in the slot with `item` (a frame not yet taken counts as dropped)."""
        with self._cond:
            if self._item is not None:
                self.dropped += 1
            self._item = item
            self._cond.notify()

    def close(self) -> None:
        """Wake every waiting `get`; after this `get` returns what is left, then None."""
        with self._cond:
            self._closed = True
            self._cond.notify_all()

    def get(self, timeout: float | None = None) -> Frame | None:
        """The newest item, waiting up to `timeout` s for one; None on timeout or when closed."""
        with self._cond:
            while self._item is None and not self._closed:
                if not self._cond.wait(timeout):
                    return None
            item, self._item = self._item, None
            return item


@dataclass
class LiveStats:
    """What a live run saw: frames grabbed, analysed and dropped, and the capture error if any."""

    grabbed: int = 0
    analysed: int = 0
    dropped: int = 0
    error: str | None = None


class LiveRunner:
    """A camera through the one frame loop (`fitcoach.run`): a capture thread and a latest-wins
    slot (`run.frames.LatestWins`) feeding the runner on the caller's thread, `on_result(res,
    frame)` for every analysed frame. `stop()` ends it like the end of the input (the pipeline
    finishes: a rep in progress is closed)."""

    def __init__(
        self,
        source: FrameSource,
        exercise: Exercise,
        backend_factory: Callable[[], PoseBackend],
        on_result: Callable[[FrameResult, Frame], None],
        scorer=None,
    ) -> None:
        from fitcoach.run.frames import LatestWins
        from fitcoach.run.runner import Runner
        from fitcoach.run.sinks import CallbackSink

        self.source = source
        self.stats = LiveStats()
        self.frames = LatestWins(source, on_stop=source.close, reraise=False)
        self._runner = Runner(source, exercise, [CallbackSink(on_result, with_frame=True)], backend_factory,
                              scorer, frames=self.frames)

    @property
    def _capture(self) -> threading.Thread:
        return self.frames.thread

    def stop(self) -> None:
        """End the run as the end of the input would (the pipeline finishes)."""
        self.frames.stop()

    def run(self) -> Pipeline:
        """Run until the source ends or `stop()` is called; returns the pipeline (with reps)."""
        try:
            ctx = self._runner.run()
        finally:
            self.stats.grabbed, self.stats.dropped = self.frames.grabbed, self.frames.dropped
            self.stats.analysed = self.frames.taken
            if self.frames.error is not None:
                self.stats.error = f"capture failed: {self.frames.error}"
        return ctx.pipe
