"""The arrays the form scorer trains on: a `Dataset` of rep vectors with their targets.

Synthetic samples (`fitcoach.train.data.Sample`) give a quality target and one target per fault
of their exercise; real labelled reps (`fitcoach.train.realreps`) give only the quality (1 for
a rep labelled correct, 0 for incorrect) and mask the faults out. Row order is the input's, so
the same inputs give the same arrays (training stays reproducible).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from fitcoach.train import data


@dataclass
class Dataset:
    """Rows of rep vectors: inputs, targets, which targets apply, and per-row weights."""

    x: np.ndarray  # (N, D)
    y: np.ndarray  # (N, 1 + K): quality then fault labels
    m: np.ndarray  # (N, 1 + K): 1 where the target applies
    exercise: list[str]
    view: list[str]
    w: np.ndarray | None = None  # (N,) sample weights (None = all 1)

    def __len__(self) -> int:
        return len(self.x)

    def take(self, sel: np.ndarray) -> "Dataset":
        ix = np.flatnonzero(sel) if np.asarray(sel).dtype == bool else np.asarray(sel)
        return Dataset(self.x[ix], self.y[ix], self.m[ix], [self.exercise[i] for i in ix],
                       [self.view[i] for i in ix], None if self.w is None else self.w[ix])


def concat(*parts: Dataset) -> Dataset:
    """The rows of every non-empty part, in order; weights default to 1."""
    parts = tuple(p for p in parts if len(p))
    return Dataset(np.concatenate([p.x for p in parts]), np.concatenate([p.y for p in parts]),
                   np.concatenate([p.m for p in parts]), [e for p in parts for e in p.exercise],
                   [v for p in parts for v in p.view],
                   np.concatenate([np.ones(len(p)) if p.w is None else p.w for p in parts]))


def real_arrays(reps: list, faults: list[str], weight: float = 1.0) -> Dataset:
    """Real labelled reps (`realreps.RealRep`): the quality target is 1 for a rep labelled
    correct and 0 for one labelled incorrect; fault targets are unknown (masked)."""
    n, k = len(reps), len(faults)
    x = np.stack([r.x for r in reps]).astype(np.float64) if reps else np.zeros((0, 1))
    y = np.zeros((n, 1 + k))
    m = np.zeros((n, 1 + k))
    y[:, 0] = [1.0 - r.bad for r in reps]
    m[:, 0] = 1.0
    return Dataset(x, y, m, [r.exercise for r in reps], [r.view for r in reps], np.full(n, float(weight)))


def to_arrays(samples: list[data.Sample], faults: list[str]) -> Dataset:
    """Synthetic samples: the quality target and the targets of the faults each sample has."""
    n, k = len(samples), len(faults)
    idx = {f: i for i, f in enumerate(faults)}
    x = np.stack([s.x for s in samples]).astype(np.float64) if samples else np.zeros((0, 1))
    y = np.zeros((n, 1 + k))
    m = np.zeros((n, 1 + k))
    for r, s in enumerate(samples):
        y[r, 0], m[r, 0] = s.quality, 1.0
        for f, v in s.faults.items():
            y[r, 1 + idx[f]], m[r, 1 + idx[f]] = v, 1.0
    return Dataset(x, y, m, [s.exercise for s in samples], [s.view for s in samples])
