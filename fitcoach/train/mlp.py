"""The form scorer's network: a small multilayer perceptron trained with numpy.

features -> 64 -> 64 -> 1 + K (ReLU, sigmoid outputs), trained with Adam (seeded, float64), so
training needs no deep-learning framework and the same seed and data give the same weights.
Loss: squared error on the score (output 0) plus binary cross-entropy on the faults that apply
to the rep's exercise (the others are masked out). `fold_standardisation` folds the input
standardisation into the first layer; `TwoPart` is the shipped pair of networks (its ONNX
graph: `fitcoach.train.onnx_export`).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np

from fitcoach.core.features import N_FRAME, N_SAMPLES
from fitcoach.train.datasets import Dataset

HIDDEN = 64
WEIGHT_DECAY = 1e-4  # the synthetic part (quality + faults), as before issue 14


def with_summary(x: np.ndarray) -> np.ndarray:
    """The rep vector plus each per-frame feature's lowest and highest value over the rep's time
    (a fixed temporal pooling; the ONNX graph computes it with ReduceMin / ReduceMax)."""
    traj = x[:, : N_FRAME * N_SAMPLES].reshape(len(x), N_FRAME, N_SAMPLES)
    return np.concatenate([x, traj.min(2), traj.max(2)], axis=1)


@dataclass
class MLP:
    """Weights and biases of each layer; ReLU between layers, sigmoid outputs."""

    w: list[np.ndarray] = field(default_factory=list)
    b: list[np.ndarray] = field(default_factory=list)
    summary: bool = False  # the input is pooled over time first (`with_summary`)

    def forward(self, x: np.ndarray) -> tuple[np.ndarray, list[np.ndarray]]:
        """(N, D) inputs -> ((N, 1 + K) outputs, every layer's activations)."""
        if self.summary:
            x = with_summary(x)
        acts = [x]
        h = x
        for i in range(len(self.w)):
            z = h @ self.w[i] + self.b[i]
            h = np.maximum(z, 0.0) if i < len(self.w) - 1 else 1.0 / (1.0 + np.exp(-np.clip(z, -40, 40)))
            acts.append(h)
        return h, acts


def train_mlp(ds: Dataset, seed: int, epochs: int = 120, lr: float = 2e-3, batch: int = 64,
              weight_decay: float | None = None, summary: bool = False,
              log=print) -> tuple[MLP, np.ndarray, np.ndarray]:
    """`summary`: the rows are rep vectors, pooled over time first (`with_summary`)."""
    weight_decay = WEIGHT_DECAY if weight_decay is None else weight_decay  # planner too: 1e-4
    rng = np.random.default_rng(seed)
    x = with_summary(ds.x) if summary else ds.x
    mu = x.mean(0)
    sd = x.std(0)
    sd[sd < 1e-6] = 1.0
    xs = (x - mu) / sd
    sw = np.ones(len(xs)) if ds.w is None else np.asarray(ds.w, np.float64)
    sizes = [xs.shape[1], HIDDEN, HIDDEN, ds.y.shape[1]]
    net = MLP([rng.normal(0, math.sqrt(2.0 / a), (a, b)) for a, b in zip(sizes, sizes[1:])],
              [np.zeros(b) for b in sizes[1:]])
    params = net.w + net.b
    m1 = [np.zeros_like(p) for p in params]
    m2 = [np.zeros_like(p) for p in params]
    step = 0
    n = len(xs)
    for ep in range(epochs):
        order = rng.permutation(n)
        total = 0.0
        for s in range(0, n, batch):
            ix = order[s:s + batch]
            xb, yb, mb = xs[ix], ds.y[ix], ds.m[ix] * sw[ix, None]
            out, acts = net.forward(xb)
            # score: squared error (weight 4 so it matters as much as the faults); faults: BCE.
            w = mb.copy()
            w[:, 0] *= 4.0
            denom = max(1.0, float(mb.sum()))
            # d(loss)/d(logit): for BCE with sigmoid = (p - y); for MSE on a sigmoid = 2 (p - y) p (1 - p)
            g = (out - yb) * w
            g[:, 0] = g[:, 0] * 2.0 * out[:, 0] * (1.0 - out[:, 0])
            g /= denom
            eps = 1e-7
            bce = -(yb * np.log(out + eps) + (1 - yb) * np.log(1 - out + eps))
            bce[:, 0] = 4.0 * (out[:, 0] - yb[:, 0]) ** 2
            total += float((bce * mb).sum())
            grads_w, grads_b = [None] * len(net.w), [None] * len(net.w)
            delta = g
            for i in range(len(net.w) - 1, -1, -1):
                grads_w[i] = acts[i].T @ delta + weight_decay * net.w[i]
                grads_b[i] = delta.sum(0)
                if i > 0:
                    delta = (delta @ net.w[i].T) * (acts[i] > 0)
            step += 1
            for j, (p, gr) in enumerate(zip(params, grads_w + grads_b)):
                m1[j] = 0.9 * m1[j] + 0.1 * gr
                m2[j] = 0.999 * m2[j] + 0.001 * gr * gr
                mh = m1[j] / (1 - 0.9 ** step)
                vh = m2[j] / (1 - 0.999 ** step)
                p -= lr * mh / (np.sqrt(vh) + 1e-8)
        if log and (ep % 20 == 0 or ep == epochs - 1):
            log(f"  epoch {ep:3d}  loss {total / max(1.0, float((ds.m * sw[:, None]).sum())):.4f}")
    net.summary = summary  # the weights see pooled inputs; forward() pools raw vectors from now on
    return net, mu, sd


def fold_standardisation(net: MLP, mu: np.ndarray, sd: np.ndarray) -> MLP:
    """The same network taking raw inputs: (x - mu) / sd folded into the first layer."""
    w0 = net.w[0] / sd[:, None]
    b0 = net.b[0] - (mu / sd) @ net.w[0]
    return MLP([w0] + net.w[1:], [b0] + net.b[1:], net.summary)


@dataclass
class TwoPart:
    """The shipped scorer: `synth` (quality + faults, synthetic reps only, the pre-issue-14
    recipe) and `real` (quality only, synthetic + real labelled reps, more regularised). The
    score of an exercise in `real_exercises` comes from `real`, every other output from `synth`,
    so the fault probabilities and the synthetic-only exercises keep what they learnt."""
    synth: MLP
    real: MLP | None
    real_exercises: list[str]
    exercises: list[str]

    def _selector(self, d: int) -> np.ndarray:
        head = d - len(self.exercises) - 1
        sel = np.zeros(d)
        for e in self.real_exercises:
            sel[head + self.exercises.index(e)] = 1.0
        return sel

    def forward(self, x: np.ndarray) -> tuple[np.ndarray, None]:
        """(N, D) rep vectors -> (N, 1 + K) outputs: the score from `real` for its exercises."""
        out = self.synth.forward(x)[0].copy()
        if self.real is not None and self.real_exercises:
            sel = x @ self._selector(x.shape[1])
            out[:, 0] = sel * self.real.forward(x)[0][:, 0] + (1.0 - sel) * out[:, 0]
        return out, None
