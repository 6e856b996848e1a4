"""Exercises as data: `exercises/*.toml`, one file per exercise, schema_version 1.

Anyone can add an exercise by writing a file; nothing here is code. Files are validated when
they load: unknown keys are rejected, and every error names the file, the field and what is
allowed (see docs in exercises/README.md for the full schema).

Frozen dataclasses are the validated model; the loader is the only place that reads TOML.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from fitcoach.core import resources
from fitcoach.core.errors import ValidationError
from fitcoach.core.metrics import METRICS

SCHEMA_VERSION = 1
KINDS = ("reps", "hold")
LATERALITY = ("bilateral", "alternating", "unilateral")
SIDES_MODES = ("combined", "each")
COMBINE = ("mean", "min", "max")
DIRECTIONS = ("decrease", "increase")
SPACES = ("world", "image")
VIEWS = ("front", "side", "oblique", "back")
PHASES = ("out", "bottom", "return", "rep", "hold")
LANGS = ("en", "ko")


def default_exercise_dir() -> Path:
    """The exercises shipped with the app (repo checkout or bundled data)."""
    return resources.exercises_dir()


@dataclass(frozen=True, slots=True)
class Text:
    en: str
    ko: str

    def get(self, lang: str) -> str:
        return self.ko if lang == "ko" else self.en


@dataclass(frozen=True, slots=True)
class Driver:
    metric: str
    space: str
    sides: str
    combine: str
    direction: str
    rest: float
    target: float
    min_excursion: float
    min_rep_s: float
    max_rep_s: float
    side_metric: str | None = None  # combined sides: follow the side where this metric is lowest

    @property
    def unit(self) -> str:
        return METRICS[self.metric].unit


@dataclass(frozen=True, slots=True)
class Tempo:
    down: float
    bottom: float
    up: float
    top: float

    def notation(self) -> str:
        return "-".join(f"{v:g}" for v in (self.down, self.bottom, self.up, self.top))


@dataclass(frozen=True, slots=True)
class Bound:
    """A metric kept within [min, max] (either may be None)."""

    metric: str
    min: float | None
    max: float | None
    side: str | None  # for sided metrics: "left", "right" or None = the driver's side / mean

    def target_text(self, unit: str) -> str:
        u = "°" if unit == "deg" else ""
        if self.min is not None and self.max is not None:
            return f"{self.min:g}{u}–{self.max:g}{u}"
        if self.min is not None:
            return f"≥ {self.min:g}{u}"
        return f"≤ {self.max:g}{u}"

    def violated(self, value: float) -> bool:
        if value != value:  # NaN: cannot judge
            return False
        return (self.min is not None and value < self.min) or (
            self.max is not None and value > self.max
        )


@dataclass(frozen=True, slots=True)
class Rule:
    id: str
    bound: Bound
    phase: str
    persistence_s: float
    views: tuple[str, ...]
    message: Text
    cue: Text


@dataclass(frozen=True, slots=True)
class Exercise:
    id: str
    path: str
    kind: str
    laterality: str
    name: Text
    view_recommended: tuple[str, ...]
    view_advice: Text
    driver: Driver | None
    hold: tuple[Bound, ...]
    tempo: Tempo | None
    safe_min: float | None
    safe_max: float | None
    rules: tuple[Rule, ...]
    trains: tuple[str, ...] = field(default=())
    corrects: tuple[str, ...] = field(default=())


class _Reader:
    """Pulls typed fields out of a TOML table, naming the file and field on every error."""

    def __init__(self, path: str, table: dict[str, Any], prefix: str = "") -> None:
        self.path = path
        self.table = table
        self.prefix = prefix
        self.used: set[str] = set()

    def _name(self, key: str) -> str:
        return f"{self.prefix}{key}"

    def err(self, key: str, problem: str) -> ValidationError:
        return ValidationError(self.path, self._name(key), problem)

    def get(self, key: str, kind: type | tuple[type, ...], required: bool = True, default: Any = None) -> Any:
        self.used.add(key)
        if key not in self.table:
            if required:
                raise self.err(key, "is required")
            return default
        value = self.table[key]
        if kind is float and isinstance(value, int) and not isinstance(value, bool):
            value = float(value)
        if isinstance(value, bool) and kind is not bool:
            raise self.err(key, f"must be {_kind_name(kind)}, got a boolean")
        if not isinstance(value, kind):
            raise self.err(key, f"must be {_kind_name(kind)}, got {type(value).__name__} {value!r}")
        return value

    def choice(self, key: str, allowed: tuple[str, ...], required: bool = True, default: str | None = None) -> str:
        value = self.get(key, str, required, default)
        if value not in allowed:
            raise self.err(key, f"must be one of {', '.join(allowed)}; got {value!r}")
        return value

    def number(self, key: str, required: bool = True, default: float | None = None, lo: float | None = None, hi: float | None = None) -> float:
        value = self.get(key, float, required, default)
        if value is None:
            return value
        if (lo is not None and value < lo) or (hi is not None and value > hi):
            raise self.err(key, f"must lie in [{lo}, {hi}], got {value}")
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
                raise self.err(f"{key}[{i}]", f"must be a string, got {item!r}")
            if allowed is not None and item not in allowed:
                raise self.err(f"{key}[{i}]", f"must be one of {', '.join(allowed)}; got {item!r}")
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
                raise sub.err(lang, "must not be empty (every text needs English and Korean)")
            values[lang] = v
        sub.done()
        return Text(**values)

    def done(self) -> None:
        unknown = sorted(set(self.table) - self.used)
        if unknown:
            raise self.err(unknown[0], f"unknown key; allowed keys here: {', '.join(sorted(self.used))}")


def _kind_name(kind: type | tuple[type, ...]) -> str:
    names = {str: "a string", float: "a number", int: "an integer", dict: "a table", list: "a list", bool: "true or false"}
    if isinstance(kind, tuple):
        return " or ".join(names.get(k, k.__name__) for k in kind)
    return names.get(kind, kind.__name__)


def _metric(r: _Reader, key: str = "metric") -> str:
    m = r.get(key, str)
    if m not in METRICS:
        raise r.err(key, f"unknown metric {m!r}; known metrics: {', '.join(sorted(METRICS))}")
    return m


def _bound(r: _Reader) -> Bound:
    metric = _metric(r)
    lo = r.number("min", required=False)
    hi = r.number("max", required=False)
    if lo is None and hi is None:
        raise r.err("min", "a bound needs min, max or both")
    if lo is not None and hi is not None and lo > hi:
        raise r.err("min", f"min ({lo}) is above max ({hi})")
    side = r.get("side", str, required=False)
    if side is not None and side not in ("left", "right"):
        raise r.err("side", f"must be left or right; got {side!r}")
    if side is not None and not METRICS[metric].sided:
        raise r.err("side", f"metric {metric!r} has no sides")
    return Bound(metric, lo, hi, side)


def parse_exercise(path: str, data: dict[str, Any]) -> Exercise:
    r = _Reader(path, data)
    version = r.get("schema_version", int)
    if version != SCHEMA_VERSION:
        raise r.err("schema_version", f"must be {SCHEMA_VERSION} (this FitCoach reads version {SCHEMA_VERSION}); got {version}")
    ex_id = r.get("id", str)
    if not ex_id or not all(c.islower() or c.isdigit() or c == "_" for c in ex_id):
        raise r.err("id", f"must be lower_snake_case letters/digits; got {ex_id!r}")
    stem = Path(path).stem
    if stem != ex_id and not path.startswith("<"):
        raise r.err("id", f"must match the file name {stem!r}; got {ex_id!r}")
    kind = r.choice("kind", KINDS)
    laterality = r.choice("laterality", LATERALITY)
    name = r.text("name")
    view = r.sub("view")
    assert view is not None
    recommended = view.strings("recommended", VIEWS, required=True)
    if not recommended:
        raise view.err("recommended", f"list at least one of {', '.join(VIEWS)}")
    advice = Text(view.get("en", str), view.get("ko", str))
    view.done()

    driver = None
    hold: tuple[Bound, ...] = ()
    d = r.sub("driver", required=(kind == "reps"))
    if d is not None:
        metric = _metric(d)
        direction = d.choice("direction", DIRECTIONS)
        rest = d.number("rest")
        target = d.number("target")
        if direction == "decrease" and not target < rest:
            raise d.err("target", f"with direction = 'decrease' target ({target}) must be below rest ({rest})")
        if direction == "increase" and not target > rest:
            raise d.err("target", f"with direction = 'increase' target ({target}) must be above rest ({rest})")
        min_exc = d.number("min_excursion", lo=0.0)
        if not 0 < min_exc <= abs(rest - target) * 1.5:
            raise d.err("min_excursion", f"must be > 0 and not far above |rest - target| = {abs(rest - target):g}")
        min_rep = d.number("min_rep_s", required=False, default=0.5, lo=0.05, hi=60)
        max_rep = d.number("max_rep_s", required=False, default=15.0, lo=0.5, hi=600)
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
        d.done()
        driver = Driver(metric, space, sides, combine, direction, rest, target, min_exc, min_rep, max_rep, side_metric)
    if kind == "hold":
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
        hold = tuple(bounds)

    tempo = None
    t = r.sub("tempo", required=False)
    if t is not None:
        tempo = Tempo(*(t.number(k, lo=0.0, hi=60.0) for k in ("down", "bottom", "up", "top")))
        t.done()

    safe_min = safe_max = None
    rom = r.sub("rom", required=False)
    if rom is not None:
        safe_min = rom.number("safe_min", required=False)
        safe_max = rom.number("safe_max", required=False)
        if safe_min is not None and safe_max is not None and safe_min >= safe_max:
            raise rom.err("safe_min", f"must be below safe_max ({safe_max})")
        rom.done()

    rules = []
    seen_ids: set[str] = set()
    for i, raw in enumerate(r.get("rules", list, required=False, default=[])):
        if not isinstance(raw, dict):
            raise r.err(f"rules[{i}]", "must be a table ([[rules]])")
        rr = _Reader(path, raw, f"rules[{i}].")
        rid = rr.get("id", str)
        if rid in seen_ids:
            raise rr.err("id", f"duplicate rule id {rid!r}")
        seen_ids.add(rid)
        bound = _bound(rr)
        default_phase = "hold" if kind == "hold" else "rep"
        phase = rr.choice("phase", PHASES, required=False, default=default_phase)
        if kind == "hold" and phase != "hold":
            raise rr.err("phase", "a hold exercise's rules use phase = 'hold'")
        if kind == "reps" and phase == "hold":
            raise rr.err("phase", f"must be one of {', '.join(p for p in PHASES if p != 'hold')} for a reps exercise")
        persistence = rr.number("persistence_s", required=False, default=0.2, lo=0.0, hi=60.0)
        views = rr.strings("views", VIEWS) or VIEWS
        message = rr.text("message")
        cue = rr.text("cue")
        rr.done()
        rules.append(Rule(rid, bound, phase, persistence, views, message, cue))  # type: ignore[arg-type]

    trains = r.strings("trains")
    corrects = r.strings("corrects")
    r.done()
    return Exercise(
        id=ex_id, path=path, kind=kind, laterality=laterality, name=name,  # type: ignore[arg-type]
        view_recommended=recommended, view_advice=advice, driver=driver, hold=hold,
        tempo=tempo, safe_min=safe_min, safe_max=safe_max, rules=tuple(rules),
        trains=trains, corrects=corrects,
    )


def load_exercise_file(path: str | Path) -> Exercise:
    path = Path(path)
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise ValidationError(str(path), "", f"cannot read ({exc.strerror})") from None
    try:
        data = tomllib.loads(raw.decode("utf-8"))
    except UnicodeDecodeError:
        raise ValidationError(str(path), "", "is not UTF-8 text") from None
    except tomllib.TOMLDecodeError as exc:
        raise ValidationError(str(path), "", f"is not valid TOML ({exc})") from None
    return parse_exercise(str(path), data)


class ExerciseCatalog:
    """All exercises in a folder, validated; lookup by id with a helpful error."""

    def __init__(self, exercises: dict[str, Exercise]) -> None:
        self._by_id = exercises

    @classmethod
    def load(cls, folder: str | Path | None = None) -> "ExerciseCatalog":
        folder = Path(folder) if folder is not None else default_exercise_dir()
        if not folder.is_dir():
            raise ValidationError(str(folder), "", "exercise folder not found")
        out: dict[str, Exercise] = {}
        for p in sorted(folder.glob("*.toml")):
            ex = load_exercise_file(p)
            out[ex.id] = ex
        return cls(out)

    def ids(self) -> list[str]:
        return sorted(self._by_id)

    def __iter__(self):
        return iter(self._by_id[k] for k in self.ids())

    def __len__(self) -> int:
        return len(self._by_id)

    def get(self, ex_id: str) -> Exercise:
        try:
            return self._by_id[ex_id]
        except KeyError:
            from fitcoach.core.errors import FitCoachError

            raise FitCoachError(
                f"unknown exercise id {ex_id!r}; known ids: {', '.join(self.ids())}"
            ) from None
