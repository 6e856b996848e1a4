"""The frame loop: frames -> `Pipeline.step` -> sinks, in order, on the calling thread.

A sink is any object with some of `start(ctx)`, `frame(ctx, frame, res)`, `finish(ctx)` (after
the last frame, when the run was not cancelled) and `close(ctx)` (always, last to first, also
after a failure). Sinks talk to each other only through the `RunContext`: the cue engine puts
the frame's cue in `ctx.cue` for the annotator, the workout puts its events in
`ctx.workout_events` for the cue engine and the store. A sink sets `ctx.stop` to end the run
after the current frame (the workout is done). Events for a watcher go to `ctx.emit`.
"""

from __future__ import annotations

import logging
import threading
from dataclasses import dataclass, field
from typing import Any, Callable, Iterable, Protocol

from fitcoach.core.pipeline import FrameResult, Pipeline
from fitcoach.core.frame import Frame, FrameSource

log = logging.getLogger(__name__)


class Sink(Protocol):
    """What the runner calls on a sink; a sink defines any of these (see the module docstring).
    The sinks in `run/sinks.py` implement them and are documented by these docstrings."""

    def start(self, ctx: "RunContext") -> None:
        """Before the first frame (the pipeline and the context exist)."""

    def frame(self, ctx: "RunContext", frame: Frame, res: FrameResult) -> None:
        """After `Pipeline.step` on each frame, in the order the sinks were given."""

    def finish(self, ctx: "RunContext") -> None:
        """After the last frame when the run was not cancelled (the pipeline has finished)."""

    def close(self, ctx: "RunContext") -> None:
        """Always, last sink first, also after a failure: release files and threads."""


@dataclass
class RunContext:
    """What the sinks of one run share: the source, the pipeline, the counters, the frame's cue and
    workout events, and `data` for the caller."""

    source: FrameSource
    exercise: Any
    pipe: Pipeline
    emit: Callable[[Any], None]
    cancel: threading.Event
    frames: Any = None  # the frame iterator (a `LatestWins` when live: its counters)
    n: int = 0  # frames analysed
    t_last: float = 0.0
    cue: Any = None  # the cue said on this frame (set by the cue sink)
    workout: Any = None  # session.Workout in a guided workout
    workout_events: list = field(default_factory=list)  # session.Events of this frame
    stop: bool = False
    cancelled: bool = False
    data: dict = field(default_factory=dict)  # what sinks leave for the caller


class Runner:
    """Runs `Pipeline.step` on every frame of a source and hands each result to its sinks, in order, on
    the calling thread."""

    def __init__(self, source: FrameSource, exercise, sinks: Iterable = (), backend_factory=None,
                 scorer=None, frames: Iterable[Frame] | None = None, workout=None) -> None:
        self.source, self.exercise = source, exercise
        self.sinks = list(sinks)
        self.backend_factory, self.scorer = backend_factory, scorer
        self.frames = frames  # default: the source itself, on this thread
        self.workout = workout

    def run(self, cancel: threading.Event | None = None, emit: Callable[[Any], None] | None = None) -> RunContext:
        """Analyse until the frames end, a sink sets `ctx.stop` or `cancel` is set (checked
        before every frame). Returns the context (pipeline, counters, what sinks left)."""
        cancel = cancel or threading.Event()
        needs_model = self.source.kind not in ("landmarks",)
        backend = self.backend_factory() if (needs_model and self.backend_factory is not None) else None
        ctx = None
        started: list = []
        it = None
        try:
            pipe = Pipeline(self.exercise, backend=backend, frame_size=self.source.frame_size, scorer=self.scorer)
            ctx = RunContext(self.source, self.exercise, pipe, emit or (lambda ev: None), cancel,
                             frames=self.frames, workout=self.workout)
            for s in self.sinks:
                started.append(s)
                if hasattr(s, "start"):
                    s.start(ctx)
            frame_sinks = [s.frame for s in self.sinks if hasattr(s, "frame")]
            it = iter(self.frames if self.frames is not None else self.source)
            for frame in it:
                if cancel.is_set():
                    break
                res: FrameResult = pipe.step(frame)
                ctx.cue, ctx.workout_events = None, []
                for f in frame_sinks:
                    f(ctx, frame, res)
                ctx.n += 1
                ctx.t_last = frame.t_s
                if ctx.stop:
                    break
            ctx.cancelled = cancel.is_set()
            if not ctx.cancelled:
                pipe.finish()
                ctx.cue, ctx.workout_events = None, []
                for s in self.sinks:
                    if hasattr(s, "finish"):
                        s.finish(ctx)
        finally:
            if it is not None and hasattr(it, "close"):
                it.close()  # stops a decode / capture thread that is still reading
            errors = []
            for s in reversed(started):
                if hasattr(s, "close"):
                    try:
                        s.close(ctx)
                    except Exception as e:  # the others still close; the first error is raised
                        log.exception("closing %s failed", type(s).__name__)
                        errors.append(e)
            if backend is not None:
                backend.close()
            self.source.close()
            if errors and not _raising():
                raise errors[0]
        return ctx


def _raising() -> bool:
    import sys

    return sys.exc_info()[0] is not None
