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

Modules: this one (the Bundle: Patient, Device, Observations), `fhir_careplan` (programs as
CarePlans and Goals), `fhir_codes` (code systems, codes, shared builders), `fhir_check` (validation).
"""

from __future__ import annotations

import hashlib
import json
from datetime import datetime, timezone

from fitcoach import __version__
from fitcoach.reports.fhir_careplan import careplan
from fitcoach.reports.fhir_check import FHIRExportError, _r4_problems, structural_problems, validate
from fitcoach.reports.fhir_codes import (FC_CS, LATERALITY, LOINC, OBS_CAT, PAIN_CODE, RPE_CODE, SNOMED, UCUM, _deg,
                                         _exercise_name, _fc, _iso, _uid)

__all__ = ["FC_CS", "PAIN_CODE", "RPE_CODE", "FHIRExportError", "bundle", "careplan", "pseudonym",
           "structural_problems", "validate", "verified_models", "_r4_problems"]


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
    pseudo = pseudonym(salt, export["profile"])
    entries = []

    def add(res: dict) -> str:
        full = f"urn:uuid:{res['id']}"
        entries.append({"fullUrl": full, "resource": res})
        return full

    patient_ref = add({"resourceType": "Patient", "id": _uid("patient", pseudo),
                       "identifier": [{"system": "urn:fitcoach:pseudonym", "value": pseudo}],
                       "active": True})
    device_ref = add(_device(models))
    plan_ids = {p["id"]: _uid("careplan", pseudo, p["id"]) for p in export["programs"]}
    session_refs = {s["id"]: add(obs) for s, obs in
                    _sessions(export, pseudo, patient_ref, device_ref, plan_ids, catalog)}
    for o in _self_reports(export, pseudo, patient_ref, session_refs, include_notes):
        add(o)
    for o in _rom_assessments(export, pseudo, patient_ref, device_ref):
        add(o)
    for res in _careplans(export, pseudo, patient_ref, plan_ids, include_notes, catalog):
        add(res)
    b = {"resourceType": "Bundle", "id": _uid("bundle", pseudo, len(entries)), "type": "collection",
         "timestamp": datetime.now(timezone.utc).isoformat(timespec="seconds"), "entry": entries}
    validate(b)
    return b


def _device(models: list[dict]) -> dict:
    """FitCoach as a Device: its version and the model files' hashes."""
    return {
        "resourceType": "Device", "id": _uid("device", __version__, *[m.get("sha256") for m in models]),
        "deviceName": [{"name": "FitCoach", "type": "manufacturer-name"}],
        "type": {"text": "Exercise coaching software (markerless video pose estimation)"},
        # Device.version.value is required (1..1) and may not be empty: a model without a hash
        # (an optional model that is not installed) is left out rather than given value "".
        "version": [{"type": {"text": "software"}, "value": __version__}]
        + [{"type": {"text": m["name"]}, "value": m["sha256"][:16]} for m in models
           if m.get("name") and m.get("sha256")],
    }


def _sessions(export: dict, pseudo: str, patient_ref: str, device_ref: str, plan_ids: dict, catalog):
    """(session row, its Observation) for every session, in the export's order."""
    reps_by_session: dict[int, list[dict]] = {}
    for r in export["reps"]:
        reps_by_session.setdefault(r["session_id"], []).append(r)
    sets_by_session: dict[int, int] = {}
    for st in export["sets"]:
        sets_by_session[st["session_id"]] = sets_by_session.get(st["session_id"], 0) + 1
    for s in export["sessions"]:
        reps = reps_by_session.get(s["id"], [])
        ended = bool(s.get("ended_utc"))
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
            "component": _session_components(s, reps, sets_by_session.get(s["id"], 0), ended),
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
        yield s, obs


def _session_components(s: dict, reps: list[dict], n_sets: int, ended: bool) -> list[dict]:
    """A session Observation's components: sets, reps, partial reps, duration (when ended), form score."""
    full = sum(1 for r in reps if not r["partial"])
    comps = [
        {"code": {"coding": [_fc("sets", "Number of sets")], "text": "sets"}, "valueInteger": n_sets},
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
    return comps


def _self_reports(export: dict, pseudo: str, patient_ref: str, session_refs: dict, include_notes: bool):
    """A pain and an effort Observation per self-report that has them, each `derivedFrom` its session."""
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
            yield o


def _rom_assessments(export: dict, pseudo: str, patient_ref: str, device_ref: str):
    """One Observation per ROM assessment with a measured maximum (UCUM deg, laterality, norms)."""
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
        yield rom


def _careplans(export: dict, pseudo: str, patient_ref: str, plan_ids: dict, include_notes: bool, catalog):
    """Every stored program version as its Goals then its CarePlan; only the newest version of a
    program is active, and each replaces the one before."""
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
            yield from goals
            yield plan
