"""Benchmark: rules alone vs rules + the shipped planner network, on held-out simulated trainees.

    .venv/bin/python bench/bench_planner.py [--trainees 200]

Each trainee (fitcoach/core/trainee.py) is planned for 12 weeks, 3 sessions a week, by both
policies in the same run. Prints good-form sets per trainee, the share of planned sets done
with good form, progression (capacity end/start), safety violations, the ratio of good-form
sets (rules+network / rules), and the planning time per decision.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from fitcoach.core.planner import default_capacity_model  # noqa: E402
from fitcoach.train.planner import evaluate  # noqa: E402


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--trainees", type=int, default=200)
    args = ap.parse_args()
    model = default_capacity_model()
    if model is None:
        print("models/planner.onnx missing: run `fitcoach train planner`")
        return 1
    seeds = list(range(20_000_000, 20_000_000 + args.trainees))  # never used in training
    t0 = time.perf_counter()
    a = evaluate(seeds, None)
    t1 = time.perf_counter()
    b = evaluate(seeds, model)
    t2 = time.perf_counter()
    decisions = args.trainees * 36
    for name, r, dt in (("rules alone", a, t1 - t0), ("rules + network", b, t2 - t1)):
        print(f"{name:16s}: good-form sets {r['good_sets_mean']:6.2f}/trainee  share {r['good_set_share']:.3f}  "
              f"progression {r['progression_mean']:.3f}  violations {r['safety_violations']}  "
              f"({1e6 * dt / decisions:.0f} us per planned session incl. simulation)")
    print(f"ratio good-form sets (rules+network / rules): {b['good_sets_mean'] / a['good_sets_mean']:.3f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
