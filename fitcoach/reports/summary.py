"""The figures of a progress report, from a profile's export (`Store.export_profile()`): per
session, per exercise, the program (its newest stored version), the self-reports and the
assessments. Plain data, no drawing: `tables`, `figures`, `progress_html` and `progress_pdf`
render it."""

from __future__ import annotations

import json
import tomllib
from collections import Counter, defaultdict
from datetime import datetime, timezone

from fitcoach.core.exercises import ExerciseCatalog

DASH = "–"


def _day(ts: float) -> str:
    return datetime.fromtimestamp(ts, tz=timezone.utc).strftime("%Y-%m-%d")


def _num(v, unit: str = "") -> str:
    return DASH if v is None else f"{v:g}{unit}"


def _name(catalog: ExerciseCatalog, ex_id: str) -> str:
    return catalog.get(ex_id).name.en if ex_id in catalog.ids() else str(ex_id)


def _fault_name(catalog: ExerciseCatalog, ex_id: str, fault) -> tuple[str, str]:
    """(rule id, readable name) of a stored fault: the exercise file's message for the rule, else
    the message stored with the rep, else the id (a rule since removed from the exercise file)."""
    if isinstance(fault, dict):
        fid, stored = str(fault.get("id") or "?"), fault.get("message")
    else:  # older rows stored the id alone
        fid, stored = str(fault), None
    if ex_id in catalog.ids():
        for rule in catalog.get(ex_id).rules:
            if rule.id == fid:
                return fid, rule.message.en
    if fid == "incomplete_range" and stored:
        # the pipeline's own fault: "Short of the target: depth 103°, target ≤ 100°" or "Partial
        # rep: ...": its name is the part before the measured detail, so reps short by 102° and by
        # 104° count as one fault (the ROM columns carry the values)
        return fid, str(stored).split(":", 1)[0]
    return fid, str(stored) if stored else fid.replace("_", " ")


def _program(export: dict, catalog: ExerciseCatalog) -> dict | None:
    """The newest stored program version (as `programs.latest_program` picks it), read leniently:
    a report of an old history must not fail on a program an older FitCoach accepted."""
    rows = export.get("programs") or []
    if not rows:
        return None
    body = row = None
    for cand in sorted(rows, key=lambda r: (r.get("created_utc") or 0.0, r.get("version") or 0), reverse=True):
        try:  # the newest version that can be read (stored programs were validated; this is belt and braces)
            body, row = tomllib.loads(cand["body"]), cand
            break
        except (tomllib.TOMLDecodeError, TypeError):
            continue
    if row is None:
        return None
    items = []
    for item in body.get("exercise", []):
        if not isinstance(item, dict) or not item.get("id"):
            continue
        ex_id = str(item["id"])
        ex = catalog.get(ex_id) if ex_id in catalog.ids() else None
        drv = ex.driver if ex is not None else None
        in_deg = drv is None or drv.unit == "deg"
        dose = f"{item['hold_s']:g} s hold" if item.get("hold_s") is not None else f"{item.get('reps', 1)} reps"
        items.append({
            "id": ex_id, "name": _name(catalog, ex_id), "sets": item.get("sets", 1), "reps": item.get("reps"),
            "dose": f"{item.get('sets', 1)} x {dose}", "tempo": item.get("tempo"), "rest_s": item.get("rest_s"),
            # the program's own values win over the exercise file's (as in the workout)
            "target": item.get("target", drv.target if drv is not None and in_deg else None),
            "safe_min": item.get("safe_min", ex.safe_min if ex is not None else None),
            "safe_max": item.get("safe_max", ex.safe_max if ex is not None else None),
            "own": [k for k in ("target", "safe_min", "safe_max") if k in item],
            "direction": drv.direction if drv is not None else None,
        })
    versions = sum(1 for r in rows if r["name"] == row["name"])
    return {"name": row["name"], "version": row["version"], "versions": versions,
            "created": _day(row["created_utc"]) if row.get("created_utc") else None,
            "sessions_per_week": body.get("sessions_per_week"), "weeks": body.get("weeks"),
            "notes": str(body.get("notes") or "").strip(), "items": items}


def summarize(export: dict, catalog: ExerciseCatalog) -> dict:
    """Per-session, per-exercise and program figures from `Store.export_profile()` output."""
    reps_by = defaultdict(list)
    for r in export["reps"]:
        reps_by[r["session_id"]].append(r)
    prescribed = defaultdict(int)
    for st in export["sets"]:
        prescribed[st["session_id"]] += st.get("prescribed_reps") or 0
    reports = {}  # session id -> its newest self-report
    for sr in sorted(export.get("self_reports") or [], key=lambda r: (r["created_utc"], r["id"])):
        reports[sr["session_id"]] = sr
    program = _program(export, catalog)
    plan_items = {it["id"]: it for it in (program["items"] if program else [])}
    sessions = [_session(s, reps_by.get(s["id"], []), prescribed.get(s["id"]) or None, reports.get(s["id"], {}),
                         plan_items.get(s["exercise_id"], {}), catalog) for s in export["sessions"]]
    for s in sessions:  # no prescription recorded with the set: the program's reps per set
        if s["prescribed"] is None:
            s["prescribed"] = plan_items.get(s["exercise"], {}).get("reps")
    by_ex = defaultdict(list)
    for s in sessions:
        by_ex[s["exercise"]].append(s)
    per_exercise = [_exercise_totals(ex_id, ss) for ex_id, ss in by_ex.items()]
    self_reports = [{"t": sr["created_utc"], "date": _day(sr["created_utc"]), "pain": sr.get("pain"),
                     "effort": sr.get("rpe"), "exercise": next((s["name"] for s in sessions if s["id"] == sr["session_id"]), "")}
                    for sr in sorted(export.get("self_reports") or [], key=lambda r: (r["created_utc"], r["id"]))]
    times = [s["t"] for s in sessions] + [a["created_utc"] for a in export["assessments"]] + [r["t"] for r in self_reports]
    roms = []
    for a in export["assessments"]:
        if a["kind"] == "rom":
            body = json.loads(a["body"]) if isinstance(a["body"], str) else a["body"]
            if body.get("max_deg") is not None:
                roms.append(body | {"t": a["created_utc"]})
    return {"profile": export["profile"]["name"], "sessions": sessions, "per_exercise": per_exercise,
            "program": program, "self_reports": self_reports,
            "per_week": program["sessions_per_week"] if program else None,
            "period": (_day(min(times)), _day(max(times))) if times else None,
            "rom_assessments": roms,
            "posture_assessments": [(json.loads(a["body"]) if isinstance(a["body"], str) else a["body"])
                                    | {"t": a["created_utc"]} for a in export["assessments"] if a["kind"] == "posture"]}


def _tempo_errors(ex, full: list[dict]) -> list[float]:
    """Each full rep's relative error against the exercise's tempo (down + bottom + up)."""
    tempo_err = []
    if ex is not None and ex.tempo is not None:
        want = ex.tempo.down + ex.tempo.bottom + ex.tempo.up
        for r in full:
            got = (r["tempo_down"] or 0) + (r["tempo_bottom"] or 0) + (r["tempo_up"] or 0)
            if want > 0 and got > 0:
                tempo_err.append(abs(got - want) / want)
    return tempo_err


def _fault_counts(catalog: ExerciseCatalog, ex_id: str, reps: list[dict]) -> Counter:
    """Faults by readable name over REPS (a row whose faults cannot be read counts none)."""
    fault_counts: Counter = Counter()
    for r in reps:
        try:
            faults = json.loads(r["faults"]) if isinstance(r["faults"], str) else (r["faults"] or [])
        except json.JSONDecodeError:
            faults = []
        for f in faults:
            fault_counts[_fault_name(catalog, ex_id, f)[1]] += 1
    return fault_counts


def _session(s: dict, reps: list[dict], prescribed: int | None, sr: dict, item: dict, catalog: ExerciseCatalog) -> dict:
    """One session's row: S (its stored row) with its REPS, the reps PRESCRIBED with its sets, its
    newest self-report SR and its exercise's program ITEM (both {} when there is none)."""
    full = [r for r in reps if not r["partial"]]
    ex = catalog.get(s["exercise_id"]) if s["exercise_id"] in catalog.ids() else None
    tempo_err = _tempo_errors(ex, full)
    decrease = ex is not None and ex.driver is not None and ex.driver.direction == "decrease"
    extremes = [(r["rom_min"] if decrease else r["rom_max"]) for r in full if r["rom_min"] is not None]
    target = item.get("target", ex.driver.target if ex is not None and ex.driver is not None else None)
    at_target = None
    if target is not None and extremes:
        at_target = sum(1 for v in extremes if (v <= target if decrease else v >= target))
    safe_min = item.get("safe_min", ex.safe_min if ex is not None else None)
    safe_max = item.get("safe_max", ex.safe_max if ex is not None else None)
    outside = sum(1 for r in reps if r["rom_min"] is not None and (
        (safe_min is not None and r["rom_min"] < safe_min) or (safe_max is not None and r["rom_max"] > safe_max)))
    scores = [r["score"] for r in reps if r["score"] is not None]
    fault_counts = _fault_counts(catalog, s["exercise_id"], reps)
    return {
        "id": s["id"], "date": _day(s["started_utc"]), "t": s["started_utc"], "exercise": s["exercise_id"],
        "name": _name(catalog, s["exercise_id"]),
        "reps": len(full), "partial": len(reps) - len(full), "prescribed": prescribed,
        "rom_extreme": round(sum(extremes) / len(extremes), 1) if extremes else None,
        "rom_best": (min(extremes) if decrease else max(extremes)) if extremes else None,
        "rom_target": target, "at_target": at_target, "safe_min": safe_min, "safe_max": safe_max,
        "outside_safe": outside,
        "score": round(sum(scores) / len(scores), 1) if scores else None,
        "tempo_accuracy": round(100 * (1 - sum(tempo_err) / len(tempo_err)), 0) if tempo_err else None,
        "faults": sum(fault_counts.values()), "fault_counts": dict(fault_counts.most_common()),
        "pain": sr.get("pain"), "effort": sr.get("rpe"), "note": (sr.get("note") or "").strip(),
    }


def _exercise_totals(ex_id: str, ss: list[dict]) -> dict:
    """The summary row of one exercise over its sessions SS (in order)."""
    pains = [s["pain"] for s in ss if s["pain"] is not None]
    efforts = [s["effort"] for s in ss if s["effort"] is not None]
    scores = [s["score"] for s in ss if s["score"] is not None]
    faults: Counter = Counter()
    for s in ss:
        faults.update(s["fault_counts"])
    last_rom = next((s["rom_extreme"] for s in reversed(ss) if s["rom_extreme"] is not None), None)
    first_rom = next((s["rom_extreme"] for s in ss if s["rom_extreme"] is not None), None)
    return {
        "exercise": ex_id, "name": ss[0]["name"], "sessions": len(ss), "reps": sum(s["reps"] for s in ss),
        "prescribed": sum(s["prescribed"] or 0 for s in ss) or None,
        "rom_first": first_rom, "rom_last": last_rom, "rom_target": ss[-1]["rom_target"],
        "safe_min": ss[-1]["safe_min"], "safe_max": ss[-1]["safe_max"],
        "at_target": sum(s["at_target"] or 0 for s in ss), "outside_safe": sum(s["outside_safe"] for s in ss),
        "score": round(sum(scores) / len(scores), 1) if scores else None,
        "pain_first": pains[0] if pains else None, "pain_last": pains[-1] if pains else None,
        "pain_max": max(pains) if pains else None,
        "effort_mean": round(sum(efforts) / len(efforts), 1) if efforts else None,
        "faults": dict(faults.most_common()),
    }
