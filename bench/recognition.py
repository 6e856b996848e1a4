"""Exercise recognition (fitcoach.core.recognize) on every labelled input the repo can reach.

    .venv/bin/python bench/recognition.py [--sets synth,clips,uiprmd] [--lm DIR] [--uiprmd DIR]
                                          [--model FILE] [--synth-per N] [--json OUT]
    .venv/bin/python bench/recognition.py --train models/exercise_recognizer.npz

Sets:
- `synth`: held-out synthetic takes of every shipped exercise (seeds the model never saw).
  Always available, so CI can run it.
- `clips`: real clips as landmark recordings made with MediaPipe, --lm (default
  /root/fcbench/lm, files <exercise>__<file stem>.npz), labels and source repo from
  $FITCOACH_SHARED/clips/manifest.csv and manifest_2.csv (default ../shared).
- `uiprmd`: UI-PRMD rehab sets, --uiprmd (default /root/fcbench/uiprmd: index.csv + sets/).
Missing real data is skipped with a note (only the synthetic figure is then printed).

The recogniser is trained on synthetic takes only, so the real sets are pure evaluation (no
leave-one-source-out figure is needed: nothing is fitted to them). Per input it prints truth,
prediction and confidence; per set top-1 / top-3, the confusion pairs, calibration (how often
a prediction with confidence >= 0.8 is right), the mismatch-warning false-alarm rate (how
often `analyze -e <the correct id>` would warn) and the recognition time.
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import sys
import time
from collections import Counter
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
SHARED = Path(os.environ.get("FITCOACH_SHARED", REPO.parent / "shared"))
sys.path.insert(0, str(REPO))

import numpy as np  # noqa: E402

from fitcoach.core import recognize as R  # noqa: E402
from fitcoach.core.exercises import ExerciseCatalog  # noqa: E402
from fitcoach.io.recordings import load_recording  # noqa: E402

SYNTH_SEED = 900_000  # held-out seeds: train() uses 0..n and 50_000..


def synth_inputs(ids: list[str], n: int):
    for ex in ids:
        for i in range(n):
            yield {"name": f"synth/{ex}#{i}", "truth": ex, "source": "synth",
                   "load": (lambda e=ex, s=SYNTH_SEED + i: R.synthetic_take(e, s))}


def clip_inputs(lm: Path):
    for manifest in ("manifest.csv", "manifest_2.csv"):
        path = SHARED / "clips" / manifest
        if not path.exists():
            continue
        for r in csv.DictReader(path.open(encoding="utf-8")):
            stem = r["file"].replace("/", "__").rsplit(".", 1)[0]
            f = lm / f"{stem}.npz"
            if f.exists():
                yield {"name": stem, "truth": r["exercise"], "source": r["repo"],
                       "load": (lambda f=f: load_recording(f))}


def uiprmd_inputs(root: Path):
    index = root / "index.csv"
    if not index.exists():
        return
    for r in csv.DictReader(index.open(encoding="utf-8")):
        if r["file"].startswith("sets/") and (root / r["file"]).exists():
            yield {"name": r["file"], "truth": r["exercise"], "source": f"subject {r['subject']}",
                   "load": (lambda f=root / r["file"]: load_recording(f))}


def evaluate(name: str, inputs, model, allowed, verbose: bool) -> dict | None:
    rows = []
    for it in inputs:
        rec = it["load"]()
        t0 = time.perf_counter()
        try:
            r = R.recognize(rec, model, allowed)
        except Exception as e:  # noqa: BLE001 - a bench reports, it does not stop
            print(f"  {it['name']}: {e}")
            continue
        dt = time.perf_counter() - t0
        top3 = [r.id] + [a for a, _ in r.alternatives[:2]]
        rows.append({"name": it["name"], "truth": it["truth"], "pred": r.id, "conf": r.confidence,
                     "top3": it["truth"] in top3, "p_truth": r.probabilities.get(it["truth"], 0.0),
                     "false_alarm": R.mismatch(it["truth"], r) is not None, "s": dt,
                     # share of the other exercises that `analyze -e <that one>` would flag
                     "wrong_flagged": float(np.mean([R.mismatch(o, r) is not None for o in allowed
                                                     if o != it["truth"]])),
                     "duration_s": rec.duration_s, "source": it["source"]})
        if verbose:
            mark = "ok " if r.id == it["truth"] else ("top3" if rows[-1]["top3"] else "MISS")
            print(f"  {mark:4s} {it['truth']:27s} -> {r.id:27s} {r.confidence:.2f}  "
                  f"(alt {', '.join(f'{a} {c:.2f}' for a, c in r.alternatives[:2])})  {it['name']}")
    if not rows:
        print(f"{name}: no inputs (skipped)")
        return None
    n = len(rows)
    top1 = sum(r["truth"] == r["pred"] for r in rows)
    top3 = sum(r["top3"] for r in rows)
    hi = [r for r in rows if r["conf"] >= 0.8]
    hi_ok = sum(r["truth"] == r["pred"] for r in hi)
    fa = sum(r["false_alarm"] for r in rows)
    pairs = Counter((r["truth"], r["pred"]) for r in rows if r["truth"] != r["pred"])
    per_30s = [r["s"] * 30.0 / max(r["duration_s"], 1e-3) for r in rows]
    summary = {"set": name, "n": n, "top1": top1, "top3": top3, "conf_ge_0.8": len(hi),
               "conf_ge_0.8_right": hi_ok, "mismatch_false_alarms": fa,
               "median_s": float(np.median([r["s"] for r in rows])),
               "max_s_per_30s_recording": float(max(per_30s)),
               "wrong_label_flagged": float(np.mean([r["wrong_flagged"] for r in rows])),
               "confusions": [[t, p, c] for (t, p), c in pairs.most_common()]}
    print(f"{name}: top-1 {top1}/{n} ({top1 / n:.0%}), top-3 {top3}/{n} ({top3 / n:.0%}); "
          f"confidence >= 0.8: {hi_ok}/{len(hi)} right; mismatch false alarms on the correct "
          f"label: {fa}/{n} ({fa / n:.1%}), on a wrong label: {summary['wrong_label_flagged']:.0%}; "
          f"recognition median {summary['median_s'] * 1000:.1f} ms, "
          f"worst {summary['max_s_per_30s_recording'] * 1000:.0f} ms per 30 s of recording")
    if pairs:
        print("  confusions (truth -> predicted x count): "
              + "; ".join(f"{t} -> {p} x{c}" for (t, p), c in pairs.most_common(12)))
    # calibration table: accuracy per confidence band
    bands = [(0.0, 0.4), (0.4, 0.6), (0.6, 0.8), (0.8, 0.95), (0.95, 1.01)]
    cal = []
    for lo, hi_ in bands:
        b = [r for r in rows if lo <= r["conf"] < hi_]
        if b:
            cal.append(f"[{lo:.2f},{min(hi_, 1):.2f}) {sum(r['truth'] == r['pred'] for r in b)}/{len(b)}")
    print("  calibration (confidence band: right/n): " + ", ".join(cal))
    summary["rows"] = rows
    return summary


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--sets", default="synth,clips,uiprmd")
    ap.add_argument("--lm", type=Path, default=Path("/root/fcbench/lm"))
    ap.add_argument("--uiprmd", type=Path, default=Path("/root/fcbench/uiprmd"))
    ap.add_argument("--model", type=Path, help="recogniser file (default: the shipped one)")
    ap.add_argument("--synth-per", type=int, default=4, help="held-out synthetic takes per exercise")
    ap.add_argument("--train", type=Path, metavar="OUT.npz", help="train on synthetic takes and write the model")
    ap.add_argument("--train-per", type=int, default=30)
    ap.add_argument("--json", type=Path)
    ap.add_argument("-q", "--quiet", action="store_true", help="no per-input lines")
    a = ap.parse_args(argv)
    ids = ExerciseCatalog.load().ids()
    if a.train:
        t0 = time.time()
        model = R.train(ids, n_per=a.train_per)
        model.save(a.train)
        print(f"wrote {a.train}: {len(ids)} exercises, {len(R.feature_names())} features, "
              f"{a.train_per} takes each, temperature {model.temperature:.2f} ({time.time() - t0:.0f} s)")
        return 0
    model = R.RecognizerModel.load(a.model) if a.model else R.load_default_model()
    sets = a.sets.split(",")
    out = []
    if "synth" in sets:
        out.append(evaluate("synthetic (held out)", synth_inputs(ids, a.synth_per), model, ids, not a.quiet))
    if "clips" in sets:
        out.append(evaluate("real clips", clip_inputs(a.lm), model, ids, not a.quiet))
    if "uiprmd" in sets:
        out.append(evaluate("UI-PRMD sets", uiprmd_inputs(a.uiprmd), model, ids, not a.quiet))
    if a.json:
        a.json.write_text(json.dumps([s for s in out if s], indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
