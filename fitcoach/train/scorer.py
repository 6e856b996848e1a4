"""`fitcoach train scorer`: train the form scorer on synthetic reps and export it to ONNX.

The recipe: synthetic reps of every exercise (`fitcoach.train.data`) and, with ../shared, the
UI-PRMD subjects' labelled reps (`fitcoach.train.realreps`) become `Dataset`s
(`fitcoach.train.datasets`); a small numpy MLP (`fitcoach.train.mlp`, Adam, seeded, float64)
learns the quality score and the fault probabilities, a second one the score of exercises with
real data (`TwoPart`); the reference ranges that explain a score come from correct reps; the
result is written to ONNX (`fitcoach.train.onnx_export`) and measured
(`fitcoach.train.evaluation`, leave-one-subject-out on UI-PRMD). Same seed and data -> same
weights -> same bytes.

Output 0 is the quality score (0..1, x100 in the app); outputs 1..K are fault probabilities.
"""

from __future__ import annotations

import json
import tempfile
import time
from pathlib import Path

import numpy as np

from fitcoach.core.exercises import ExerciseCatalog
from fitcoach.core.features import FEATURE_VERSION, measure_ids, rep_measures, vector_size
from fitcoach.core.metrics import METRICS
from fitcoach.core.scorer import MIN_OUTSIDE, censored, explain, outside
from fitcoach.train import data
from fitcoach.train.datasets import Dataset, concat, real_arrays, to_arrays
from fitcoach.train.evaluation import auc, evaluate, pushfit_eval, real_scores, summarise  # noqa: F401  (auc: re-exported)
from fitcoach.train.mlp import MLP, TwoPart, fold_standardisation, train_mlp, with_summary  # noqa: F401
from fitcoach.train.onnx_export import export_onnx

EPOCHS = 150
# the real part (score of exercises with real data): chosen by leave-one-subject-out on UI-PRMD
# among 1e-4, 1e-3, 1e-2, 3e-2 (mean AUC 0.839, 0.844, 0.857, 0.839 with time pooling)
WEIGHT_DECAY_REAL = 1e-2
SUMMARY = True  # pool each per-frame feature's min and max over the rep into the input
BATCH = 256  # 64 before issue 14: 15x slower per epoch in numpy (measured on 1,587 reps)


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
    tr_s, tr, te_s, te = _synthetic_sets(exs, faults, takes, heldout_takes, seed, workers, cache, log)
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
    meta = _metadata(exs, faults, mask, seed, takes, epochs, len(tr.x), uiprmd, reference, basis)
    raw = export_onnx(net, out, meta)
    report = {
        "exercises": exs, "faults": faults, "train_reps": len(tr.x), "heldout_reps": len(te.x),
        "train": evaluate(net, tr, faults), "heldout": evaluate(net, te, faults),
        "bytes": len(raw), "seed": seed, "takes": takes, "epochs": epochs, "real_sources": _real_sources(uiprmd),
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


def _synthetic_sets(exs: list[str], faults: list[str], takes: int, heldout_takes: int, seed: int, workers: int,
                    cache: Path | None, log) -> tuple[list, Dataset, list, Dataset]:
    """The synthetic training and held-out samples, and their arrays."""
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
    return tr_s, tr, te_s, te


def _real_sources(uiprmd: list) -> dict:
    """What the real training reps are: count, subjects, rendered views ({} without any)."""
    return {"uiprmd": {"reps": len(uiprmd), "subjects": sorted({r.group for r in uiprmd}),
                       "views": sorted({r.variant or "as recorded" for r in uiprmd})}} if uiprmd else {}


def _metadata(exs: list[str], faults: list[str], mask: dict, seed: int, takes: int, epochs: int, n_train: int,
              uiprmd: list, reference: dict, basis: dict) -> dict[str, str]:
    """The ONNX file's metadata properties: what the app reads back (exercises, faults, ranges)."""
    return {
        "feature_version": FEATURE_VERSION,
        "exercises": json.dumps(exs),
        "faults": json.dumps(faults),
        "fault_mask": json.dumps(mask, sort_keys=True),
        "training": json.dumps({"seed": seed, "takes_per_exercise": takes, "epochs": epochs,
                                "train_reps": n_train, "real_reps": len(uiprmd), "real_share": REAL_SHARE,
                                "generator": "fitcoach.core.synth + synth_faults",
                                "real": "UI-PRMD subjects 1-5 (Vicon, virtual camera)" if uiprmd else "none"}),
        "reference_ranges": json.dumps(reference, sort_keys=True, separators=(",", ":")),
        "score_basis": json.dumps(basis, sort_keys=True),
        "license": "Apache-2.0",
    }
