"""The prescription planner: the next session's plan, from a profile's history, with its reasons.

`plan_next` reads a profile export (sessions, reps, sets, self-reports, programs, assessments)
and plans every exercise of the next session: the program's exercises (or those done so far, or
a few chosen by goal), each reps exercise's dose from `fitcoach.core.dose.plan_exercise` (the
rules that always win, plus the optional capacity network; re-exported here with `Dose`,
`CapacityModel` and the rule constants), its target ROM kept inside the physiotherapist's safe
range, corrective routines for recurring faults and posture findings (`correctives`), and when
to re-assess.

Every explanation is a code with its measured values (`reason_codes`, `note_codes`, each
corrective's and the re-assessment's `reason_code` in the plan JSON) next to its English text
(`reasons`, `notes`, `reason`), which is rendered from the same phrase table
(`fitcoach/data/planner_phrases.toml`, English and Korean): `render_reason(code, params, lang)`
gives one in either language, `localize_plan(plan, lang, catalog)` a whole plan's.
"""

from __future__ import annotations

import math

import numpy as np

from fitcoach.core.dose import (  # noqa: F401  (the dose rules' names: re-exported for callers)
    CAP_SCALE,
    FEATURE_VERSION,
    GOOD_SCORE,
    N_FEATURES,
    PAIN_REGRESS,
    PAIN_STOP,
    POOR_SCORE,
    REP_MAX,
    REP_MIN,
    SET_MAX,
    VOLUME_CAP,
    CapacityModel,
    Decision,
    Dose,
    default_capacity_model,
    features,
    plan_exercise,
)
from fitcoach.core.errors import FitCoachError
from fitcoach.core.plan_text import PHRASES_FILE, Reason as R, codes, phrases, placeholders, render
from fitcoach.core.plan_text import localize_plan  # noqa: F401  (public here: a plan's explanations in a language)
from fitcoach.core.records import ProfileExport, ProgramRecord, SelfReport, SetRecord, StoredRep


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
    avoid = set(prof.avoid)
    general = [R("level_start", level=level, sets=start_sets, reps=start_reps)]
    if older:
        general.append(R("age_cap", age=prof.age_band, cap=vcap))
    items, per_week = _session_items(export, program, catalog, list(prof.goals), start_sets, start_reps, general)
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
        if ex.kind == "hold":
            why = [R("hold_kept")]
            out_items.append({"exercise": ex.id, "sets": int(item.get("sets", 2)), "hold_s": float(item.get("hold_s", 30)),
                              "rest_s": item.get("rest_s", 60), "reasons": why, "reason_codes": codes(why)})
            continue
        out_items.append(_plan_item(ex, item, logs, planned_days, began, today, model, start_sets, start_reps, vcap))
        _count_faults(export, ex.id, fault_counts)
    posture_tags = _posture_tags(export)
    for c in prof.conditions:  # a condition the physiotherapist recorded: its corrective work
        posture_tags[f"condition {c}"] = [c]
    return {"schema": "fitcoach.plan/1", "profile": export.profile.name, "notes": general,
            "note_codes": codes(general),
            "items": out_items, "correctives": [c for c in correctives(fault_counts, posture_tags, catalog)
                                                if c["exercise"] not in avoid],
            "reassess": _reassess(export, now), "network": model.path.name if model else None}


def _session_items(export: ProfileExport, program: dict | None, catalog, goals: list[str], start_sets: int,
                   start_reps: int, general: list) -> tuple[list[dict], int]:
    """The exercises of the next session and sessions per week: the program's, else those done
    so far, else (nothing done yet) up to four chosen by goal (said in `general`)."""
    if program is not None:
        items = [i for i in program.get("exercise", []) if i.get("id") in catalog.ids()]
        return items, int(program.get("sessions_per_week", 3))
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
    return [{"id": e, "sets": start_sets, "reps": start_reps} for e in seen], 3


def _plan_item(ex, item: dict, logs: list[dict], planned_days: list[float], began: float, today: float,
               model: CapacityModel | None, start_sets: int, start_reps: int, vcap: float) -> dict:
    """One reps exercise of the plan: its dose (`plan_exercise`), target ROM within the safe
    range, tempo and every reason."""
    prev = Dose(int(item.get("sets", start_sets)), logs[-1]["reps"]) if logs else None
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
    return {"exercise": ex.id, "sets": dec.dose.sets, "reps": dec.dose.reps, "tempo": tempo,
            "rest_s": item.get("rest_s", 60), "target_rom_deg": target, "safe_range_deg": [lo, hi],
            "mode": dec.mode, "rules_reps": dec.rules_reps,
            "network_capacity": None if dec.ann_capacity is None else round(dec.ann_capacity, 1),
            "reasons": reasons, "reason_codes": codes(reasons)}


def _count_faults(export: ProfileExport, exercise_id: str, fault_counts: dict[str, tuple[int, int]]) -> None:
    """Add the faults of the exercise's last 12 reps to `fault_counts` ({fault: (reps with it, reps)})."""
    recent = [r for r in export.reps if r.exercise_id == exercise_id][-12:]
    for r in recent:
        for f in r.faults:
            if f.get("id") and f["id"] != "incomplete_range":
                bad, tot = fault_counts.get(f["id"], (0, 0))
                fault_counts[f["id"]] = (bad + 1, tot)
    for fid in list(fault_counts):
        fault_counts[fid] = (fault_counts[fid][0], max(fault_counts[fid][1], len(recent)))


def _posture_tags(export: ProfileExport) -> dict[str, list[str]]:
    """{finding: corrective tags} of the latest posture assessment's findings outside normal."""
    posture_tags: dict[str, list[str]] = {}
    assessments = sorted(export.assessments, key=lambda a: a.created_utc)
    latest_posture = next((a for a in reversed(assessments) if a.kind == "posture"), None)
    if latest_posture is not None:
        from fitcoach.core.assess import load_norms

        norms = {n["id"]: n.get("corrects", []) for n in load_norms()}
        for f in latest_posture.body.get("findings", []):
            if f.get("status") == "outside":
                posture_tags[f["id"]] = norms.get(f["id"], [])
    return posture_tags


def _reassess(export: ProfileExport, now: float) -> dict:
    """When the next assessment is due (21 days after the last one), with its reason."""
    assessments = sorted(export.assessments, key=lambda a: a.created_utc)
    last_assess = assessments[-1].created_utc if assessments else None
    due = None if last_assess is None else last_assess + 21 * 86400
    why = R("reassess_none") if due is None else R("reassess_due") if due <= now else \
        R("reassess_in", days=(due - now) / 86400)
    return {"due_utc": due, "reason": why, "reason_code": why.to_json()}
