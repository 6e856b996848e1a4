"""Rep counting on every labelled input the repo can reach, with got / truth per input.

    .venv/bin/python bench/counting.py [--cache DIR] [--sets clips,uiprmd,synth] [--json OUT]

Sets:
- `clips`: ../shared/clips/manifest.csv and manifest_2.csv (hand counts; `repo` is the source).
  Videos go through MediaPipe once; their landmarks are kept in --cache (default
  ~/.cache/fitcoach-bench/landmarks, outside the repo) so later runs replay them in seconds.
- `uiprmd`: UI-PRMD rehab sets (10 reps in a row, virtual camera), made by
  ../shared/tools/uiprmd_to_npz.py into --cache/uiprmd.
- `synth`: synthetic takes of every rep exercise at several views and speeds (known counts).

Per set it prints exact, within-one and the normalised mean absolute error (|got - truth| /
truth, as the RepCount benchmark reports it), per source too, and the leave-one-source-out
figure for whatever the counter fits to data (see `fitted_parameters()`).
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import subprocess
import sys
import time
from collections import defaultdict
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
SHARED = Path(os.environ.get("FITCOACH_SHARED", REPO.parent / "shared"))
sys.path.insert(0, str(REPO))

from fitcoach.core import synth  # noqa: E402
from fitcoach.run.analyze import analyze  # noqa: E402
from fitcoach.core.exercises import ExerciseCatalog  # noqa: E402
from fitcoach.io.recordings import load_recording  # noqa: E402
from fitcoach.io.sources import RecordingSource  # noqa: E402

YAW = {"front": 0.0, "side": -90.0, "oblique": -45.0, "back": 180.0}


def count(rec, ex) -> dict:
    out = analyze(RecordingSource(rec), ex)
    s = out["summary"]
    return {"reps": s["reps"], "partial": s["partial_reps"], "reps_at_target": s.get("reps_at_target")}


# --- inputs ------------------------------------------------------------------------------


def clip_inputs(cache: Path, catalog) -> list[dict]:
    rows = []
    for manifest in ("manifest.csv", "manifest_2.csv"):
        path = SHARED / "clips" / manifest
        if not path.exists():
            continue
        for r in csv.DictReader(path.open(encoding="utf-8")):
            if not r["reps"].strip().isdigit():
                continue  # timed holds ("n/a (static hold)"): counted in seconds, not here
            rows.append({"set": "clips", "source": r["repo"], "name": r["file"], "exercise": r["exercise"],
                         "truth": int(r["reps"]), "kind": "video", "path": SHARED / "clips" / r["file"],
                         "view": r.get("view", "")})
    lm = cache / "landmarks"
    lm.mkdir(parents=True, exist_ok=True)
    for row in rows:
        npz = lm / (row["name"].replace("/", "__").rsplit(".", 1)[0] + ".npz")
        if not npz.exists():
            print(f"  recording landmarks of {row['name']} (once) ...", flush=True)
            r = subprocess.run([sys.executable, "-m", "fitcoach", "record", str(row["path"]), str(npz),
                                "--no-progress"], capture_output=True, text=True)
            if r.returncode != 0:
                row["error"] = r.stderr.strip().splitlines()[-1] if r.stderr.strip() else f"exit {r.returncode}"
                continue
        row["npz"] = npz
    return rows


def uiprmd_inputs(cache: Path) -> list[dict]:
    out = cache / "uiprmd"
    tool = SHARED / "tools" / "uiprmd_to_npz.py"
    if not (out / "index.csv").exists():
        if not tool.exists():
            return []
        subprocess.run([sys.executable, str(tool), str(out)], check=True, capture_output=True)
    rows = []
    for r in csv.DictReader((out / "index.csv").open(encoding="utf-8")):
        if not r["file"].startswith("sets/"):
            continue
        rows.append({"set": "uiprmd", "source": f"subject {r['subject']}", "name": r["file"],
                     "exercise": r["exercise"], "truth": int(r["expected_reps"]), "npz": out / r["file"],
                     "view": r["view"], "label": r["label"]})
    return rows


def synth_inputs(catalog) -> list[dict]:
    rows = []
    for ex in catalog:
        if ex.kind != "reps":
            continue
        tempo = (ex.tempo.down, ex.tempo.bottom, ex.tempo.up, ex.tempo.top) if ex.tempo else (1.5, 0.5, 1.2, 0.8)
        for view in ("front", "side", "oblique"):
            for speed, reps in ((0.6, 7), (1.0, 5), (1.6, 4)):
                rows.append({"set": "synth", "source": f"synth {view}", "name": f"{ex.id} {view} x{speed}",
                             "exercise": ex.id, "truth": reps, "view": view,
                             "take": synth.Take(exercise=ex.id, reps=reps, yaw_deg=YAW[view], noise=0.003,
                                                drop_rate=0.02, seed=11, tempo=tuple(x * speed for x in tempo),
                                                alternate=ex.laterality == "alternating",
                                                distance_m=1.6 if ex.id in ("chin_tuck", "shrug") else 3.2)})
    return rows


# --- figures -----------------------------------------------------------------------------


def figures(rows: list[dict]) -> dict:
    done = [r for r in rows if "got" in r]
    n = len(done)
    if not n:
        return {"inputs": 0}
    exact = sum(r["got"] == r["truth"] for r in done)
    obo = sum(abs(r["got"] - r["truth"]) <= 1 for r in done)
    nmae = sum(abs(r["got"] - r["truth"]) / max(r["truth"], 1) for r in done) / n
    return {"inputs": n, "exact": exact / n, "within_one": obo / n, "nmae": nmae,
            "refused": len(rows) - n}


def fmt(f: dict) -> str:
    if not f.get("inputs"):
        return "no inputs"
    return (f"{f['inputs']:3d} inputs  exact {100 * f['exact']:5.1f} %  within one {100 * f['within_one']:5.1f} %"
            f"  nMAE {f['nmae']:.3f}" + (f"  ({f['refused']} refused)" if f.get("refused") else ""))


def fitted_parameters() -> dict:
    """What the counter fits to data. Every entry must be chosen by leave-one-source-out."""
    from fitcoach.core import reps

    return dict(getattr(reps, "FITTED", {}))


def loso(rows: list[dict], catalog) -> list[str]:
    """Leave-one-source-out for every fitted parameter: for each held-out source, the value
    that counts best (most exact, then least nMAE) on all the other sources is used on it."""
    from fitcoach.core import reps

    lines = []
    real = [r for r in rows if r["set"] != "synth" and "error" not in r and r["exercise"] in catalog.ids()]
    for name, (default, candidates) in fitted_parameters().items():
        got: dict[float, dict[int, int]] = {}
        saved = getattr(reps, name)
        try:
            for v in candidates:
                setattr(reps, name, v)
                got[v] = {i: count(_recording(r), catalog.get(r["exercise"]))["reps"] for i, r in enumerate(real)}
        finally:
            setattr(reps, name, saved)
        sources = sorted({r["source"] for r in real})
        held = []
        chosen = []
        for src in sources:
            train = [i for i, r in enumerate(real) if r["source"] != src]
            test = [i for i, r in enumerate(real) if r["source"] == src]

            def score(v, idx):
                ex = sum(got[v][i] == real[i]["truth"] for i in idx)
                err = sum(abs(got[v][i] - real[i]["truth"]) / max(real[i]["truth"], 1) for i in idx)
                return (ex, -err, -abs(v - default))

            best = max(candidates, key=lambda v: score(v, train))
            chosen.append(best)
            held += [(got[best][i], real[i]["truth"]) for i in test]
        n = len(held)
        exact = sum(g == t for g, t in held) / n
        obo = sum(abs(g - t) <= 1 for g, t in held) / n
        nmae = sum(abs(g - t) / max(t, 1) for g, t in held) / n
        per_value = ", ".join(f"{v:g}: {sum(got[v][i] == r['truth'] for i, r in enumerate(real))}/{len(real)} exact"
                              for v in candidates)
        lines.append(f"{name} = {default:g} shipped; candidates {per_value}")
        lines.append(f"  leave-one-source-out over {len(sources)} sources: exact {100 * exact:.1f} %, within one "
                     f"{100 * obo:.1f} %, nMAE {nmae:.3f}; values chosen per fold: "
                     f"{', '.join(f'{v:g} x{chosen.count(v)}' for v in sorted(set(chosen)))}")
    return lines


def _recording(r: dict):
    return synth.generate(r["take"])[0] if "take" in r else load_recording(r["npz"])


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--cache", type=Path, default=Path.home() / ".cache" / "fitcoach-bench")
    ap.add_argument("--sets", default="clips,uiprmd,synth")
    ap.add_argument("--json", type=Path)
    ap.add_argument("--quiet", action="store_true", help="figures only, no per-input lines")
    ap.add_argument("--no-loso", action="store_true", help="skip the leave-one-source-out refits (minutes)")
    a = ap.parse_args()
    catalog = ExerciseCatalog.load()
    want = set(a.sets.split(","))
    rows: list[dict] = []
    if "clips" in want:
        rows += clip_inputs(a.cache, catalog)
    if "uiprmd" in want:
        rows += uiprmd_inputs(a.cache)
    if "synth" in want:
        rows += synth_inputs(catalog)
    t0 = time.perf_counter()
    for r in rows:
        if r["exercise"] not in catalog.ids():
            r["error"] = f"no exercise {r['exercise']!r}"
            continue
        if "error" in r:
            continue
        ex = catalog.get(r["exercise"])
        c = count(_recording(r), ex)
        r["got"], r["partial"], r["at_target"] = c["reps"], c["partial"], c["reps_at_target"]
    took = time.perf_counter() - t0
    by_set: dict[str, list] = defaultdict(list)
    for r in rows:
        by_set[r["set"]].append(r)
    report = {"sets": {}, "fitted": fitted_parameters()}
    for name, rs in by_set.items():
        print(f"\n== {name}")
        if not a.quiet:
            for r in rs:
                if "got" in r:
                    mark = "  " if r["got"] == r["truth"] else ("~ " if abs(r["got"] - r["truth"]) <= 1 else "X ")
                    extra = f" (+{r['partial']} partial)" if r["partial"] else ""
                    print(f"  {mark}{r['got']:3d} / {r['truth']:3d}{extra:16s} {r['exercise']:<20} {r['name']}")
                else:
                    print(f"  ! refused: {r['name']}: {r['error']}")
        f = figures(rs)
        print(f"  {name}: {fmt(f)}")
        by_src: dict[str, list] = defaultdict(list)
        for r in rs:
            by_src[r["source"]].append(r)
        srcs = {s: figures(v) for s, v in sorted(by_src.items())}
        if name != "synth":
            for s, fs in srcs.items():
                print(f"    {s:<60} {fmt(fs)}")
        report["sets"][name] = {"all": f, "by_source": srcs,
                                "inputs": [{k: (str(v) if isinstance(v, Path) else v) for k, v in r.items()
                                            if k not in ("take", "path", "npz")} for r in rs]}
    if a.no_loso:
        print("\nleave-one-source-out: skipped (--no-loso)")
    else:
        print("\nFitted parameters, chosen by leave-one-source-out on the real inputs (clips by repository, "
              "UI-PRMD by subject):")
        report["loso"] = loso(rows, catalog)
        for line in report["loso"]:
            print("  " + line)
    print(f"counting took {took:.1f} s for {sum('got' in r for r in rows)} inputs")
    if a.json:
        a.json.write_text(json.dumps(report, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
