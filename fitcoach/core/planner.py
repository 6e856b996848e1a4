"""The prescription planner: rules that always win, plus a network that proposes capacity.

`plan_exercise` decides one exercise's next dose from its history (session logs), with a reason
for every decision. Rules, in order (the first that applies sets the direction):
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

Every explanation is a code with its measured values (`reason_codes`, `note_codes`, each
corrective's and the re-assessment's `reason_code` in the plan JSON) next to its English text
(`reasons`, `notes`, `reason`), which is rendered from the same phrase table
(`fitcoach/data/planner_phrases.toml`, English and Korean): `render_reason(code, params, lang)`
gives one in either language, `localize_plan(plan, lang, catalog)` a whole plan's.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from fitcoach.core.errors import FitCoachError
from fitcoach.core.models import models_dir
from fitcoach.core.plan_text import PHRASES_FILE, Reason as R, codes, phrases, placeholders, render
from fitcoach.core.plan_text import localize_plan  # noqa: F401  (public here: a plan's explanations in a language)
from fitcoach.core.records import ProfileExport, ProgramRecord, SelfReport, SetRecord, StoredRep

PAIN_STOP, PAIN_REGRESS = 7.0, 4.0
REP_MIN, REP_MAX, SET_MAX = 8, 15, 4
VOLUME_CAP = 0.10
GOOD_SCORE, POOR_SCORE = 75.0, 60.0
FEATURE_VERSION = "fitcoach.planner-features/1"
N_FEATURES = 12
CAP_SCALE = 30.0


def render_reason(code: str, params: dict | None = None, lang: str = "en", catalog=None) -> str:
    """One planner explanation in `lang` ("en" or "ko") from its code and measured values, as a
    plan's JSON carries them (`{"code": ..., "params": {...}}`). Exercise ids in the values are
    named from `catalog` when given; fault, condition, finding, level and goal ids from the
    phrase table. The English rendering is exactly the text in the plan's `reasons`.

    An unknown code, a language the code has no text in, or a value the text needs but `params`
    lacks is a FitCoachError that names the code."""
    params = dict(params or {})
    entry = phrases()["reason"].get(code)
    if entry is None:
        raise FitCoachError(f"{PHRASES_FILE}: no text for planner reason {code!r}")
    if not entry.get(lang):
        raise FitCoachError(f"{PHRASES_FILE}: planner reason {code!r} has no {lang!r} text")
    missing = placeholders(entry[lang]) - set(params)
    if missing:
        raise FitCoachError(f"planner reason {code!r}: missing value(s) {', '.join(sorted(missing))}")
    return render(code, params, lang, catalog)


@dataclass
class Dose:
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
        y = self._s.run(None, {"features": np.asarray(x, np.float32).reshape(1, -1)})[0]
        return float(y[0, 0]) * CAP_SCALE


def default_capacity_model() -> CapacityModel | None:
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
    mode = "hold"
    if last["pain"] >= PAIN_REGRESS:
        d.sets = max(1, d.sets - 1)
        d.reps = min(prev.reps, max(4, int(round(d.reps * 0.7))))  # the floor of 4 never adds reps
        reasons.append(R("pain_regress", pain=last["pain"], limit=PAIN_REGRESS, sets=d.sets, reps=d.reps))
        mode = "regress"
    else:
        _done, missed = _recent(logs, planned_days, today)
        scores = [x["score"] for x in logs[-4:]]
        falling = len(scores) == 4 and np.mean(scores[2:]) < np.mean(scores[:2]) - 15
        if missed >= 2 or falling:
            d.reps = min(prev.reps, max(4, int(math.floor(d.reps * 0.75))))  # a deload never adds reps
            if missed >= 2:
                reasons.append(R("deload_missed", missed=missed, sets=d.sets, reps=d.reps))
            else:
                reasons.append(R("deload_falling", before=float(np.mean(scores[:2])), after=float(np.mean(scores[2:])),
                                 sets=d.sets, reps=d.reps))
            mode = "deload"
        else:
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
                mode = "progress"
            elif last["score"] < POOR_SCORE:
                d.tempo_down = min(4.0, d.tempo_down + 1.0)
                reasons.append(R("poor_control", score=last["score"], limit=POOR_SCORE, down=d.tempo_down))
            elif all_sets:  # every rep done, but the form is not yet good enough to progress
                reasons.append(R("hold_form", sets=last["sets"], reps=last["reps"], score=last["score"], limit=GOOD_SCORE))
            else:
                reasons.append(R("hold_dose", achieved=[int(a) for a in last["achieved"]], reps=last["reps"]))
    rules_reps = d.reps
    ann = None
    if model is not None and mode in ("progress", "hold"):
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
    if safe:
        reasons.append(R("safe_kept", limits=json.dumps(safe, ensure_ascii=False)))
    return Decision(d, reasons, rules_reps, ann, mode=mode)


# Which exercises correct what: a recurring fault or posture finding -> tags in exercises/*.toml
FAULT_TAGS = {
    "knee_valgus": ["knee_valgus"], "forward_lean": ["thoracic_kyphosis", "round_shoulders"],
    "torso_lean": ["single_leg_stability"], "hips_sag": ["lower_back_arch", "lateral_trunk_weakness"],
    "hips_pike": ["lower_back_arch"], "back_arch": ["anterior_pelvic_tilt", "lower_back_pain"],
    "shrugging": ["round_shoulders"], "trunk_lean": ["lateral_trunk_weakness"], "hip_hitch": ["hip_mobility"],
    "swinging": ["lower_back_pain"], "slouching": ["forward_head_posture"], "elbow_drift": ["round_shoulders"],
    "heels_rising": ["hip_mobility"], "knee_past_toes": ["hip_mobility", "single_leg_stability"],
    "torso_sway": ["single_leg_stability"], "shoulder_hike": ["shoulder_impingement"],
}


def correctives(fault_counts: dict[str, tuple[int, int]], posture_tags: dict[str, list[str]], catalog,
                min_share: float = 0.3) -> list[dict]:
    """Corrective routines for recurring faults (share of the last reps >= min_share) and for
    posture findings outside normal; each with its reason."""
    out, seen = [], set()
    for fid, (n_bad, n_total) in sorted(fault_counts.items()):
        if n_total and n_bad / n_total >= min_share:
            tags = set(FAULT_TAGS.get(fid, []))
            for ex in catalog:
                if tags & set(ex.corrects) and ex.id not in seen:
                    seen.add(ex.id)
                    why = R("corrective_fault", catalog, fault=fid, bad=n_bad, total=n_total, exercise=ex.id)
                    out.append({"exercise": ex.id, "sets": 2, "reps": 12, "tempo": "3-1-2-0", "reason": why,
                                "reason_code": why.to_json()})
                    break
    for finding, tags in sorted(posture_tags.items()):
        for ex in catalog:
            if set(tags) & set(ex.corrects) and ex.id not in seen:
                seen.add(ex.id)
                why = (R("corrective_condition", catalog, condition=finding[len("condition "):], exercise=ex.id)
                       if finding.startswith("condition ") else
                       R("corrective_posture", catalog, finding=finding, exercise=ex.id))
                out.append({"exercise": ex.id, "sets": 2, "reps": 10, "tempo": "2-2-2-0", "reason": why,
                            "reason_code": why.to_json()})
                break
    return out


# ---------------------------------------------------------------------------------------------
# From the local history to the next session


def _session_logs(export: ProfileExport, exercise_id: str) -> list[dict]:
    reps_by: dict[int, list[StoredRep]] = {}
    reports: dict[int, SelfReport] = {}
    for r in export.reps:
        reps_by.setdefault(r.session_id, []).append(r)
    for sr in export.self_reports:
        reports[sr.session_id] = sr
    sets_by: dict[int, list[SetRecord]] = {}
    for st in export.sets:
        sets_by.setdefault(st.session_id, []).append(st)
    logs = []
    for s in export.sessions:
        if s.exercise_id != exercise_id:
            continue
        reps = reps_by.get(s.id, [])
        sets = sorted(sets_by.get(s.id, []), key=lambda x: x.idx) or [SetRecord(session_id=s.id, idx=None)]
        achieved = [sum(1 for r in reps if not r.partial and r.set_idx == (st.idx or 1)) for st in sets]
        prescribed = next((st.prescribed_reps for st in sets if st.prescribed_reps), None) or max(achieved or [0])
        faults = sum(len(r.faults) for r in reps)
        scores = [r.score for r in reps if r.score is not None]
        rep_report = reports.get(s.id)
        pain = rep_report.pain if rep_report is not None else None
        rpe = rep_report.rpe if rep_report is not None else None
        logs.append({"day": s.started_utc / 86400.0, "sets": len(sets), "reps": int(prescribed), "achieved": achieved,
                     "score": float(np.mean(scores)) if scores else (100.0 if not faults else 70.0),
                     "pain": float(pain or 0.0), "rpe": float(rpe or 5.0),
                     "faults": faults, "total": len(reps)})
    return logs


def _began(export: ProfileExport, program_row: ProgramRecord | None) -> float:
    """The day (UTC days) from which planned sessions can have been missed: the later of the
    profile's creation and the first version of its current program (by name); -inf when the
    export does not say."""
    days = []
    created = export.profile.created_utc
    if created is not None:
        days.append(float(created) / 86400.0)
    if program_row is not None:
        versions = [float(p.created_utc) for p in export.programs
                    if p.name == program_row.name and p.created_utc is not None]
        if versions:
            days.append(min(versions) / 86400.0)
    return max(days) if days else -math.inf


def plan_next(export: ProfileExport | dict, catalog, model: CapacityModel | None = None,
              now_utc: float | None = None) -> dict:
    """The next session's plan from a profile export (`Store.export_profile()`, or its rows)."""
    import time as _time

    export = ProfileExport.from_rows(export)
    now = now_utc if now_utc is not None else _time.time()
    today = now / 86400.0
    program = program_row = None
    for p in export.programs:
        program_row = p  # rows come oldest first: the last is the newest
    if program_row is not None:
        program = program_row.toml(catalog)  # validated
    prof = export.profile
    level = prof.level or "beginner"
    start_sets, start_reps = {"beginner": (2, 8), "intermediate": (3, 10), "advanced": (3, 12)}.get(level, (2, 8))
    older = prof.age_band in ("65-79", "80+")
    vcap = VOLUME_CAP / 2 if older else VOLUME_CAP
    goals = list(prof.goals)
    conditions = list(prof.conditions)
    avoid = set(prof.avoid)
    general = [R("level_start", level=level, sets=start_sets, reps=start_reps)]
    if older:
        general.append(R("age_cap", age=prof.age_band, cap=vcap))
    if program is not None:
        items = [i for i in program.get("exercise", []) if i.get("id") in catalog.ids()]
        per_week = int(program.get("sessions_per_week", 3))
    else:
        seen = []
        for s in export.sessions:
            if s.exercise_id not in seen and s.exercise_id in catalog.ids():
                seen.append(s.exercise_id)
        if not seen and goals:  # nothing done yet: pick by goal from what the exercises train
            for g in goals:
                for ex in catalog:
                    if ex.kind == "reps" and g in ex.trains and ex.id not in seen and len(seen) < 4:
                        seen.append(ex.id)
            general.append(R("goals_chosen", goals=list(goals)))
        items = [{"id": e, "sets": start_sets, "reps": start_reps} for e in seen]
        per_week = 3
    dropped = [i["id"] for i in items if i["id"] in avoid]
    if dropped:
        general.append(R("avoided", catalog, exercises=dropped))
        items = [i for i in items if i["id"] not in avoid]
    planned_days = [today - 14 + k * 7.0 / per_week for k in range(2 * per_week)]
    began = _began(export, program_row)
    out_items = []
    fault_counts: dict[str, tuple[int, int]] = {}
    for item in items:
        ex = catalog.get(item["id"])
        logs = _session_logs(export, ex.id)
        prev = Dose(int(item.get("sets", start_sets)), logs[-1]["reps"]) if logs else None
        if ex.kind == "hold":
            hold = float(item.get("hold_s", 30))
            why = [R("hold_kept")]
            out_items.append({"exercise": ex.id, "sets": int(item.get("sets", 2)), "hold_s": hold, "rest_s": item.get("rest_s", 60),
                              "reasons": why, "reason_codes": codes(why)})
            continue
        # sessions are only missed from when the trainee began: the profile, its program and
        # this exercise's first session all existed (a new user starts at the baseline)
        since = max([began] + ([logs[0]["day"]] if logs else []))
        dec = plan_exercise(logs, prev, [d for d in planned_days if d >= since], today, model, start_reps=int(item.get("reps") or start_reps),
                            start_sets=int(item.get("sets") or start_sets), volume_cap=vcap)
        target = item.get("target", ex.driver.target if ex.driver else None)
        lo = item.get("safe_min", ex.safe_min)
        hi = item.get("safe_max", ex.safe_max)
        reasons = list(dec.reasons)
        if target is not None and lo is not None and target < lo:
            reasons.append(R("target_raised", lo=lo))
            target = lo
        if target is not None and hi is not None and target > hi:
            reasons.append(R("target_lowered", hi=hi))
            target = hi
        tempo = item.get("tempo") or (ex.tempo.notation() if ex.tempo else dec.dose.tempo_text())
        if dec.dose.tempo_down > 2.0 and not item.get("tempo"):
            tempo = dec.dose.tempo_text()
        out_items.append({"exercise": ex.id, "sets": dec.dose.sets, "reps": dec.dose.reps, "tempo": tempo,
                          "rest_s": item.get("rest_s", 60), "target_rom_deg": target, "safe_range_deg": [lo, hi],
                          "mode": dec.mode, "rules_reps": dec.rules_reps,
                          "network_capacity": None if dec.ann_capacity is None else round(dec.ann_capacity, 1),
                          "reasons": reasons, "reason_codes": codes(reasons)})
        recent = [r for r in export.reps if r.exercise_id == ex.id][-12:]
        for r in recent:
            for f in r.faults:
                if f.get("id") and f["id"] != "incomplete_range":
                    bad, tot = fault_counts.get(f["id"], (0, 0))
                    fault_counts[f["id"]] = (bad + 1, tot)
        for fid in list(fault_counts):
            fault_counts[fid] = (fault_counts[fid][0], max(fault_counts[fid][1], len(recent)))
    posture_tags: dict[str, list[str]] = {}
    assessments = sorted(export.assessments, key=lambda a: a.created_utc)
    latest_posture = next((a for a in reversed(assessments) if a.kind == "posture"), None)
    if latest_posture is not None:
        from fitcoach.core.assess import load_norms

        norms = {n["id"]: n.get("corrects", []) for n in load_norms()}
        for f in latest_posture.body.get("findings", []):
            if f.get("status") == "outside":
                posture_tags[f["id"]] = norms.get(f["id"], [])
    last_assess = assessments[-1].created_utc if assessments else None
    due = None if last_assess is None else last_assess + 21 * 86400
    why = R("reassess_none") if due is None else R("reassess_due") if due <= now else \
        R("reassess_in", days=(due - now) / 86400)
    reassess = {"due_utc": due, "reason": why, "reason_code": why.to_json()}
    for c in conditions:  # a condition the physiotherapist recorded: its corrective work
        posture_tags[f"condition {c}"] = [c]
    return {"schema": "fitcoach.plan/1", "profile": export.profile.name, "notes": general,
            "note_codes": codes(general),
            "items": out_items, "correctives": [c for c in correctives(fault_counts, posture_tags, catalog)
                                                if c["exercise"] not in avoid],
            "reassess": reassess, "network": model.path.name if model else None}
