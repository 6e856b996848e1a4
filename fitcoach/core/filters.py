"""Landmark smoothing: a One-Euro filter that takes explicit time and fills short gaps.

Runs on the analysis thread, one call per frame; O(33) numpy work, no allocation-heavy steps.

The One-Euro filter (Casiez, Roussel & Vogel, CHI 2012) is a first-order low-pass filter whose
cut-off rises with speed: still landmarks are smoothed hard (no jitter on the skeleton at the
top of a squat), fast ones follow with little lag (no late rep counts).

* ``min_cutoff_hz`` (default 1.5): cut-off at rest. If the skeleton jitters when still, lower it;
  if it lags on slow moves, raise it.
* ``beta`` (default 4.0, per unit of speed: normalised image units or metres per second): how much
  the cut-off rises with speed. If fast moves lag, raise it; if fast moves jitter, lower it.
* ``max_gap_s`` (default 0.25): a landmark that disappears (occlusion, a missed detection) is
  predicted from its last position and velocity for at most this long, and *flagged* as
  predicted; after that it is NaN. A whole-body loss longer than this resets the filter, so a
  cut in an edited video does not smear two shots together.

Time must strictly increase; a non-increasing ``t_s`` raises ValueError (replay bugs show up
instead of silently producing infinite speeds).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np


def _alpha(cutoff_hz: np.ndarray | float, dt_s: float) -> np.ndarray | float:
    tau = 1.0 / (2.0 * math.pi * cutoff_hz)
    return 1.0 / (1.0 + tau / dt_s)


class OneEuro:
    """One-Euro filter over an array of independent channels (any shape)."""

    def __init__(self, min_cutoff_hz: float = 1.5, beta: float = 4.0, d_cutoff_hz: float = 1.0):
        self.min_cutoff_hz = min_cutoff_hz
        self.beta = beta
        self.d_cutoff_hz = d_cutoff_hz
        self._t: float | None = None
        self._x: np.ndarray | None = None
        self._dx: np.ndarray | None = None

    def reset(self) -> None:
        self._t = None
        self._x = None
        self._dx = None

    @property
    def last_t(self) -> float | None:
        return self._t

    def filter(self, t: float, x: np.ndarray) -> np.ndarray:
        """Filter sample `x` taken at time `t` (seconds). NaN channels restart from the sample."""
        x = np.asarray(x, dtype=np.float64)
        if self._t is None or self._x is None or self._dx is None:
            self._t, self._x, self._dx = t, x.copy(), np.zeros_like(x)
            return x.copy()
        dt = t - self._t
        if not dt > 0:
            raise ValueError(f"time must strictly increase: t={t} after t={self._t}")
        dx = (x - self._x) / dt
        dx = np.where(np.isfinite(dx), dx, 0.0)
        dx_hat = self._dx + _alpha(self.d_cutoff_hz, dt) * (dx - self._dx)
        cutoff = self.min_cutoff_hz + self.beta * np.abs(dx_hat)
        a = _alpha(cutoff, dt)
        x_hat = self._x + a * (x - self._x)
        # Channels with no previous value (NaN) take the new sample as is.
        x_hat = np.where(np.isfinite(self._x), x_hat, x)
        self._t, self._x, self._dx = t, x_hat, dx_hat
        return x_hat.copy()

    def predict(self, t: float) -> np.ndarray | None:
        """Extrapolate to time `t` without a sample (last value + velocity * dt)."""
        if self._t is None or self._x is None or self._dx is None:
            return None
        dt = t - self._t
        if not dt > 0:
            raise ValueError(f"time must strictly increase: t={t} after t={self._t}")
        return self._x + self._dx * dt


@dataclass(frozen=True, slots=True)
class Smoothed:
    image_xyzv: np.ndarray  # float32 (33, 4); NaN rows where nobody / gap too long
    world_xyz_m: np.ndarray | None  # float32 (33, 3)
    predicted: np.ndarray  # bool (33,): True where the point was filled in, not measured


class LandmarkSmoother:
    """Smooths one person's 33 landmarks over time, fills short gaps, flags predictions."""

    def __init__(
        self,
        min_cutoff_hz: float = 1.5,
        beta: float = 4.0,
        max_gap_s: float = 0.25,
        min_visibility: float = 0.5,
    ) -> None:
        self.max_gap_s = max_gap_s
        self.min_visibility = min_visibility
        self._img = OneEuro(min_cutoff_hz, beta)
        self._world = OneEuro(min_cutoff_hz, beta)
        self._last_seen_t = np.full(33, -math.inf)
        self._last_vis = np.zeros(33, dtype=np.float32)
        self._t: float | None = None

    def reset(self) -> None:
        self._img.reset()
        self._world.reset()
        self._last_seen_t[:] = -math.inf
        self._last_vis[:] = 0

    def step(
        self, t_s: float, image_xyzv: np.ndarray | None, world_xyz_m: np.ndarray | None = None
    ) -> Smoothed:
        if self._t is not None and not t_s > self._t:
            raise ValueError(f"time must strictly increase: t={t_s} after t={self._t}")
        self._t = t_s
        nan_img = np.full((33, 4), np.nan, dtype=np.float32)
        if image_xyzv is None or not np.isfinite(image_xyzv[:, :2]).any():
            # Nobody seen: predict short gaps, reset after a long one.
            if self._img.last_t is not None and t_s - self._img.last_t > self.max_gap_s:
                self.reset()
                return Smoothed(nan_img, None, np.zeros(33, dtype=bool))
            return self._predict_all(t_s)
        seen = (image_xyzv[:, 3] >= self.min_visibility) & np.isfinite(image_xyzv[:, :2]).all(1)
        # After a long whole-body absence start fresh (a cut in an edited video).
        if self._img.last_t is not None and t_s - self._img.last_t > self.max_gap_s:
            self.reset()
        xy = image_xyzv[:, :3].astype(np.float64)
        prev_pred = self._img.predict(t_s) if self._img.last_t is not None else None
        fill = ~seen & (t_s - self._last_seen_t <= self.max_gap_s) & (prev_pred is not None)
        sample = np.where(seen[:, None], xy, np.nan)
        if prev_pred is not None:
            sample = np.where(fill[:, None], prev_pred, sample)
        out_xyz = self._img.filter(t_s, np.where(np.isfinite(sample), sample, np.nan))
        vis = np.where(seen, image_xyzv[:, 3], np.where(fill, self._last_vis, 0.0))
        self._last_seen_t[seen] = t_s
        self._last_vis[seen] = image_xyzv[seen, 3]
        img = np.empty((33, 4), dtype=np.float32)
        img[:, :3] = out_xyz
        img[:, 3] = vis
        img[~seen & ~fill] = np.nan
        world = None
        if world_xyz_m is not None and np.isfinite(world_xyz_m).any():
            wprev = self._world.predict(t_s) if self._world.last_t is not None else None
            wsample = np.where(seen[:, None], world_xyz_m.astype(np.float64), np.nan)
            if wprev is not None:
                wsample = np.where(fill[:, None], wprev, wsample)
            w = self._world.filter(t_s, wsample).astype(np.float32)
            w[~seen & ~fill] = np.nan
            world = w
        return Smoothed(img, world, fill.astype(bool))

    def _predict_all(self, t_s: float) -> Smoothed:
        pred = self._img.predict(t_s)
        nan_img = np.full((33, 4), np.nan, dtype=np.float32)
        if pred is None:
            return Smoothed(nan_img, None, np.zeros(33, dtype=bool))
        ok = (t_s - self._last_seen_t <= self.max_gap_s) & np.isfinite(pred).all(1)
        img = nan_img.copy()
        img[ok, :3] = pred[ok]
        img[ok, 3] = self._last_vis[ok]
        world = None
        wpred = self._world.predict(t_s) if self._world.last_t is not None else None
        if wpred is not None:
            world = np.full((33, 3), np.nan, dtype=np.float32)
            world[ok] = wpred[ok]
        return Smoothed(img, world, ok)
