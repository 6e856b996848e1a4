"""The form scorer on real labelled reps, before and after, in one run.

    .venv/bin/python bench/scorer_real.py [--cache DIR] [--model PATH] [--baseline PATH|HEAD]
                                          [--no-cv] [--json OUT]

Figures (every one measured here):
- UI-PRMD subjects 1-5 (virtual camera, as ../shared/tools/uiprmd_to_npz.py renders them):
  per-rep AUC of (100 - score) for reps labelled incorrect, per movement, plus ECE of score/100
  as the probability of a correct rep. The baseline never saw UI-PRMD, so all five subjects are
  held out for it. For the new recipe (which trains on UI-PRMD) the figure is the
  leave-one-subject-out one: five models, each trained without one subject, scoring that
  subject (`fitcoach.train.scorer.cross_validate`, the same recipe as `fitcoach train scorer`).
  The shipped model's score on subjects it was trained on is not reported as a result.
- PushFit (never trained on; terms unknown): per camera group, rep-level AUC and clip-level AUC of
  (100 - mean rep score).
- Pose Trainer (never trained on): per exercise, AUC of (100 - mean rep score) per video.
- Synthetic held-out set (unseen bodies and camera elevation): fault AUCs, both models.
- Latency: one rep's `FormScorer.score` (ONNX run + explanation), median of 2,000 calls, single
  thread, both models.

The baseline is the model committed at HEAD (`git show HEAD:models/form_scorer.onnx`) unless
--baseline names a file.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

REPO = Path(__file__).resolve().parent.parent
SHARED = Path(os.environ.get("FITCOACH_SHARED", REPO.parent / "shared"))
sys.path.insert(0, str(REPO))

from fitcoach.core.exercises import ExerciseCatalog  # noqa: E402
from fitcoach.core.scorer import FormScorer  # noqa: E402
from fitcoach.train import data, realdata  # noqa: E402
from fitcoach.train import scorer as ts  # noqa: E402
from fitcoach.train.realreps import relayout  # noqa: E402


def model_scores(model: FormScorer, reps: list, exs: list[str]) -> np.ndarray:
    """Scores of reps whose vectors were made for `exs` (re-laid for the model's exercise list)."""
    out = np.full(len(reps), np.nan)
    for i, r in enumerate(reps):
        if model.knows(r.exercise):
            out[i] = model.score(relayout(r.x, exs, model.exercises)[0], r.exercise).score
    return out


def synth_fault_aucs(model: FormScorer, samples: list, exs: list[str]) -> dict:
    preds = [(model.score(relayout(s.x, exs, model.exercises)[0], s.exercise), s) for s in samples
             if model.knows(s.exercise)]
    res = {}
    for f in model.faults:
        pairs = [(p.fault_p[f], s.faults[f]) for p, s in preds if f in s.faults and f in p.fault_p]
        y = np.array([b for _, b in pairs])
        a = ts.auc(np.array([a for a, _ in pairs]), y) if len(y) else None
        if a is not None:
            res[f] = round(a, 3)
    mae = float(np.mean([abs(p.score - 100 * s.quality) for p, s in preds]))
    return {"faults": res, "score_mae": round(mae, 2), "reps": len(preds)}


def latency_ms(model: FormScorer, x: np.ndarray, ex_id: str, n: int = 2000) -> float:
    for _ in range(50):
        model.score(x, ex_id, "side")
    ts_ = []
    for _ in range(n):
        t = time.perf_counter()
        model.score(x, ex_id, "side")
        ts_.append(time.perf_counter() - t)
    return float(np.median(ts_) * 1000)


def fmt(v) -> str:
    return "  –  " if v is None or (isinstance(v, float) and np.isnan(v)) else f"{v:.3f}"


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--cache", default=str(Path.home() / ".cache" / "fitcoach-bench" / "scorer"),
                    help="generated data kept here between runs (outside the repo)")
    ap.add_argument("--model", default=str(REPO / "models" / "form_scorer.onnx"))
    ap.add_argument("--baseline", default="HEAD", help="a model file, or HEAD (the committed model)")
    ap.add_argument("--no-cv", action="store_true", help="skip the leave-one-subject-out retraining")
    ap.add_argument("--takes", type=int, default=100, help="synthetic takes per exercise (the recipe's)")
    ap.add_argument("--epochs", type=int, default=ts.EPOCHS)
    ap.add_argument("--json", help="write every figure here")
    args = ap.parse_args()
    if not (SHARED / "datasets").is_dir():
        print(f"{SHARED}/datasets not found (set FITCOACH_SHARED)", file=sys.stderr)
        return 2
    cache = Path(args.cache)
    catalog = ExerciseCatalog.load()
    exs = data.rep_exercises(catalog)
    faults = sorted({f for e in exs for f in data.exercise_faults(catalog.get(e))})

    if args.baseline == "HEAD":
        raw = subprocess.run(["git", "-C", str(REPO), "show", "HEAD:models/form_scorer.onnx"],
                             capture_output=True, check=True).stdout
        base_path = Path(tempfile.mkdtemp()) / "baseline.onnx"
        base_path.write_bytes(raw)
    else:
        base_path = Path(args.baseline)
    models = {"baseline": FormScorer(base_path), "new": FormScorer(args.model)}
    print(f"baseline: {base_path} ({len(models['baseline'].exercises)} exercises); new: {args.model}")

    t0 = time.time()
    real = ts.load_real(SHARED, exs, cache, log=print)
    uiprmd = [r for r in real["uiprmd"] if not r.variant]
    print(f"UI-PRMD: {len(uiprmd)} reps found in the sets as recorded ({len(real['uiprmd'])} with the rendered "
          f"views); PushFit: {len(real.get('pushfit', []))} reps; {time.time() - t0:.0f} s")
    out: dict = {"uiprmd": {}, "pushfit": {}, "pose_trainer": {}, "synthetic": {}, "latency_ms": {}}

    # --- UI-PRMD --------------------------------------------------------------------------
    base_sc = model_scores(models["baseline"], uiprmd, exs)
    known = ~np.isnan(base_sc)
    out["uiprmd"]["baseline"] = ts.summarise(base_sc[known], [r for r, k in zip(uiprmd, known) if k])
    if not args.no_cv:
        synth_tr = ts.to_arrays(ts._synth(exs, args.takes, 0, False, 2, cache), faults)
        t1 = time.time()
        out["uiprmd"]["new_loso"] = ts.cross_validate(synth_tr, real["uiprmd"], faults, 0, args.epochs, log=print)
        print(f"  leave-one-subject-out: {time.time() - t1:.0f} s")
    print("\nUI-PRMD, per-rep AUC of (100 - score) for incorrect reps; ECE of score/100 as P(correct)")
    print(f"{'exercise':28s} {'reps':>5s} {'incorr':>6s}  {'baseline':>8s}  {'new LOSO':>8s}  {'ECE base':>8s}  {'ECE new':>8s}")
    b = out["uiprmd"]["baseline"]["per_exercise"]
    n = out["uiprmd"].get("new_loso", {}).get("per_exercise", {})
    for ex_id in sorted(set(b) | set(n)):
        d = n.get(ex_id) or b.get(ex_id)
        print(f"{ex_id:28s} {d['reps']:5d} {d['incorrect']:6d}  {fmt(b.get(ex_id, {}).get('auc')):>8s}  "
              f"{fmt(n.get(ex_id, {}).get('auc')):>8s}  {fmt(b.get(ex_id, {}).get('ece')):>8s}  {fmt(n.get(ex_id, {}).get('ece')):>8s}")
    for k in ("baseline", "new_loso"):
        if k in out["uiprmd"]:
            d = out["uiprmd"][k]
            print(f"{k:28s} mean AUC {fmt(d['mean_auc'])}, lowest {fmt(d['min_auc'])}, ECE {fmt(d['ece'])}")

    # --- PushFit --------------------------------------------------------------------------
    if real.get("pushfit"):
        print("\nPushFit (never trained on), per camera group: rep AUC / clip AUC (mean rep score) / rep ECE")
        for name, m in models.items():
            sc = model_scores(m, real["pushfit"], exs)
            out["pushfit"][name] = ts.pushfit_eval(sc, real["pushfit"], real["pushfit_clips"])
        for g in sorted(out["pushfit"]["baseline"]):
            bb, nn = out["pushfit"]["baseline"][g], out["pushfit"]["new"][g]
            print(f"  {g:10s} clips {bb['clips']:3d} (wrong {bb['wrong_clips']:3d}, with reps {bb['clips_with_reps']:3d}), "
                  f"reps {bb['reps']:3d}:  baseline {fmt(bb['auc_rep'])} / {fmt(bb['auc_clip'])} / {fmt(bb['ece_rep'])}"
                  f"   new {fmt(nn['auc_rep'])} / {fmt(nn['auc_clip'])} / {fmt(nn['ece_rep'])}")

    # --- Pose Trainer ---------------------------------------------------------------------
    print("\nPose Trainer (never trained on), AUC of (100 - mean rep score) per video, bad vs good")
    for name, m in models.items():
        out["pose_trainer"][name] = realdata.pose_trainer(SHARED / "datasets" / "pose-trainer", m)
    for ex_id in out["pose_trainer"]["baseline"]:
        bb, nn = out["pose_trainer"]["baseline"][ex_id], out["pose_trainer"]["new"][ex_id]
        print(f"  {ex_id:16s} videos {bb['videos']:3d} (with reps {bb['videos_with_reps']:3d}):  baseline "
              f"{fmt(bb['auc_bad_vs_good'])}   new {fmt(nn['auc_bad_vs_good'])}")

    # --- synthetic held-out ---------------------------------------------------------------
    held = ts._synth(exs, 20, 0, True, 2, cache)
    print(f"\nSynthetic held-out ({len(held)} reps; unseen bodies and camera elevation): fault AUC")
    for name, m in models.items():
        out["synthetic"][name] = synth_fault_aucs(m, held, exs)
    bf, nf = out["synthetic"]["baseline"]["faults"], out["synthetic"]["new"]["faults"]
    for f in sorted(set(bf) | set(nf)):
        delta = "" if f not in bf or f not in nf else f"  {nf[f] - bf[f]:+.3f}"
        print(f"  {f:20s} baseline {fmt(bf.get(f))}   new {fmt(nf.get(f))}{delta}")
    common = sorted(set(bf) & set(nf))
    print(f"  mean over {len(common)} common faults: baseline {np.mean([bf[f] for f in common]):.3f}, "
          f"new {np.mean([nf[f] for f in common]):.3f}; score MAE baseline {out['synthetic']['baseline']['score_mae']}, "
          f"new {out['synthetic']['new']['score_mae']}")

    # --- explanations ---------------------------------------------------------------------
    # Share of reps given at least one reason, correct vs incorrect. UI-PRMD is in-sample here
    # (the shipped ranges were learnt from its correct reps); PushFit and synthetic are not.
    m = models["new"]
    print("\nExplanations (new model): reps with >= 1 reason, labelled correct vs incorrect")
    out["explanations"] = {}
    sets = (("UI-PRMD (in-sample ranges)", [(r.x, r.exercise, r.view, r.bad) for r in uiprmd]),
            ("PushFit", [(r.x, r.exercise, r.view, r.bad) for r in real.get("pushfit", [])]),
            ("synthetic held-out, all", [(s.x, s.exercise, s.view, int(s.quality < 0.999)) for s in held]))
    for name, rows in sets:
        got = {0: [], 1: []}
        for x, ex_id, view, bad in rows:
            if m.knows(ex_id):
                got[bad].append(bool(m.reasons(relayout(x, exs, m.exercises)[0], ex_id, view)))
        frac = {k: round(float(np.mean(v)), 3) if v else None for k, v in got.items()}
        out["explanations"][name] = {"correct": frac[0], "incorrect": frac[1], "n": [len(got[0]), len(got[1])]}
        print(f"  {name:28s} correct {fmt(frac[0])} (n={len(got[0])})   incorrect {fmt(frac[1])} (n={len(got[1])})")

    lo = ts.explanation_rates_loso(real["uiprmd"])
    out["explanations"]["UI-PRMD leave-one-subject-out ranges"] = lo
    print(f"  {'UI-PRMD, ranges from the other subjects':28s} correct {fmt(lo['correct'])}   incorrect {fmt(lo['incorrect'])}")

    # --- latency --------------------------------------------------------------------------
    x = uiprmd[0]
    for name, m in models.items():
        out["latency_ms"][name] = round(latency_ms(m, relayout(x.x, exs, m.exercises)[0], x.exercise), 4)
    lb, ln = out["latency_ms"]["baseline"], out["latency_ms"]["new"]
    print(f"\nLatency per rep (score + explanation, median): baseline {lb:.3f} ms, new {ln:.3f} ms "
          f"(x{ln / lb:.2f}); budget 1 ms")
    if args.json:
        Path(args.json).write_text(json.dumps(out, indent=1) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
