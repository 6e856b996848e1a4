"""Exercise programs as files a physiotherapist sends to a patient (TOML, `fitcoach.program/1`).

Hostile input is expected: the file is size-limited, must be UTF-8 TOML (data only, nothing is
executed), every key is known, every value is typed and in range, exercise ids must exist in the
catalogue, and names cannot smuggle paths. Validation happens completely before anything is
stored, so an import is all or nothing.

    schema_version = 1
    name = "Knee rehab A"
    version = 1                 # optional; the store numbers versions itself
    sessions_per_week = 3
    weeks = 6                   # optional
    notes = "Pain-free range only"
    verbosity = "counts"        # optional: how much the voice coach says (silent | counts | full)
    [[exercise]]
    id = "sit_to_stand"
    sets = 3
    reps = 10                   # for rep exercises; hold_s for holds
    tempo = "2-0-2-1"           # down-bottom-up-top seconds (optional)
    rest_s = 60
    safe_min = 60.0             # optional per-patient safe range of the driver angle
    safe_max = 170.0
    target = 110.0              # optional per-patient target of the driver angle
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from fitcoach.core.errors import ValidationError
from fitcoach.core.exercises import ExerciseCatalog
from fitcoach.core.userfiles import parse_toml

MAX_BYTES = 64 * 1024
MAX_EXERCISES = 40
NAME_RE = re.compile(r"^[^\x00-\x1f/\\]{1,80}$")
TEMPO_RE = re.compile(r"^\d+(\.\d+)?(-\d+(\.\d+)?){3}$")
TOP_KEYS = {"schema_version", "name", "version", "sessions_per_week", "weeks", "notes", "verbosity", "exercise"}
VERBOSITY = ("silent", "counts", "full")
EX_KEYS = {"id", "sets", "reps", "hold_s", "tempo", "rest_s", "safe_min", "safe_max", "target"}


@dataclass(frozen=True)
class ProgramItem:
    id: str
    sets: int
    reps: int | None
    hold_s: float | None
    tempo: str | None
    rest_s: float
    safe_min: float | None
    safe_max: float | None
    target: float | None


@dataclass(frozen=True)
class Program:
    name: str
    sessions_per_week: int
    weeks: int | None
    notes: str
    items: tuple[ProgramItem, ...]
    text: str  # the validated source, stored as is
    verbosity: str | None = None  # the physiotherapist's choice for the voice coach; None: the user's setting


def _num(where: str, d: dict, key: str, lo: float, hi: float, integer: bool = False, required: bool = True,
         prefix: str = ""):
    field = f"{prefix}{key}"
    if key not in d:
        if required:
            raise ValidationError(where, field, "is required")
        return None
    v = d[key]
    ok_type = isinstance(v, int) if integer else isinstance(v, (int, float))
    if isinstance(v, bool) or not ok_type:
        raise ValidationError(where, field, f"must be {'an integer' if integer else 'a number'}, got {type(v).__name__}")
    if not (lo <= v <= hi) or v != v:
        raise ValidationError(where, field, f"must be between {lo:g} and {hi:g}, got {v!r}")
    return v


def parse_program(text: str | bytes, where: str = "program", catalog: ExerciseCatalog | None = None) -> Program:
    data, text = parse_toml(text, where, MAX_BYTES, "programs")
    unknown = set(data) - TOP_KEYS
    if unknown:
        raise ValidationError(where, sorted(unknown)[0], f"unknown key; allowed: {', '.join(sorted(TOP_KEYS))}")
    if data.get("schema_version") != 1:
        raise ValidationError(where, "schema_version", f"must be 1, got {data.get('schema_version')!r}")
    name = data.get("name")
    if not isinstance(name, str) or not NAME_RE.match(name) or name.strip() in ("", ".", ".."):
        raise ValidationError(where, "name", "must be 1-80 characters without control characters or / \\")
    spw = _num(where, data, "sessions_per_week", 1, 14, integer=True)
    weeks = _num(where, data, "weeks", 1, 104, integer=True, required=False)
    _num(where, data, "version", 1, 10_000, integer=True, required=False)
    notes = data.get("notes", "")
    if not isinstance(notes, str) or len(notes) > 2000:
        raise ValidationError(where, "notes", "must be text of at most 2000 characters")
    verbosity = data.get("verbosity")
    if verbosity is not None and verbosity not in VERBOSITY:
        raise ValidationError(where, "verbosity", f"must be one of {', '.join(VERBOSITY)}, got {verbosity!r}")
    items_raw = data.get("exercise")
    if not isinstance(items_raw, list) or not items_raw:
        raise ValidationError(where, "exercise", "list at least one [[exercise]]")
    if len(items_raw) > MAX_EXERCISES:
        raise ValidationError(where, "exercise", f"at most {MAX_EXERCISES} exercises")
    catalog = catalog or ExerciseCatalog.load()
    items = []
    for i, it in enumerate(items_raw):
        w = f"exercise[{i}]"
        if not isinstance(it, dict):
            raise ValidationError(where, w, "must be a table")
        unknown = set(it) - EX_KEYS
        if unknown:
            raise ValidationError(where, f"{w}.{sorted(unknown)[0]}", f"unknown key; allowed: {', '.join(sorted(EX_KEYS))}")
        ex_id = it.get("id")
        if not isinstance(ex_id, str) or ex_id not in catalog.ids():
            raise ValidationError(where, f"{w}.id", f"unknown exercise {ex_id!r}; known: {', '.join(catalog.ids())}")
        ex = catalog.get(ex_id)
        pre = f"{w}."
        sets = _num(where, it, "sets", 1, 20, integer=True, prefix=pre)
        if ex.kind == "reps":
            if "hold_s" in it:
                raise ValidationError(where, f"{w}.hold_s", f"{ex_id} is counted in reps, not held")
            reps = _num(where, it, "reps", 1, 200, integer=True, prefix=pre)
            hold = None
        else:
            if "reps" in it:
                raise ValidationError(where, f"{w}.reps", f"{ex_id} is a hold: give hold_s")
            hold = _num(where, it, "hold_s", 1, 600, prefix=pre)
            reps = None
        tempo = it.get("tempo")
        if tempo is not None and (not isinstance(tempo, str) or not TEMPO_RE.match(tempo)):
            raise ValidationError(where, f"{w}.tempo", "must look like '2-0-2-1' (down-bottom-up-top seconds)")
        rest = _num(where, it, "rest_s", 0, 900, required=False, prefix=pre)
        smin = _num(where, it, "safe_min", -360, 360, required=False, prefix=pre)
        smax = _num(where, it, "safe_max", -360, 360, required=False, prefix=pre)
        if smin is not None and smax is not None and not smin < smax:
            raise ValidationError(where, f"{w}.safe_max", "must be above safe_min")
        target = _num(where, it, "target", -360, 360, required=False, prefix=pre)
        items.append(ProgramItem(ex_id, sets, reps, hold, tempo, float(rest if rest is not None else 60.0),
                                 smin, smax, target))
    return Program(name, spw, weeks, notes, tuple(items), text, verbosity)


def load_program_file(path: str | Path, catalog: ExerciseCatalog | None = None) -> Program:
    p = Path(path)
    if not p.is_file():
        raise ValidationError(str(path), "", "no such file")
    if p.stat().st_size > MAX_BYTES:
        raise ValidationError(str(path), "", f"file is {p.stat().st_size} bytes; programs are limited to {MAX_BYTES}")
    return parse_program(p.read_bytes(), str(path), catalog)


def latest_program(export: dict, catalog: ExerciseCatalog | None = None) -> tuple[Program, int] | None:
    """The newest stored program of a profile export (rows come oldest first) and its version."""
    rows = export.get("programs") or []
    if not rows:
        return None
    row = max(rows, key=lambda r: (r.get("created_utc") or 0.0, r.get("version") or 0))
    return parse_program(row["body"], f"program {row['name']!r} v{row['version']}", catalog), int(row["version"])
