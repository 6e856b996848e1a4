"""The FHIR R4 export validates against fhir.resources' R4 (4.0.1) models."""

import json

import pytest

from fitcoach.core import fhir
from fitcoach.core.store import Store

fr = pytest.importorskip("fhir.resources", reason="fhir.resources (test extra) validates the export")


def test_bundle_validates_against_r4(tmp_path):
    from fhir.resources.bundle import Bundle

    assert fr.__fhir_version__ == "4.0.1"
    s = Store(tmp_path / "d")
    pid = s.profile("p1", "patient")
    sid, set_id = s.start_session(pid, "squat")
    for i in (1, 2):
        s.add_rep(set_id, {"index": i, "side": "both", "t_start_s": i, "t_end_s": i + 2, "partial": i == 2,
                           "rom_deg": {"min": 80, "max": 170}, "tempo_s": {"down": 1, "bottom": 0.2, "up": 0.8, "top": None},
                           "score": 88.0, "faults": []}).result()
    s.end_session(sid, set_id)
    s.add_assessment(pid, "rom", {"test": "shoulder_flexion", "name": {"en": "Shoulder flexion"}, "side": "left",
                                  "max_deg": 151.5, "normal": [0, 180], "norm_source": "AAOS", "uncertainty_deg": 3.1})
    s.write(lambda con: con.execute(
        "INSERT INTO programs (profile_id, name, version, body, created_utc) VALUES (?, 'knee rehab', 1, ?, 0)",
        (pid, 'sessions_per_week = 3\n[[exercise]]\nid = "sit_to_stand"\nsets = 3\nreps = 10\ntempo = "2-0-2-1"\n'))).result()
    b = fhir.bundle(s.export_profile("p1"), s.salt(), [{"name": "pose_landmarker_full", "sha256": "ab" * 32}])
    s.close()
    parsed = Bundle.parse_obj(json.loads(json.dumps(b)))
    kinds = [e.resource.resource_type for e in parsed.entry]
    assert kinds.count("Patient") == 1 and kinds.count("Device") == 1 and kinds.count("CarePlan") == 1
    obs = [e["resource"] for e in b["entry"] if e["resource"]["resourceType"] == "Observation"]
    session = next(o for o in obs if o["code"]["coding"][0]["code"] == "73985-4")
    reps = next(c for c in session["component"] if c["code"]["text"] == "repetitions")
    assert reps["valueInteger"] == 1
    assert any(c["code"]["coding"][0].get("code") == "55411-3" for c in session["component"])
    rom = next(o for o in obs if o.get("valueQuantity", {}).get("code") == "deg")
    assert rom["bodySite"]["coding"][0]["code"] == "7771000" and rom["method"]["text"].startswith("markerless")
    patient = next(e["resource"] for e in b["entry"] if e["resource"]["resourceType"] == "Patient")
    assert "name" not in patient and "p1" not in json.dumps(patient)
