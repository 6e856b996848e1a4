"""`fitcoach.app.programs`: a patient loaded with details and newest program (validated when
read), the program file written from table cells (what the Programs page saves), saving as
the next version, and the report and FHIR files written from the one store."""

import json

import pytest

from fitcoach.app.database import Database
from fitcoach.app.profiles import add_profile, is_first_run, profile_names, save_profile, save_self_report
from fitcoach.app.programs import (check_program, load_patient, program_toml, save_program, unknown_exercises,
                                   write_fhir, write_progress_report)
from fitcoach.core.errors import ValidationError


ROWS = [{"id": "squat", "sets": "4", "reps": "6", "tempo": "3-1-2-0", "rest_s": "45", "safe_min": " 80 "},
        {"id": "glute_bridge", "sets": "3", "reps": "12", "hold_s": "", "target": ""}]


def test_program_toml_from_cells_validates_and_names_bad_cells(catalog):
    text = program_toml(" Knee rehab ", 3, "slowly", "counts", ROWS)
    prog = check_program(text, "program", catalog)
    assert prog.name == "Knee rehab" and prog.sessions_per_week == 3 and prog.verbosity == "counts"
    assert [(i.id, i.sets, i.reps, i.rest_s, i.safe_min) for i in prog.items] == [
        ("squat", 4, 6, 45.0, 80.0), ("glute_bridge", 3, 12, 60.0, None)]
    assert 'tempo = "3-1-2-0"' in text and "hold_s" not in text and "verbosity" in text
    assert "verbosity" not in program_toml("x", 3, "", None, ROWS)
    bad = program_toml("x", 3, "", None, [{"id": "squat", "sets": "many", "reps": "6"}])
    assert 'sets = "many"' in bad  # kept as text: validation names the field
    with pytest.raises(ValidationError) as e:
        check_program(bad, "program", catalog)
    assert "exercise[0].sets" in e.value.fields


def test_a_patient_round_trip(db, catalog):
    assert is_first_run(db, "") and not is_first_run(db, "me")
    new = load_patient(db, "kim", catalog)
    assert not new.stored and new.program is None and new.problem is None
    row = save_profile(db, "kim", "65-79", "beginner", conditions=["knee_valgus", "from_assessment"], avoid=["lunge"],
                       goals=["walk"])
    assert (row["name"], row["level"], json.loads(row["goals"])) == ("kim", "beginner", ["walk"])
    assert not is_first_run(db, "")
    prog = check_program(program_toml("knee", 3, "", None, ROWS), "program", catalog)
    assert save_program(db, "kim", prog) == 1 and save_program(db, "kim", prog) == 2
    pt = load_patient(db, "kim", catalog)
    assert pt.stored and (pt.age_band, pt.level) == ("65-79", "beginner")
    assert pt.conditions == ("knee_valgus", "from_assessment") and pt.avoid == ("lunge",)
    assert pt.program.name == "knee" and pt.version == 2
    assert add_profile(db, "lee") > 0 and profile_names(db) == ["kim", "lee"]
    with Database() as again:  # a second process's view: what was saved is there
        assert again.store().profile_names() == ["kim", "lee"]
    assert unknown_exercises(["squat", "moonwalk"], catalog) == ["moonwalk"]


def test_a_stored_program_that_no_longer_validates_is_reported(db, catalog):
    prog = check_program(program_toml("knee", 3, "", None, ROWS), "program", catalog)
    save_program(db, "kim", prog)
    db.store().write(lambda con: con.execute("UPDATE programs SET body = replace(body, 'squat', 'moonwalk')")).result()
    pt = load_patient(db, "kim", catalog)
    assert pt.stored and pt.program is None and "moonwalk" in pt.problem


def test_report_fhir_and_self_report_from_the_one_store(db, catalog, tmp_path):
    store = db.store()
    pid = store.profile("kim")
    sid, set_id = store.start_session(pid, "squat", prescribed_reps=8)
    store.end_session(sid, set_id)
    save_self_report(db, sid, 3, 6, "  fine  ")
    assert store.export_profile("kim")["self_reports"][0]["note"] == "fine"
    html = write_progress_report(db, "kim", tmp_path / "r.html", catalog)
    assert html.read_text(encoding="utf-8").lstrip().lower().startswith("<!doctype html")
    fhir = write_fhir(db, "kim", tmp_path / "p.json")
    bundle = json.loads(fhir.read_text(encoding="utf-8"))
    assert bundle["resourceType"] == "Bundle" and fhir.stat().st_mode & 0o777 == 0o600
    assert "kim" not in fhir.read_text(encoding="utf-8")  # pseudonymised
    assert db.opens == 1
