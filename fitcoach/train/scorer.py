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
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from fitcoach.core.exercises import ExerciseCatalog
from fitcoach.core.features import (FEATURE_VERSION, N_FRAME, N_SAMPLES, VIEWS, measure_ids, rep_measures,
                                    vector_size)
from fitcoach.core.metrics import METRICS
from fitcoach.core.scorer import MIN_OUTSIDE, censored, explain, outside
from fitcoach.train import data

HIDDEN = 64
EPOCHS = 150
WEIGHT_DECAY = 1e-4  # the synthetic part (quality + faults), as before issue 14
# the real part (score of exercises with real data): chosen by leave-one-subject-out on UI-PRMD
# among 1e-4, 1e-3, 1e-2, 3e-2 (mean AUC 0.839, 0.844, 0.857, 0.839 with time pooling)
WEIGHT_DECAY_REAL = 1e-2
SUMMARY = True  # pool each per-frame feature's min and max over the rep into the input
BATCH = 256  # 64 before issue 14: 15x slower per epoch in numpy (measured on 1,587 reps)


@dataclass
class Dataset:
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


def with_summary(x: np.ndarray) -> np.ndarray:
    """The rep vector plus each per-frame feature's lowest and highest value over the rep's time
    (a fixed temporal pooling; the ONNX graph computes it with ReduceMin / ReduceMax)."""
    traj = x[:, : N_FRAME * N_SAMPLES].reshape(len(x), N_FRAME, N_SAMPLES)
    return np.concatenate([x, traj.min(2), traj.max(2)], axis=1)


@dataclass
class MLP:
    w: list[np.ndarray] = field(default_factory=list)
    b: list[np.ndarray] = field(default_factory=list)
    summary: bool = False  # the input is pooled over time first (`with_summary`)

    def forward(self, x: np.ndarray) -> tuple[np.ndarray, list[np.ndarray]]:
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
        out = self.synth.forward(x)[0].copy()
        if self.real is not None and self.real_exercises:
            sel = x @ self._selector(x.shape[1])
            out[:, 0] = sel * self.real.forward(x)[0][:, 0] + (1.0 - sel) * out[:, 0]
        return out, None


def _chain(net: MLP, prefix: str, cur: str, out_name: str, nodes: list, inits: list) -> None:
    from onnx import helper, numpy_helper

    for i, (w, b) in enumerate(zip(net.w, net.b)):
        inits.append(numpy_helper.from_array(w.astype(np.float32), f"{prefix}W{i}"))
        inits.append(numpy_helper.from_array(b.astype(np.float32), f"{prefix}B{i}"))
        nodes.append(helper.make_node("Gemm", [cur, f"{prefix}W{i}", f"{prefix}B{i}"], [f"{prefix}z{i}"]))
        nxt = f"{prefix}h{i}" if i < len(net.w) - 1 else out_name
        nodes.append(helper.make_node("Relu" if i < len(net.w) - 1 else "Sigmoid", [f"{prefix}z{i}"], [nxt]))
        cur = nxt


def export_onnx(net: MLP | TwoPart, path: Path, meta: dict[str, str]) -> bytes:
    import onnx
    from onnx import TensorProto, helper, numpy_helper

    two = net if isinstance(net, TwoPart) else TwoPart(net, None, [], [])
    parts = [two.synth] + ([two.real] if two.real is not None and two.real_exercises else [])
    d_in = two.synth.w[0].shape[0] - (2 * N_FRAME if two.synth.summary else 0)
    d_out = two.synth.w[-1].shape[1]
    nodes, inits = [], []
    if any(p.summary for p in parts):  # temporal pooling: [N, D] -> + min and max over time of each frame feature
        for name, val in (("t0", [0]), ("t1", [N_FRAME * N_SAMPLES]), ("ax1", [1]),
                          ("seq_shape", [-1, N_FRAME, N_SAMPLES])):
            inits.append(numpy_helper.from_array(np.array(val, np.int64), name))
        nodes += [helper.make_node("Slice", ["features", "t0", "t1", "ax1"], ["traj_flat"]),
                  helper.make_node("Reshape", ["traj_flat", "seq_shape"], ["traj"]),
                  helper.make_node("ReduceMin", ["traj"], ["traj_min"], axes=[2], keepdims=0),
                  helper.make_node("ReduceMax", ["traj"], ["traj_max"], axes=[2], keepdims=0),
                  helper.make_node("Concat", ["features", "traj_min", "traj_max"], ["pooled"], axis=1)]
    src = lambda p: "pooled" if p.summary else "features"  # noqa: E731
    if len(parts) == 1:
        _chain(two.synth, "", src(two.synth), "outputs", nodes, inits)
    else:
        _chain(two.synth, "s_", src(two.synth), "s_out", nodes, inits)
        _chain(two.real, "r_", src(two.real), "r_out", nodes, inits)
        for name, val in (("c0", [0]), ("c1", [1]), ("cK", [d_out])):
            inits.append(numpy_helper.from_array(np.array(val, np.int64), name))
        inits.append(numpy_helper.from_array(two._selector(d_in).astype(np.float32).reshape(-1, 1), "real_sel"))
        inits.append(numpy_helper.from_array(np.ones((1, 1), np.float32), "one"))
        nodes += [helper.make_node("Slice", ["s_out", "c0", "c1", "c1"], ["s_score"]),
                  helper.make_node("Slice", ["s_out", "c1", "cK", "c1"], ["s_faults"]),
                  helper.make_node("MatMul", ["features", "real_sel"], ["is_real"]),
                  helper.make_node("Sub", ["one", "is_real"], ["not_real"]),
                  helper.make_node("Mul", ["is_real", "r_out"], ["r_part"]),
                  helper.make_node("Mul", ["not_real", "s_score"], ["s_part"]),
                  helper.make_node("Add", ["r_part", "s_part"], ["score"]),
                  helper.make_node("Concat", ["score", "s_faults"], ["outputs"], axis=1)]
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


REAL_SHARE = 1.0  # real reps weigh as much in total as the synthetic ones (fixed, not tuned)
# UI-PRMD renderings trained on: the tool's own view only. The four extra views of
# realreps.AUGMENT_VIEWS gave the same leave-one-subject-out figures (mean AUC 0.859 vs 0.857,
# lowest 0.75 vs 0.77) for 10 more minutes of training, so they are not used.
TRAIN_VIEWS = ((0.0, 0.0),)
REF_PERCENTILES = (5.0, 95.0)  # the "correct range" of a measure: these percentiles of correct reps
REF_MIN_REPS = 15


MIN_LIFT = 0.15  # a measure explains an exercise's scores if incorrect reps leave its range this much more often
MAX_MEASURES = 8


def _out_rate(vecs: list[np.ndarray], m: str, lo: float, hi: float) -> float:
    j = measure_ids().index(m)
    unit = METRICS[m.split(".")[0]].unit
    vals = [rep_measures(v)[j] for v in vecs]
    return float(np.mean([np.isfinite(v) and outside(v, lo, hi, unit) >= MIN_OUTSIDE for v in vals])) if vals else 0.0


def select_measures(ranges: dict[str, list[float]], correct: list[np.ndarray], incorrect: list[np.ndarray]) -> list[str]:
    """The measures whose range incorrect reps leave more often than correct ones (lift >=
    `MIN_LIFT`), at most `MAX_MEASURES`, best first: the only ones offered as reasons."""
    lift = {m: _out_rate(incorrect, m, *r) - _out_rate(correct, m, *r) for m, r in ranges.items()}
    keep = sorted((m for m, x in lift.items() if x >= MIN_LIFT), key=lambda m: (-lift[m], m))
    return keep[:MAX_MEASURES]


def reference_ranges(groups: dict[str, dict[str, list[np.ndarray]]],
                     bad: dict[str, list[np.ndarray]] | None = None) -> dict:
    """{exercise: {view | "any": {measure: [lo, hi]}}} from correct reps' feature vectors
    (`groups[exercise][view]`), measures present in >= 80 % of them; with `bad` (incorrect
    reps per exercise) only the measures `select_measures` keeps."""
    out = _ranges(groups)
    if bad is None:
        return out
    for ex_id in list(out):
        correct = [v for vs in groups[ex_id].values() for v in vs]
        keep = set(select_measures(out[ex_id].get("any", {}), correct, bad.get(ex_id, [])))
        out[ex_id] = {view: {m: r for m, r in rs.items() if m in keep} for view, rs in out[ex_id].items()}
        out[ex_id] = {view: rs for view, rs in out[ex_id].items() if rs}
        if not out[ex_id]:
            del out[ex_id]
    return out


def _ranges(groups: dict[str, dict[str, list[np.ndarray]]]) -> dict:
    ids = measure_ids()
    out: dict = {}
    for ex_id, by_view in sorted(groups.items()):
        pools = dict(by_view)
        pools["any"] = [v for vs in by_view.values() for v in vs]
        ex_out = {}
        for view, vecs in sorted(pools.items()):
            if len(vecs) < REF_MIN_REPS:
                continue
            vals = np.stack([rep_measures(v) for v in vecs])
            ranges = {}
            for j, m in enumerate(ids):
                col = vals[:, j][np.isfinite(vals[:, j])]
                if len(col) >= max(REF_MIN_REPS, 0.8 * len(vals)):
                    lo, hi = np.percentile(col, REF_PERCENTILES)
                    unit = METRICS[m.split(".")[0]].unit
                    if censored(float(lo), float(hi), unit):  # correct reps beyond the clip bound
                        continue
                    nd = 1 if unit == "deg" else 3
                    ranges[m] = [round(float(lo), nd), round(float(hi), nd)]
            if ranges:
                ex_out[view] = ranges
        if ex_out:
            out[ex_id] = ex_out
    return out


def incorrect_reps(synth: list[data.Sample], real: list, real_exercises: set[str]) -> dict[str, list[np.ndarray]]:
    """Reps labelled incorrect per exercise, from the same source `correct_groups` uses."""
    out: dict = {}
    for r in real:
        if r.bad and not r.variant:
            out.setdefault(r.exercise, []).append(r.x)
    for s in synth:
        if s.exercise not in real_exercises and s.quality < 0.999:
            out.setdefault(s.exercise, []).append(s.x)
    return out


def synthetic_reason_rates(reference: dict, samples: list, skip: set[str]) -> dict:
    """Share of held-out synthetic reps (exercises without real data) given at least one reason."""
    got: dict[int, list[bool]] = {0: [], 1: []}
    for smp in samples:
        if smp.exercise in skip or smp.exercise not in reference:
            continue
        by_view = reference[smp.exercise]
        ranges = by_view.get(smp.view, by_view.get("any"))
        got[int(smp.quality < 0.999)].append(bool(ranges) and bool(explain(rep_measures(smp.x), ranges)))
    return {"correct": round(float(np.mean(got[0])), 3) if got[0] else None,
            "incorrect": round(float(np.mean(got[1])), 3) if got[1] else None}


def explanation_rates_loso(real: list) -> dict:
    """Share of real reps given at least one reason when the ranges (and the measures kept)
    come from the other subjects only: {"correct": x, "incorrect": y}."""
    real = [r for r in real if not r.variant]
    exs = {r.exercise for r in real}
    got: dict[int, list[bool]] = {0: [], 1: []}
    for g in sorted({r.group for r in real}):
        rest = [r for r in real if r.group != g]
        ref = reference_ranges(correct_groups([], rest, exs), incorrect_reps([], rest, exs))
        for r in real:
            if r.group == g:
                by_view = ref.get(r.exercise, {})
                ranges = by_view.get(r.view, by_view.get("any"))
                got[r.bad].append(bool(ranges) and bool(explain(rep_measures(r.x), ranges)))
    return {"correct": round(float(np.mean(got[0])), 3) if got[0] else None,
            "incorrect": round(float(np.mean(got[1])), 3) if got[1] else None}


def correct_groups(synth: list[data.Sample], real: list, real_exercises: set[str]) -> dict:
    """Correct reps per exercise and view: real ones where the exercise has real data (as
    recorded, no augmentation), clean synthetic ones (no fault, full depth) otherwise."""
    groups: dict = {}
    for r in real:
        if not r.bad and not r.variant:
            groups.setdefault(r.exercise, {}).setdefault(r.view, []).append(r.x)
    for s in synth:
        if s.exercise not in real_exercises and s.quality >= 0.999:
            groups.setdefault(s.exercise, {}).setdefault(s.view, []).append(s.x)
    return groups


def _weighted(real: list, n_synth: int, faults: list[str]) -> Dataset:
    return real_arrays(real, faults, weight=min(10.0, REAL_SHARE * n_synth / max(1, len(real))))


def real_scores(net: MLP, x: np.ndarray) -> np.ndarray:
    return net.forward(np.asarray(x, np.float64))[0][:, 0] * 100.0 if len(x) else np.zeros(0)


def per_exercise_auc(scores: np.ndarray, reps: list) -> dict:
    """AUC of (100 - score) for reps labelled incorrect, per exercise, plus ECE of score/100 as
    the probability of a correct rep."""
    out = {}
    for ex_id in sorted({r.exercise for r in reps}):
        sel = np.array([r.exercise == ex_id for r in reps])
        y = np.array([r.bad for r in reps])[sel]
        a = auc(100.0 - scores[sel], y)
        out[ex_id] = {"reps": int(sel.sum()), "incorrect": int(y.sum()), "auc": None if a is None else round(a, 3),
                      "ece": round(calibration(scores[sel] / 100.0, 1.0 - y), 3)}
    return out


def summarise(scores: np.ndarray, reps: list) -> dict:
    per = per_exercise_auc(scores, reps)
    aucs = [d["auc"] for d in per.values() if d["auc"] is not None]
    y = np.array([r.bad for r in reps])
    return {"per_exercise": per, "mean_auc": round(float(np.mean(aucs)), 3) if aucs else None,
            "min_auc": round(float(np.min(aucs)), 3) if aucs else None,
            "ece": round(calibration(scores / 100.0, 1.0 - y), 3) if len(y) else None, "reps": len(reps)}


def train_real_part(synth_tr: Dataset, real: list, faults: list[str], seed: int, epochs: int, log=print) -> MLP:
    """The score network for exercises with real data: synthetic quality + real labels, score only."""
    ds = concat(synth_tr, _weighted(real, len(synth_tr), faults))
    ds = Dataset(ds.x, ds.y[:, :1], ds.m[:, :1], ds.exercise, ds.view, ds.w)
    net, mu, sd = train_mlp(ds, seed, epochs=epochs, weight_decay=WEIGHT_DECAY_REAL, summary=SUMMARY,
                            batch=BATCH, log=log)
    return fold_standardisation(net, mu, sd)


def cross_validate(synth_tr: Dataset, real: list, faults: list[str], seed: int, epochs: int, log=print) -> dict:
    """Leave-one-group-out over the real reps (UI-PRMD: one subject per fold): each fold's model
    is trained on the synthetic reps and the other subjects' real reps (all rendered views) and
    scores the held-out subject's reps as recorded. Returns the pooled held-out scores' summary."""
    groups = sorted({r.group for r in real})
    held = [r for r in real if not r.variant]
    scores = np.full(len(held), np.nan)
    for g in groups:
        tr = [r for r in real if r.group != g]
        net = train_real_part(synth_tr, tr, faults, seed, epochs, log=None)
        ix = [i for i, r in enumerate(held) if r.group == g]
        scores[ix] = real_scores(net, np.stack([held[i].x for i in ix]))
        if log:
            log(f"  fold {g}: {len(tr)} real training reps, {len(ix)} held out")
    res = summarise(scores, held)
    res["folds"] = groups
    return res


def pushfit_eval(scores: np.ndarray, reps: list, clips: list[dict]) -> dict:
    """PushFit per camera group: rep-level AUC and clip-level AUC of (100 - mean rep score)."""
    out = {}
    for g in sorted({c["group"] for c in clips}):
        sel = np.array([r.group == g for r in reps], bool)
        y = np.array([r.bad for r in reps])[sel] if len(reps) else np.zeros(0)
        a_rep = auc(100.0 - scores[sel], y) if sel.any() else None
        per_clip: dict[str, list[float]] = {}
        lab = {}
        for r, sc in zip(reps, scores):
            if r.group == g:
                per_clip.setdefault(r.clip, []).append(float(sc))
                lab[r.clip] = r.bad
        cl = sorted(per_clip)
        a_clip = auc(np.array([100.0 - np.mean(per_clip[c]) for c in cl]), np.array([lab[c] for c in cl])) if cl else None
        n_clips = [c for c in clips if c["group"] == g]
        out[g] = {"clips": len(n_clips), "clips_with_reps": len(cl), "wrong_clips": sum(c["bad"] for c in n_clips),
                  "reps": int(sel.sum()), "auc_rep": None if a_rep is None else round(a_rep, 3),
                  "auc_clip": None if a_clip is None else round(a_clip, 3),
                  "ece_rep": round(calibration(scores[sel] / 100.0, 1.0 - y), 3) if sel.any() else None}
    return out


def load_real(shared: Path, exercises: list[str], cache: Path | None, log=print) -> dict:
    """UI-PRMD reps (training, all rendered views) and PushFit reps (evaluation only)."""
    from fitcoach.train import realreps

    ds = shared / "datasets"
    rec_cache = cache or Path(tempfile.mkdtemp(prefix="fitcoach-train-"))
    rec_dir = realreps.uiprmd_recordings(shared, rec_cache)
    out = {"uiprmd": realreps.uiprmd_reps(rec_dir, exercises, TRAIN_VIEWS, cache, log=log)}
    pf = ds / "pushfit-mediapipe"
    if (pf / "index.csv").exists():
        out["pushfit"] = realreps.pushfit_reps(pf, exercises, cache)
        out["pushfit_clips"] = realreps.pushfit_clips(pf)
    return out


def _synth(exs: list[str], takes: int, seed: int, heldout: bool, workers: int, cache: Path | None) -> list:
    from fitcoach.train.realreps import _cached, _key

    return _cached(cache, _key("synth", exs, takes, seed, heldout), lambda: data.build(exs, takes, seed, heldout, workers))


def train(out: Path, takes: int = 60, heldout_takes: int = 15, seed: int = 0, epochs: int = 120,
          workers: int = 2, exercises: list[str] | None = None, log=print, shared: Path | None = None,
          cache: Path | None = None, cross_validation: bool = True) -> dict:
    """Generate data, train, export `out` (ONNX) and return the report (metrics, sizes).

    With `shared` (the folder holding datasets/ and tools/), the UI-PRMD reps join the synthetic
    ones (`REAL_SHARE`), the leave-one-subject-out figures are computed (`cross_validation`),
    and PushFit (evaluation only) is scored by the final model. `cache` keeps the generated
    data between runs (it only saves time: the same inputs give the same arrays)."""
    log = log or (lambda _msg: None)
    catalog = ExerciseCatalog.load()
    all_ex = data.rep_exercises(catalog)
    exs = exercises or all_ex
    faults = sorted({f for e in exs for f in data.exercise_faults(catalog.get(e))})
    mask = {e: data.exercise_faults(catalog.get(e)) for e in exs}
    t0 = time.time()
    log(f"generating {takes} takes x {len(exs)} exercises (3 reps each) ...")
    tr_s = _synth(exs, takes, seed, False, workers, cache)
    tr = to_arrays(tr_s, faults)
    log(f"  {len(tr.x)} training reps in {time.time() - t0:.0f} s")
    t1 = time.time()
    te_s = _synth(exs, heldout_takes, seed, True, workers, cache)
    te = to_arrays(te_s, faults)
    log(f"  {len(te.x)} held-out reps in {time.time() - t1:.0f} s")
    assert tr.x.shape[1] == vector_size(len(exs))
    real = load_real(shared, exs, cache, log) if shared is not None else {}
    uiprmd = [r for r in real.get("uiprmd", []) if r.exercise in exs]
    real_ex = sorted({r.exercise for r in uiprmd})
    cv = cross_validate(tr, uiprmd, faults, seed, epochs, log) if uiprmd and cross_validation else None
    t2 = time.time()
    net_s, mu, sd = train_mlp(tr, seed, epochs=epochs, summary=SUMMARY, batch=BATCH, log=log)
    net_r = train_real_part(tr, uiprmd, faults, seed, epochs, log=log) if uiprmd else None
    net = TwoPart(fold_standardisation(net_s, mu, sd), net_r, real_ex, exs)
    log(f"  trained in {time.time() - t2:.0f} s")
    reference = reference_ranges(correct_groups(tr_s, uiprmd, set(real_ex)), incorrect_reps(tr_s, uiprmd, set(real_ex)))
    basis = {e: ("real" if e in real_ex else "synthetic") for e in exs}
    real_sources = {"uiprmd": {"reps": len(uiprmd), "subjects": sorted({r.group for r in uiprmd}),
                               "views": sorted({r.variant or "as recorded" for r in uiprmd})}} if uiprmd else {}
    meta = {
        "feature_version": FEATURE_VERSION,
        "exercises": json.dumps(exs),
        "faults": json.dumps(faults),
        "fault_mask": json.dumps(mask, sort_keys=True),
        "training": json.dumps({"seed": seed, "takes_per_exercise": takes, "epochs": epochs,
                                "train_reps": len(tr.x), "real_reps": len(uiprmd), "real_share": REAL_SHARE,
                                "generator": "fitcoach.core.synth + synth_faults",
                                "real": "UI-PRMD subjects 1-5 (Vicon, virtual camera)" if uiprmd else "none"}),
        "reference_ranges": json.dumps(reference, sort_keys=True, separators=(",", ":")),
        "score_basis": json.dumps(basis, sort_keys=True),
        "license": "Apache-2.0",
    }
    raw = export_onnx(net, out, meta)
    report = {
        "exercises": exs, "faults": faults, "train_reps": len(tr.x), "heldout_reps": len(te.x),
        "train": evaluate(net, tr, faults), "heldout": evaluate(net, te, faults),
        "bytes": len(raw), "seed": seed, "takes": takes, "epochs": epochs, "real_sources": real_sources,
        "real_exercises": real_ex, "score_basis": basis, "reference_exercises": sorted(reference),
    }
    if cv is not None:
        report["uiprmd_cv"] = cv
    if uiprmd:
        report["reasons_uiprmd_loso"] = explanation_rates_loso(uiprmd)
    report["reasons_synthetic_heldout"] = synthetic_reason_rates(reference, te_s, set(real_ex))
    if real.get("pushfit"):
        pf = real["pushfit"]
        report["pushfit"] = pushfit_eval(real_scores(net, np.stack([r.x for r in pf])), pf, real["pushfit_clips"])
    report["seconds"] = round(time.time() - t0, 1)
    report["cached_data"] = cache is not None  # True: `seconds` excludes whatever came from the cache
    return report
