"""`fitcoach train planner`: the capacity network, trained on simulated trainees, and the
evaluation that decides whether it earns its place (rules alone vs rules + network).

Simulation (`fitcoach.core.trainee`): 3 planned sessions a week for 12 weeks, one exercise;
the trainee may skip sessions. Training data come from trainees planned by the rules with
exploration (the dose jittered by +-2 reps), so the network sees doses the rules would not
pick; the target is the trainee's true capacity (reps with good form at the prescribed tempo)
on the day of the next session.

Objective (per held-out trainee, 12 weeks): sets completed with good form (every prescribed rep
done and at most 20 % faulty reps), progression (capacity at the end / at the start), and safety
violations (pain >= 7, or volume rising more than the cap). Both policies are reported.
"""

from __future__ import annotations

import json
import time
from pathlib import Path

import numpy as np

from fitcoach.core.dose import (FEATURE_VERSION, N_FEATURES, PAIN_STOP, VOLUME_CAP, CAP_SCALE, CapacityModel,
                                Dose, features, plan_exercise)
from fitcoach.core.trainee import Trainee
from fitcoach.train.datasets import Dataset
from fitcoach.train.mlp import fold_standardisation, train_mlp
from fitcoach.train.onnx_export import export_onnx

PLANNED = [0, 2, 4]  # days of the week


def simulate(seed: int, weeks: int = 12, model: CapacityModel | None = None, explore: float = 0.0):
    t = Trainee.sample(seed)
    rng = np.random.default_rng(seed + 7)
    logs, planned, data = [], [], []
    prev: Dose | None = None
    good_sets = planned_sets = violations = 0
    start_cap = t.capacity()
    start_reps = max(4, int(round(start_cap * 0.6)))
    day_prev = 0.0
    for w in range(weeks):
        for dday in PLANNED:
            today = 7.0 * w + dday
            t.advance(today - day_prev)
            day_prev = today
            planned.append(today)
            dec = plan_exercise(logs, prev, planned, today, model, start_reps=start_reps)
            dose = dec.dose
            if dec.stopped:
                prev = Dose(1, max(4, (prev.reps if prev else start_reps) // 2))  # resume gently next time
                continue
            if explore and logs:
                dose = Dose(dose.sets, max(3, dose.reps + int(rng.integers(-2, 3))), dose.tempo_down, dose.tempo_rest)
            if rng.random() > t.adherence:
                continue  # skipped
            if prev is not None and dose.sets * dose.reps > max(prev.sets * prev.reps * (1 + VOLUME_CAP),
                                                                prev.sets * prev.reps + 1) and not explore:
                violations += 1
            # target: the reps every set allows with good form (<= 20 % faulty reps)
            cap = t.good_form_capacity(dose.tempo_s, dose.sets)
            if logs:
                data.append((features(logs, planned[:-1] + [today], today, dose), cap))
            log = t.do_session(dose.sets, dose.reps, dose.tempo_s, rng)
            log["day"] = today
            logs.append(log)
            planned_sets += dose.sets
            if log["total"] and log["faults"] / log["total"] <= 0.2:
                good_sets += sum(1 for a in log["achieved"] if a >= dose.reps)
            if log["pain"] >= PAIN_STOP:
                violations += 1
            prev = dose
    return {"good_sets": good_sets, "planned_sets": planned_sets, "violations": violations,
            "progression": t.capacity() / start_cap}, data


def evaluate(seeds: list[int], model: CapacityModel | None) -> dict:
    rows = [simulate(s, model=model)[0] for s in seeds]
    return {"trainees": len(rows),
            "good_sets_mean": round(float(np.mean([r["good_sets"] for r in rows])), 2),
            "good_set_share": round(float(np.sum([r["good_sets"] for r in rows]) /
                                          max(1, np.sum([r["planned_sets"] for r in rows]))), 3),
            "progression_mean": round(float(np.mean([r["progression"] for r in rows])), 3),
            "safety_violations": int(np.sum([r["violations"] for r in rows]))}


def train(out: Path, trainees: int = 400, heldout: int = 150, seed: int = 0, epochs: int = 60, log=print) -> dict:
    log = log or (lambda _m: None)
    t0 = time.time()
    xs, ys = [], []
    for s in range(seed * 100_000, seed * 100_000 + trainees):
        _, data = simulate(s, explore=1.0)
        for x, cap in data:
            xs.append(x)
            ys.append(min(1.0, cap / CAP_SCALE))
    x = np.array(xs, np.float64)
    y = np.array(ys, np.float64).reshape(-1, 1)
    log(f"  {len(x)} planning situations from {trainees} simulated trainees in {time.time() - t0:.0f} s")
    ds = Dataset(x, y, np.ones_like(y), ["-"] * len(x), ["-"] * len(x))
    net, mu, sd = train_mlp(ds, seed, epochs=epochs, log=log)
    net = fold_standardisation(net, mu, sd)
    meta = {"feature_version": FEATURE_VERSION, "output": "capacity / 30 (reps with good form)",
            "training": json.dumps({"seed": seed, "trainees": trainees, "epochs": epochs}), "license": "Apache-2.0"}
    raw = export_onnx(net, out, meta)
    pred, _ = net.forward(x)
    mae_train = float(np.mean(np.abs(pred[:, 0] - y[:, 0]))) * CAP_SCALE
    held = list(range(10_000_000 + seed * 1000, 10_000_000 + seed * 1000 + heldout))
    hx, hy = [], []
    for s in held:
        _, data = simulate(s, explore=1.0)
        hx += [d[0] for d in data]
        hy += [d[1] for d in data]
    hp, _ = net.forward(np.array(hx, np.float64))
    mae_held = float(np.mean(np.abs(hp[:, 0] * CAP_SCALE - np.minimum(np.array(hy), CAP_SCALE))))
    model = CapacityModel(out)
    report = {"bytes": len(raw), "situations": len(x), "trainees": trainees, "heldout_trainees": heldout,
              "seed": seed, "epochs": epochs, "capacity_mae_train": round(mae_train, 2),
              "capacity_mae_heldout": round(mae_held, 2),
              "rules_only": evaluate(held, None), "rules_plus_ann": evaluate(held, model),
              "seconds": round(time.time() - t0, 1)}
    assert x.shape[1] == N_FEATURES
    return report


def write_card(path: Path, onnx_path: Path, r: dict, command: str) -> None:
    import hashlib

    a, b = r["rules_only"], r["rules_plus_ann"]
    better = b["good_sets_mean"] > a["good_sets_mean"] and b["safety_violations"] <= a["safety_violations"]
    lines = [
        "# Model card: FitCoach planner capacity network (`planner.onnx`)", "",
        f"sha256 `{hashlib.sha256(onnx_path.read_bytes()).hexdigest()}`, {r['bytes']:,} bytes, Apache-2.0. "
        f"Made by `{command}` ({r['seconds']:.0f} s on CPU).", "",
        "## What it does",
        "Predicts, for one exercise, how many reps the person can do with good form in the last set at the prescribed tempo",
        "next session, from 12 history features (`fitcoach.planner-features/1`: last reps achieved, dose,",
        "form score, pain, effort, days since the last session, sessions in 14 days, trend, missed sessions).",
        "The rules in `fitcoach/core/planner.py` clamp its proposal: it can never progress faster than the",
        "rules, never override a stop, regression or deload, and every plan shows both numbers.", "",
        "## Training data",
        f"{r['situations']:,} planning situations from {r['trainees']} simulated trainees (`fitcoach/core/trainee.py`:",
        "fitness-fatigue impulse response with individual capacity, gains, time constants, fault tendency,",
        "pain sensitivity and adherence), planned by the rules with the dose jittered by +-2 reps.",
        "Target: the trainee's true capacity on the day of the session.", "",
        "## Evaluation on held-out simulated trainees (12 weeks, 3 planned sessions a week)",
        f"Capacity error: MAE {r['capacity_mae_heldout']} reps held-out ({r['capacity_mae_train']} training).", "",
        "| policy | good-form sets per trainee | share of planned sets | progression (capacity end/start) | safety violations |",
        "|---|---|---|---|---|",
        f"| rules alone | {a['good_sets_mean']} | {a['good_set_share']} | {a['progression_mean']} | {a['safety_violations']} |",
        f"| rules + network | {b['good_sets_mean']} | {b['good_set_share']} | {b['progression_mean']} | {b['safety_violations']} |",
        "",
        (("The network earns its place on the stated objective: more sets completed with good form, no more"
          " safety violations." + (f" It pays for it with slower progression ({b['progression_mean']} vs"
                                   f" {a['progression_mean']}): it holds doses where the rules would add reps."
                                   if b["progression_mean"] < a["progression_mean"] else ""))
         if better else
         "**The network does not beat the rules alone on this objective.** It is shipped so the comparison is"
         " reproducible, and the plan shows its proposal next to the rules' dose; improving it is open work."),
        "", "## Known limits",
        "- Trained and evaluated on simulated trainees only; the simulator's assumptions (documented in",
        "  `trainee.py`) bound what the network can learn.",
        "- One exercise at a time; no interaction between exercises in a session.", "",
        f"## Reproduce\n`{command}` (needs the `train` extra).",
    ]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
