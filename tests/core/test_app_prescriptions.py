"""`fitcoach.app.prescriptions.prescription_for`: today's plan, then the profile's program, then
the exercise's defaults, with where each value came from; the program's safe range survives a
plan that sets none; a program that no longer validates is never used."""

import pytest

from fitcoach.app.database import Database
from fitcoach.app.prescriptions import EXERCISE, PLAN, PROGRAM, latest_program_of, prescription_for
from fitcoach.core.errors import ValidationError
from fitcoach.core.programs import parse_program
from fitcoach.core.session import Prescription

KNEE = """schema_version = 1
name = "knee"
sessions_per_week = 3
verbosity = "counts"
[[exercise]]
id = "squat"
sets = 4
reps = 6
tempo = "3-1-2-0"
rest_s = 45
safe_min = 80
target = 110
"""


def _save(db, catalog, text, profile="kim"):
    store = db.store()
    return store.add_program(store.profile(profile), parse_program(text, "test", catalog))


def test_no_program_gives_the_exercise_defaults(db, catalog):
    squat = catalog.get("squat")
    c = prescription_for(db, "nobody", squat, catalog)
    assert c.source == EXERCISE and c.prescription == Prescription.for_exercise(squat)
    assert c.program_name is None and c.verbosity is None and set(c.origins.values()) == {EXERCISE}


def test_the_program_comes_before_the_exercise(db, catalog):
    squat = catalog.get("squat")
    assert _save(db, catalog, KNEE) == 1
    c = prescription_for(db, "kim", squat, catalog)
    p = c.prescription
    assert c.source == PROGRAM and (c.program_name, c.program_version, c.verbosity) == ("knee", 1, "counts")
    assert (p.sets, p.reps, p.rest_s, p.safe_min, p.target, p.tempo.notation()) == (4, 6, 45.0, 80.0, 110.0, "3-1-2-0")
    assert c.origins["safe_min"] == PROGRAM and c.origins["safe_max"] == EXERCISE and c.origins["sets"] == PROGRAM
    assert p.safe_max == squat.safe_max
    # an exercise the program does not list: its defaults, but the program's voice setting
    curl = catalog.get("bicep_curl")
    other = prescription_for(db, "kim", curl, catalog)
    assert other.source == EXERCISE and other.prescription == Prescription.for_exercise(curl)
    assert other.verbosity == "counts"
    # the newest version wins
    assert _save(db, catalog, KNEE.replace("sets = 4", "sets = 2")) == 2
    c2 = prescription_for(db, "kim", squat, catalog)
    assert (c2.prescription.sets, c2.program_version) == (2, 2)


def test_the_plan_comes_first_and_keeps_the_programs_safe_range(db, catalog):
    squat = catalog.get("squat")
    _save(db, catalog, KNEE)
    item = {"exercise": "squat", "sets": 2, "reps": 9, "tempo": "2-0-2-1", "rest_s": 60}
    c = prescription_for(db, "kim", squat, catalog, plan_item=item)
    p = c.prescription
    assert c.source == PLAN and (p.sets, p.reps, p.rest_s, p.tempo.notation()) == (2, 9, 60.0, "2-0-2-1")
    assert p.safe_min == 80 and p.target == 110  # the physiotherapist's limits stay
    assert c.origins["safe_min"] == PROGRAM and c.origins["target"] == PROGRAM and c.origins["reps"] == PLAN
    assert c.verbosity == "counts"
    # a plan with its own safe range and target: those
    own = prescription_for(db, "kim", squat, catalog, plan_item=dict(item, safe_range_deg=[70, 175], target_rom_deg=95))
    assert (own.prescription.safe_min, own.prescription.safe_max, own.prescription.target) == (70, 175, 95)
    assert own.origins["safe_min"] == PLAN and own.origins["target"] == PLAN


def test_a_program_that_no_longer_validates_is_not_used(db, catalog):
    squat = catalog.get("squat")
    _save(db, catalog, KNEE)
    store = db.store()
    store.write(lambda con: con.execute("UPDATE programs SET body = replace(body, 'reps = 6', 'reps = -6')")).result()
    with pytest.raises(ValidationError, match="reps must be"):
        latest_program_of(db, "kim", catalog)
    c = prescription_for(db, "kim", squat, catalog)
    assert c.source == EXERCISE and c.prescription == Prescription.for_exercise(squat)


def test_a_history_that_cannot_be_opened_gives_the_defaults(catalog, tmp_path):
    from fitcoach.app.database import StoreError

    def opener(folder):
        raise StoreError("busy")

    squat = catalog.get("squat")
    c = prescription_for(Database(opener=opener), "kim", squat, catalog)
    assert c.source == EXERCISE and c.prescription == Prescription.for_exercise(squat)
