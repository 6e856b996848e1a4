"""Judging form: a finished rep against the exercise's rules (and the form scorer's view of it),
and a timed hold against its rules while it is held. What comes out: `Fault`s and `RepRecord`s.

A rep is judged once, when it is finished (`Pipeline._finish`, on the analysis thread), from the
frames of the pipeline's history that fall inside it: each is ``(t_s, rule metric values,
view, frame features)``. A hold is judged on every frame (`HoldJudge.step`).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, replace

import numpy as np

from fitcoach.core.exercises import VIEWS, Bound, Driver, Exercise, Rule
from fitcoach.core.metrics import METRICS
from fitcoach.core.reps import RepEvent
from fitcoach.core.scorer import MODEL_ONLY_P, PARTIAL_FAULT, model_confidence


@dataclass(frozen=True, slots=True)
class Fault:
    id: str
    message: str
    measured: float
    target: str
    unit: str
    duration_s: float = 0.0
    source: str = "rule"  # "rule", "rule+model" (the model agrees, p >= 0.5) or "model"
    confidence: float | None = None  # the form scorer's probability for this fault


@dataclass(frozen=True, slots=True)
class RepRecord:
    index: int
    side: str
    t_start_s: float
    t_end_s: float
    partial: bool
    partial_reason: str | None
    rom_min: float
    rom_max: float
    tempo_down: float
    tempo_bottom: float
    tempo_up: float
    tempo_top: float | None
    faults: tuple[Fault, ...]
    view: str
    score: float | None = None
    reached_target: bool = True  # the coaching target (exercise file / physiotherapist) was reached
    driver: str | None = None  # the driver signal this rep was counted on (the file's, or an alternative)
    # the form scorer's explanation: the measures furthest outside what correct reps show
    # ({measure, value, unit, correct_range, text}), and whether the score was learnt from real reps
    score_reasons: tuple[dict, ...] = ()
    score_basis: str | None = None


def rep_faults(ex: Exercise, ev: RepEvent, frames: list, view: str, rs, d: Driver | None) -> list[Fault]:
    """The faults of one rep: each rule judged where its view allows (with the scorer's verdict
    `rs` beside it, or alone when it is confident), and an incomplete range first."""
    faults = []
    for rule in ex.rules:
        # A rule made for some views only (knee valgus: front) is judged only when the rep was
        # seen from one of them; a view we could not tell is judged by view-independent rules.
        # This holds for the model too: its probability is no verdict where the rule cannot see.
        judged = view in rule.views or (view == "unknown" and set(rule.views) >= set(VIEWS))
        f = judge_rule(rule, ev, frames) if judged else None
        p = rs.fault_p.get(rule.id) if rs is not None else None
        if f is not None:
            faults.append(replace(f, source="rule+model" if p is not None and p >= 0.5 else "rule",
                                  confidence=model_confidence(p)))
        elif judged and p is not None and p >= MODEL_ONLY_P:
            worst = worst_value(rule, ev, frames)
            unit = METRICS[rule.bound.metric].unit
            faults.append(Fault(rule.id, rule.message.en, worst, rule.bound.target_text(unit), unit,
                                source="model", confidence=model_confidence(p)))
    if not ev.reached_target or ev.partial:
        assert d is not None
        cmp = "≤" if d.direction == "decrease" else "≥"
        unit = d.unit
        p = rs.fault_p.get(PARTIAL_FAULT) if rs is not None else None
        text = f"Partial rep: {ev.partial_reason}" if ev.partial else f"Short of the target: {ev.target_reason}"
        faults.insert(0, Fault("incomplete_range", text, round(ev.extreme, 1),
                               f"{cmp} {d.target:g}{'°' if unit == 'deg' else ''}", unit,
                               source="rule+model" if p is not None and p >= 0.5 else "rule",
                               confidence=model_confidence(p)))
    return faults


def phase_window(phase: str, ev: RepEvent) -> tuple[float, float]:
    """The times of a rep's phase a rule looks at ("out", "bottom", "return" or the whole "rep")."""
    return {
        "out": (ev.t_start_s, ev.t_reach_s),
        "bottom": (ev.t_reach_s, ev.t_leave_s),
        "return": (ev.t_leave_s, ev.t_end_s),
        "rep": (ev.t_start_s, ev.t_end_s),
    }[phase]


def worst_value(rule: Rule, ev: RepEvent, frames: list) -> float | None:
    """The rule metric's value furthest toward violation during the rule's phase."""
    lo, hi = phase_window(rule.phase, ev)
    side = rule.bound.side or (ev.side if ev.side in ("left", "right") else None)
    vals = [_pick(h[1], rule.bound.metric, side) for h in frames if lo - 1e-9 <= h[0] <= hi + 1e-9]
    vals = [v for v in vals if not math.isnan(v)]
    if not vals:
        return None
    b = rule.bound
    v = max(vals) if b.max is not None and (b.min is None or max(vals) - b.max > b.min - min(vals)) else min(vals)
    return round(float(v), 3 if METRICS[rule.bound.metric].unit == "ratio" else 1)


def judge_rule(rule: Rule, ev: RepEvent, frames: list) -> Fault | None:
    """The rule's fault in this rep: broken for long enough (its persistence, at most half the
    phase) during its phase, with the worst value; None if it held."""
    lo, hi = phase_window(rule.phase, ev)
    side = rule.bound.side or (ev.side if ev.side in ("left", "right") else None)
    series = []
    for t, vals, *_ in frames:
        if lo - 1e-9 <= t <= hi + 1e-9:
            series.append((t, _pick(vals, rule.bound.metric, side)))
    if not series:
        return None
    window = series[-1][0] - series[0][0]
    need = min(rule.persistence_s, 0.5 * window)
    run_start = None
    longest = 0.0
    worst = None
    for t, v in series:
        if rule.bound.violated(v):
            run_start = t if run_start is None else run_start
            longest = max(longest, t - run_start)
            worst = v if worst is None else _worse(rule.bound, worst, v)
        else:
            run_start = None
    if worst is None or longest < need:
        return None
    unit = METRICS[rule.bound.metric].unit
    return Fault(rule.id, rule.message.en, round(float(worst), 3 if unit == "ratio" else 1),
                 rule.bound.target_text(unit), unit, round(longest, 3))


class HoldJudge:
    """A timed hold's rules, frame by frame while in position: a rule broken for its persistence
    becomes a fault (worst value, total time broken); `active` are the rules broken right now."""

    def __init__(self, rules) -> None:
        self.rules = rules
        self._violation: dict[str, float] = {}
        self._faults: dict[str, Fault] = {}
        self._t_prev = math.nan

    def step(self, t: float, in_position: bool, measures) -> None:
        """One frame: `measures` is the frame's `measures.Measures` (None: no body)."""
        dt = 0.0 if math.isnan(self._t_prev) else min(t - self._t_prev, 0.25)
        self._t_prev = t
        if not in_position or measures is None:
            for k in self._violation:
                self._violation[k] = 0.0
            return
        for rule in self.rules:
            v = measures.either_side(rule.bound.metric, rule.bound.side)
            if rule.bound.violated(v):
                self._violation[rule.id] = self._violation.get(rule.id, 0.0) + dt
                if self._violation[rule.id] >= rule.persistence_s:
                    unit = METRICS[rule.bound.metric].unit
                    prev = self._faults.get(rule.id)
                    worst = v if prev is None else _worse(rule.bound, prev.measured, v)
                    total = (prev.duration_s if prev else rule.persistence_s - dt) + dt
                    self._faults[rule.id] = Fault(rule.id, rule.message.en, round(float(worst), 3),
                                                  rule.bound.target_text(unit), unit, round(total, 3))
            else:
                self._violation[rule.id] = 0.0

    @property
    def active(self) -> tuple[str, ...]:
        """The ids of the rules broken on the last frame, sorted."""
        return tuple(sorted(k for k, v in self._violation.items() if v > 0))

    @property
    def faults(self) -> list[Fault]:
        """The hold's faults so far, sorted by rule id."""
        return [self._faults[k] for k in sorted(self._faults)]


def _pick(vals: dict, metric: str, side: str | None) -> float:
    if (metric, side) in vals:
        return vals[(metric, side)]
    if (metric, None) in vals:
        return vals[(metric, None)]
    both = [vals.get((metric, s), math.nan) for s in ("left", "right")]
    both = [v for v in both if not math.isnan(v)]
    return float(np.mean(both)) if both else math.nan


def _worse(b: Bound, a: float, c: float) -> float:
    if b.max is not None and (a > b.max or c > b.max):
        return max(a, c)
    return min(a, c)
