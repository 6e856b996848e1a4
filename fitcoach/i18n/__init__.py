"""Languages: one list, one `tr()`, one message catalogue per language.

The catalogues are the TOML files next to this module (`en.toml`, `ko.toml`, ...), one per
language, named by its code. Each has a `[language]` table (its own name, the speaking-time
estimate and the espeak-ng voices to try) and a `[messages]` table: key -> text, where a text may
hold named fields in braces (`"Reps {n}"`). `LANGS` is the list of the files present, English
first; adding a language is adding a file (and the translations of the exercise files and
`fitcoach/data/*.toml`, which carry their own texts per language and are checked against
`LANGS`). `tests/core/test_i18n.py` checks every key is in every catalogue with the same fields.

`FITCOACH_I18N_DIR` points at another folder of catalogues (tests use it to add a language).

Qt-free: `fitcoach/core` imports it.
"""

from __future__ import annotations

import os
import string
import tomllib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from fitcoach.core import resources

BASE = "en"  # every key is defined here; other languages fall back to it key by key


def catalogue_dir() -> Path:
    """The folder of catalogues: FITCOACH_I18N_DIR, else the shipped one (`resources.i18n_dir()`:
    a checkout, an installed wheel and the desktop bundle alike, see packaging/fitcoach.spec)."""
    override = os.environ.get("FITCOACH_I18N_DIR")
    return Path(override) if override else resources.i18n_dir()


@dataclass(frozen=True, slots=True)
class Catalogue:
    lang: str
    name: str  # the language's own name ("한국어"), for a language picker
    speech_seconds_per_char: float  # speaking-time estimate for a cue (espeak-ng at its default rate)
    espeak_voices: tuple[str, ...]  # espeak-ng voice ids to try, in order
    messages: dict[str, str]


def load_catalogue(path: Path) -> Catalogue:
    with open(path, "rb") as f:
        data = tomllib.load(f)
    meta, messages = data.get("language", {}), data.get("messages", {})
    bad = sorted(k for k, v in messages.items() if not isinstance(v, str))
    if bad:
        raise ValueError(f"{path}: [messages] {bad[0]!r} must be a string")
    return Catalogue(path.stem, str(meta.get("name", path.stem)), float(meta.get("speech_seconds_per_char", 0.1)),
                     tuple(meta.get("espeak_voices", (path.stem,))), dict(messages))


def load_catalogues(folder: Path) -> dict[str, Catalogue]:
    """Every `<code>.toml` in `folder`, English first, then by code."""
    paths = sorted(folder.glob("*.toml"), key=lambda p: (p.stem != BASE, p.stem))
    return {p.stem: load_catalogue(p) for p in paths}


CATALOGUES = load_catalogues(catalogue_dir())
if BASE not in CATALOGUES:
    raise RuntimeError(f"no {BASE}.toml in {catalogue_dir()}: the English catalogue defines every key")
LANGS: tuple[str, ...] = tuple(CATALOGUES)  # the one list of languages ("en" first)


def tr(key: str, lang: str, **fields: Any) -> str:
    """`key`'s text in `lang`, its fields filled from `fields` (none given: the template as is).

    A key missing from `lang`'s catalogue falls back to English; a key in no catalogue is its
    own text (keys are the English text, see DEVELOPERS.md)."""
    cat = CATALOGUES.get(lang)
    text = cat.messages.get(key) if cat is not None else None
    if text is None:
        text = CATALOGUES[BASE].messages.get(key, key)
    return text.format(**fields) if fields else text


def fields_of(template: str) -> set[str]:
    """The named fields of a template: "{n} of {t}" -> {"n", "t"}."""
    return {name.split(".")[0].split("[")[0] for _, name, _, _ in string.Formatter().parse(template) if name}


def language_name(lang: str) -> str:
    return CATALOGUES[lang].name if lang in CATALOGUES else lang


def speech_seconds_per_char(lang: str) -> float:
    return CATALOGUES[lang].speech_seconds_per_char


def espeak_voices(lang: str) -> tuple[str, ...]:
    return CATALOGUES[lang].espeak_voices if lang in CATALOGUES else (lang,)
