"""The FHIR export carries outcomes: pain and effort self-reports as Observations linked to their
session, and programs as CarePlans of which only the newest version is active, with each
exercise's target ROM and safe range as Goals (all valid R4 and without empty values)."""

import json

import pytest

from fitcoach.reports import fhir
from fitcoach.io.store import Store

V1 = ('schema_version = 1\nname = "knee"\nsessions_per_week = 3\n'
      '[[exercise]]\nid = "squat"\nsets = 2\nreps = 8\ntempo = "2-0-2-1"\n')
V2 = ('schema_version = 1\nname = "knee"\nsessions_per_week = 3\n'
      '[[exercise]]\nid = "squat"\nsets = 3\nreps = 10\ntempo = "2-0-2-1"\nsafe_min = 70.0\nsafe_max = 175.0\n'
      'target = 95.0\n[[exercise]]\nid = "plank"\nsets = 2\nhold_s = 30\n')
MODELS = [{"name": "pose_landmarker_full", "sha256": "ab" * 32}]


def _bundle(tmp_path, include_notes=False):
    s = Store(tmp_path / "d")
    pid = s.profile("p1", "patient")
    for v, body in ((1, V1), (2, V2)):
        s.write(lambda con, v=v, body=body: con.execute(
            "INSERT INTO programs (profile_id, name, version, body, created_utc) VALUES (?, 'knee', ?, ?, ?)",
            (pid, v, body, 1_790_000_000 + v))).result()
    sid, set_id = s.start_session(pid, "squat")
    s.add_rep(set_id, {"index": 1, "side": "both", "t_start_s": 1, "t_end_s": 3, "partial": False,
                       "rom_deg": {"min": 95, "max": 170}, "tempo_s": {"down": 1, "bottom": 0.2, "up": 0.8, "top": None},
                       "score": 88.0, "faults": []}).result()
    s.end_session(sid, set_id)
    s.add_self_report(sid, pain=3, rpe=6, note="knee ached a little")
    sid2, set2 = s.start_session(pid, "squat")
    s.end_session(sid2, set2)
    s.add_self_report(sid2, pain=None, rpe=4)  # effort only
    b = fhir.bundle(s.export_profile("p1"), s.salt(), MODELS, include_notes=include_notes)
    s.close()
    return b


def _parse(b):
    fr = pytest.importorskip("fhir.resources")
    from fhir.resources.bundle import Bundle

    assert fr.__fhir_version__ == "4.0.1"
    assert fhir.structural_problems(b) == []
    return Bundle.parse_obj(json.loads(json.dumps(b)))


def _by_code(b, code):
    return [e["resource"] for e in b["entry"] if e["resource"]["resourceType"] == "Observation"
            and e["resource"]["code"]["coding"][0]["code"] == code]


def test_pain_and_effort_are_observations_of_their_session(tmp_path):
    b = _bundle(tmp_path)
    _parse(b)
    sessions = _by_code(b, "73985-4")
    urls = {e["resource"]["id"]: e["fullUrl"] for e in b["entry"]}
    pain = _by_code(b, "72514-3")
    assert len(pain) == 1  # the second self-report has no pain score
    assert pain[0]["code"]["coding"][0]["system"] == "http://loinc.org"
    assert pain[0]["valueInteger"] == 3 and pain[0]["category"][0]["coding"][0]["code"] == "survey"
    assert pain[0]["derivedFrom"] == [{"reference": urls[sessions[0]["id"]]}]
    effort = _by_code(b, fhir.RPE_CODE["code"])
    assert [o["valueInteger"] for o in effort] == [6, 4]
    assert [o["derivedFrom"][0]["reference"] for o in effort] == [urls[s["id"]] for s in sessions]
    assert effort[0]["code"]["coding"][0]["system"] == fhir.FC_CS and "0-10" in effort[0]["code"]["coding"][0]["display"]
    assert "knee ached" not in json.dumps(b)  # a self-report's free text only with include_notes
    assert _by_code(_bundle(tmp_path / "n", include_notes=True), "72514-3")[0]["note"][0]["text"] == "knee ached a little"
    assert sessions[0]["valueCodeableConcept"]["text"] == "Squat"  # the exercise's name, not its id


def test_only_the_newest_program_version_is_active_and_replaces_the_older(tmp_path):
    b = _bundle(tmp_path)
    _parse(b)
    plans = [e for e in b["entry"] if e["resource"]["resourceType"] == "CarePlan"]
    assert [p["resource"]["title"] for p in plans] == ["FitCoach program 1 v1: squat", "FitCoach program 1 v2: squat, plank"]
    old, new = (p["resource"] for p in plans)
    assert old["status"] == "revoked" and new["status"] == "active"
    assert new["replaces"] == [{"reference": plans[0]["fullUrl"]}] and "replaces" not in old
    assert [a["detail"]["code"]["text"] for a in new["activity"]] == ["Squat", "Plank"]
    assert new["activity"][0]["detail"]["description"] == "3 x 10 reps, tempo 2-0-2-1"


def test_target_rom_and_safe_range_are_goals_of_the_plan(tmp_path):
    b = _bundle(tmp_path)
    _parse(b)
    full = {e["fullUrl"]: e["resource"] for e in b["entry"]}
    plans = [r for r in full.values() if r["resourceType"] == "CarePlan"]
    new = plans[1]
    squat = new["activity"][0]["detail"]
    goals = [full[g["reference"]] for g in squat["goal"]]
    assert all(g["resourceType"] == "Goal" and g["lifecycleStatus"] == "active" for g in goals)
    target, safe = goals
    # the program's own target and safe range win over the exercise file's
    assert target["target"][0]["detailQuantity"] == {"comparator": "<=", "value": 95.0, "unit": "deg",
                                                     "system": "http://unitsofmeasure.org", "code": "deg"}
    assert safe["target"][0]["detailRange"]["low"]["value"] == 70.0
    assert safe["target"][0]["detailRange"]["high"] == {"value": 175.0, "unit": "deg", "system": "http://unitsofmeasure.org",
                                                        "code": "deg"}
    assert {g["reference"] for g in new["goal"]} >= {g["reference"] for g in squat["goal"]}
    assert "goal" not in new["activity"][1]["detail"]  # a plank hold has no angle target
    # v1 has no own values: the exercise file's target (100°) and safe minimum (40°), goals cancelled
    old_goals = [full[g["reference"]] for g in plans[0]["goal"]]
    assert [g["lifecycleStatus"] for g in old_goals] == ["cancelled", "cancelled"]
    assert old_goals[0]["target"][0]["detailQuantity"]["value"] == 100.0
    assert old_goals[1]["target"][0]["detailRange"] == {"low": {"value": 40.0, "unit": "deg", "system":
                                                                "http://unitsofmeasure.org", "code": "deg"}}
    # every reference in the Bundle resolves to an entry
    refs = [v for v in json.dumps(b).split('"reference": "')[1:]]
    assert all(r.split('"')[0] in full for r in refs)


def test_a_rom_assessment_without_name_or_side_is_exported_not_a_crash(tmp_path):
    s = Store(tmp_path / "d")
    pid = s.profile("p1", "patient")
    s.add_assessment(pid, "rom", {"test": "knee_flexion", "max_deg": 118.0, "normal": [0, 135]})
    b = fhir.bundle(s.export_profile("p1"), s.salt(), MODELS)
    s.close()
    _parse(b)
    rom = next(e["resource"] for e in b["entry"] if e["resource"].get("valueQuantity", {}).get("code") == "deg")
    assert rom["code"]["text"] == "Active range of motion, knee flexion" and "bodySite" not in rom
