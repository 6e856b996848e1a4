"""Which driver signal a rep exercise is counted on, and the signal's value on each frame.

An exercise file names one driver (a metric and its side handling) and may list alternatives
(`Driver.alternatives`): `DriverChooser` keeps the file's unless it cannot be seen or barely
moves in this camera's view; `driver_values` gives a driver's value per side on one frame. Both
run on the analysis thread, inside `Pipeline.step`.
"""

from __future__ import annotations

import math
from collections import deque

import numpy as np

from fitcoach.core.exercises import Driver
from fitcoach.core.metrics import METRICS


class DriverChooser:
    """Which of an exercise's driver signals to count on: the file's own, unless it cannot be
    seen or barely moves in this camera's view while an alternative signal clearly moves.

    Each signal's quality over the last ``WINDOW_S`` is the fraction of frames where it is known
    times its movement (10th-90th percentile spread) in units of its expected excursion
    ``|rest - target|`` (capped at 1). The file's signal keeps the lead unless an alternative's
    quality is above ``MIN_QUALITY`` and ``SWITCH_RATIO`` times the current one; the same margin
    is needed to switch back, so the choice does not flicker. Cheap: re-evaluated every
    ``EVERY`` frames on at most a few hundred values per signal.
    """

    WINDOW_S = 4.0
    MIN_QUALITY = 0.3
    SWITCH_RATIO = 2.0
    EVERY = 10

    def __init__(self, drivers: list) -> None:
        self.drivers = drivers
        self.active = 0
        self._win: list[deque] = [deque() for _ in drivers]
        self._n = 0
        self.switches = 0

    def observe(self, k: int, t: float, value: float) -> None:
        w = self._win[k]
        w.append((t, value))
        while w and t - w[0][0] > self.WINDOW_S:
            w.popleft()

    def quality(self, k: int) -> float:
        w = self._win[k]
        if not w:
            return 0.0
        vals = np.array([v for _, v in w], dtype=float)
        ok = vals[np.isfinite(vals)]
        if len(ok) < 5:
            return 0.0
        d = self.drivers[k]
        spread = float(np.percentile(ok, 90) - np.percentile(ok, 10))
        return (len(ok) / len(vals)) * min(1.0, spread / max(abs(d.rest - d.target), 1e-9))

    def choose(self, t: float) -> int:
        if len(self.drivers) < 2:
            return 0
        self._n += 1
        if self._n % self.EVERY:
            return self.active
        q = [self.quality(k) for k in range(len(self.drivers))]
        best = max(range(len(q)), key=lambda k: (q[k], -k))
        if best != self.active and q[best] >= self.MIN_QUALITY and q[best] >= self.SWITCH_RATIO * q[self.active]:
            self.active = best
            self.switches += 1
        return self.active


def driver_values(m, d: Driver) -> dict[str, tuple[float, str]]:
    """{"left", "right", "both"} -> (value, side it was taken on) of driver `d` on one frame;
    `m` is the frame's `measures.Measures` (None: no body, every value NaN). "both" combines the
    sides as the driver says (mean, min, max, or the side `side_metric` picks: a lunge's front leg)."""
    if m is None:
        nan = (math.nan, "both")
        return {"left": nan, "right": nan, "both": nan}
    left = m(d.metric, "left", d.space) if METRICS[d.metric].sided else math.nan
    right = m(d.metric, "right", d.space) if METRICS[d.metric].sided else math.nan
    if not METRICS[d.metric].sided:
        v = m(d.metric, None, d.space)
        return {"left": (v, "both"), "right": (v, "both"), "both": (v, "both")}
    out = {"left": (left, "left"), "right": (right, "right")}
    pairs = [(v, s) for v, s in ((left, "left"), (right, "right")) if not math.isnan(v)]
    if d.side_metric is not None and len(pairs) == 2:
        # e.g. a lunge: the front leg is the one with the more flexed hip; its knee is the depth
        sl = m(d.side_metric, "left", d.space)
        sr = m(d.side_metric, "right", d.space)
        if not (math.isnan(sl) or math.isnan(sr)):
            pick = "left" if sl <= sr else "right"
            out["both"] = (left if pick == "left" else right, pick)
            return out
    if not pairs:
        out["both"] = (math.nan, "both")
    elif d.combine == "mean":
        out["both"] = (float(np.mean([v for v, _ in pairs])), "both")
    elif d.combine == "min":
        out["both"] = min(pairs)
    else:
        out["both"] = max(pairs)
    return out


def signal_value(d: Driver, values: dict[str, tuple[float, str]]) -> float:
    """The one value the chooser watches: the mean of the sides seen for a driver counted on each
    side, else its combined value."""
    if d.sides == "each":
        finite = [v for v, _ in (values["left"], values["right"]) if not math.isnan(v)]
        return float(np.mean(finite)) if finite else math.nan
    return values["both"][0]
