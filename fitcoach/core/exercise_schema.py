"""Reading an exercise file: `exercises/*.toml`, one file per exercise, schema_version 1.

Anyone can add an exercise by writing a file; nothing here is code. Files are validated when
they load: unknown keys are rejected, and every error names the file, the field and what is
allowed (see docs in exercises/README.md for the full schema).

Frozen dataclasses (`exercise_model`) are the validated model; `exercises.load_exercise_file`
reads the TOML, `parse_exercise` here checks it. `parse_exercise` reads each section of the file with a `_Reader`, in the order
the file's schema lists them.

Numbers. Every number must be finite (TOML's nan, inf and -inf are refused, so that a NaN
bound can never switch a rule off) and within its field's range:

=================================  ==================================================
field                              allowed
=================================  ==================================================
driver.rest, driver.target         the driver metric's range (METRIC_RANGES below)
driver.min_excursion               0.1 .. 1.5 x |rest - target|
driver.min_rep_s                   0.05 .. 60 s (default 0.5)
driver.max_rep_s                   0.5 .. 600 s (default 15), above min_rep_s
tempo.down/bottom/up/top           0 .. 60 s
rom.safe_min, rom.safe_max         the driver metric's range; safe_min < safe_max
rules[].min / max,                 the rule's metric range; min <= max
hold.conditions[].min / max
rules[].persistence_s              0 .. 60 s (default 0.2)
schema_version                     the integer 1
=================================  ==================================================

Metric ranges (`METRIC_RANGES`) are each metric's mathematical domain where it has one
(interior joint angles 0..180 deg, angles from horizontal 0..90, signed arm angles -90..270,
sines of a segment's angle -1..1); unit-free ratios of two lengths, which have none, get a
band no form bound needs to leave (0..100 or -100..100). A file is at most 1 MiB.
"""

from __future__ import annotations

import math
from dataclasses import replace
from pathlib import Path
from typing import Any

from fitcoach.core.errors import ValidationError
from fitcoach.core.exercise_model import (
    COMBINE,
    DIRECTIONS,
    KINDS,
    LATERALITY,
    PHASES,
    SCHEMA_VERSION,
    SIDES_MODES,
    SPACES,
    UNIT_RANGES,
    VIEWS,
    Bound,
    Driver,
    Exercise,
    Rule,
    Tempo,
    Text,
    metric_range,
)
from fitcoach.core.metrics import METRICS
from fitcoach.i18n import LANGS

def short_repr(value: Any, limit: int = 60) -> str:
    """repr() of a value for an error line: one line (repr escapes newlines), not too long."""
    text = repr(value)
    return text if len(text) <= limit else text[: limit - 3] + "..."


def _printable(name: str) -> str:
    """A TOML key as it can appear on one line (quoted keys may hold newlines)."""
    return name if name.isprintable() and len(name) <= 60 else short_repr(name)


class _Reader:
    """Pulls typed fields out of a TOML table, naming the file and field on every error."""

    def __init__(self, path: str, table: dict[str, Any], prefix: str = "") -> None:
        self.path = path
        self.table = table
        self.prefix = prefix
        self.used: set[str] = set()

    def _name(self, key: str) -> str:
        return f"{self.prefix}{_printable(key)}"

    def err(self, key: str, problem: str) -> ValidationError:
        return ValidationError(self.path, self._name(key), problem)

    def get(self, key: str, kind: type | tuple[type, ...], required: bool = True, default: Any = None) -> Any:
        self.used.add(key)
        if key not in self.table:
            if required:
                raise self.err(key, "is required")
            return default
        value = self.table[key]
        if isinstance(value, bool) and kind is not bool:
            raise self.err(key, f"must be {_kind_name(kind)}, got a boolean")
        if kind is float and isinstance(value, int):
            if abs(value) > 1e15:  # float() would round it, or overflow above 1e308
                raise self.err(key, f"{short_repr(value)} is far outside any allowed range")
            value = float(value)
        if not isinstance(value, kind):
            raise self.err(key, f"must be {_kind_name(kind)}, got {type(value).__name__} {short_repr(value)}")
        return value

    def choice(self, key: str, allowed: tuple[str, ...], required: bool = True, default: str | None = None) -> str:
        value = self.get(key, str, required, default)
        if value not in allowed:
            raise self.err(key, f"must be one of {', '.join(allowed)}; got {short_repr(value)}")
        return value

    def number(self, key: str, lo: float, hi: float, required: bool = True, default: float | None = None,
               unit: str = "") -> float:
        """A finite number in [lo, hi] (every number in an exercise file has a range)."""
        value = self.get(key, float, required, default)
        if value is None:
            return value
        if not math.isfinite(value):
            raise self.err(key, f"{value} is not a finite number")
        if not lo <= value <= hi:
            raise self.err(key, f"must lie in [{lo:g}, {hi:g}]{unit}, got {value:g}")
        return value

    def sub(self, key: str, required: bool = True) -> "_Reader | None":
        value = self.get(key, dict, required)
        if value is None:
            return None
        return _Reader(self.path, value, f"{self._name(key)}.")

    def strings(self, key: str, allowed: tuple[str, ...] | None = None, required: bool = False) -> tuple[str, ...]:
        value = self.get(key, list, required, [])
        out = []
        for i, item in enumerate(value):
            if not isinstance(item, str):
                raise self.err(f"{key}[{i}]", f"must be a string, got {short_repr(item)}")
            if allowed is not None and item not in allowed:
                raise self.err(f"{key}[{i}]", f"must be one of {', '.join(allowed)}; got {short_repr(item)}")
            out.append(item)
        return tuple(out)

    def text(self, key: str, required: bool = True) -> Text | None:
        sub = self.sub(key, required)
        if sub is None:
            return None
        values = {}
        for lang in LANGS:
            v = sub.get(lang, str)
            if not v.strip():
                raise sub.err(lang, f"must not be empty (every text needs each of {', '.join(LANGS)})")
            values[lang] = v
        sub.done()
        return Text.of(values)

    def done(self) -> None:
        unknown = sorted(set(self.table) - self.used)
        if unknown:
            raise self.err(unknown[0], f"unknown key; allowed keys here: {', '.join(sorted(self.used))}")


def _driver(d: "_Reader") -> Driver:
    """One driver signal (the `[driver]` table or one of its `[[driver.alternatives]]`)."""
    metric = _metric(d)
    direction = d.choice("direction", DIRECTIONS)
    rest = d.number("rest", *metric_range(metric), unit=_unit(metric))
    target = d.number("target", *metric_range(metric), unit=_unit(metric))
    if direction == "decrease" and not target < rest:
        raise d.err("target", f"with direction = 'decrease' target ({target}) must be below rest ({rest})")
    if direction == "increase" and not target > rest:
        raise d.err("target", f"with direction = 'increase' target ({target}) must be above rest ({rest})")
    lo_m, hi_m = metric_range(metric)
    min_exc = d.number("min_excursion", 0.0, hi_m - lo_m, unit=_unit(metric))
    # a tenth of the rep at least (smaller "movements" are tracking noise), 1.5 x at most
    if not 0.1 * abs(rest - target) <= min_exc <= abs(rest - target) * 1.5:
        raise d.err("min_excursion", f"must lie between 0.1 and 1.5 x |rest - target| = "
                                     f"{abs(rest - target):g}, got {min_exc:g}")
    min_rep = d.number("min_rep_s", 0.05, 60.0, required=False, default=0.5, unit=" s")
    max_rep = d.number("max_rep_s", 0.5, 600.0, required=False, default=15.0, unit=" s")
    if not min_rep < max_rep:
        raise d.err("max_rep_s", f"must be above min_rep_s ({min_rep})")
    sides = d.choice("sides", SIDES_MODES, required=False, default="combined")
    combine = d.choice("combine", COMBINE, required=False, default="mean")
    space = d.choice("space", SPACES, required=False, default="world")
    if sides == "each" and not METRICS[metric].sided:
        raise d.err("sides", f"'each' needs a sided metric; {metric!r} has no sides")
    side_metric = None
    if "side_metric" in d.table:
        side_metric = _metric(d, "side_metric")
        if not (METRICS[side_metric].sided and METRICS[metric].sided) or sides != "combined":
            raise d.err("side_metric", "needs sides = 'combined' and sided metrics (e.g. 'hip' picks a lunge's front leg)")
    if "alternatives" not in d.table:
        d.done()
    else:
        d.used.add("alternatives")
        if d.prefix.count("alternatives"):
            raise d.err("alternatives", "alternatives cannot have alternatives")
    return Driver(metric, space, sides, combine, direction, rest, target, min_exc, min_rep, max_rep, side_metric)


def _kind_name(kind: type | tuple[type, ...]) -> str:
    names = {str: "a string", float: "a number", int: "an integer", dict: "a table", list: "a list", bool: "true or false"}
    if isinstance(kind, tuple):
        return " or ".join(names.get(k, k.__name__) for k in kind)
    return names.get(kind, kind.__name__)


def _metric(r: _Reader, key: str = "metric") -> str:
    m = r.get(key, str)
    if m not in METRICS:
        raise r.err(key, f"unknown metric {short_repr(m)}; known metrics: {', '.join(sorted(METRICS))}")
    return m


def _unit(metric: str) -> str:
    return " deg" if METRICS[metric].unit == "deg" else f" (metric {metric})"


def _bound(r: _Reader) -> Bound:
    metric = _metric(r)
    lo = r.number("min", *metric_range(metric), required=False, unit=_unit(metric))
    hi = r.number("max", *metric_range(metric), required=False, unit=_unit(metric))
    if lo is None and hi is None:
        raise r.err("min", "a bound needs min, max or both")
    if lo is not None and hi is not None and lo > hi:
        raise r.err("min", f"min ({lo}) is above max ({hi})")
    side = r.get("side", str, required=False)
    if side is not None and side not in ("left", "right"):
        raise r.err("side", f"must be left or right; got {short_repr(side)}")
    if side is not None and not METRICS[metric].sided:
        raise r.err("side", f"metric {metric!r} has no sides")
    return Bound(metric, lo, hi, side)


def parse_exercise(path: str, data: dict[str, Any]) -> Exercise:
    """The validated exercise of one file's TOML `data`; raises ValidationError naming the field."""
    r = _Reader(path, data)
    ex_id, kind, laterality, name = _identity(r, path)
    recommended, advice = _view(r)
    driver = _driver_section(r, kind)
    hold = _hold_section(r, path) if kind == "hold" else ()
    tempo = _tempo_section(r)
    safe_min, safe_max = _rom_section(r, driver)
    rules = _rules_section(r, path, kind)
    trains = r.strings("trains")
    corrects = r.strings("corrects")
    r.done()
    return Exercise(
        id=ex_id, path=path, kind=kind, laterality=laterality, name=name,  # type: ignore[arg-type]
        view_recommended=recommended, view_advice=advice, driver=driver, hold=hold,
        tempo=tempo, safe_min=safe_min, safe_max=safe_max, rules=rules,
        trains=trains, corrects=corrects,
    )


def _identity(r: _Reader, path: str) -> tuple[str, str, str, Text | None]:
    """schema_version, id (matching the file name), kind, laterality and name."""
    version = r.get("schema_version", int)
    if version != SCHEMA_VERSION:
        raise r.err("schema_version", f"must be {SCHEMA_VERSION} (this FitCoach reads version {SCHEMA_VERSION}); got {short_repr(version)}")
    ex_id = r.get("id", str)
    if not ex_id or not all(c.islower() or c.isdigit() or c == "_" for c in ex_id):
        raise r.err("id", f"must be lower_snake_case letters/digits; got {short_repr(ex_id)}")
    stem = Path(path).stem
    if stem != ex_id and not path.startswith("<"):
        raise r.err("id", f"must match the file name {short_repr(stem)}; got {short_repr(ex_id)}")
    kind = r.choice("kind", KINDS)
    laterality = r.choice("laterality", LATERALITY)
    name = r.text("name")
    return ex_id, kind, laterality, name


def _view(r: _Reader) -> tuple[tuple[str, ...], Text]:
    """The `[view]` table: the recommended camera views and the advice in every language."""
    view = r.sub("view")
    assert view is not None
    recommended = view.strings("recommended", VIEWS, required=True)
    if not recommended:
        raise view.err("recommended", f"list at least one of {', '.join(VIEWS)}")
    advice = Text.of({lang: view.get(lang, str) for lang in LANGS})
    view.done()
    return recommended, advice


def _driver_section(r: _Reader, kind: str) -> Driver | None:
    """The `[driver]` table (required for reps) with its `[[driver.alternatives]]`."""
    d = r.sub("driver", required=(kind == "reps"))
    if d is None:
        return None
    driver = _driver(d)
    alts = d.get("alternatives", list, required=False, default=[])
    parsed = []
    for i, table in enumerate(alts):
        if not isinstance(table, dict):
            raise d.err(f"alternatives[{i}]", "must be a table ([[driver.alternatives]])")
        a = _Reader(d.path, table, f"{d._name('alternatives')}[{i}].")
        parsed.append(_driver(a))
    if len(parsed) > 4:
        raise d.err("alternatives", f"at most 4 alternatives, got {len(parsed)}")
    d.done()
    return replace(driver, alternatives=tuple(parsed))


def _hold_section(r: _Reader, path: str) -> tuple[Bound, ...]:
    """A hold's `[hold]` table: the conditions that must all be met while holding."""
    h = r.sub("hold")
    assert h is not None
    conds = h.get("conditions", list)
    if not conds:
        raise h.err("conditions", "list at least one condition")
    bounds = []
    for i, c in enumerate(conds):
        if not isinstance(c, dict):
            raise h.err(f"conditions[{i}]", "must be a table")
        cr = _Reader(path, c, f"hold.conditions[{i}].")
        bounds.append(_bound(cr))
        cr.done()
    h.done()
    return tuple(bounds)


def _tempo_section(r: _Reader) -> Tempo | None:
    """The optional `[tempo]` table: seconds down, at the bottom, up and at the top."""
    t = r.sub("tempo", required=False)
    if t is None:
        return None
    tempo = Tempo(*(t.number(k, 0.0, 60.0, unit=" s") for k in ("down", "bottom", "up", "top")))
    t.done()
    return tempo


def _rom_section(r: _Reader, driver: Driver | None) -> tuple[float | None, float | None]:
    """The optional `[rom]` table: the safe range (safe_min, safe_max) of the driver's metric."""
    rom = r.sub("rom", required=False)
    if rom is None:
        return None, None
    # the safe range is a range of the driver's metric (a hold has no driver: any angle)
    span = metric_range(driver.metric) if driver else UNIT_RANGES["deg"]
    u = _unit(driver.metric) if driver else " deg"
    safe_min = rom.number("safe_min", *span, required=False, unit=u)
    safe_max = rom.number("safe_max", *span, required=False, unit=u)
    if safe_min is not None and safe_max is not None and safe_min >= safe_max:
        raise rom.err("safe_min", f"must be below safe_max ({safe_max})")
    rom.done()
    return safe_min, safe_max


def _rules_section(r: _Reader, path: str, kind: str) -> tuple[Rule, ...]:
    """The `[[rules]]`: form rules with unique ids, each a bound checked in a phase."""
    rules = []
    seen_ids: set[str] = set()
    for i, raw in enumerate(r.get("rules", list, required=False, default=[])):
        if not isinstance(raw, dict):
            raise r.err(f"rules[{i}]", "must be a table ([[rules]])")
        rr = _Reader(path, raw, f"rules[{i}].")
        rid = rr.get("id", str)
        if rid in seen_ids:
            raise rr.err("id", f"duplicate rule id {short_repr(rid)}")
        seen_ids.add(rid)
        rules.append(_rule(rr, rid, kind))
    return tuple(rules)


def _rule(rr: _Reader, rid: str, kind: str) -> Rule:
    """One `[[rules]]` table after its id: bound, phase, persistence, views, message and cue."""
    bound = _bound(rr)
    default_phase = "hold" if kind == "hold" else "rep"
    phase = rr.choice("phase", PHASES, required=False, default=default_phase)
    if kind == "hold" and phase != "hold":
        raise rr.err("phase", "a hold exercise's rules use phase = 'hold'")
    if kind == "reps" and phase == "hold":
        raise rr.err("phase", f"must be one of {', '.join(p for p in PHASES if p != 'hold')} for a reps exercise")
    persistence = rr.number("persistence_s", 0.0, 60.0, required=False, default=0.2, unit=" s")
    views = rr.strings("views", VIEWS) or VIEWS
    message = rr.text("message")
    cue = rr.text("cue")
    rr.done()
    return Rule(rid, bound, phase, persistence, views, message, cue)  # type: ignore[arg-type]
