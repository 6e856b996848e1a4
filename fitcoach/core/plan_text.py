"""The planner's explanations as codes + measured values, rendered in English or Korean.

A `Reason` is a `str` (its English text, as the plan JSON has always carried) that also keeps
its code and parameters, so the same decision can be shown in Korean: `render(code, params,
lang)`. The templates live in `fitcoach/data/planner_phrases.toml`; ids inside parameters
(levels, faults, conditions, posture findings, exercises) are named in the language too.
"""

from __future__ import annotations

import string
from functools import lru_cache

from fitcoach.core import resources
from fitcoach.core.errors import FitCoachError

PHRASES_FILE = resources.data_file("planner_phrases.toml")  # checkout or bundle
LABEL_PARAMS = ("level", "fault", "condition", "finding")  # ids named through the [label] table
EXERCISE_PARAMS = ("exercise", "exercises")  # exercise ids (a list for "exercises"), named by the catalog


@lru_cache(maxsize=1)
def phrases() -> dict:
    import tomllib

    try:
        return tomllib.loads(PHRASES_FILE.read_text(encoding="utf-8"))
    except (OSError, tomllib.TOMLDecodeError) as e:
        raise FitCoachError(f"{PHRASES_FILE}: {e}") from None


def placeholders(template: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(template) if name}


def label(kind_id: str, lang: str) -> str:
    entry = phrases()["label"].get(kind_id)
    return entry.get(lang, entry["en"]) if entry else kind_id.replace("_", " ")


def _exercise_name(ex_id: str, lang: str, catalog) -> str:
    if catalog is None or ex_id not in catalog.ids():
        return ex_id.replace("_", " ")
    name = catalog.get(ex_id).name
    return name.en.lower() if lang == "en" else name.get(lang)


def render(code: str, params: dict, lang: str = "en", catalog=None) -> str:
    table = phrases()["reason"]
    if code not in table:
        raise FitCoachError(f"{PHRASES_FILE}: no text for planner reason {code!r}")
    template = table[code].get(lang) or table[code]["en"]
    p = dict(params)
    for k in LABEL_PARAMS:
        if k in p:
            p[k] = label(p[k], lang)
    if "goals" in p:
        p["goals"] = ", ".join(label(g, lang) for g in p["goals"])
    if "exercise" in p:
        p["exercise"] = _exercise_name(p["exercise"], lang, catalog)
    if "exercises" in p:
        p["exercises"] = ", ".join(_exercise_name(e, lang, catalog) for e in p["exercises"])
    return template.format(**p)


class Reason(str):
    """English text of a planner decision, carrying its code and parameters."""

    code: str
    params: dict

    def __new__(cls, code: str, catalog=None, **params):
        self = super().__new__(cls, render(code, params, "en", catalog))
        self.code, self.params = code, params
        return self

    def to_json(self) -> dict:
        return {"code": self.code, "params": self.params}

    def text(self, lang: str, catalog=None) -> str:
        return render(self.code, self.params, lang, catalog)


def codes(reasons) -> list[dict]:
    """The `reason_codes` of a list of reasons (plain strings, from older code, become code None)."""
    return [r.to_json() if isinstance(r, Reason) else {"code": None, "params": {"text": str(r)}} for r in reasons]


def text_of(entry: dict | str, lang: str, catalog=None) -> str:
    """A reason as stored in a plan's JSON (`{"code", "params"}`) in `lang`."""
    if isinstance(entry, str):
        return entry
    if entry.get("code") is None:
        return entry["params"].get("text", "")
    return render(entry["code"], entry["params"], lang, catalog)


def localize_plan(plan: dict, lang: str, catalog=None) -> dict:
    """The plan's explanations in `lang`: notes, each item's and corrective's reasons, reassess."""
    def name(ex_id):
        if catalog is None or ex_id not in catalog.ids():
            return ex_id
        return catalog.get(ex_id).name.get(lang)

    return {
        "notes": [text_of(c, lang, catalog) for c in plan.get("note_codes", plan.get("notes", []))],
        "correctives": [{**c, "name": name(c["exercise"]),
                         "why": text_of(c.get("reason_code", c["reason"]), lang, catalog)} for c in plan["correctives"]],
        "items": [{**it, "name": name(it["exercise"]),
                   "why": [text_of(r, lang, catalog) for r in it.get("reason_codes", it["reasons"])]}
                  for it in plan["items"]],
        "reassess": text_of(plan["reassess"].get("reason_code", plan["reassess"]["reason"]), lang, catalog),
    }
