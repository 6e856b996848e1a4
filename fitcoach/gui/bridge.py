"""The seam between the Qt-free core and the GUI.

The analysis runs on a plain Python thread (`AnalysisRunner`, no Qt objects in it; it creates
the pose backend itself: the thread that uses a heavy object creates it). Results go into a
latest-wins slot plus a small queue of events that must not be lost (completed reps, cues, the
end); the GUI polls both from a ~30 Hz QTimer on its own thread, draws the overlay on the frame
the result came from and counts the frames it never showed (`dropped`). No Python object
crosses threads through a Qt signal. A failure in the worker becomes a message the GUI shows.
"""

from __future__ import annotations

import queue
import threading
import time

from fitcoach.core.cues import CueEngine
from fitcoach.core.pipeline import Pipeline


class AnalysisRunner:
    def __init__(self, source, exercise, backend_factory=None, scorer=None, lang: str = "en",
                 realtime: bool = False) -> None:
        self.source, self.exercise = source, exercise
        self.backend_factory, self.scorer, self.lang, self.realtime = backend_factory, scorer, lang, realtime
        self._latest = None
        self._lock = threading.Lock()
        self.events: queue.Queue = queue.Queue()  # ("cue", Cue) | ("done", Pipeline) | ("failed", str)
        self.produced = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="analysis", daemon=True)

    def start(self) -> None:
        self._thread.start()

    def stop(self, timeout: float = 5.0) -> None:
        self._stop.set()
        if self._thread.is_alive():
            self._thread.join(timeout)

    @property
    def alive(self) -> bool:
        return self._thread.is_alive()

    def take_latest(self):
        """The newest (FrameResult, Frame), or None if nothing new since the last call."""
        with self._lock:
            item, self._latest = self._latest, None
        return item

    def _run(self) -> None:
        backend = None
        try:
            if self.backend_factory is not None and self.source.kind != "landmarks":
                backend = self.backend_factory()
            pipe = Pipeline(self.exercise, backend=backend, frame_size=self.source.frame_size, scorer=self.scorer)
            cues = CueEngine(self.exercise, self.lang)
            t0 = time.monotonic()
            for frame in self.source:
                if self._stop.is_set():
                    break
                if self.realtime:
                    wait = frame.t_s - (time.monotonic() - t0)
                    if wait > 0:
                        time.sleep(wait)
                res = pipe.step(frame)
                cues.observe(frame.t_s, res)
                cue = cues.poll(frame.t_s)
                with self._lock:
                    self._latest = (res, frame)
                self.produced += 1
                if cue is not None:
                    self.events.put(("cue", cue))
            pipe.finish()
            self.events.put(("done", pipe))
        except Exception as e:  # shown by the GUI
            self.events.put(("failed", f"{type(e).__name__}: {e}"))
        finally:
            if backend is not None:
                backend.close()
            self.source.close()
