"""A job on a plain thread: a cancel event, a `State`, and a typed outbox (`events`).

    w = Worker(lambda cancel, emit: runner.run(cancel, emit), name="analysis")
    w.start(); ...; for ev in w.poll(): ...   # e.g. from a GUI timer
    w.cancel(); w.join()

The job's exceptions are caught: logged with their traceback and put in the outbox as
`Failed(text, traceback)`, followed by `Finished` (what was saved before stays saved). The last
event is always `Finished`.
"""

from __future__ import annotations

import enum
import logging
import queue
import threading
import traceback
from typing import Any, Callable

from fitcoach.run.events import Failed, Finished

log = logging.getLogger(__name__)


class State(enum.Enum):
    """Where a worker is: idle, running, then finished, cancelled or failed."""

    IDLE = "idle"
    RUNNING = "running"
    FINISHED = "finished"
    CANCELLED = "cancelled"
    FAILED = "failed"


class Worker:
    """A job on its own thread with a cancel event, a `State` and a typed outbox (`events`); the GUI
    and the console commands poll it."""

    def __init__(self, job: Callable[[threading.Event, Callable[[Any], None]], Any], name: str = "worker",
                 on_cancel: Callable[[], None] | None = None) -> None:
        self.job = job
        self.name = name
        self.on_cancel = on_cancel  # e.g. closing a camera, to unblock a read
        self.state = State.IDLE
        self.result: Any = None
        self.failure: Failed | None = None
        self.events: queue.Queue = queue.Queue()
        self._cancel = threading.Event()
        self._thread = threading.Thread(target=self._run, name=name, daemon=True)

    def start(self) -> "Worker":
        """Start the job's thread; returns the worker."""
        self.state = State.RUNNING
        self._thread.start()
        return self

    def cancel(self) -> None:
        """Ask the job to stop (it checks before every frame) and run `on_cancel`, e.g. closing a
        camera to unblock a read."""
        self._cancel.set()
        if self.on_cancel is not None:
            try:
                self.on_cancel()
            except Exception:
                log.exception("%s: cancelling failed", self.name)

    @property
    def cancelled(self) -> bool:
        """Whether `cancel` was called."""
        return self._cancel.is_set()

    @property
    def alive(self) -> bool:
        """Whether the job's thread is still running."""
        return self._thread.is_alive()

    def join(self, timeout: float | None = None) -> bool:
        """Wait for the job; True when it has ended."""
        if self._thread.ident is not None:
            self._thread.join(timeout)
        return not self._thread.is_alive()

    def poll(self, limit: int = 1000) -> list:
        """The events since the last call (never blocks)."""
        out = []
        while len(out) < limit:
            try:
                out.append(self.events.get_nowait())
            except queue.Empty:
                break
        return out

    def _run(self) -> None:
        try:
            self.result = self.job(self._cancel, self.events.put)
            self.state = State.CANCELLED if self._cancel.is_set() else State.FINISHED
        except Exception as e:
            tb = traceback.format_exc()
            log.error("%s failed: %s: %s\n%s", self.name, type(e).__name__, e, tb)
            self.failure = Failed(f"{type(e).__name__}: {e}", tb, str(e))
            self.events.put(self.failure)
            self.state = State.FAILED
        self.events.put(Finished(self.result, cancelled=self._cancel.is_set()))
