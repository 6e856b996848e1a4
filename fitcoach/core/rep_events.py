"""What the rep tracker reports: a finished rep (`RepEvent`), its tempo, and how it is measured.

`rep_event` turns the samples of one rep (times and driver values, in the tracker's sign so
that "out" is up) into the event: when it reached and left the far end (within
``NEAR_FRACTION`` of its excursion of the peak), the tempo, whether it reached the exercise's
coaching target, and whether it is partial against the person's usual excursion. The state
machine that finds where reps begin and end is `fitcoach.core.reps.RepTracker`. Runs on the
analysis thread, once per rep.

Tempo of a rep, in seconds (the JSON's ``tempo_s``): ``down`` from leaving rest to reaching the
far end (within 10 % of the rep's excursion of its extreme), ``bottom`` time held at the far end,
``up`` from leaving the far end to the end of the return, ``top`` pause at rest before this rep
(since the previous rep ended; null for the first). The rep is *counted* as soon as the return
passes 80 % of the way (no waiting for a cue), and its end time is the moment the return then
settles: back in the rest band, the next rep starting, or the motion stopping (at most 0.6 s). "Down/bottom/up/top" read literally for a
squat; for a raise they mean outbound / hold at the far end / return / pause at rest.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from fitcoach.core.exercises import Driver

NEAR_FRACTION = 0.05  # of the rep's excursion: "at the far end" band


@dataclass(frozen=True, slots=True)
class Tempo:
    """Seconds of a rep: down (out), bottom (at the far end), up (return), top (pause before it)."""

    down: float
    bottom: float
    up: float
    top: float | None


@dataclass(frozen=True, slots=True)
class RepEvent:
    """A finished repetition (complete or partial)."""

    side: str  # "left", "right" or "both"
    t_start_s: float
    t_end_s: float
    t_reach_s: float  # first time at the far end
    t_leave_s: float  # last time at the far end
    partial: bool
    partial_reason: str | None
    reached_target: bool  # the far end reached the exercise's (coaching) target
    target_reason: str | None  # "depth 108°, target ≤ 100°" when it did not
    rom_min: float
    rom_max: float
    extreme: float  # driver value at the far end of the rep
    tempo: Tempo
    samples_t: np.ndarray = field(repr=False)  # float64 (N,) times of the frames in this rep


def format_value(value: float, unit: str) -> str:
    """A driver value for a message: whole degrees ("108°") or a ratio with two decimals."""
    return f"{value:.0f}°" if unit == "deg" else f"{value:.2f}"


def rep_event(ts: np.ndarray, xs: np.ndarray, sides: list[str], t_end: float, *, sign: float, file_sign: float,
              driver: Driver, label: str, usual: float, partial_fraction: float,
              t_last_end: float | None) -> tuple[RepEvent, float]:
    """The event of one rep and its excursion (driver units).

    `ts` (N,) float64 times and `xs` (N,) the driver times `sign` (the tracker's direction:
    larger is further out), from leaving rest to `t_end`; `sides` the side of each sample;
    `file_sign` the exercise file's direction; `usual` the person's usual excursion so far;
    `t_last_end` when the previous rep ended (None for the first).
    """
    t0 = float(ts[0])
    rest0 = float(xs[0])
    peak = float(xs.max())
    exc = peak - rest0
    band = NEAR_FRACTION * exc
    near = np.flatnonzero(xs >= peak - band)
    i_reach, i_leave = int(near[0]), int(near[-1])
    i_peak = int(np.argmax(xs))
    values = xs * sign
    # the far end in the exercise's direction (at the rep's turn, or at its ends when flipped)
    file_values = values * file_sign
    i_far = int(np.argmax(file_values))
    extreme = float(values[i_far])
    reached = float(file_values[i_far]) >= file_sign * driver.target
    target_reason = None
    if not reached:
        cmp = "≤" if driver.direction == "decrease" else "≥"
        target_reason = f"{label} {format_value(extreme, driver.unit)}, target {cmp} {format_value(driver.target, driver.unit)}"
    partial = exc < partial_fraction * usual
    reason = None
    if partial:
        reason = (f"moved {format_value(exc, driver.unit)}, under {partial_fraction:.0%} of your usual "
                  f"{format_value(usual, driver.unit)}")
    top = None if t_last_end is None else max(0.0, t0 - t_last_end)
    event = RepEvent(
        side=sides[i_peak],
        t_start_s=t0,
        t_end_s=float(t_end),
        t_reach_s=float(ts[i_reach]),
        t_leave_s=float(ts[i_leave]),
        partial=bool(partial),
        partial_reason=reason,
        reached_target=bool(reached),
        target_reason=target_reason,
        rom_min=float(np.min(values)),
        rom_max=float(np.max(values)),
        extreme=extreme,
        tempo=Tempo(
            down=float(ts[i_reach] - t0),
            bottom=float(ts[i_leave] - ts[i_reach]),
            up=float(t_end - ts[i_leave]),
            top=None if top is None else float(top),
        ),
        samples_t=ts,
    )
    return event, exc
