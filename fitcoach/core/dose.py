"""One exercise's next dose: rules that always win, plus a network that proposes capacity.

`plan_exercise` decides one exercise's next dose from its history (session logs), with a reason
for every decision; `fitcoach.core.planner.plan_next` calls it for each exercise of the next
session. Rules, in order (the first that applies sets the direction):
1. safety: pain >= PAIN_STOP last session stops the exercise; pain >= PAIN_REGRESS regresses it
   (one set fewer, 30 % fewer reps); a physiotherapist's safe range and target are hard limits
   on the target ROM;
2. deload: two or more missed sessions in the last 14 days (counted only from when the profile,
   its program and the exercise's first session existed: a new user is never "missing"
   sessions), or form scores falling by more than 15 points, cut the volume by 25 %;
3. progression (double progression): every set reached its reps with good form (score >= 75)
   -> one more rep, up to REP_MAX, then one more set (up to SET_MAX) back at REP_MIN;
   poor control (score < 60) -> a slower tempo (1 s more on the way down) at the same reps;
4. the weekly-volume cap: volume (sets x reps) never rises more than VOLUME_CAP over the last
   prescription (a progression it would undo is reported as kept by the cap). A regression or a
   deload never raises the reps, so every dose a reason states is the dose prescribed.
The network (`models/planner.onnx`, optional) predicts the reps the trainee can do with good
form next time; its proposal is clamped into what the rules allow (it can never progress faster
than the rules, nor override a stop, a regression or a deload) and both numbers are shown.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from fitcoach.core.errors import FitCoachError
from fitcoach.core.models import models_dir
from fitcoach.core.plan_text import Reason as R

PAIN_STOP, PAIN_REGRESS = 7.0, 4.0
REP_MIN, REP_MAX, SET_MAX = 8, 15, 4
VOLUME_CAP = 0.10
GOOD_SCORE, POOR_SCORE = 75.0, 60.0
FEATURE_VERSION = "fitcoach.planner-features/1"
N_FEATURES = 12
CAP_SCALE = 30.0


@dataclass
class Dose:
    """A prescription: sets x reps, seconds down and for the rest of a rep, rest between sets."""

    sets: int
    reps: int
    tempo_down: float = 2.0
    tempo_rest: float = 2.0  # bottom + up + top
    rest_s: float = 60.0

    @property
    def tempo_s(self) -> float:
        return self.tempo_down + self.tempo_rest

    def tempo_text(self) -> str:
        return f"{self.tempo_down:g}-0.5-{max(0.5, self.tempo_rest - 1.0):g}-0.5"


@dataclass
class Decision:
    """The next dose of one exercise, its reasons, the rules' reps and the network's estimate."""

    dose: Dose
    reasons: list[str]
    rules_reps: int
    ann_capacity: float | None = None
    stopped: bool = False
    mode: str = "progress"  # progress | hold | regress | deload | stop | start


def _recent(logs: list[dict], planned_days: list[float], today: float) -> tuple[int, int]:
    """(sessions done, sessions missed) in the 14 days before `today`."""
    done = sum(1 for x in logs if today - 14 <= x["day"] < today)
    planned = sum(1 for d in planned_days if today - 14 <= d < today)
    return done, planned - done


def features(logs: list[dict], planned_days: list[float], today: float, dose: Dose) -> np.ndarray:
    """History features for the capacity network (fixed order, FEATURE_VERSION)."""
    last = logs[-1]
    recent = logs[-3:]
    mean_ach = float(np.mean([np.mean(x["achieved"]) for x in recent]))
    trend = (float(np.mean(last["achieved"])) - float(np.mean(recent[0]["achieved"]))) / 10.0
    done, missed = _recent(logs, planned_days, today)
    return np.array([
        float(np.mean(last["achieved"])) / max(last["reps"], 1), last["reps"] / CAP_SCALE, last["sets"] / 5.0,
        last["score"] / 100.0, last["pain"] / 10.0, last["rpe"] / 10.0, (today - last["day"]) / 7.0,
        done / 6.0, mean_ach / CAP_SCALE, dose.tempo_s / 8.0,
        trend, max(0, missed) / 6.0,
    ], np.float32)


class CapacityModel:
    """models/planner.onnx via onnxruntime; contract checked at load."""

    def __init__(self, path: Path) -> None:
        import onnxruntime as ort

        if not Path(path).exists():
            raise FitCoachError(f"{path}: planner model not found")
        opts = ort.SessionOptions()
        opts.intra_op_num_threads = 1
        self._s = ort.InferenceSession(str(path), opts, providers=["CPUExecutionProvider"])
        meta = self._s.get_modelmeta().custom_metadata_map
        if meta.get("feature_version") != FEATURE_VERSION:
            raise FitCoachError(f"{path}: planner expects {meta.get('feature_version')!r}, this FitCoach makes {FEATURE_VERSION!r}")
        i = self._s.get_inputs()[0]
        if i.name != "features" or i.shape[-1] != N_FEATURES or self._s.get_outputs()[0].shape[-1] != 1:
            raise FitCoachError(f"{path}: input must be features [N, {N_FEATURES}] and output [N, 1]")
        self.path = Path(path)

    def capacity(self, x: np.ndarray) -> float:
        """The reps the trainee can do with good form next time, from `features` (12,)."""
        y = self._s.run(None, {"features": np.asarray(x, np.float32).reshape(1, -1)})[0]
        return float(y[0, 0]) * CAP_SCALE


def default_capacity_model() -> CapacityModel | None:
    """models/planner.onnx when it is there, else None (the rules alone plan)."""
    p = models_dir() / "planner.onnx"
    return CapacityModel(p) if p.exists() else None


def plan_exercise(logs: list[dict], prev: Dose | None, planned_days: list[float], today: float,
                  model: CapacityModel | None = None, safe: dict | None = None, start_reps: int = 10,
                  start_sets: int = 2, volume_cap: float = VOLUME_CAP) -> Decision:
    """The next dose of one exercise. `planned_days` are the days sessions were due; only days
    since the trainee began (see `plan_next`) may be among them, or absences before the start
    count as missed sessions.

    Every dose a reason states is the dose finally prescribed: a regression or a deload never
    raises the reps above the last prescription (so the volume cap can never undo them), a
    progression the cap would undo is explained as kept by the cap, and the network, which acts
    last, states the reps it chose within what the rules allowed."""
    if not logs or prev is None:
        d = Dose(start_sets, start_reps)
        return Decision(d, [R("first_session", sets=start_sets, reps=start_reps)], start_reps, mode="start")
    last = logs[-1]
    reasons: list[str] = []
    d = Dose(prev.sets, prev.reps, prev.tempo_down, prev.tempo_rest, prev.rest_s)
    if last["pain"] >= PAIN_STOP:
        return Decision(Dose(0, 0), [R("pain_stop", pain=last["pain"], limit=PAIN_STOP)], 0, stopped=True, mode="stop")
    # the weekly volume cap (only ever limits growth): the most sets x reps the next dose may have
    cap = max(prev.sets * prev.reps * (1 + volume_cap), prev.sets * prev.reps + 1)
    if last["pain"] >= PAIN_REGRESS:
        d.sets = max(1, d.sets - 1)
        d.reps = min(prev.reps, max(4, int(round(d.reps * 0.7))))  # the floor of 4 never adds reps
        reasons.append(R("pain_regress", pain=last["pain"], limit=PAIN_REGRESS, sets=d.sets, reps=d.reps))
        mode = "regress"
    elif _deload(d, prev, logs, planned_days, today, reasons):
        mode = "deload"
    else:
        mode = _progress(d, last, cap, volume_cap, reasons)
    rules_reps = d.reps
    ann = None
    if model is not None and mode in ("progress", "hold"):
        ann = _network_reps(model, d, prev, logs, planned_days, today, mode, reasons)
    if safe:
        reasons.append(R("safe_kept", limits=json.dumps(safe, ensure_ascii=False)))
    return Decision(d, reasons, rules_reps, ann, mode=mode)


def _deload(d: Dose, prev: Dose, logs: list[dict], planned_days: list[float], today: float,
            reasons: list[str]) -> bool:
    """Rule 2: two or more missed sessions, or form scores falling, cut the reps by 25 % (in `d`)."""
    _done, missed = _recent(logs, planned_days, today)
    scores = [x["score"] for x in logs[-4:]]
    falling = len(scores) == 4 and np.mean(scores[2:]) < np.mean(scores[:2]) - 15
    if not (missed >= 2 or falling):
        return False
    d.reps = min(prev.reps, max(4, int(math.floor(d.reps * 0.75))))  # a deload never adds reps
    if missed >= 2:
        reasons.append(R("deload_missed", missed=missed, sets=d.sets, reps=d.reps))
    else:
        reasons.append(R("deload_falling", before=float(np.mean(scores[:2])), after=float(np.mean(scores[2:])),
                         sets=d.sets, reps=d.reps))
    return True


def _progress(d: Dose, last: dict, cap: float, volume_cap: float, reasons: list[str]) -> str:
    """Rules 3 and 4: double progression within the volume cap, a slower tempo for poor control,
    or the same dose; returns the mode ("progress" or "hold")."""
    all_sets = all(a >= last["reps"] for a in last["achieved"])
    if all_sets and last["score"] >= GOOD_SCORE:
        if d.reps < REP_MAX and d.sets * (d.reps + 1) > cap:  # +1 rep would break the cap: kept
            reasons.append(R("progress_capped", sets=d.sets, reps=d.reps, score=last["score"], cap=volume_cap))
        elif d.reps < REP_MAX:
            d.reps += 1
            reasons.append(R("progress_rep", sets=last["sets"], reps=last["reps"], score=last["score"]))
        elif d.sets < SET_MAX:
            d.sets += 1
            # one more set at REP_MIN (never above the cap: (s + 1) x 8 <= s x 15)
            d.reps = max(1, min(REP_MIN, int(cap // d.sets)))
            reasons.append(R("progress_set", reps=d.reps))
        else:  # the top of the range: nothing left to add, say so rather than nothing
            reasons.append(R("at_top", sets=d.sets, reps=d.reps, score=last["score"]))
        return "progress"
    if last["score"] < POOR_SCORE:
        d.tempo_down = min(4.0, d.tempo_down + 1.0)
        reasons.append(R("poor_control", score=last["score"], limit=POOR_SCORE, down=d.tempo_down))
    elif all_sets:  # every rep done, but the form is not yet good enough to progress
        reasons.append(R("hold_form", sets=last["sets"], reps=last["reps"], score=last["score"], limit=GOOD_SCORE))
    else:
        reasons.append(R("hold_dose", achieved=[int(a) for a in last["achieved"]], reps=last["reps"]))
    return "hold"


def _network_reps(model: CapacityModel, d: Dose, prev: Dose, logs: list[dict], planned_days: list[float],
                  today: float, mode: str, reasons: list[str]) -> float:
    """The network's word on the reps, clamped into what the rules allowed (sets `d.reps`);
    returns its capacity estimate."""
    rules_reps = d.reps
    ann = model.capacity(features(logs, planned_days, today, d))
    proposal = int(math.floor(ann))  # already "with good form"
    # never faster than the rules, at most 30 % easier (but never a range upside down); after
    # a session with every rep done in good form, never below those reps: what the trainee
    # has just shown outweighs the network's estimate (it said "about 3.6 reps" to a
    # trainee who had done 3 x 8 at score 95, and cut them to 5)
    hi = rules_reps
    lo = min(hi, prev.reps if mode == "progress" else max(4, int(prev.reps * 0.7)))
    new = min(hi, max(lo, proposal))
    if new != d.reps:  # the last word on the reps, and it says so
        reasons.append(R("network", capacity=float(ann), reps=new, lo=lo, hi=hi))
    d.reps = new
    return ann
