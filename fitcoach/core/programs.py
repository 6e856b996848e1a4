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

Every problem of a file is reported at once (`ProgramError.problems`), each in plain language
with the 1-based row and the row's exercise ("Row 2, Glute bridge: target 185° is outside the
safe range 100–170°") and its field path for a program editor to mark ("exercise[1].target").
The safe range and target of a row are checked against what the exercise's driver metric can
be (`exercises.metric_range`: interior joint angles 0–180°, ...) and against each other: a
target outside the row's safe range (the row's own limits, else the exercise file's) and a
safe_min at or above safe_max are errors, so a file the CLI accepts is one the page accepts.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from fitcoach.core.errors import ValidationError
from fitcoach.core.exercises import ExerciseCatalog, metric_range
from fitcoach.core.metrics import METRICS
from fitcoach.core.userfiles import parse_toml

MAX_BYTES = 64 * 1024
MAX_EXERCISES = 40
MAX_PROBLEMS = 50  # reported of one file (a hostile file could have thousands); the rest counted
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


@dataclass(frozen=True)
class Problem:
    """One thing wrong in a program: `field` is its path in the file ("exercise[1].target",
    zero-based as TOML arrays are), `message` says it in plain language for a person."""

    field: str
    message: str


class ProgramError(ValidationError):
    """Everything wrong with one program file. `problems` lists them all, in file order;
    `field` and `problem` are the first one's (as for any ValidationError), and the text is
    the file followed by every message on one line."""

    def __init__(self, path: str, problems: list[Problem], more: int = 0) -> None:
        super().__init__(path, problems[0].field, problems[0].message)
        self.problems = tuple(problems)
        self.more = more  # problems found beyond MAX_PROBLEMS, not listed
        n = len(problems) + more
        listed = "; ".join(p.message for p in problems) + (f"; and {more} more" if more else "")
        self.args = (f"{self.path}: {listed}" if n == 1 else f"{self.path}: {n} problems: {listed}",)

    @property
    def fields(self) -> list[str]:
        return [p.field for p in self.problems]

    @property
    def messages(self) -> list[str]:
        return [p.message for p in self.problems] + ([f"and {self.more} more"] if self.more else [])


def _short(value, limit: int = 40) -> str:
    """repr() of a value from the file, on one line and not too long."""
    text = repr(value)
    return text if len(text) <= limit else text[: limit - 3] + "..."


def _g(v: float) -> str:
    return f"{v:g}"


class _Problems:
    """Collects the problems of one file."""

    def __init__(self) -> None:
        self.items: list[Problem] = []
        self.more = 0

    def add(self, field: str, message: str) -> None:
        if len(self.items) < MAX_PROBLEMS:
            self.items.append(Problem(field, message))
        else:
            self.more += 1

    def num(self, d: dict, key: str, lo: float, hi: float, integer: bool = False, required: bool = True,
            field: str | None = None, who: str = "", unit: str = ""):
        """d[key] checked as a number in [lo, hi]: the value, or None (missing or wrong: told)."""
        field = field or key
        say = f"{who}: {key}" if who else key
        if key not in d:
            if required:
                self.add(field, f"{say} is required")
            return None
        v = d[key]
        if isinstance(v, bool) or not (isinstance(v, int) if integer else isinstance(v, (int, float))):
            kind = "a whole number" if integer else "a number"
            self.add(field, f"{say} must be {kind}, got {_short(v)}")
            return None
        if not math.isfinite(v) or not lo <= v <= hi:
            kind = "a whole number" if integer else "a number"
            bounds = f" from {_g(lo)} to {_g(hi)}{unit}" if math.isfinite(lo) and math.isfinite(hi) else ""
            self.add(field, f"{say} must be {kind}{bounds}, got {_short(v)}" if bounds else
                     f"{say} must be a finite number, got {_short(v)}")
            return None
        return v


def _driver_limits(ex, it: dict, w: str, who: str, out: _Problems):
    """A rep exercise row's safe_min, safe_max and target: numbers within what the driver metric
    can be, a safe range with min below max, and the target inside it (the row's limits, else
    the exercise file's). Returns (safe_min, safe_max, target) as given (None when absent/wrong)."""
    given = [k for k in ("safe_min", "safe_max", "target") if k in it]
    if ex.driver is None:  # a hold without a moving angle: these have nothing to limit
        for k in given:
            out.add(f"{w}.{k}", f"{who}: {k} does not apply: {ex.name.en} is held, it has no movement angle to limit")
        return None, None, None
    metric = ex.driver.metric
    deg = METRICS[metric].unit == "deg"
    unit = "°" if deg else ""
    what = metric.replace("_", " ") + (" angle" if deg else "")
    lo_d, hi_d = metric_range(metric)
    vals = {}
    for k in given:
        v = out.num(it, k, -math.inf, math.inf, field=f"{w}.{k}", who=who)
        if v is None:
            continue
        if not lo_d <= v <= hi_d and k != "target":  # a target is told against the safe range first
            out.add(f"{w}.{k}", f"{who}: {k} {_g(v)}{unit} is outside what the {what} can be "
                                f"({_g(lo_d)}–{_g(hi_d)}{unit})")
            continue
        vals[k] = float(v)
    smin, smax, target = vals.get("safe_min"), vals.get("safe_max"), vals.get("target")
    # the limits that apply: the row's own, else the exercise file's (as the planner applies them)
    lo = smin if smin is not None else (None if "safe_min" in it else ex.safe_min)
    hi = smax if smax is not None else (None if "safe_max" in it else ex.safe_max)
    own_lo, own_hi = smin is not None, smax is not None
    consistent = lo is None or hi is None or lo < hi
    if not consistent:
        if own_lo and own_hi:
            out.add(f"{w}.safe_max", f"{who}: safe_min {_g(lo)}{unit} must be below safe_max {_g(hi)}{unit}")
        elif own_lo:
            out.add(f"{w}.safe_min", f"{who}: safe_min {_g(lo)}{unit} must be below the exercise's own safe "
                                     f"maximum {_g(hi)}{unit}")
        else:
            out.add(f"{w}.safe_max", f"{who}: safe_max {_g(hi)}{unit} must be above the exercise's own safe "
                                     f"minimum {_g(lo)}{unit}")
    if target is None:
        return smin, smax, target
    if consistent and ((lo is not None and target < lo) or (hi is not None and target > hi)):
        if lo is not None and hi is not None:
            where = f"outside the safe range {_g(lo)}–{_g(hi)}{unit}"
        else:
            where = f"below the safe minimum {_g(lo)}{unit}" if lo is not None else f"above the safe maximum {_g(hi)}{unit}"
        src = "" if (own_lo or lo is None) and (own_hi or hi is None) else " (set in the exercise file)"
        out.add(f"{w}.target", f"{who}: target {_g(target)}{unit} is {where}{src}")
    elif not lo_d <= target <= hi_d:
        out.add(f"{w}.target", f"{who}: target {_g(target)}{unit} is outside what the {what} can be "
                               f"({_g(lo_d)}–{_g(hi_d)}{unit})")
    return smin, smax, target


def parse_program(text: str | bytes, where: str = "program", catalog: ExerciseCatalog | None = None) -> Program:
    """A program from its TOML text, validated completely: every problem is in the one
    ProgramError raised (a file that is not UTF-8 TOML, or too big, is a plain ValidationError)."""
    data, text = parse_toml(text, where, MAX_BYTES, "programs")
    out = _Problems()
    name, spw, weeks, notes, verbosity = _program_fields(data, out)
    items_raw = data.get("exercise")
    if not isinstance(items_raw, list) or not items_raw:
        out.add("exercise", "list at least one exercise ([[exercise]])")
        items_raw = []
    elif len(items_raw) > MAX_EXERCISES:
        out.add("exercise", f"at most {MAX_EXERCISES} exercises, got {len(items_raw)}")
        items_raw = []
    catalog = catalog or ExerciseCatalog.load()
    items = []
    for i, it in enumerate(items_raw):
        item = _program_item(i, it, catalog, out)
        if item is not None:
            items.append(item)
    if out.items:
        raise ProgramError(where, out.items, out.more)
    return Program(name, spw, weeks, notes, tuple(items), text, verbosity)


def _program_fields(data: dict, out: _Problems) -> tuple:
    """The top-level keys: (name, sessions_per_week, weeks, notes, verbosity); problems to `out`."""
    for k in sorted(set(data) - TOP_KEYS, key=str):
        out.add(str(k), f"unknown key {_short(k)} (allowed: {', '.join(sorted(TOP_KEYS))})")
    if data.get("schema_version") != 1:
        out.add("schema_version", f"schema_version must be 1, got {_short(data.get('schema_version'))}")
    name = data.get("name")
    if not isinstance(name, str) or not NAME_RE.match(name) or name.strip() in ("", ".", ".."):
        out.add("name", "the program name must be 1–80 characters without control characters or / \\")
    spw = out.num(data, "sessions_per_week", 1, 14, integer=True)
    weeks = out.num(data, "weeks", 1, 104, integer=True, required=False)
    out.num(data, "version", 1, 10_000, integer=True, required=False)
    notes = data.get("notes", "")
    if not isinstance(notes, str) or len(notes) > 2000:
        out.add("notes", "notes must be text of at most 2000 characters")
    verbosity = data.get("verbosity")
    if verbosity is not None and verbosity not in VERBOSITY:
        out.add("verbosity", f"verbosity must be one of {', '.join(VERBOSITY)}, got {_short(verbosity)}")
    return name, spw, weeks, notes, verbosity


def _program_item(i: int, it: Any, catalog: ExerciseCatalog, out: _Problems) -> ProgramItem | None:
    """Row `i` of the program's [[exercise]] list, or None when it has a problem (added to `out`)."""
    w, row = f"exercise[{i}]", f"Row {i + 1}"
    if not isinstance(it, dict):
        out.add(w, f"{row}: must be a table of {', '.join(sorted(EX_KEYS))}")
        return None
    ex_id = it.get("id")
    ex = catalog.get(ex_id) if isinstance(ex_id, str) and ex_id in catalog.ids() else None
    who = f"{row}, {ex.name.en}" if ex is not None else row
    n_before = len(out.items) + out.more
    unknown = sorted(set(it) - EX_KEYS, key=str)
    for k in unknown[:3]:
        out.add(f"{w}.{k}", f"{who}: unknown key {_short(k)} (allowed: {', '.join(sorted(EX_KEYS))})")
    if len(unknown) > 3:
        out.add(f"{w}.{unknown[3]}", f"{who}: {len(unknown) - 3} more unknown keys")
    if ex_id is None:
        out.add(f"{w}.id", f"{row}: no exercise given (id)")
    elif ex is None:
        out.add(f"{w}.id", f"{row}: unknown exercise {_short(ex_id)} (known: {', '.join(catalog.ids())})")
    sets = out.num(it, "sets", 1, 20, integer=True, field=f"{w}.sets", who=who)
    reps = hold = None
    if ex is not None and ex.kind == "reps":
        if "hold_s" in it:
            out.add(f"{w}.hold_s", f"{who}: {ex.name.en} is counted in reps, not held: give reps, not hold_s")
        reps = out.num(it, "reps", 1, 200, integer=True, field=f"{w}.reps", who=who, required="hold_s" not in it)
    elif ex is not None:
        if "reps" in it:
            out.add(f"{w}.reps", f"{who}: {ex.name.en} is a hold: give hold_s (seconds), not reps")
        hold = out.num(it, "hold_s", 1, 600, field=f"{w}.hold_s", who=who, unit=" s", required="reps" not in it)
    tempo = it.get("tempo")
    if tempo is not None and (not isinstance(tempo, str) or not TEMPO_RE.match(tempo)):
        out.add(f"{w}.tempo", f"{who}: tempo must look like '2-0-2-1' (seconds down-bottom-up-top), "
                              f"got {_short(tempo)}")
    rest = out.num(it, "rest_s", 0, 900, required=False, field=f"{w}.rest_s", who=who, unit=" s")
    smin = smax = target = None
    if ex is not None:
        smin, smax, target = _driver_limits(ex, it, w, who, out)
    if ex is None or len(out.items) + out.more != n_before:
        return None
    return ProgramItem(ex_id, sets, reps, hold, tempo, float(rest if rest is not None else 60.0), smin, smax, target)


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
