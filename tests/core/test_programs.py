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
    (("sets = 3", "sets = 0"), "exercise[0].sets", "between"),
    (('id = "sit_to_stand"', 'id = "teleport"'), "exercise[0].id", "unknown exercise"),
    (('name = "Knee rehab A"', 'name = "../../etc/passwd"'), "name", "without"),
    (("hold_s = 30", "reps = 30"), "exercise[1].reps", "is a hold"),
    (('tempo = "2-0-2-1"', 'tempo = "$(rm -rf /)"'), "exercise[0].tempo", "2-0-2-1"),
    (("sessions_per_week = 3", "sessions_per_week = 3\nrun = 'x'"), "run", "unknown key"),
    (("sets = 3", "sets = true"), "exercise[0].sets", "integer"),
])
def test_errors_name_the_file_and_field(catalog, edit, field, words):
    with pytest.raises(ValidationError) as e:
        parse_program(GOOD.replace(*edit), "knee.toml", catalog)
    assert e.value.path == "knee.toml" and e.value.field == field and words in str(e.value)


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
    from fitcoach.core.store import Store

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
    from fitcoach.core.store import Store, StoreError, restore

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
    from fitcoach.core.settings import Settings, parse_settings

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

    from fitcoach.core.settings import parse_settings

    def val(v):
        if isinstance(v, float) and (v != v or v in (float("inf"), float("-inf"))):
            return "nan" if v != v else ("inf" if v > 0 else "-inf")
        return json.dumps(v, ensure_ascii=False).lower() if isinstance(v, bool) else json.dumps(v, ensure_ascii=False)

    try:
        parse_settings("\n".join(f"{k} = {val(v)}" for k, v in d.items()))
    except ValidationError:
        pass
