"""The FHIR R4 export validates against fhir.resources' R4 (4.0.1) models, also when the optional
heavy pose model is not installed; it has no empty values even without those models (our own
check); a program's free-text name and notes stay out unless asked for; an interrupted session is
`preliminary`; and a Bundle that would be invalid is never written."""

import json
import os
import sys
import time

import pytest

from fitcoach.cli import main
from fitcoach.reports import fhir
from fitcoach.io.store import Store

PROGRAM = ('name = "Kim Minji knee rehab"\nsessions_per_week = 3\nnotes = "Kim: pain-free range only"\n'
           '[[exercise]]\nid = "sit_to_stand"\nsets = 3\nreps = 10\ntempo = "2-0-2-1"\nrest_s = 60\n'
           '[[exercise]]\nid = "plank"\nsets = 2\nhold_s = 30\n')
MODELS = [{"name": "pose_landmarker_full", "sha256": "ab" * 32}]


def _r4():
    return pytest.importorskip("fhir.resources", reason="fhir.resources (test extra) validates the export")


def _parse_r4(b):
    fr = _r4()
    from fhir.resources.bundle import Bundle

    assert fr.__fhir_version__ == "4.0.1"
    return Bundle.parse_obj(json.loads(json.dumps(b)))


def _history(folder, interrupted=False):
    """A profile with one finished squat session (2 reps, one partial), optionally a second one
    that was interrupted (no end time), a ROM assessment and a program whose name names the patient."""
    s = Store(folder)
    pid = s.profile("p1", "patient")
    sid, set_id = s.start_session(pid, "squat")
    for i in (1, 2):
        s.add_rep(set_id, {"index": i, "side": "both", "t_start_s": i, "t_end_s": i + 2, "partial": i == 2,
                           "rom_deg": {"min": 80, "max": 170}, "tempo_s": {"down": 1, "bottom": 0.2, "up": 0.8, "top": None},
                           "score": 88.0, "faults": []}).result()
    s.end_session(sid, set_id)
    if interrupted:  # the app was killed mid-set: the rep is saved, the end never is
        time.sleep(0.01)
        sid2, set2 = s.start_session(pid, "squat")
        s.add_rep(set2, {"index": 1, "side": "both", "t_start_s": 1, "t_end_s": 3, "partial": False,
                         "rom_deg": {"min": 80, "max": 170}, "tempo_s": {"down": 1, "bottom": 0.2, "up": 0.8, "top": None},
                         "score": 80.0, "faults": []}).result()
    s.add_assessment(pid, "rom", {"test": "shoulder_flexion", "name": {"en": "Shoulder flexion"}, "side": "left",
                                  "max_deg": 151.5, "normal": [0, 180], "norm_source": "AAOS", "uncertainty_deg": 3.1})
    s.write(lambda con: con.execute(
        "INSERT INTO programs (profile_id, name, version, body, created_utc) VALUES (?, 'Kim Minji knee rehab', 2, ?, 0)",
        (pid, PROGRAM))).result()
    return s


def _resources(b, kind):
    return [e["resource"] for e in b["entry"] if e["resource"]["resourceType"] == kind]


def test_bundle_validates_against_r4(tmp_path):
    s = _history(tmp_path / "d")
    b = fhir.bundle(s.export_profile("p1"), s.salt(), MODELS)
    s.close()
    parsed = _parse_r4(b)
    kinds = [e.resource.resource_type for e in parsed.entry]
    assert kinds.count("Patient") == 1 and kinds.count("Device") == 1 and kinds.count("CarePlan") == 1
    obs = _resources(b, "Observation")
    session = next(o for o in obs if o["code"]["coding"][0]["code"] == "73985-4")
    assert session["status"] == "final"
    reps = next(c for c in session["component"] if c["code"]["text"] == "repetitions")
    assert reps["valueInteger"] == 1
    assert any(c["code"]["coding"][0].get("code") == "55411-3" for c in session["component"])
    rom = next(o for o in obs if o.get("valueQuantity", {}).get("code") == "deg")
    assert rom["bodySite"]["coding"][0]["code"] == "7771000" and rom["method"]["text"].startswith("markerless")
    patient = _resources(b, "Patient")[0]
    assert "name" not in patient and "p1" not in json.dumps(patient)


def test_device_leaves_out_a_model_that_is_not_installed(tmp_path):
    """The heavy pose model is optional and not shipped: it has no sha256. It used to be listed
    with `value: ""`, which R4 rejects (and so did the Programs page's export)."""
    from fitcoach.core.models import read_manifest

    manifest = [{"name": e.name, "sha256": e.sha256} for e in read_manifest()]
    assert any(m["sha256"] is None for m in manifest), "the manifest no longer has a model without a hash"
    s = _history(tmp_path / "d")
    b = fhir.bundle(s.export_profile("p1"), s.salt(), manifest)
    s.close()
    versions = _resources(b, "Device")[0]["version"]
    assert all(v["value"] for v in versions)
    assert "pose_landmarker_heavy" not in [v["type"]["text"] for v in versions]
    assert fhir.structural_problems(b) == []
    _parse_r4(b)
    verified = fhir.verified_models()
    assert verified and all(m["sha256"] for m in verified)


def test_no_empty_values_is_checked_without_the_r4_models(monkeypatch):
    """At run time fhir.resources is not installed: our own check still rejects what FHIR calls
    empty (strings, arrays, objects), nulls and NaN, naming the element."""
    for mod in ("fhir.resources", "fhir.resources.bundle"):
        monkeypatch.setitem(sys.modules, mod, None)  # import fails as if not installed
    assert fhir._r4_problems({"resourceType": "Bundle"}) is None
    bad = {"resourceType": "Bundle", "type": "collection", "entry": [
        {"fullUrl": "urn:uuid:1", "resource": {"resourceType": "Device", "id": "d",
                                               "version": [{"type": {"text": "m"}, "value": ""}]}},
        {"fullUrl": "urn:uuid:2", "resource": {"resourceType": "Observation", "id": "o", "note": [],
                                               "code": {}, "valueQuantity": {"value": float("nan")}, "text": None}}]}
    problems = fhir.structural_problems(bad)
    assert problems == ["Bundle.entry[0].resource(Device).version[0].value: empty string",
                        "Bundle.entry[1].resource(Observation).note: empty array",
                        "Bundle.entry[1].resource(Observation).code: empty object",
                        "Bundle.entry[1].resource(Observation).valueQuantity.value: nan is not a JSON number",
                        "Bundle.entry[1].resource(Observation).text: null"]
    first = r"entry\[0\]\.resource\(Device\)\.version\[0\]\.value: empty string \(and 4 more\)"
    with pytest.raises(fhir.FHIRExportError, match=first):
        fhir.validate(bad)
    assert fhir.structural_problems({"a": 0, "b": False, "c": [1], "d": "x"}) == []


def test_the_r4_models_reject_what_our_check_does_not_know(monkeypatch):
    _r4()
    bad = {"resourceType": "Bundle", "type": "collection",
           "entry": [{"fullUrl": "urn:uuid:1", "resource": {"resourceType": "Observation", "id": "o",
                                                              "code": {"text": "x"}}}]}  # no status (1..1)
    assert fhir.structural_problems(bad) == []
    with pytest.raises(fhir.FHIRExportError,
                       match=r"not valid R4.*: Bundle\.entry\[0\]\.resource\.status: field required$"):
        fhir.validate(bad)


def test_an_interrupted_session_is_preliminary(tmp_path):
    s = _history(tmp_path / "d", interrupted=True)
    b = fhir.bundle(s.export_profile("p1"), s.salt(), MODELS)
    s.close()
    _parse_r4(b)
    sessions = [o for o in _resources(b, "Observation") if o["code"]["coding"][0]["code"] == "73985-4"]
    done, cut = sessions
    assert done["status"] == "final" and "end" in done["effectivePeriod"] and "note" not in done
    assert cut["status"] == "preliminary"
    assert "end" not in cut["effectivePeriod"]
    assert not any(c["code"]["coding"][0].get("code") == "55411-3" for c in cut["component"])  # duration unknown
    assert "interrupted" in cut["note"][0]["text"]
    assert next(c for c in cut["component"] if c["code"]["text"] == "repetitions")["valueInteger"] == 1


def _export(tmp_path, monkeypatch, *extra):
    monkeypatch.setenv("FITCOACH_DATA_DIR", str(tmp_path / "d"))
    _history(tmp_path / "d").close()
    out = tmp_path / "p.fhir.json"
    assert main(["data", "export", "--profile", "p1", "--out", str(out), *extra]) == 0
    return json.loads(out.read_text(encoding="utf-8")), out


def test_program_names_and_notes_stay_out_of_the_export_by_default(tmp_path, monkeypatch):
    b, out = _export(tmp_path, monkeypatch)
    text = out.read_text(encoding="utf-8")
    assert "Kim" not in text and "Minji" not in text
    plan = _resources(b, "CarePlan")[0]
    assert plan["title"] == "FitCoach program 1 v2: sit_to_stand, plank"
    assert "description" not in plan
    assert [a["detail"]["description"] for a in plan["activity"]] == ["3 x 10 reps, tempo 2-0-2-1, rest 60 s",
                                                                      "2 x 30 s hold"]
    _parse_r4(b)


def test_include_notes_exports_the_program_name_and_notes(tmp_path, monkeypatch, capsys):
    b, _ = _export(tmp_path, monkeypatch, "--include-notes")
    plan = _resources(b, "CarePlan")[0]
    assert plan["title"] == "Kim Minji knee rehab (v2)"
    assert plan["description"] == "Kim: pain-free range only"
    _parse_r4(b)
    from fitcoach.cli.parser import build_parser

    data_help = next(a for a in build_parser()._subparsers._group_actions[0].choices["data"]._actions
                     if "--include-notes" in a.option_strings).help
    assert "names and notes" in data_help


def test_an_invalid_bundle_is_never_written(tmp_path, monkeypatch, capsys):
    monkeypatch.setattr(fhir, "__version__", "")  # Device.version[0].value would be empty
    monkeypatch.setenv("FITCOACH_DATA_DIR", str(tmp_path / "d"))
    _history(tmp_path / "d").close()
    out = tmp_path / "p.fhir.json"
    assert main(["data", "export", "--profile", "p1", "--out", str(out)]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "Device" in err[0] and "version[0].value: empty string" in err[0], err
    assert not out.exists() and os.listdir(tmp_path) == ["d"]
