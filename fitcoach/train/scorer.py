"""`fitcoach train scorer`: train the form scorer on synthetic reps and export it to ONNX.

A small multilayer perceptron (features -> 64 -> 64 -> 1 + K, ReLU, sigmoid outputs) trained
with numpy (Adam, seeded, float64), so training needs no deep-learning framework; the `onnx`
package (the `train` extra) writes the graph. Input standardisation is folded into the first
layer, so the ONNX graph is three Gemm layers. Same seed and data -> same weights -> same bytes.

Output 0 is the quality score (0..1, x100 in the app); outputs 1..K are fault probabilities.
Loss: squared error on the score plus binary cross-entropy on the faults that apply to the
rep's exercise (the others are masked out).
"""

from __future__ import annotations

import json
import math
import time
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from fitcoach.core.exercises import ExerciseCatalog
from fitcoach.core.features import FEATURE_VERSION, VIEWS, vector_size
from fitcoach.train import data

HIDDEN = 64


@dataclass
class Dataset:
    x: np.ndarray  # (N, D)
    y: np.ndarray  # (N, 1 + K): quality then fault labels
    m: np.ndarray  # (N, 1 + K): 1 where the target applies
    exercise: list[str]
    view: list[str]


def to_arrays(samples: list[data.Sample], faults: list[str]) -> Dataset:
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


@dataclass
class MLP:
    w: list[np.ndarray] = field(default_factory=list)
    b: list[np.ndarray] = field(default_factory=list)

    def forward(self, x: np.ndarray) -> tuple[np.ndarray, list[np.ndarray]]:
        acts = [x]
        h = x
        for i in range(len(self.w)):
            z = h @ self.w[i] + self.b[i]
            h = np.maximum(z, 0.0) if i < len(self.w) - 1 else 1.0 / (1.0 + np.exp(-np.clip(z, -40, 40)))
            acts.append(h)
        return h, acts


def train_mlp(ds: Dataset, seed: int, epochs: int = 120, lr: float = 2e-3, batch: int = 64,
              weight_decay: float = 1e-4, log=print) -> tuple[MLP, np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    mu = ds.x.mean(0)
    sd = ds.x.std(0)
    sd[sd < 1e-6] = 1.0
    xs = (ds.x - mu) / sd
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
            xb, yb, mb = xs[ix], ds.y[ix], ds.m[ix]
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
            log(f"  epoch {ep:3d}  loss {total / max(1.0, float(ds.m.sum())):.4f}")
    return net, mu, sd


def fold_standardisation(net: MLP, mu: np.ndarray, sd: np.ndarray) -> MLP:
    w0 = net.w[0] / sd[:, None]
    b0 = net.b[0] - (mu / sd) @ net.w[0]
    return MLP([w0] + net.w[1:], [b0] + net.b[1:])


def export_onnx(net: MLP, path: Path, meta: dict[str, str]) -> bytes:
    import onnx
    from onnx import TensorProto, helper, numpy_helper

    d_in = net.w[0].shape[0]
    d_out = net.w[-1].shape[1]
    nodes, inits = [], []
    cur = "features"
    for i, (w, b) in enumerate(zip(net.w, net.b)):
        inits.append(numpy_helper.from_array(w.astype(np.float32), f"W{i}"))
        inits.append(numpy_helper.from_array(b.astype(np.float32), f"B{i}"))
        nodes.append(helper.make_node("Gemm", [cur, f"W{i}", f"B{i}"], [f"z{i}"]))
        nxt = f"h{i}" if i < len(net.w) - 1 else "outputs"
        nodes.append(helper.make_node("Relu" if i < len(net.w) - 1 else "Sigmoid", [f"z{i}"], [nxt]))
        cur = nxt
    graph = helper.make_graph(
        nodes, "fitcoach_form_scorer",
        [helper.make_tensor_value_info("features", TensorProto.FLOAT, ["N", d_in])],
        [helper.make_tensor_value_info("outputs", TensorProto.FLOAT, ["N", d_out])],
        inits,
    )
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)], producer_name="fitcoach-train")
    model.ir_version = 8
    for k, v in sorted(meta.items()):
        p = model.metadata_props.add()
        p.key, p.value = k, v
    onnx.checker.check_model(model)
    raw = model.SerializeToString(deterministic=True)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(raw)
    return raw


# ------------------------------------------------------------------------------------------
# Evaluation


def auc(scores: np.ndarray, labels: np.ndarray) -> float | None:
    """Area under the ROC curve (rank statistic, ties averaged); None if one class is absent."""
    labels = np.asarray(labels).astype(bool)
    pos, neg = int(labels.sum()), int((~labels).sum())
    if pos == 0 or neg == 0:
        return None
    order = np.argsort(scores, kind="mergesort")
    ranks = np.empty(len(scores))
    s_sorted = np.asarray(scores)[order]
    i = 0
    while i < len(s_sorted):
        j = i
        while j + 1 < len(s_sorted) and s_sorted[j + 1] == s_sorted[i]:
            j += 1
        ranks[order[i:j + 1]] = (i + j) / 2.0 + 1.0
        i = j + 1
    return float((ranks[labels].sum() - pos * (pos + 1) / 2.0) / (pos * neg))


def calibration(p: np.ndarray, y: np.ndarray, bins: int = 5) -> float:
    """Expected calibration error of probabilities p against 0/1 outcomes y."""
    if len(p) == 0:
        return float("nan")
    edges = np.linspace(0, 1, bins + 1)
    err = 0.0
    for a, b in zip(edges, edges[1:]):
        sel = (p >= a) & ((p < b) if b < 1 else (p <= b))
        if sel.any():
            err += sel.mean() * abs(float(p[sel].mean()) - float(y[sel].mean()))
    return float(err)


def evaluate(net: MLP, ds: Dataset, faults: list[str]) -> dict:
    out, _ = net.forward(ds.x)
    res: dict = {"n": len(ds.x), "faults": {}}
    q_true, q_pred = ds.y[:, 0] * 100, out[:, 0] * 100
    res["score_mae"] = round(float(np.mean(np.abs(q_true - q_pred))), 2) if len(q_true) else None
    res["score_corr"] = round(float(np.corrcoef(q_true, q_pred)[0, 1]), 3) if len(q_true) > 2 else None
    for k, f in enumerate(faults):
        sel = ds.m[:, 1 + k] > 0
        if not sel.any():
            continue
        y, p = ds.y[sel, 1 + k], out[sel, 1 + k]
        a = auc(p, y)
        res["faults"][f] = {
            "n": int(sel.sum()), "positives": int(y.sum()),
            "auc": None if a is None else round(a, 3),
            "ece": round(calibration(p, y), 3),
            "accuracy@0.5": round(float(((p >= 0.5) == (y > 0.5)).mean()), 3),
        }
    by_view = {}
    for v in VIEWS:
        sel = np.array([x == v for x in ds.view])
        if sel.any():
            by_view[v] = {"n": int(sel.sum()), "score_mae": round(float(np.mean(np.abs(q_true[sel] - q_pred[sel]))), 2)}
    res["by_view"] = by_view
    return res


# ------------------------------------------------------------------------------------------


def train(out: Path, takes: int = 60, heldout_takes: int = 15, seed: int = 0, epochs: int = 120,
          workers: int = 2, exercises: list[str] | None = None, log=print) -> dict:
    """Generate data, train, export `out` (ONNX) and return the report (metrics, sizes)."""
    log = log or (lambda _msg: None)
    catalog = ExerciseCatalog.load()
    all_ex = data.rep_exercises(catalog)
    exs = exercises or all_ex
    faults = sorted({f for e in exs for f in data.exercise_faults(catalog.get(e))})
    mask = {e: data.exercise_faults(catalog.get(e)) for e in exs}
    t0 = time.time()
    log(f"generating {takes} takes x {len(exs)} exercises (3 reps each) ...")
    tr = to_arrays(data.build(exs, takes, seed, False, workers), faults)
    log(f"  {len(tr.x)} training reps in {time.time() - t0:.0f} s")
    t1 = time.time()
    te = to_arrays(data.build(exs, heldout_takes, seed, True, workers), faults)
    log(f"  {len(te.x)} held-out reps in {time.time() - t1:.0f} s")
    assert tr.x.shape[1] == vector_size(len(exs))
    t2 = time.time()
    net, mu, sd = train_mlp(tr, seed, epochs=epochs, log=log)
    net = fold_standardisation(net, mu, sd)
    log(f"  trained in {time.time() - t2:.0f} s")
    meta = {
        "feature_version": FEATURE_VERSION,
        "exercises": json.dumps(exs),
        "faults": json.dumps(faults),
        "fault_mask": json.dumps(mask, sort_keys=True),
        "training": json.dumps({"seed": seed, "takes_per_exercise": takes, "epochs": epochs,
                                "train_reps": len(tr.x), "generator": "fitcoach.core.synth + synth_faults"}),
        "license": "Apache-2.0",
    }
    raw = export_onnx(net, out, meta)
    report = {
        "exercises": exs, "faults": faults, "train_reps": len(tr.x), "heldout_reps": len(te.x),
        "train": evaluate(net, tr, faults), "heldout": evaluate(net, te, faults),
        "bytes": len(raw), "seed": seed, "takes": takes, "epochs": epochs,
        "seconds": round(time.time() - t0, 1),
    }
    return report
