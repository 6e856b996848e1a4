"""One i18n (fitcoach/i18n): every key in every language with the same fields, LANGS from the
catalogue files, tr's fallback, no language list written out anywhere else, and a new catalogue
file is a new language for the settings and the command line."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from fitcoach import i18n
from fitcoach.i18n import CATALOGUES, LANGS, fields_of, load_catalogues, tr

ROOT = Path(__file__).resolve().parents[2]
I18N_DIR = ROOT / "fitcoach" / "i18n"


def test_langs_are_the_catalogue_files_english_first():
    files = sorted(p.stem for p in I18N_DIR.glob("*.toml"))
    assert LANGS[0] == "en"
    assert sorted(LANGS) == files
    assert {"en", "ko"} <= set(LANGS)


@pytest.mark.parametrize("lang", [lang for lang in LANGS if lang != "en"])
def test_every_key_is_in_every_language_with_the_same_fields(lang):
    en, other = CATALOGUES["en"].messages, CATALOGUES[lang].messages
    assert sorted(set(en) - set(other)) == [], f"{lang}.toml lacks these keys"
    assert sorted(set(other) - set(en)) == [], f"{lang}.toml has keys en.toml does not define"
    wrong = {k: (fields_of(en[k]), fields_of(other[k])) for k in en if fields_of(en[k]) != fields_of(other[k])}
    assert not wrong, wrong
    empty = sorted(k for k, v in other.items() if not v.strip())
    assert not empty, empty


@pytest.mark.parametrize("lang", LANGS)
def test_each_catalogue_names_its_language_and_voice(lang):
    cat = CATALOGUES[lang]
    assert cat.name.strip() and cat.espeak_voices and 0.01 < cat.speech_seconds_per_char < 1.0


def test_english_keys_are_their_own_text_except_ids():
    """Keys are the English text (DEVELOPERS.md, Languages); a few long texts go by an id."""
    en = CATALOGUES["en"].messages
    by_id = sorted(k for k, v in en.items() if k != v)
    assert by_id == ["fault.incomplete_range", "privacy"], by_id


def test_tr_formats_named_fields_and_falls_back_to_english(tmp_path):
    assert tr("Reps {n}", "en", n=8) == "Reps 8"
    assert tr("Reps {n}", "ko", n=8) == "8회"
    assert tr("Reps {n}", "ko") == "{n}회"  # no fields: the template, for callers that format it
    assert tr("no such key {x}", "ko", x=1) == "no such key 1"  # a key is its own English text
    assert tr("Stop", "xx") == "Stop"  # an unknown language reads English
    (tmp_path / "en.toml").write_text('[language]\nname = "English"\n[messages]\n"a" = "A"\n"b {n}" = "B {n}"\n',
                                      encoding="utf-8")
    (tmp_path / "de.toml").write_text('[language]\nname = "Deutsch"\n[messages]\n"a" = "Ä"\n', encoding="utf-8")
    cats = load_catalogues(tmp_path)
    assert list(cats) == ["en", "de"]
    saved = dict(i18n.CATALOGUES)
    try:
        i18n.CATALOGUES.clear()
        i18n.CATALOGUES.update(cats)
        assert tr("a", "de") == "Ä"
        assert tr("b {n}", "de", n=2) == "B 2"  # missing in German: English
    finally:
        i18n.CATALOGUES.clear()
        i18n.CATALOGUES.update(saved)


def test_the_python_sources_write_out_no_language_list():
    """LANGS is the one list: no ("en", "ko") tuples, {"en": .., "ko": ..} tables or == "ko" tests
    in the code (data files carry their own texts per language and are checked against LANGS)."""
    patterns = [
        re.compile(r"""[\(\[\{]\s*["']en["']\s*,\s*["']ko["']"""),  # ("en", "ko"), ['en', 'ko'], {"en", "ko"}
        re.compile(r"""["']ko["']\s*:"""),  # {"ko": ...}
        re.compile(r"""[=!]=\s*["']ko["']"""),  # lang == "ko"
        re.compile(r"[\uac00-\ud7a3]"),  # Korean text belongs in fitcoach/i18n/ko.toml
    ]
    found = []
    for path in sorted((ROOT / "fitcoach").rglob("*.py")):
        if I18N_DIR in path.parents:
            continue
        for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            if any(p.search(line) for p in patterns):
                found.append(f"{path.relative_to(ROOT)}:{n}: {line.strip()}")
    assert not found, "\n".join(found)


def test_every_language_is_offered_by_settings_cues_and_exercises():
    from fitcoach.core import cues, exercise_model, exercise_schema
    from fitcoach.io import settings
    from fitcoach.voice import tts

    assert settings.CHOICES["lang"] == LANGS
    assert cues.LANGS is LANGS and exercise_model.LANGS is LANGS and exercise_schema.LANGS is LANGS
    assert set(cues.SECONDS_PER_CHAR) == set(LANGS) == set(tts.VOICE_IDS)
    assert cues.SECONDS_PER_CHAR == {"en": 0.075, "ko": 0.16}  # the speaking-time estimate, as before


def test_a_new_catalogue_file_is_a_new_language(tmp_path):
    """Adding a language is adding its catalogue: LANGS, the settings and every --lang take it."""
    folder = tmp_path / "i18n"
    folder.mkdir()
    for p in I18N_DIR.glob("*.toml"):
        shutil.copy(p, folder / p.name)
    de = (folder / "en.toml").read_text(encoding="utf-8").replace('name = "English"', 'name = "Deutsch"')
    (folder / "de.toml").write_text(de.replace('"Stop" = "Stop"', '"Stop" = "Halt"'), encoding="utf-8")
    env = {**os.environ, "FITCOACH_I18N_DIR": str(folder)}
    code = ("from fitcoach.i18n import LANGS, tr, language_name; from fitcoach.io.settings import CHOICES;"
            "print(LANGS, CHOICES['lang'], tr('Stop', 'de'), language_name('de'))")
    out = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True).stdout
    assert out.split() == ["('en',", "'de',", "'ko')", "('en',", "'de',", "'ko')", "Halt", "Deutsch"], out
    for cmd in (["analyze"], ["workout"], ["plan"], ["gui"], ["live"], ["say"]):
        help_text = subprocess.run([sys.executable, "-m", "fitcoach", *cmd, "--help"], env=env, capture_output=True,
                                   text=True, check=True).stdout
        assert "{en,de,ko}" in help_text, (cmd, help_text)
