"""Measuring the form scorer: AUC, calibration, and its figures on held-out and real reps.

`evaluate` scores a `Dataset` (score error, per-fault AUC / ECE / accuracy, per view);
`summarise` and `pushfit_eval` score real labelled reps (UI-PRMD per exercise, PushFit per
camera group and per clip). Pure numpy, deterministic.
"""

from __future__ import annotations

import numpy as np

from fitcoach.core.features import VIEWS
from fitcoach.train.datasets import Dataset
from fitcoach.train.mlp import MLP


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
    """Score error and correlation, per-fault AUC / ECE / accuracy@0.5, and score error per view."""
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


def real_scores(net: MLP, x: np.ndarray) -> np.ndarray:
    """Scores 0..100 of rep vectors `x` (N, D)."""
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
    """Per-exercise AUC and ECE of real reps' scores, their mean and lowest AUC, overall ECE."""
    per = per_exercise_auc(scores, reps)
    aucs = [d["auc"] for d in per.values() if d["auc"] is not None]
    y = np.array([r.bad for r in reps])
    return {"per_exercise": per, "mean_auc": round(float(np.mean(aucs)), 3) if aucs else None,
            "min_auc": round(float(np.min(aucs)), 3) if aucs else None,
            "ece": round(calibration(scores / 100.0, 1.0 - y), 3) if len(y) else None, "reps": len(reps)}


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
