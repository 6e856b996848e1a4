"""The validated model of an exercise: what `exercises/*.toml` become once read.

Frozen dataclasses (`Exercise`, its `Driver`, `Bound`s, `Rule`s, `Tempo`), the allowed values
of their fields (`KINDS`, `VIEWS`, `PHASES`, ...) and the range a bound on each metric may take
(`METRIC_RANGES`, `metric_range`). Reading and checking a file is `exercise_schema`; the
catalogue of a folder is `exercises`, which re-exports these names: import them from
`fitcoach.core.exercises`.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from fitcoach.core.metrics import METRICS
from fitcoach.i18n import LANGS

SCHEMA_VERSION = 1
KINDS = ("reps", "hold")
LATERALITY = ("bilateral", "alternating", "unilateral")
SIDES_MODES = ("combined", "each")
COMBINE = ("mean", "min", "max")
DIRECTIONS = ("decrease", "increase")
SPACES = ("world", "image")
VIEWS = ("front", "side", "oblique", "back")
PHASES = ("out", "bottom", "return", "rep", "hold")

_J = (0.0, 180.0)  # interior joint angle, or an angle from vertical
# Allowed values of a bound on each metric (see the module docstring); from the definitions in
# fitcoach/core/metrics.py. tests/core/test_exercises.py checks every metric has one and that
# computed values stay inside on synthetic takes.
METRIC_RANGES: dict[str, tuple[float, float]] = {
    "knee": _J, "hip": _J, "elbow": _J, "shoulder": _J, "ankle": _J, "body_line": _J,
    "elbow_flexion": _J, "hip_flexion": _J, "knee_flexion": _J,  # 180 - a joint angle
    "trunk_lean": _J, "shin_lean": _J,  # from vertical
    "body_incline": (0.0, 90.0), "shoulder_tilt": (0.0, 90.0),  # line against horizontal
    "craniovertebral": (-90.0, 90.0),  # atan2(dy, |dx|)
    "shoulder_flexion": (-90.0, 270.0), "shoulder_abduction": (-90.0, 270.0),  # never wraps
    "shoulder_extension": (-270.0, 90.0),  # = -shoulder_flexion
    "shoulder_external_rotation": (-180.0, 180.0), "hip_abduction": (-180.0, 180.0),
    "pelvic_obliquity": (-180.0, 180.0),  # atan2
    "heel_lift_ratio": (-1.0, 1.0),  # sine of the foot's angle
    "knee_lift_ratio": (0.0, 2.0),  # sine of the thigh's angle + 1
    # ratios of two lengths: no mathematical bound (a foreshortened denominator makes them
    # explode; a side plank seen end-on gives hip_line_offset_ratio ~20); form bounds are near
    # 0-2, so a bound beyond 100 can only be a typo
    "knee_width_ratio": (0.0, 100.0), "ankle_spread_ratio": (0.0, 100.0),  # distance / distance
    "hip_line_offset_ratio": (-100.0, 100.0), "shoulder_elevation_ratio": (-100.0, 100.0),
    "wrist_height_ratio": (-100.0, 100.0), "knee_valgus_ratio": (-100.0, 100.0),
}  # fmt: skip
UNBOUNDED_RATIOS = frozenset({"knee_width_ratio", "ankle_spread_ratio", "hip_line_offset_ratio",
                              "shoulder_elevation_ratio", "wrist_height_ratio", "knee_valgus_ratio"})
UNIT_RANGES = {"deg": (-360.0, 360.0), "ratio": (-100.0, 100.0)}  # a metric added without a range


def metric_range(metric: str) -> tuple[float, float]:
    """The values a bound on `metric` may take (its domain, see METRIC_RANGES)."""
    return METRIC_RANGES.get(metric) or UNIT_RANGES.get(METRICS[metric].unit, (-1e6, 1e6))



@dataclass(frozen=True, slots=True)
class Text:
    """A text of an exercise file in every language of LANGS: `text.get("ko")`, or `text.ko`."""

    values: tuple[tuple[str, str], ...]  # (lang, text), in LANGS order

    @classmethod
    def of(cls, values: dict[str, str]) -> "Text":
        return cls(tuple((lang, values[lang]) for lang in LANGS))

    def get(self, lang: str) -> str:
        first = self.values[0][1]  # English (LANGS starts with it)
        return next((t for code, t in self.values if code == lang), first)

    def as_dict(self) -> dict[str, str]:
        return dict(self.values)

    def __getattr__(self, lang: str) -> str:
        if lang in LANGS:
            return self.get(lang)
        raise AttributeError(lang)


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
    # Other signals of the same movement, used when this one cannot be seen or barely moves in
    # this camera's view (see fitcoach/core/pipeline.py DriverChooser); each is a Driver itself.
    alternatives: tuple["Driver", ...] = ()

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
