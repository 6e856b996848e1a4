"""The typed outbox of a `Worker`: what a running analysis tells whoever watches it (the GUI
polls these; the CLI prints them). Plain frozen dataclasses, safe to hand between threads."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class RepDone:
    """A rep was counted (numbered within its set in a workout)."""

    t_s: float
    rep: Any  # pipeline.RepRecord (numbered within its set in a workout)
    set_index: int = 0  # 0 outside a workout


@dataclass(frozen=True)
class CueSaid:
    """The coach said a cue (shown on the HUD, spoken by the voice sink)."""

    cue: Any  # cues.Cue


@dataclass(frozen=True)
class SetChanged:
    """A guided workout changed state: countdown, set start, rep, set end, rest, done."""

    event: Any  # session.Event: countdown, set_start, rep, set_end, rest, done


@dataclass(frozen=True)
class LiveStatus:
    """About once a second while live: how many frames per second were analysed, how many were
    dropped so far, and whether analysis is falling behind the camera."""

    t_s: float
    analysed_fps: float
    dropped: int
    behind: bool


@dataclass(frozen=True)
class Status:
    """A short status line for the HUD ("" clears it)."""

    text: str  # e.g. "preparing voice"; "" clears it


@dataclass(frozen=True)
class Saved:
    """Something was written for the user: a landmark recording, a video, a session."""

    what: str  # "landmarks", "video", "session"
    path: str


@dataclass(frozen=True)
class Failed:
    """The job raised: one line for people, the whole traceback for the log."""

    text: str  # one line: "ErrorType: message"
    traceback: str  # the whole traceback, also logged
    message: str = ""  # the exception's own message (FitCoachError messages are meant for people)


@dataclass(frozen=True)
class Finished:
    """Always the last event of a job: its result, and whether it was cancelled."""

    result: Any  # what the job returned (e.g. the runner's context)
    cancelled: bool = False
