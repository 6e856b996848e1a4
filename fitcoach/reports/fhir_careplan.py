"""A stored program version as a FHIR CarePlan with its Goals: one CarePlan.activity per exercise
(sets x reps, tempo, rest, sessions per week) and, per exercise, a Goal for the target ROM and one
for the safe range (the program's own values, else the exercise file's), in UCUM degrees."""

from __future__ import annotations

from fitcoach.reports.fhir_codes import MAX_TITLE_IDS, _deg, _exercise_name, _fc, _iso, _uid


def _goal(gid: str, patient_ref: str, active: bool, text: str, measure: str, target: dict) -> dict:
    return {"resourceType": "Goal", "id": gid, "lifecycleStatus": "active" if active else "cancelled",
            "description": {"text": text}, "subject": {"reference": patient_ref},
            "target": [{"measure": {"text": measure}} | target]}


def careplan(program_row: dict, patient_ref: str, pseudo: str, number: int = 1, include_notes: bool = False,
             catalog=None, active: bool = True, replaces: str | None = None) -> tuple[dict, list[dict]]:
    """One stored program version as a CarePlan and its Goals (target ROM, safe range per exercise).

    Its title names the program by a number and its exercises' ids; only with `include_notes` does
    it carry the program's own name and notes. `active`: the newest version of its program (older
    versions are `revoked`, their goals `cancelled`); `replaces`: the fullUrl of the version before."""
    import tomllib

    body = tomllib.loads(program_row["body"])
    acts, ids, goals = [], [], []
    per_week = body.get("sessions_per_week")
    for k, item in enumerate(body.get("exercise", [])):
        if not isinstance(item, dict) or not item.get("id"):
            continue
        ids.append(str(item["id"]))
        detail, new_goals = _activity(item, k, program_row, patient_ref, pseudo, active, catalog, per_week)
        goals += new_goals
        acts.append({"detail": detail})
    version = program_row["version"]
    if include_notes:
        title = f"{program_row['name']} (v{version})"
    else:
        shown = ", ".join(ids[:MAX_TITLE_IDS]) + (", …" if len(ids) > MAX_TITLE_IDS else "")
        title = f"FitCoach program {number} v{version}" + (f": {shown}" if shown else "")
    plan = {"resourceType": "CarePlan", "id": _uid("careplan", pseudo, program_row["id"]),
            "status": "active" if active else "revoked",
            "intent": "plan", "title": title, "subject": {"reference": patient_ref}}
    if replaces:
        plan["replaces"] = [{"reference": replaces}]
    if program_row.get("created_utc"):
        plan["created"] = _iso(program_row["created_utc"])
    notes = str(body.get("notes") or "").strip()
    if include_notes and notes:
        plan["description"] = notes
    if goals:
        plan["goal"] = [{"reference": f"urn:uuid:{g['id']}"} for g in goals]
    if acts:
        plan["activity"] = acts
    return plan, goals


def _activity(item: dict, k: int, program_row: dict, patient_ref: str, pseudo: str, active: bool, catalog,
              per_week) -> tuple[dict, list[dict]]:
    """The CarePlan.activity.detail of the program's K-th exercise ITEM, and its Goals."""
    ex_id = str(item["id"])
    ex = catalog.get(ex_id) if catalog is not None and ex_id in catalog.ids() else None
    name = _exercise_name(catalog, ex_id)
    dose = f"{item['hold_s']:g} s hold" if item.get("hold_s") is not None else f"{item.get('reps', 1)} reps"
    desc = f"{item.get('sets', 1)} x {dose}"
    if item.get("tempo"):
        desc += f", tempo {item['tempo']}"
    if item.get("rest_s") is not None:
        desc += f", rest {item['rest_s']:g} s"
    detail = {"status": "scheduled" if active else "stopped",
              "code": {"coding": [_fc(f"exercise-{ex_id}", name)], "text": name}, "description": desc}
    if per_week:
        detail["scheduledTiming"] = {"repeat": {"frequency": int(per_week), "period": 1, "periodUnit": "wk"}}
    goals = _exercise_goals(item, ex, name, _uid("goal-target", pseudo, program_row["id"], k),
                            _uid("goal-safe", pseudo, program_row["id"], k), patient_ref, active)
    if goals:
        detail["goal"] = [{"reference": f"urn:uuid:{g['id']}"} for g in goals]
    return detail, goals


def _exercise_goals(item: dict, ex, name: str, target_id: str, safe_id: str, patient_ref: str,
                    active: bool) -> list[dict]:
    """The target-ROM Goal and the safe-range Goal of one exercise (each only when it has one)."""
    driver = ex.driver if ex is not None else None
    angle = f"{driver.metric} angle" if driver is not None else "joint angle"
    # the program's own values win over the exercise file's defaults (as in the workout); a
    # driver that is not an angle (a ratio) has no target in degrees, so no Goal is made
    in_deg = driver is None or driver.unit == "deg"
    target = item.get("target", driver.target if driver is not None else None) if in_deg else None
    low = item.get("safe_min", ex.safe_min if ex is not None else None) if in_deg else None
    high = item.get("safe_max", ex.safe_max if ex is not None else None) if in_deg else None
    goals = []
    if target is not None:
        q = _deg(float(target))
        if driver is not None:  # "reach at least this far": the knee bends to 100° or less
            q = {"comparator": "<=" if driver.direction == "decrease" else ">="} | q
        goals.append(_goal(target_id, patient_ref, active,
                           f"{name}: reach a {angle} of {float(target):g}°", f"{name}: {angle} reached per rep",
                           {"detailQuantity": q}))
    if low is not None or high is not None:
        rng = {key: _deg(float(v)) for key, v in (("low", low), ("high", high)) if v is not None}
        shown = f"{float(low):g}°" if low is not None else "…"
        shown += f"–{float(high):g}°" if high is not None else "–…"
        goals.append(_goal(safe_id, patient_ref, active,
                           f"{name}: stay within the safe range {shown}", f"{name}: {angle} (safe range)",
                           {"detailRange": rng}))
    return goals
