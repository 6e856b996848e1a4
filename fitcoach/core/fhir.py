"""A FHIR R4 (4.0.1) Bundle of a profile's results, for a health record. Plain dicts, no network.

- Patient: pseudonymous (an identifier derived from the profile and a per-installation salt;
  no name, no birth date).
- Device: FitCoach with its version and the model files (pose model, form scorer) and hashes.
- One Observation per session: LOINC 73985-4 "Exercise activity" (value: the exercise), with
  components: number of sets, reps, partial reps and LOINC 55411-3 "Exercise duration" (min),
  following the HL7 Physical Activity IG's use of 73985-4 / 55411-3. A session that was never
  ended (interrupted) is `preliminary` (see the comment in `bundle`).
- One Observation per ROM measurement: valueQuantity in UCUM `deg`, bodySite with laterality
  (SNOMED CT 7771000 Left / 24028007 Right), method "markerless video pose estimation",
  device -> the Device.
- One Observation per self-report with a pain score: LOINC 72514-3 "Pain severity - 0-10 verbal
  numeric rating [Score] - Reported" (valueInteger 0-10), and one per self-report with an effort
  score (see RPE_CODE for why it is a FitCoach code), each `derivedFrom` the session's Observation.
  The self-report's free-text note is exported only with `include_notes=True`.
- The profile's programs, when there are any, as CarePlans: one per stored version; only the
  newest version of a program is `active`, older ones are `revoked` and the newer one `replaces`
  the one before. Each exercise is a CarePlan.activity (detail.code.text: the exercise's name;
  description: sets x reps, tempo, rest; scheduledTiming: sessions per week). The target ROM and
  the safe range of each exercise (the program's own, else the exercise file's) are Goal
  resources (target.detailQuantity / detailRange in UCUM deg), referenced from CarePlan.goal and
  from the activity's detail.goal. A CarePlan's title is neutral ("FitCoach program 1 v2:
  sit_to_stand, squat"): a program's name and notes are free text a physiotherapist may have
  written the patient's name into, so they are exported only with `include_notes=True`
  (`fitcoach data export --include-notes`).

No empty values: FHIR forbids empty strings, arrays and objects, so an optional value we do not
have is left out. Every Bundle is checked before it is returned: always by `structural_problems`
(our own check of that rule), and, when the `fhir.resources` R4 models are installed (the test
extra), by parsing it with them. A Bundle that fails raises `FHIRExportError` (one line naming
the element), so nothing invalid is ever written.
"""

from __future__ import annotations

import hashlib
import json
import math
import uuid
from datetime import datetime, timezone

from fitcoach import __version__
from fitcoach.core.errors import FitCoachError

LOINC = "http://loinc.org"
SNOMED = "http://snomed.info/sct"
UCUM = "http://unitsofmeasure.org"
FC_CS = "https://fitcoach.invalid/fhir/CodeSystem/fitcoach"  # local code system (no real host)
OBS_CAT = "http://terminology.hl7.org/CodeSystem/observation-category"
LATERALITY = {"left": ("7771000", "Left"), "right": ("24028007", "Right")}
PAIN_CODE = {"system": "http://loinc.org", "code": "72514-3",
             "display": "Pain severity - 0-10 verbal numeric rating [Score] - Reported"}
# Effort: the app asks "how hard was it, 0-10" (a category-ratio RPE in the style of Borg CR10).
# LOINC has no code for a session RPE on a 0-10 scale that we could use without misstating what
# was asked (its Borg codes are for the 6-20 scale or for dyspnoea, and claiming one would make a
# record system compare our numbers with another instrument's). So it is a FitCoach code with a
# display and a text saying exactly what the number is; a receiving system that knows no FitCoach
# codes still shows the text.
RPE_CODE = {"system": FC_CS, "code": "session-rpe-0-10",
            "display": "Rating of perceived exertion for the session, 0-10 (category-ratio, Borg CR10 style)"}
MAX_TITLE_IDS = 6  # exercise ids shown in a CarePlan's neutral title
MAX_PROBLEMS = 20  # validation problems collected before giving up


class FHIRExportError(FitCoachError):
    pass


def _iso(ts: float | None) -> str | None:
    return None if ts is None else datetime.fromtimestamp(ts, tz=timezone.utc).isoformat(timespec="seconds")


def _uid(*parts) -> str:
    return str(uuid.uuid5(uuid.NAMESPACE_URL, "fitcoach:" + "|".join(str(p) for p in parts)))


def _fc(code: str, display: str) -> dict:
    return {"system": FC_CS, "code": code, "display": display}


def _deg(v: float) -> dict:
    return {"value": v, "unit": "deg", "system": UCUM, "code": "deg"}


def verified_models(folder=None) -> list[dict]:
    """The model files that are installed and match the manifest, with their sha256: what the
    Device lists. An optional model that is not installed (the heavy pose model) is not listed."""
    from fitcoach.core.models import read_manifest, verify_all

    ok = {r.name for r in verify_all(folder) if r.status == "ok"}
    return [{"name": e.name, "sha256": e.sha256} for e in read_manifest(folder) if e.name in ok and e.sha256]


def pseudonym(salt: str, profile: dict) -> str:
    """The profile's pseudonym (Patient.identifier): no name in it, stable per installation."""
    return hashlib.sha256(f"{salt}|{profile['id']}|{profile['name']}".encode()).hexdigest()[:20]


def bundle(export: dict, salt: str, models: list[dict], include_notes: bool = False, catalog=None) -> dict:
    """FHIR R4 Bundle (type collection) from `Store.export_profile()` output, validated.

    `models`: [{"name", "sha256"}] of the model files (see `verified_models`); one without a
    sha256 is left out. `include_notes`: also export the programs' names and notes and the
    self-reports' notes (free text). `catalog`: the ExerciseCatalog for exercise names and default
    targets (the installed exercises when None)."""
    if catalog is None:
        from fitcoach.core.exercises import ExerciseCatalog

        catalog = ExerciseCatalog.load()
    prof = export["profile"]
    pseudo = pseudonym(salt, prof)
    pat_id = _uid("patient", pseudo)
    dev_id = _uid("device", __version__, *[m.get("sha256") for m in models])
    entries = []

    def add(res: dict) -> str:
        full = f"urn:uuid:{res['id']}"
        entries.append({"fullUrl": full, "resource": res})
        return full

    patient_ref = add({"resourceType": "Patient", "id": pat_id,
                       "identifier": [{"system": "urn:fitcoach:pseudonym", "value": pseudo}],
                       "active": True})
    device_ref = add({
        "resourceType": "Device", "id": dev_id,
        "deviceName": [{"name": "FitCoach", "type": "manufacturer-name"}],
        "type": {"text": "Exercise coaching software (markerless video pose estimation)"},
        # Device.version.value is required (1..1) and may not be empty: a model without a hash
        # (an optional model that is not installed) is left out rather than given value "".
        "version": [{"type": {"text": "software"}, "value": __version__}]
        + [{"type": {"text": m["name"]}, "value": m["sha256"][:16]} for m in models
           if m.get("name") and m.get("sha256")],
    })
    reps_by_session: dict[int, list[dict]] = {}
    for r in export["reps"]:
        reps_by_session.setdefault(r["session_id"], []).append(r)
    sets_by_session: dict[int, int] = {}
    for st in export["sets"]:
        sets_by_session[st["session_id"]] = sets_by_session.get(st["session_id"], 0) + 1
    plan_ids = {p["id"]: _uid("careplan", pseudo, p["id"]) for p in export["programs"]}
    session_refs: dict[int, str] = {}
    for s in export["sessions"]:
        reps = reps_by_session.get(s["id"], [])
        full = sum(1 for r in reps if not r["partial"])
        ended = bool(s.get("ended_utc"))
        comps = [
            {"code": {"coding": [_fc("sets", "Number of sets")], "text": "sets"}, "valueInteger": sets_by_session.get(s["id"], 0)},
            {"code": {"coding": [_fc("reps", "Completed repetitions")], "text": "repetitions"}, "valueInteger": full},
            {"code": {"coding": [_fc("partial-reps", "Partial repetitions")], "text": "partial repetitions"},
             "valueInteger": len(reps) - full},
        ]
        if ended and s.get("started_utc"):
            comps.append({"code": {"coding": [{"system": LOINC, "code": "55411-3", "display": "Exercise duration"}]},
                          "valueQuantity": {"value": round((s["ended_utc"] - s["started_utc"]) / 60.0, 2), "unit": "min",
                                            "system": UCUM, "code": "min"}})
        scores = [r["score"] for r in reps if r.get("score") is not None]
        if scores:
            comps.append({"code": {"coding": [_fc("form-score", "Mean form score (0-100)")]},
                          "valueQuantity": {"value": round(sum(scores) / len(scores), 1), "unit": "score", "system": UCUM,
                                            "code": "{score}"}})
        # A session that was never ended (the app was killed or crashed, so no end time was
        # written; or it is still running) is "preliminary", not "final". R4 ObservationStatus:
        # final = "complete and there are no further actions needed"; preliminary = "an initial
        # or interim observation: data may be incomplete or unverified", which is our case: the
        # repetition in progress and the set's end were never saved and the duration is unknown
        # (its component is left out). Not "cancelled" (= the observation is unavailable; the
        # saved reps are available), not "unknown" (we do know), and not "final" with a note
        # (a system reads the status, not the note, and would take the record as complete).
        obs = {
            "resourceType": "Observation", "id": _uid("session", pseudo, s["id"]),
            "status": "final" if ended else "preliminary",
            "category": [{"coding": [{"system": OBS_CAT, "code": "activity", "display": "Activity"}]}],
            "code": {"coding": [{"system": LOINC, "code": "73985-4", "display": "Exercise activity"}]},
            "subject": {"reference": patient_ref}, "device": {"reference": device_ref},
            "valueCodeableConcept": {"coding": [_fc(f"exercise-{s['exercise_id']}", s["exercise_id"])],
                                     "text": _exercise_name(catalog, s["exercise_id"])},
            "component": comps,
        }
        if s.get("program_id") in plan_ids:  # the session was done as part of this program version
            obs["basedOn"] = [{"reference": f"urn:uuid:{plan_ids[s['program_id']]}"}]
        if s.get("started_utc"):
            obs["effectivePeriod"] = {"start": _iso(s["started_utc"])}
            if ended:
                obs["effectivePeriod"]["end"] = _iso(s["ended_utc"])
        if not ended:  # for a person reading the record; the status is what systems act on
            obs["note"] = [{"text": "Session not ended (interrupted): no end time was recorded; the counts are "
                                    "the repetitions saved before the interruption."}]
        session_refs[s["id"]] = add(obs)
    for r in export.get("self_reports") or []:
        for code, key, what in ((PAIN_CODE, "pain", "pain"), (RPE_CODE, "rpe", "effort")):
            v = r.get(key)
            if v is None or r["session_id"] not in session_refs:
                continue
            # R4: Observation.partOf may reference Procedure, Immunization, Medication*, ImagingStudy,
            # but not an Observation; focus would say the score is about something other than the
            # patient. derivedFrom may reference an Observation: the score is the patient's report
            # of that session, so it points at the session's Observation.
            o = {"resourceType": "Observation", "id": _uid(what, pseudo, r["id"]), "status": "final",
                 "category": [{"coding": [{"system": OBS_CAT, "code": "survey", "display": "Survey"}]}],
                 "code": {"coding": [dict(code)], "text": f"{what} reported after the session (0-10)"},
                 "subject": {"reference": patient_ref}, "effectiveDateTime": _iso(r["created_utc"]),
                 "valueInteger": int(v), "derivedFrom": [{"reference": session_refs[r["session_id"]]}]}
            if include_notes and str(r.get("note") or "").strip():
                o["note"] = [{"text": str(r["note"]).strip()}]
            add(o)
    for a in export["assessments"]:
        if a["kind"] != "rom":
            continue
        body = json.loads(a["body"]) if isinstance(a["body"], str) else a["body"]
        if body.get("max_deg") is None:
            continue
        test = str(body.get("test") or "unknown")
        # an assessment stored by an older FitCoach may lack the test's name or the side
        name = (body.get("name") or {}).get("en") if isinstance(body.get("name"), dict) else None
        name = name or test.replace("_", " ").capitalize()
        joint = test.split("_")[0]
        rom = {
            "resourceType": "Observation", "id": _uid("rom", pseudo, a["id"]), "status": "final",
            "category": [{"coding": [{"system": OBS_CAT, "code": "exam", "display": "Exam"}]}],
            "code": {"coding": [_fc(f"rom-{test}", f"Active range of motion: {name}")],
                     "text": f"Active range of motion, {name.lower()}"},
            "subject": {"reference": patient_ref}, "device": {"reference": device_ref},
            "effectiveDateTime": _iso(a["created_utc"]),
            "valueQuantity": _deg(body["max_deg"]),
            "method": {"text": "markerless video pose estimation"},
        }
        if body.get("side") in LATERALITY:
            code, disp = LATERALITY[body["side"]]
            rom["bodySite"] = {"coding": [{"system": SNOMED, "code": code, "display": disp}], "text": f"{disp} {joint}"}
        low, high = (list(body.get("normal") or []) + [None, None])[:2]
        ref = {k: _deg(v) for k, v in (("low", low), ("high", high)) if v is not None}
        if body.get("norm_source"):
            ref["text"] = body["norm_source"]
        if ref:  # optional values we do not have are left out, never exported empty
            rom["referenceRange"] = [ref]
        if body.get("uncertainty_deg") is not None:
            rom["note"] = [{"text": f"uncertainty ± {body['uncertainty_deg']} deg"}]
        add(rom)
    numbers: dict[str, int] = {}  # program name -> a neutral number, in the order first stored
    versions: dict[str, list[dict]] = {}
    for p in export["programs"]:
        numbers.setdefault(p["name"], len(numbers) + 1)
        versions.setdefault(p["name"], []).append(p)
    for name, rows in versions.items():
        rows.sort(key=lambda r: (r["version"], r.get("created_utc") or 0.0))
        for i, p in enumerate(rows):
            newest = i == len(rows) - 1
            before = f"urn:uuid:{plan_ids[rows[i - 1]['id']]}" if i else None
            plan, goals = careplan(p, patient_ref, pseudo, numbers[name], include_notes, catalog=catalog,
                                   active=newest, replaces=before)
            for g in goals:
                add(g)
            add(plan)
    b = {"resourceType": "Bundle", "id": _uid("bundle", pseudo, len(entries)), "type": "collection",
         "timestamp": datetime.now(timezone.utc).isoformat(timespec="seconds"), "entry": entries}
    validate(b)
    return b


def _exercise_name(catalog, ex_id: str) -> str:
    return catalog.get(ex_id).name.en if catalog is not None and ex_id in catalog.ids() else str(ex_id)


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
        ex_id = str(item["id"])
        ids.append(ex_id)
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
        driver = ex.driver if ex is not None else None
        angle = f"{driver.metric} angle" if driver is not None else "joint angle"
        # the program's own values win over the exercise file's defaults (as in the workout); a
        # driver that is not an angle (a ratio) has no target in degrees, so no Goal is made
        in_deg = driver is None or driver.unit == "deg"
        target = item.get("target", driver.target if driver is not None else None) if in_deg else None
        low = item.get("safe_min", ex.safe_min if ex is not None else None) if in_deg else None
        high = item.get("safe_max", ex.safe_max if ex is not None else None) if in_deg else None
        refs = []
        if target is not None:
            q = _deg(float(target))
            if driver is not None:  # "reach at least this far": the knee bends to 100° or less
                q = {"comparator": "<=" if driver.direction == "decrease" else ">="} | q
            goals.append(_goal(_uid("goal-target", pseudo, program_row["id"], k), patient_ref, active,
                               f"{name}: reach a {angle} of {float(target):g}°", f"{name}: {angle} reached per rep",
                               {"detailQuantity": q}))
            refs.append(goals[-1]["id"])
        if low is not None or high is not None:
            rng = {key: _deg(float(v)) for key, v in (("low", low), ("high", high)) if v is not None}
            shown = f"{float(low):g}°" if low is not None else "…"
            shown += f"–{float(high):g}°" if high is not None else "–…"
            goals.append(_goal(_uid("goal-safe", pseudo, program_row["id"], k), patient_ref, active,
                               f"{name}: stay within the safe range {shown}", f"{name}: {angle} (safe range)",
                               {"detailRange": rng}))
            refs.append(goals[-1]["id"])
        if refs:
            detail["goal"] = [{"reference": f"urn:uuid:{g}"} for g in refs]
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


# --- validation ----------------------------------------------------------------------------------


def structural_problems(value, where: str = "Bundle") -> list[str]:
    """FHIR JSON's "no empty values" rule and plain-JSON sanity, without the R4 models: empty or
    blank strings, empty arrays, empty objects, nulls and non-finite numbers, each named by its
    path (e.g. `Bundle.entry[1].resource(Device).version[3].value`). At most MAX_PROBLEMS are returned."""
    out: list[str] = []
    stack = [(where, value)]
    while stack and len(out) < MAX_PROBLEMS:
        path, v = stack.pop()
        if v is None:
            out.append(f"{path}: null")
        elif isinstance(v, bool):
            continue
        elif isinstance(v, str):
            if not v.strip():
                out.append(f"{path}: empty string")
        elif isinstance(v, (int, float)):
            if not math.isfinite(v):
                out.append(f"{path}: {v} is not a JSON number")
        elif isinstance(v, list):
            if not v:
                out.append(f"{path}: empty array")
            stack.extend((f"{path}[{i}]", x) for i, x in reversed(list(enumerate(v))))
        elif isinstance(v, dict):
            if not v:
                out.append(f"{path}: empty object")
            kind = v.get("resourceType")
            if isinstance(kind, str) and path != where:
                path = f"{path}({kind})"
            stack.extend((f"{path}.{k}", x) for k, x in reversed(list(v.items())))
        else:
            out.append(f"{path}: {type(v).__name__} is not JSON")
    return out


def _r4_problems(b: dict) -> list[str] | None:
    """What the fhir.resources R4 (4.0.1) models reject; None when they are not installed."""
    try:
        import fhir.resources
        from fhir.resources.bundle import Bundle
    except ImportError:
        return None
    if getattr(fhir.resources, "__fhir_version__", None) != "4.0.1":
        return None  # R4B / R5 models would judge an R4 Bundle by other rules
    try:
        Bundle.parse_obj(json.loads(json.dumps(b)))
    except Exception as e:  # pydantic's ValidationError (a ValueError), or a model's TypeError
        errors = e.errors() if callable(getattr(e, "errors", None)) else []
        if not errors:
            return [str(e).splitlines()[0] if str(e) else type(e).__name__]
        return [_loc(err.get("loc", ())) + f": {err.get('msg')}" for err in errors]
    return []


def _loc(parts) -> str:
    """pydantic's ('entry', 1, 'resource', '__root__', 'status') -> Bundle.entry[1].resource.status"""
    out = "Bundle"
    for x in parts:
        if isinstance(x, int):
            out += f"[{x}]"
        elif x != "__root__":
            out += f".{x}"
    return out


def validate(b: dict) -> None:
    """Raise FHIRExportError (one line) unless `b` is a valid FHIR R4 Bundle."""
    problems = structural_problems(b)
    if not problems:
        problems = _r4_problems(b) or []
    if problems:
        more = f" (and {len(problems) - 1} more)" if len(problems) > 1 else ""
        raise FHIRExportError(f"FHIR export is not valid R4, nothing written: {problems[0]}{more}")
