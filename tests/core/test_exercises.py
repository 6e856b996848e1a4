import textwrap

import pytest

from fitcoach.core.errors import FitCoachError, ValidationError
from fitcoach.core.exercises import ExerciseCatalog, load_exercise_file

REQUIRED_IDS = """squat pushup lunge side_lunge bicep_curl shoulder_press front_raise lateral_raise shrug
jumping_jack situp crunch glute_bridge plank side_plank sit_to_stand straight_leg_raise hurdle_step
inline_lunge shoulder_abduction shoulder_flexion shoulder_extension shoulder_scaption
shoulder_external_rotation chin_tuck wall_angel""".split()


def test_shipped_exercises_all_present_and_valid(catalog):
    missing = sorted(set(REQUIRED_IDS) - set(catalog.ids()))
    assert not missing, f"exercise files missing: {missing}"
    for ex in catalog:
        assert ex.name.en and ex.name.ko
        if ex.kind == "reps":
            assert ex.driver is not None
        for r in ex.rules:
            assert r.cue.en and r.cue.ko and r.message.en and r.message.ko


def test_holds_are_holds(catalog):
    assert catalog.get("plank").kind == "hold"
    assert catalog.get("side_plank").kind == "hold"


def test_unknown_id_lists_known(catalog):
    with pytest.raises(FitCoachError, match="unknown exercise id 'sqaut'.*squat"):
        catalog.get("sqaut")


GOOD = """
schema_version = 1
id = "mini"
kind = "reps"
laterality = "bilateral"
[name]
en = "Mini"
ko = "미니"
[view]
recommended = ["side"]
en = "Side on"
ko = "옆으로"
[driver]
metric = "knee"
direction = "decrease"
rest = 170
target = 100
min_excursion = 35
"""


def _write(tmp_path, text, name="mini.toml"):
    p = tmp_path / name
    p.write_text(textwrap.dedent(text), encoding="utf-8")
    return p


def test_minimal_file_loads(tmp_path):
    ex = load_exercise_file(_write(tmp_path, GOOD))
    assert ex.driver.min_rep_s == 0.5 and ex.driver.space == "world"


@pytest.mark.parametrize(
    "edit, field, words",
    [
        (lambda s: s + "\ncolour = 'red'\n", "driver.colour", "unknown key"),
        (lambda s: s.replace('metric = "knee"', 'metric = "kneee"'), "driver.metric", "known metrics"),
        (lambda s: s.replace('ko = "미니"', ""), "name.ko", "required"),
        (lambda s: s.replace('ko = "미니"', 'ko = " "'), "name.ko", "must not be empty"),
        (lambda s: s.replace('kind = "reps"', 'kind = "sets"'), "kind", "reps, hold"),
        (lambda s: s.replace("target = 100", "target = 180"), "driver.target", "must be below rest"),
        (lambda s: s.replace("schema_version = 1", "schema_version = 2"), "schema_version", "must be 1"),
        (lambda s: s.replace("rest = 170", 'rest = "high"'), "driver.rest", "must be a number"),
        (lambda s: s.replace('id = "mini"', 'id = "other"'), "id", "must match the file name"),
        (lambda s: s.replace('recommended = ["side"]', 'recommended = ["top"]'), "view.recommended[0]", "front, side"),
        (lambda s: s + '\n[[rules]]\nid = "x"\nmetric = "trunk_lean"\nmessage = { en = "a", ko = "b" }\ncue = { en = "a", ko = "b" }\n',
         "rules[0].min", "min, max or both"),
    ],
)
def test_errors_name_file_and_field(tmp_path, edit, field, words):
    p = _write(tmp_path, edit(GOOD))
    with pytest.raises(ValidationError) as e:
        load_exercise_file(p)
    assert e.value.field == field
    assert str(p) in str(e.value)
    assert words in str(e.value)


def test_toml_syntax_error(tmp_path):
    p = _write(tmp_path, "id = [unclosed")
    with pytest.raises(ValidationError, match="not valid TOML"):
        load_exercise_file(p)


def test_catalog_of_bad_folder_names_the_file(tmp_path):
    _write(tmp_path, GOOD)
    _write(tmp_path, GOOD.replace("rest = 170", "rest = 'x'").replace('id = "mini"', 'id = "bad"'), "bad.toml")
    with pytest.raises(ValidationError, match="bad.toml: driver.rest"):
        ExerciseCatalog.load(tmp_path)
