"""Hold tracking (plank, side plank): the time spent in the correct position.

Runs on the analysis thread, O(1) per frame. Every condition of the exercise file's `[hold]`
table must be met for a frame to count; the repetition counterpart is `fitcoach.core.reps`.
"""

from __future__ import annotations

import math

from fitcoach.core.exercises import Bound


class HoldTracker:
    """Accumulates the time spent in the correct position of a hold (plank, side plank).

    Only time where every condition holds counts; a frame gap longer than ``max_dt_s`` adds
    nothing (a missed stretch of video is not time held).
    """

    def __init__(self, conditions: tuple[Bound, ...], max_dt_s: float = 0.25) -> None:
        self.conditions = conditions
        self.max_dt_s = max_dt_s
        self.hold_s = 0.0
        self.longest_s = 0.0
        self._current_s = 0.0
        self._t_prev = math.nan
        self._ok_prev = False
        self.in_position = False

    def step(self, t: float, values: dict[str, float]) -> bool:
        """Feed one frame's metric values; True while every condition is met."""
        ok = all(
            not math.isnan(values.get(c.metric, math.nan)) and not c.violated(values[c.metric])
            for c in self.conditions
        )
        if ok and self._ok_prev and not math.isnan(self._t_prev):
            dt = t - self._t_prev
            if 0 < dt <= self.max_dt_s:
                self.hold_s += dt
                self._current_s += dt
                self.longest_s = max(self.longest_s, self._current_s)
        if not ok:
            self._current_s = 0.0
        self._ok_prev = ok
        self._t_prev = t
        self.in_position = ok
        return ok
