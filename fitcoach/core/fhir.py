"""A FHIR R4 (4.0.1) Bundle of a profile's results, for a health record. Plain dicts, no network.

- Patient: pseudonymous (an identifier derived from the profile and a per-installation salt;
  no name, no birth date).
- Device: FitCoach with its version and the model files (pose model, form scorer) and hashes.
- One Observation per session: LOINC 73985-4 "Exercise activity" (value: the exercise), with
  components: number of sets, reps, partial reps and LOINC 55411-3 "Exercise duration" (min),
  following the HL7 Physical Activity IG's use of 73985-4 / 55411-3.
- One Observation per ROM measurement: valueQuantity in UCUM `deg`, bodySite with laterality
  (SNOMED CT 7771000 Left / 24028007 Right), method "markerless video pose estimation",
  device -> the Device.
- The profile's programs, when there are any, as CarePlans (activity: exercise, sets, reps,
  tempo, frequency).
"""

from __future__ import annotations

import hashlib
import json
import uuid
from datetime import datetime, timezone

from fitcoach import __version__

LOINC = "http://loinc.org"
SNOMED = "http://snomed.info/sct"
UCUM = "http://unitsofmeasure.org"
FC_CS = "https://fitcoach.invalid/fhir/CodeSystem/fitcoach"  # local code system (no real host)
OBS_CAT = "http://terminology.hl7.org/CodeSystem/observation-category"
LATERALITY = {"left": ("7771000", "Left"), "right": ("24028007", "Right")}


def _iso(ts: float | None) -> str | None:
    return None if ts is None else datetime.fromtimestamp(ts, tz=timezone.utc).isoformat(timespec="seconds")


def _uid(*parts) -> str:
    return str(uuid.uuid5(uuid.NAMESPACE_URL, "fitcoach:" + "|".join(str(p) for p in parts)))


def _fc(code: str, display: str) -> dict:
    return {"system": FC_CS, "code": code, "display": display}


def bundle(export: dict, salt: str, models: list[dict]) -> dict:
    """FHIR R4 Bundle (type collection) from `Store.export_profile()` output."""
    prof = export["profile"]
    pseudo = hashlib.sha256(f"{salt}|{prof['id']}|{prof['name']}".encode()).hexdigest()[:20]
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
        "version": [{"type": {"text": "software"}, "value": __version__}]
        + [{"type": {"text": m["name"]}, "value": (m.get("sha256") or "")[:16]} for m in models],
    })
    reps_by_session: dict[int, list[dict]] = {}
    for r in export["reps"]:
        reps_by_session.setdefault(r["session_id"], []).append(r)
    sets_by_session: dict[int, int] = {}
    for st in export["sets"]:
        sets_by_session[st["session_id"]] = sets_by_session.get(st["session_id"], 0) + 1
    for s in export["sessions"]:
        reps = reps_by_session.get(s["id"], [])
        full = sum(1 for r in reps if not r["partial"])
        comps = [
            {"code": {"coding": [_fc("sets", "Number of sets")], "text": "sets"}, "valueInteger": sets_by_session.get(s["id"], 0)},
            {"code": {"coding": [_fc("reps", "Completed repetitions")], "text": "repetitions"}, "valueInteger": full},
            {"code": {"coding": [_fc("partial-reps", "Partial repetitions")], "text": "partial repetitions"},
             "valueInteger": len(reps) - full},
        ]
        if s.get("ended_utc") and s.get("started_utc"):
            comps.append({"code": {"coding": [{"system": LOINC, "code": "55411-3", "display": "Exercise duration"}]},
                          "valueQuantity": {"value": round((s["ended_utc"] - s["started_utc"]) / 60.0, 2), "unit": "min",
                                            "system": UCUM, "code": "min"}})
        scores = [r["score"] for r in reps if r.get("score") is not None]
        if scores:
            comps.append({"code": {"coding": [_fc("form-score", "Mean form score (0-100)")]},
                          "valueQuantity": {"value": round(sum(scores) / len(scores), 1), "unit": "score", "system": UCUM,
                                            "code": "{score}"}})
        obs = {
            "resourceType": "Observation", "id": _uid("session", pseudo, s["id"]), "status": "final",
            "category": [{"coding": [{"system": OBS_CAT, "code": "activity", "display": "Activity"}]}],
            "code": {"coding": [{"system": LOINC, "code": "73985-4", "display": "Exercise activity"}]},
            "subject": {"reference": patient_ref}, "device": {"reference": device_ref},
            "valueCodeableConcept": {"coding": [_fc(f"exercise-{s['exercise_id']}", s["exercise_id"])],
                                     "text": s["exercise_id"]},
            "component": comps,
        }
        if s.get("started_utc"):
            obs["effectivePeriod"] = {"start": _iso(s["started_utc"])}
            if s.get("ended_utc"):
                obs["effectivePeriod"]["end"] = _iso(s["ended_utc"])
        add(obs)
    for a in export["assessments"]:
        if a["kind"] != "rom":
            continue
        body = json.loads(a["body"]) if isinstance(a["body"], str) else a["body"]
        if body.get("max_deg") is None:
            continue
        code, disp = LATERALITY[body["side"]]
        joint = body["test"].split("_")[0]
        add({
            "resourceType": "Observation", "id": _uid("rom", pseudo, a["id"]), "status": "final",
            "category": [{"coding": [{"system": OBS_CAT, "code": "exam", "display": "Exam"}]}],
            "code": {"coding": [_fc(f"rom-{body['test']}", f"Active range of motion: {body['name']['en']}")],
                     "text": f"Active range of motion, {body['name']['en'].lower()}"},
            "subject": {"reference": patient_ref}, "device": {"reference": device_ref},
            "effectiveDateTime": _iso(a["created_utc"]),
            "valueQuantity": {"value": body["max_deg"], "unit": "deg", "system": UCUM, "code": "deg"},
            "bodySite": {"coding": [{"system": SNOMED, "code": code, "display": disp}], "text": f"{disp} {joint}"},
            "method": {"text": "markerless video pose estimation"},
            "referenceRange": [{"low": {"value": body["normal"][0], "unit": "deg", "system": UCUM, "code": "deg"},
                                "high": {"value": body["normal"][1], "unit": "deg", "system": UCUM, "code": "deg"},
                                "text": body.get("norm_source", "")}],
            "note": [{"text": f"uncertainty ± {body.get('uncertainty_deg')} deg"}],
        })
    for p in export["programs"]:
        add(careplan(p, patient_ref, pseudo))
    return {"resourceType": "Bundle", "id": _uid("bundle", pseudo, len(entries)), "type": "collection",
            "timestamp": datetime.now(timezone.utc).isoformat(timespec="seconds"), "entry": entries}


def careplan(program_row: dict, patient_ref: str, pseudo: str) -> dict:
    import tomllib

    body = tomllib.loads(program_row["body"])
    acts = []
    for item in body.get("exercise", []):
        t = item.get("tempo")
        desc = f"{item.get('sets', 1)} x {item.get('reps', '?')} reps" + (f", tempo {t}" if t else "")
        detail = {"status": "scheduled", "code": {"text": item["id"]}, "description": desc}
        per_week = body.get("sessions_per_week")
        if per_week:
            detail["scheduledTiming"] = {"repeat": {"frequency": int(per_week), "period": 1, "periodUnit": "wk"}}
        acts.append({"detail": detail})
    return {"resourceType": "CarePlan", "id": _uid("careplan", pseudo, program_row["id"]), "status": "active",
            "intent": "plan", "title": f"{program_row['name']} (v{program_row['version']})",
            "subject": {"reference": patient_ref}, "activity": acts}
