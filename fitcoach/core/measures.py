"""One frame's metric values, each computed once.

In `Pipeline.step` the driver signals, the form rules, the hold conditions and the form scorer's
frame features all ask for metrics of the same body, many of them the same ones (a squat frame:
44 requests, 32 distinct values). `Measures` computes each on first request and hands the same
float afterwards: the values are those of `metrics.compute`, bit for bit. One per frame, on the
analysis thread; it lives as long as the frame's body.
"""

from __future__ import annotations

import math

import numpy as np

from fitcoach.core.metrics import METRICS, Body, compute


class Measures:
    """`measures(metric, side, space)` is `compute(body, metric, side, space)`, computed once."""

    __slots__ = ("_known", "body")

    def __init__(self, body: Body) -> None:
        self.body = body
        self._known: dict[tuple[str, str | None, str], float] = {}

    def __call__(self, metric: str, side: str | None, space: str = "world") -> float:
        key = (metric, side, space)
        v = self._known.get(key)
        if v is None:
            v = self._known[key] = compute(self.body, metric, side, space)
        return v

    def either_side(self, metric: str, side: str | None) -> float:
        """The metric for `side`; for a sided metric without a side, the mean of the sides seen."""
        if not METRICS[metric].sided:
            return self(metric, None)
        if side in ("left", "right"):
            return self(metric, side)
        vals = [self(metric, s) for s in ("left", "right")]
        vals = [v for v in vals if not math.isnan(v)]
        return float(np.mean(vals)) if vals else math.nan
