"""Programs as files: full validation, size limit, no paths, all-or-nothing import; fuzzed."""

import string

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from fitcoach.core.errors import ValidationError
from fitcoach.core.programs import MAX_BYTES, parse_program

GOOD = """schema_version = 1
name = "Knee rehab A"
sessions_per_week = 3
[[exercise]]
id = "sit_to_stand"
sets = 3
reps = 10
tempo = "2-0-2-1"
[[exercise]]
id = "plank"
sets = 2
hold_s = 30
"""


def test_good_program(catalog):
    p = parse_program(GOOD, "knee.toml", catalog)
    assert p.name == "Knee rehab A" and [i.id for i in p.items] == ["sit_to_stand", "plank"]
    assert p.items[1].hold_s == 30 and p.items[0].reps == 10


@pytest.mark.parametrize("edit, field, words", [
    (("sets = 3", "sets = 0"), "exercise[0].sets", "Row 1, Sit to stand: sets must be a whole number from 1 to 20, got 0"),
    (('id = "sit_to_stand"', 'id = "teleport"'), "exercise[0].id", "Row 1: unknown exercise 'teleport'"),
    (('name = "Knee rehab A"', 'name = "../../etc/passwd"'), "name", "without"),
    (("hold_s = 30", "reps = 30"), "exercise[1].reps", "Row 2, Plank: Plank is a hold: give hold_s"),
    (('tempo = "2-0-2-1"', 'tempo = "$(rm -rf /)"'), "exercise[0].tempo", "Row 1, Sit to stand: tempo must look like"),
    (("sessions_per_week = 3", "sessions_per_week = 3\nrun = 'x'"), "run", "unknown key 'run'"),
    (("sets = 3", "sets = true"), "exercise[0].sets", "Row 1, Sit to stand: sets must be a whole number, got True"),
])
def test_errors_name_the_file_and_field(catalog, edit, field, words):
    with pytest.raises(ValidationError) as e:
        parse_program(GOOD.replace(*edit), "knee.toml", catalog)
    assert e.value.path == "knee.toml" and e.value.field == field and words in str(e.value)
    assert str(e.value).startswith("knee.toml: ") and "exercise[" not in str(e.value)  # the path is for machines


ROW = 'schema_version = 1\nname = "K"\nsessions_per_week = 3\n[[exercise]]\nid = "sit_to_stand"\nsets = 3\nreps = 10\n' \
      '[[exercise]]\nid = "{id}"\nsets = 2\nreps = 10\n{extra}\n'


@pytest.mark.parametrize("ex_id, extra, field, message", [
    # the reported case: a target beyond the safe range the same row gives
    ("glute_bridge", "safe_min = 100.0\nsafe_max = 170.0\ntarget = 185.0", "exercise[1].target",
     "Row 2, Glute bridge: target 185° is outside the safe range 100–170°"),
    ("squat", "safe_min = 120.0\ntarget = 100.0", "exercise[1].target",
     "Row 2, Squat: target 100° is below the safe minimum 120°"),
    ("squat", "target = 30.0", "exercise[1].target",  # squat.toml's own rom.safe_min = 40
     "Row 2, Squat: target 30° is below the safe minimum 40° (set in the exercise file)"),
    ("squat", "safe_min = 170.0\nsafe_max = 100.0", "exercise[1].safe_max",
     "Row 2, Squat: safe_min 170° must be below safe_max 100°"),
    ("lunge", "safe_max = 20.0", "exercise[1].safe_max",  # lunge.toml's own rom.safe_min = 60
     "Row 2, Lunge: safe_max 20° must be above the exercise's own safe minimum 60°"),
    ("squat", "safe_max = 200.0", "exercise[1].safe_max",  # a knee is an interior angle: 0-180
     "Row 2, Squat: safe_max 200° is outside what the knee angle can be (0–180°)"),
    ("squat", "safe_min = -10.0", "exercise[1].safe_min", "Row 2, Squat: safe_min -10° is outside what the knee angle can be"),
    ("glute_bridge", "target = 190.0", "exercise[1].target",
     "Row 2, Glute bridge: target 190° is above the safe maximum 180° (set in the exercise file)"),
    ("shrug", "target = 500.0", "exercise[1].target",  # a ratio: its band in exercises.METRIC_RANGES
     "Row 2, Shrug: target 500 is outside what the shoulder elevation ratio can be (-100–100)"),
    ("squat", "target = nan", "exercise[1].target", "Row 2, Squat: target must be a finite number, got nan"),
])
def test_safe_ranges_and_targets_are_checked_in_the_file(catalog, ex_id, extra, field, message):
    with pytest.raises(ValidationError) as e:
        parse_program(ROW.format(id=ex_id, extra=extra), "k.toml", catalog)
    assert e.value.fields == [field] and e.value.problems[0].message.startswith(message), str(e.value)
    assert str(e.value).startswith(f"k.toml: {message}")


def test_plank_holds_have_no_angle_to_limit(catalog):
    text = GOOD.replace("hold_s = 30", "hold_s = 30\nsafe_min = 10.0")
    with pytest.raises(ValidationError) as e:
        parse_program(text, "k.toml", catalog)
    assert e.value.fields == ["exercise[1].safe_min"] and "Row 2, Plank: safe_min does not apply" in str(e.value)


def test_a_target_inside_the_safe_range_is_accepted(catalog):
    p = parse_program(ROW.format(id="squat", extra="safe_min = 60.0\nsafe_max = 170.0\ntarget = 100.0"), "k.toml",
                      catalog)
    assert (p.items[1].safe_min, p.items[1].safe_max, p.items[1].target) == (60.0, 170.0, 100.0)


def test_every_problem_of_a_program_is_reported_at_once(catalog):
    text = ('schema_version = 1\nname = "K"\nsessions_per_week = 0\n'
            '[[exercise]]\nid = "sit_to_stand"\nsets = 0\nreps = 10\n'
            '[[exercise]]\nid = "glute_bridge"\nsets = 2\nreps = 10\nsafe_min = 100.0\nsafe_max = 170.0\ntarget = 185.0\n'
            '[[exercise]]\nid = "plank"\nsets = 2\nreps = 30\n'
            '[[exercise]]\nid = "teleport"\nsets = 2\nreps = 3\n')
    with pytest.raises(ValidationError) as e:
        parse_program(text, "k.toml", catalog)
    err = e.value
    assert err.fields == ["sessions_per_week", "exercise[0].sets", "exercise[1].target", "exercise[2].reps",
                          "exercise[3].id"]
    assert [m.split(":")[0] for m in err.messages] == ["sessions_per_week must be a whole number from 1 to 14, got 0",
                                                       "Row 1, Sit to stand", "Row 2, Glute bridge", "Row 3, Plank",
                                                       "Row 4"]
    assert err.field == "sessions_per_week"  # the first, as for any ValidationError
    line = str(err)
    assert line.startswith("k.toml: 5 problems: ") and "\n" not in line and all(m in line for m in err.messages)


def test_cli_validate_refuses_what_the_page_refuses(tmp_path, capsys, catalog):
    from fitcoach.cli import main

    f = tmp_path / "bridge.toml"
    f.write_text(ROW.format(id="glute_bridge", extra="safe_min = 100.0\nsafe_max = 170.0\ntarget = 185.0"),
                 encoding="utf-8")
    assert main(["program", "validate", str(f)]) == 2
    err = capsys.readouterr().err.strip()
    assert err.count("\n") == 0 and "Row 2, Glute bridge: target 185° is outside the safe range 100–170°" in err
    assert str(f) in err and "Traceback" not in err


def test_a_hostile_file_gives_a_bounded_report(catalog):
    from fitcoach.core.programs import MAX_PROBLEMS

    rows = "".join('[[exercise]]\nid = "squat"\nsets = 0\nreps = 0\nsafe_min = 500\n' for _ in range(30))
    with pytest.raises(ValidationError) as e:
        parse_program('schema_version = 1\nname = "K"\nsessions_per_week = 3\n' + rows, "k.toml", catalog)
    assert len(e.value.problems) == MAX_PROBLEMS and e.value.more == 90 - MAX_PROBLEMS
    assert str(e.value).endswith(f"and {90 - MAX_PROBLEMS} more")


def test_size_limit_and_encoding(catalog):
    with pytest.raises(ValidationError, match="limited to"):
        parse_program(b"#" * (MAX_BYTES + 1), "big.toml", catalog)
    with pytest.raises(ValidationError, match="not UTF-8"):
        parse_program(b"name = \"\xff\xfe\"", "bin.toml", catalog)


toml_values = st.one_of(st.integers(-10**6, 10**6), st.floats(allow_nan=True, allow_infinity=True), st.text(max_size=20),
                        st.booleans(), st.lists(st.integers(), max_size=3))


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.text(alphabet=string.printable + "가나[]=\"'", max_size=400))
def test_fuzz_text_gives_only_validation_errors(catalog, text):
    try:
        parse_program(text, "fuzz.toml", catalog)
    except ValidationError:
        pass


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.dictionaries(st.sampled_from(["id", "sets", "reps", "hold_s", "tempo", "rest_s", "safe_min", "safe_max",
                                        "target", "x"]), toml_values, max_size=6),
       st.sampled_from(["sessions_per_week = 3", "sessions_per_week = 0", "sessions_per_week = 'a'"]))
def test_fuzz_structures_give_only_validation_errors(catalog, item, spw):
    import json

    def val(v):
        if isinstance(v, float) and v != v:
            return "nan"
        if isinstance(v, float) and v in (float("inf"), float("-inf")):
            return "inf" if v > 0 else "-inf"
        return json.dumps(v, ensure_ascii=False).lower() if isinstance(v, bool) else json.dumps(v, ensure_ascii=False)

    body = "\n".join(f"{k} = {val(v)}" for k, v in item.items())
    text = f'schema_version = 1\nname = "n"\n{spw}\n[[exercise]]\n{body}\n'
    try:
        parse_program(text, "fuzz.toml", catalog)
    except ValidationError:
        pass


def test_import_is_all_or_nothing(tmp_path, catalog):
    from fitcoach.core.programs import load_program_file
    from fitcoach.io.store import Store

    s = Store(tmp_path / "d")
    pid = s.profile("p")
    bad = tmp_path / "bad.toml"
    bad.write_text(GOOD.replace('id = "plank"', 'id = "nope"'), encoding="utf-8")
    with pytest.raises(ValidationError):
        s.add_program(pid, load_program_file(bad, catalog))
    assert s._read.execute("SELECT COUNT(*) FROM programs").fetchone()[0] == 0
    good = tmp_path / "good.toml"
    good.write_text(GOOD, encoding="utf-8")
    assert s.add_program(pid, load_program_file(good, catalog)) == 1
    assert s.add_program(pid, load_program_file(good, catalog)) == 2  # versioned
    assert s.program_text("p", "Knee rehab A") == GOOD
    s.close()


def test_backup_restore_with_integrity_check(tmp_path):
    from fitcoach.io.store import Store, StoreError, restore

    s = Store(tmp_path / "d")
    s.profile("keep")
    b = tmp_path / "b.db"
    s.backup(b)
    s.close()
    target = restore(b, tmp_path / "new")
    s2 = Store(target.parent)
    assert s2.profile_id("keep") > 0
    s2.close()
    data = bytearray(b.read_bytes())
    data[200] ^= 0xFF
    b.write_bytes(bytes(data))
    with pytest.raises(StoreError, match="sha256 does not match"):
        restore(b, tmp_path / "other")


def test_settings_validation_and_fuzz():
    from fitcoach.io.settings import Settings, parse_settings

    assert parse_settings('lang = "ko"\nvoice_rate = 150\n') == Settings(lang="ko", voice_rate=150)
    with pytest.raises(ValidationError, match="lang: must be one of"):
        parse_settings('lang = "fr"')
    with pytest.raises(ValidationError, match="voice_rate: must be between"):
        parse_settings("voice_rate = 9000")
    with pytest.raises(ValidationError, match="unknown setting"):
        parse_settings("import_os = true")


@settings(max_examples=300, deadline=None)
@given(st.dictionaries(st.sampled_from(["lang", "verbosity", "voice_rate", "voice_volume", "mute", "model", "people", "zz"]),
                       toml_values, max_size=5))
def test_fuzz_settings_give_only_validation_errors(d):
    import json

    from fitcoach.io.settings import parse_settings

    def val(v):
        if isinstance(v, float) and (v != v or v in (float("inf"), float("-inf"))):
            return "nan" if v != v else ("inf" if v > 0 else "-inf")
        return json.dumps(v, ensure_ascii=False).lower() if isinstance(v, bool) else json.dumps(v, ensure_ascii=False)

    try:
        parse_settings("\n".join(f"{k} = {val(v)}" for k, v in d.items()))
    except ValidationError:
        pass
