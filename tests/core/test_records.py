"""Typed records from the store: what is written comes back as typed fields, the export file keeps
its rows, and a damaged JSON column is an error naming the table, the row and the column."""

from __future__ import annotations

import pytest

from fitcoach.core.programs import ProgramError, parse_program
from fitcoach.core.records import (AssessmentRecord, ProfileExport, ProgramRecord, RecordError, SelfReport,
                                   SessionRecord, StoredRep)
from fitcoach.io.store import Store

PROGRAM = 'schema_version = 1\nname = "Knee A"\nsessions_per_week = 3\n[[exercise]]\nid = "squat"\nsets = 2\nreps = 8\n'


def _rep(i, faults=()):
    return {"index": i, "side": "left", "t_start_s": 1.0 * i, "t_end_s": 1.0 * i + 0.9, "partial": i == 3,
            "partial_reason": "shallow" if i == 3 else None, "rom_deg": {"min": 95.5, "max": 170.0},
            "tempo_s": {"down": 1.2, "bottom": 0.1, "up": 1.0, "top": 0.3}, "score": 81.5,
            "faults": [{"id": f, "message": "knees in — ü", "measured": 0.2} for f in faults]}


@pytest.fixture
def store(tmp_path):
    s = Store(tmp_path / "d")
    pid = s.profile("kim")
    s.set_profile("kim", age_band="40-64", level="intermediate", goals=["legs"], conditions=["knee_rehab"],
                  avoid=["lunge"])
    s.add_program(pid, parse_program(PROGRAM))
    sid, set_id = s.start_session(pid, "squat", source="cam", prescribed_reps=8)
    for i in (1, 2, 3):
        s.add_rep(set_id, _rep(i, ["knee_valgus"] if i == 2 else [])).result()
    s.end_session(sid, set_id)
    s.add_self_report(sid, 3, 6, "fine")
    s.add_assessment(pid, "rom", {"joint": "knee", "max_deg": 120.5})
    yield s
    s.close()


def test_what_is_written_comes_back_typed(store):
    prof = store.profile_record("kim")
    assert (prof.name, prof.age_band, prof.level) == ("kim", "40-64", "intermediate")
    assert (prof.goals, prof.conditions, prof.avoid) == (("legs",), ("knee_rehab",), ("lunge",))
    [s] = store.sessions("kim")
    assert isinstance(s, SessionRecord) and (s.exercise_id, s.source) == ("squat", "cam") and s.ended_utc
    [st] = store.sets("kim")
    assert (st.session_id, st.idx, st.prescribed_reps) == (s.id, 1, 8)
    reps = store.reps("kim")
    assert all(isinstance(r, StoredRep) for r in reps) and [r.idx for r in reps] == [1, 2, 3]
    assert [r.partial for r in reps] == [False, False, True] and reps[2].partial_reason == "shallow"
    assert (reps[1].rom_min, reps[1].rom_max, reps[1].tempo_down, reps[1].score) == (95.5, 170.0, 1.2, 81.5)
    assert reps[1].faults == ({"id": "knee_valgus", "message": "knees in — ü", "measured": 0.2},)
    assert reps[1].fault_ids() == ["knee_valgus"] and reps[0].faults == ()
    assert (reps[0].session_id, reps[0].exercise_id, reps[0].set_idx) == (s.id, "squat", 1)
    [sr] = store.self_reports("kim")
    assert isinstance(sr, SelfReport) and (sr.session_id, sr.pain, sr.rpe, sr.note) == (s.id, 3, 6, "fine")
    [a] = store.assessments("kim")
    assert isinstance(a, AssessmentRecord) and a.kind == "rom" and a.body == {"joint": "knee", "max_deg": 120.5}
    [p] = store.programs("kim")
    assert isinstance(p, ProgramRecord) and (p.name, p.version, p.body) == ("Knee A", 1, PROGRAM)
    assert p.program().items[0].reps == 8 and store.program("kim", "Knee A") == p
    assert store.program_text("kim", "Knee A") == PROGRAM


def test_the_export_file_keeps_the_stored_rows(store):
    export = store.export("kim")
    rows = store.export_profile("kim")
    assert rows == export.to_json() and rows["schema"] == "fitcoach.profile-export/1"
    raw = {t: [dict(r) for r in store._read.execute(f"SELECT * FROM {t}")] for t in ("sessions", "programs", "sets")}
    assert rows["sessions"] == raw["sessions"] and rows["programs"] == raw["programs"] and rows["sets"] == raw["sets"]
    assert isinstance(rows["reps"][1]["faults"], str) and rows["reps"][2]["partial"] == 1
    assert list(rows["reps"][0])[:5] == ["session_id", "exercise_id", "started_utc", "set_idx", "id"]
    assert ProfileExport.from_rows(rows) == export  # read back from the file: the same records
    assert export.latest_program().version == 1


def test_a_damaged_json_column_names_table_row_and_column(store):
    store.write(lambda con: con.execute("UPDATE reps SET faults = '[{\"id\": ' WHERE idx = 2")).result()
    rid = store._read.execute("SELECT id FROM reps WHERE idx = 2").fetchone()[0]
    with pytest.raises(RecordError) as e:
        store.reps("kim")
    assert (e.value.table, e.value.row_id, e.value.column) == ("reps", rid, "faults")
    assert f"table 'reps', row id {rid}, column 'faults': not valid JSON" in str(e.value)
    store.write(lambda con: con.execute("UPDATE profiles SET goals = '{\"a\": 1}'")).result()
    with pytest.raises(RecordError, match="table 'profiles', row id 1, column 'goals': expected a JSON list"):
        store.profile_record("kim")
    with pytest.raises(RecordError, match="table 'assessments', row id 7, column 'body'"):
        AssessmentRecord.from_row({"id": 7, "kind": "rom", "created_utc": 0.0, "body": "nope"})
    with pytest.raises(RecordError, match="table 'sessions', row id 3, column 'exercise_id': missing"):
        SessionRecord.from_row({"id": 3, "started_utc": 0.0})


def test_a_stored_program_is_validated_when_read(store):
    bad = PROGRAM.replace("reps = 8", "reps = 0")
    store.write(lambda con: con.execute("UPDATE programs SET body = ?", (bad,))).result()
    p = store.program("kim", "Knee A")
    assert p.body == bad
    with pytest.raises(ProgramError, match="program 'Knee A' v1"):
        p.program()
    with pytest.raises(ProgramError):
        p.toml()
