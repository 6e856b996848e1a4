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


# --- numbers: finite and within each field's documented range -----------------------------

RULE = '\n[[rules]]\nid = "lean"\nmetric = "trunk_lean"\nmax = 50.0\npersistence_s = 0.2\n' \
       'message = { en = "a", ko = "b" }\ncue = { en = "a", ko = "b" }\n'
WITH_ALL = GOOD + "min_rep_s = 0.8\nmax_rep_s = 12.0\n[tempo]\ndown = 2.0\nbottom = 0.5\nup = 1.5\ntop = 0.5\n" \
    "[rom]\nsafe_min = 40.0\n" + RULE


def test_the_file_with_every_number_loads(tmp_path):
    ex = load_exercise_file(_write(tmp_path, WITH_ALL))
    assert ex.rules[0].bound.max == 50.0 and ex.safe_min == 40.0 and ex.tempo.down == 2.0


@pytest.mark.parametrize("value", ["nan", "inf", "-inf", "+nan"])
@pytest.mark.parametrize(
    "old, field",
    [
        ("max = 50.0", "rules[0].max"),  # before: a NaN max silently switched the rule off
        ("rest = 170", "driver.rest"),
        ("target = 100", "driver.target"),
        ("min_excursion = 35", "driver.min_excursion"),
        ("max_rep_s = 12.0", "driver.max_rep_s"),
        ("down = 2.0", "tempo.down"),
        ("safe_min = 40.0", "rom.safe_min"),
        ("persistence_s = 0.2", "rules[0].persistence_s"),
    ],
)
def test_non_finite_numbers_are_refused(tmp_path, old, field, value):
    key = old.split(" = ")[0]
    p = _write(tmp_path, WITH_ALL.replace(old, f"{key} = {value}"))
    with pytest.raises(ValidationError) as e:
        load_exercise_file(p)
    assert e.value.field == field
    assert str(e.value) == f"{p}: {field}: {value.lstrip('+')} is not a finite number"


@pytest.mark.parametrize(
    "old, new, field, words",
    [
        ("max = 50.0", "max = 1e308", "rules[0].max", "must lie in [0, 180] deg, got 1e+308"),
        ("max = 50.0", "max = -1", "rules[0].max", "must lie in [0, 180] deg"),
        ("max = 50.0", "max = 100000000000000000000000", "rules[0].max", "far outside any allowed range"),
        ("rest = 170", "rest = 400", "driver.rest", "must lie in [0, 180] deg"),
        ("safe_min = 40.0", "safe_min = -720.0", "rom.safe_min", "must lie in [0, 180] deg"),
        ("down = 2.0", "down = -1.0", "tempo.down", "must lie in [0, 60] s"),
        ("persistence_s = 0.2", "persistence_s = 1e9", "rules[0].persistence_s", "must lie in [0, 60] s"),
        ('metric = "trunk_lean"\nmax = 50.0', 'metric = "knee_width_ratio"\nmax = 1e6', "rules[0].max",
         "must lie in [0, 100] (metric knee_width_ratio)"),
    ],
)
def test_numbers_outside_their_field_range(tmp_path, old, new, field, words):
    p = _write(tmp_path, WITH_ALL.replace(old, new))
    with pytest.raises(ValidationError) as e:
        load_exercise_file(p)
    assert e.value.field == field and words in str(e.value)


def test_error_lines_stay_one_line(tmp_path):
    p = _write(tmp_path, WITH_ALL + '"evil\\nkey" = 1\n')  # a quoted TOML key holding a newline
    with pytest.raises(ValidationError) as e:
        load_exercise_file(p)
    assert "\n" not in str(e.value) and "unknown key" in str(e.value)
    p = _write(tmp_path, WITH_ALL.replace('kind = "reps"', 'kind = "' + "x" * 5000 + '"'))
    with pytest.raises(ValidationError) as e:
        load_exercise_file(p)
    assert len(str(e.value)) < 300


@pytest.mark.parametrize(
    "text, words",
    [
        ("a = " + "[" * 5000, "nested too deeply"),  # before: RecursionError (a traceback)
        ("a = " + "1" * 5000, "Exceeds the limit"),  # before: ValueError from int() (a traceback)
        ("# " + "x" * (1 << 20) + "\n", "larger than 1048576 bytes"),
    ],
)
def test_pathological_toml(tmp_path, text, words):
    p = tmp_path / "mini.toml"
    p.write_text(text)
    with pytest.raises(ValidationError, match=words):
        load_exercise_file(p)


def test_every_metric_has_a_range():
    from fitcoach.core.exercises import METRIC_RANGES
    from fitcoach.core.metrics import METRICS

    assert set(METRIC_RANGES) == set(METRICS)
    assert all(lo < hi for lo, hi in METRIC_RANGES.values())


def test_metric_values_stay_inside_their_ranges():
    """The mathematical ranges hold every value the metrics produce: on synthetic takes of
    every motion, from three camera angles, in both spaces, both sides (ratios of two lengths
    have no bound to check)."""
    from fitcoach.core import synth
    from fitcoach.core.exercises import METRIC_RANGES, UNBOUNDED_RATIOS
    from fitcoach.core.metrics import METRICS, Body, compute

    seen = 0
    for motion in sorted(synth.MOTIONS):
        for yaw in (0.0, 45.0, 90.0):
            rec, _ = synth.generate(synth.Take(exercise=motion, reps=1, yaw_deg=yaw, noise=0.003, fps=8.0,
                                               hold_s=1.0, lead_in_s=0.3, tail_s=0.3))
            for i in range(len(rec)):
                body = Body.from_landmarks(rec.image_xyzv[i], rec.frame_size, rec.world_xyz_m[i])
                for name, spec in METRICS.items():
                    if name in UNBOUNDED_RATIOS:
                        continue
                    lo, hi = METRIC_RANGES[name]
                    for side in ("left", "right") if spec.sided else ("left",):
                        for space in ("world", "image"):
                            v = compute(body, name, side, space)
                            if v == v:
                                seen += 1
                                assert lo - 1e-9 <= v <= hi + 1e-9, (motion, yaw, name, side, space, v)
    assert seen > 10_000
