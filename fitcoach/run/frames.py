"""Frame iterators: how frames reach the runner.

- `prefetched(source)`: a file, in order, nothing dropped; the decoding (OpenCV's read and
  colour handling) runs on its own thread beside the pose model, a few frames ahead.
- `paced(frames, speed)`: frames delivered at their own timestamps (a file played as a camera
  would deliver it); `speed` > 1 plays faster, for tests.
- `LatestWins(frames)`: live. A capture thread iterates the frames; the consumer always gets the
  newest one, and every frame it never took is counted in `dropped` (latency stays one frame).

Each iterator stops within one frame when its `cancel` event is set.
"""

from __future__ import annotations

import logging
import queue
import threading
import time
from typing import Iterable, Iterator

from fitcoach.core.frame import Frame

log = logging.getLogger(__name__)

_END = object()


class _Raised:
    def __init__(self, exc: BaseException) -> None:
        self.exc = exc


def prefetched(frames: Iterable[Frame], depth: int = 4, cancel: threading.Event | None = None) -> Iterator[Frame]:
    """`frames`, read on a helper thread up to `depth` frames ahead; same frames, same order.
    An exception raised while reading is re-raised here, after the frames read before it."""
    q: queue.Queue = queue.Queue(maxsize=max(1, depth))
    stop = threading.Event()

    def put(item) -> bool:
        while not stop.is_set():
            try:
                q.put(item, timeout=0.1)
                return True
            except queue.Full:
                continue
        return False

    def read() -> None:
        try:
            for f in frames:
                if not put(f):
                    return
        except BaseException as e:  # handed to the consumer, which raises it on its thread
            put(_Raised(e))
            return
        put(_END)

    t = threading.Thread(target=read, name="decode", daemon=True)
    t.start()
    try:
        while True:
            if cancel is not None and cancel.is_set():
                return
            try:
                item = q.get(timeout=0.1)
            except queue.Empty:
                continue
            if item is _END:
                return
            if isinstance(item, _Raised):
                raise item.exc
            yield item
    finally:
        stop.set()
        t.join(timeout=2.0)


def paced(frames: Iterable[Frame], speed: float = 1.0, cancel: threading.Event | None = None,
          clock=time.monotonic, sleep=time.sleep) -> Iterator[Frame]:
    """Each frame no earlier than its timestamp (divided by `speed`) after the first one."""
    t0 = None
    for f in frames:
        if t0 is None:
            t0 = clock() - f.t_s / speed
        wait = t0 + f.t_s / speed - clock()
        while wait > 0:
            if cancel is not None and cancel.wait(min(wait, 0.05)):
                return
            if cancel is None:
                sleep(wait)
            wait = t0 + f.t_s / speed - clock()
        if cancel is not None and cancel.is_set():
            return
        yield f


class LatestWins:
    """Iterate `frames` on a capture thread; yield the newest frame whenever the consumer is
    ready. `grabbed`, `taken`, `dropped` count frames; `grab_time` is the monotonic time at which
    the frame last yielded arrived (for frame-to-result latency)."""

    def __init__(self, frames: Iterable[Frame], cancel: threading.Event | None = None,
                 on_stop=None, reraise: bool = True) -> None:
        self._frames = frames
        self._cancel = cancel or threading.Event()
        self._stop = threading.Event()  # the consumer has finished (normal end or cancel)
        self._on_stop = on_stop  # e.g. the camera's close(), which unblocks a read
        self._cond = threading.Condition()
        self._item: tuple[Frame, float] | None = None
        self._done = False
        self.reraise = reraise  # False: a capture failure ends the frames (kept in `error`)
        self.error: BaseException | None = None
        self.grabbed = 0
        self.taken = 0
        self.dropped = 0
        self.grab_time = 0.0
        self._thread = threading.Thread(target=self._capture, name="capture", daemon=True)

    def _capture(self) -> None:
        try:
            for f in self._frames:
                if self._cancel.is_set() or self._stop.is_set():
                    break
                now = time.monotonic()
                with self._cond:
                    self.grabbed += 1
                    if self._item is not None:
                        self.dropped += 1
                    self._item = (f, now)
                    self._cond.notify()
        except BaseException as e:
            log.exception("capture thread failed")
            self.error = e
        finally:
            with self._cond:
                self._done = True
                self._cond.notify_all()

    def stop(self) -> None:
        """End the frames as the end of the input would (not a cancel: the run finishes)."""
        self._stop.set()
        if self._on_stop is not None:
            self._on_stop()

    @property
    def thread(self) -> threading.Thread:
        """The capture thread (started by iterating)."""
        return self._thread

    def __iter__(self) -> Iterator[Frame]:
        self._thread.start()
        try:
            while not self._cancel.is_set():
                with self._cond:
                    while self._item is None and not self._done and not self._cancel.is_set() \
                            and not self._stop.is_set():
                        self._cond.wait(0.1)
                    if self._item is None:
                        if self._done or self._stop.is_set():
                            break
                        continue
                    (f, self.grab_time), self._item = self._item, None
                    self.taken += 1
                yield f
            if self.error is not None and self.reraise:
                raise self.error
        finally:
            self._stop.set()
            if self._on_stop is not None:
                self._on_stop()
            self._thread.join(timeout=2.0)
