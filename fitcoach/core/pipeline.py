"""The per-frame pipeline: landmarks -> smoothing -> metrics -> reps, holds and form rules.

`Pipeline.step(frame)` is one pure step per frame and runs on the analysis thread (the thread
that created the pose backend). It never reads the clock: time comes in with the frame.
Cost of our own stages is ~0.1-0.3 ms per frame (see bench/bench_pipeline.py).
"""

from __future__ import annotations

import math
from collections import deque
from dataclasses import dataclass, field, replace

import numpy as np

from fitcoach.core.exercises import Bound, Exercise, Rule
from fitcoach.core.filters import LandmarkSmoother
from fitcoach.core.metrics import METRICS, Body, compute
from fitcoach.core.pose import PersonTracker, PoseBackend, PoseCandidate
from fitcoach.core.features import N_FRAME, frame_features, rep_vector
from fitcoach.core.reps import HoldTracker, RepEvent, RepTracker
from fitcoach.core.scorer import MODEL_ONLY_P, PARTIAL_FAULT, FormScorer, model_confidence
from fitcoach.core.sources import Frame


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


@dataclass(frozen=True, slots=True)
class FrameResult:
    index: int
    t_s: float
    status: str  # "ok", "no_person", "body_not_visible"
    n_people: int
    image_xyzv: np.ndarray | None  # smoothed (33, 4) float32, NaN where unknown
    predicted: np.ndarray | None  # bool (33,)
    driver_value: float  # NaN when unknown or for holds
    phase: str  # "top", "down", "bottom", "up", "hold", "rest"
    reps: int
    partial_reps: int
    hold_s: float
    new_reps: tuple[RepRecord, ...] = ()
    active_faults: tuple[str, ...] = ()


@dataclass
class PipelineStats:
    frames: int = 0
    frames_with_person: int = 0
    frames_multi_person: int = 0
    frames_body_not_visible: int = 0
    ignored_movements: int = 0
    abandoned_reps: int = 0
    implausible_poses: int = 0  # detections dropped by FlipGuard
    person_switches: int = 0


def _torso_angle_deg(image_xyzv: np.ndarray, size: tuple[int, int]) -> float:
    """Direction of mid-hip -> mid-shoulder in the image (degrees, 0 = up), NaN if unknown."""
    pts = image_xyzv[[11, 12, 23, 24], :2].astype(np.float64) * np.asarray(size, dtype=np.float64)
    if not np.isfinite(pts).all():
        return math.nan
    d = (pts[0] + pts[1]) / 2 - (pts[2] + pts[3]) / 2
    return math.degrees(math.atan2(float(d[0]), -float(d[1])))


class FlipGuard:
    """Rejects single implausible detections: a torso that turns over within a few frames.

    In dark or low-contrast video the pose model sometimes returns an upside-down or mirrored
    skeleton for a frame or two. A real body does not rotate its trunk by more than
    ``MAX_TURN_DEG`` in ``WINDOW_S``; such a detection is dropped (the frame counts as "nobody"
    and the smoother bridges it). If the new orientation persists for ``ACCEPT_AFTER_S`` it is
    real (the person lay down) and is accepted.
    """

    MAX_TURN_DEG = 75.0
    WINDOW_S = 0.5
    ACCEPT_AFTER_S = 0.6

    def __init__(self) -> None:
        self.angle = math.nan
        self.t_angle = math.nan
        self.t_first_reject = math.nan
        self.rejected = 0

    def accept(self, t: float, image_xyzv: np.ndarray, size: tuple[int, int]) -> bool:
        a = _torso_angle_deg(image_xyzv, size)
        if math.isnan(a):
            return True
        if math.isnan(self.angle) or t - self.t_angle > self.WINDOW_S:
            self.angle, self.t_angle, self.t_first_reject = a, t, math.nan
            return True
        turn = abs((a - self.angle + 180.0) % 360.0 - 180.0)
        if turn <= self.MAX_TURN_DEG:
            self.angle, self.t_angle, self.t_first_reject = a, t, math.nan
            return True
        if math.isnan(self.t_first_reject):
            self.t_first_reject = t
        if t - self.t_first_reject >= self.ACCEPT_AFTER_S:
            self.angle, self.t_angle, self.t_first_reject = a, t, math.nan
            return True
        self.rejected += 1
        return False


def view_of(body: Body) -> str:
    """front / side / oblique.

    With world landmarks (camera-aligned, metres): the shoulder line's turn away from the
    image plane (< 30 deg front, > 60 deg side), which a leaning trunk does not disturb.
    Otherwise from the image: shoulder width against trunk length.
    """
    if body.world_m is not None:
        v = body.world_m[11] - body.world_m[12]
        if np.isfinite(v).all() and float(np.hypot(v[0], v[2])) > 1e-6:
            turn = math.degrees(math.atan2(abs(float(v[2])), abs(float(v[0]))))
            return "front" if turn < 30.0 else ("side" if turn > 60.0 else "oblique")
    img = body.img_px
    ls, rs, lh, rh = img[11], img[12], img[23], img[24]
    ok = np.isfinite(np.stack([ls, rs, lh, rh])).all(1)
    if not ok.all():
        # One side hidden behind the other: the camera sees the person side-on.
        return "side" if (ok[0] != ok[1] and (ok[2] or ok[3])) else "unknown"
    width = float(np.linalg.norm(ls - rs))
    trunk = float(np.linalg.norm((ls + rs) / 2 - (lh + rh) / 2))
    if trunk < 1e-9:
        return "unknown"
    r = width / trunk
    return "front" if r >= 0.55 else ("side" if r <= 0.3 else "oblique")


def _metric_value(body: Body, metric: str, side: str | None, space: str = "world") -> float:
    spec = METRICS[metric]
    if not spec.sided:
        return compute(body, metric, None, space)
    if side in ("left", "right"):
        return compute(body, metric, side, space)
    vals = [compute(body, metric, s, space) for s in ("left", "right")]
    vals = [v for v in vals if not math.isnan(v)]
    return float(np.mean(vals)) if vals else math.nan


class Pipeline:
    """One exercise, one person: `step(frame)` per frame, results as `FrameResult`s."""

    def __init__(
        self,
        exercise: Exercise,
        backend: PoseBackend | None = None,
        min_visibility: float = 0.5,
        smoother: LandmarkSmoother | None = None,
        frame_size: tuple[int, int] = (640, 480),
        scorer: FormScorer | None = None,
        collect_features: list[str] | None = None,
    ) -> None:
        self.ex = exercise
        # The form scorer, if it knows this exercise; per-rep feature vectors are made for it
        # (or for training, `collect_features` = the exercise list of the model to be trained).
        self.scorer = scorer if scorer is not None and scorer.knows(exercise.id) else None
        self._feat_exercises = self.scorer.exercises if self.scorer else collect_features
        self.rep_vectors: list[np.ndarray] = []
        self.frame_size = frame_size  # for landmark frames; image frames carry their own
        self.backend = backend
        self.min_visibility = min_visibility
        self.smoother = smoother or LandmarkSmoother(min_visibility=min_visibility)
        self.person = PersonTracker()
        self.flip_guard = FlipGuard()
        self.stats = PipelineStats()
        self.last_raw = None  # (image_xyzv, world_xyz_m) of the person chosen in the last frame
        self.reps: list[RepRecord] = []
        self._trackers: dict[str, RepTracker] = {}
        d = exercise.driver
        label = "depth" if d is not None and d.direction == "decrease" else "reach"
        if exercise.kind == "reps" and d is not None:
            if d.sides == "each":
                self._trackers = {s: RepTracker(d, s, label) for s in ("left", "right")}
            else:
                self._trackers = {"both": RepTracker(d, "both", label)}
        self.hold = HoldTracker(exercise.hold) if exercise.kind == "hold" else None
        self._rule_metrics = sorted({(r.bound.metric, r.bound.side) for r in exercise.rules})
        self._history: deque[tuple[float, dict, str]] = deque()
        self._history_s = (d.max_rep_s if d else 10.0) + 2.0
        self._hold_violation: dict[str, float] = {}
        self._hold_faults: dict[str, Fault] = {}
        self._t_prev = math.nan

    # ------------------------------------------------------------------------------
    def step(self, frame: Frame) -> FrameResult:
        t = frame.t_s
        self.stats.frames += 1
        # 1. pose
        if frame.image_xyzv is not None:
            raw = frame.image_xyzv
            cand = None if not np.isfinite(raw[:, :2]).any() else PoseCandidate(raw, frame.world_xyz_m)
            n_people = 0 if cand is None else 1
        elif frame.image_bgr is not None and self.backend is not None:
            cands = self.backend.detect(frame.image_bgr, t)
            n_people = len(cands)
            cand = self.person.choose(t, cands)
            self.stats.person_switches = self.person.switches
        else:
            cand, n_people = None, 0
        # what `fitcoach record` would store for this frame (raw, before any guard or smoothing)
        self.last_raw = None if cand is None else (cand.image_xyzv, cand.world_xyz_m)
        if cand is not None and not self.flip_guard.accept(t, cand.image_xyzv, self._size(frame)):
            cand = None
            self.stats.implausible_poses = self.flip_guard.rejected
        if n_people:
            self.stats.frames_with_person += 1
        if n_people > 1:
            self.stats.frames_multi_person += 1
        # 2. smoothing (fills short gaps, flags predicted points)
        sm = self.smoother.step(
            t, None if cand is None else cand.image_xyzv, None if cand is None else cand.world_xyz_m
        )
        has_body = bool(np.isfinite(sm.image_xyzv[:, 0]).any())
        body = Body.from_landmarks(sm.image_xyzv, self._size(frame), sm.world_xyz_m, self.min_visibility) if has_body else None
        # 3. driver, reps / hold
        new: list[RepRecord] = []
        driver_value = math.nan
        phase = "rest"
        if self.ex.kind == "reps" and self.ex.driver is not None:
            d = self.ex.driver
            values = self._driver_values(body)
            if d.sides == "each":
                for s, tr in self._trackers.items():
                    ev = tr.step(t, values[s][0], s)
                    if ev is not None:
                        new.append(self._finish(ev))
                finite = [v for v, _ in values.values() if not math.isnan(v)]
                driver_value = float(np.mean(finite)) if finite else math.nan
                phases = [tr.phase() for tr in self._trackers.values()]
                phase = next((p for p in phases if p != "top"), "top")
            else:
                driver_value, side = values["both"]
                ev = self._trackers["both"].step(t, driver_value, side)
                if ev is not None:
                    new.append(self._finish(ev))
                phase = self._trackers["both"].phase()
        if body is not None:
            self._remember(t, body)
        if self.hold is not None:
            vals = {c.metric: (_metric_value(body, c.metric, c.side) if body else math.nan) for c in self.hold.conditions}
            ok = self.hold.step(t, vals)
            phase = "hold" if ok else "rest"
            self._hold_rules(t, body)
        status = "ok"
        if cand is None and not has_body:
            status = "no_person"
        elif (self.ex.kind == "reps" and math.isnan(driver_value)) or (
            self.hold is not None and body is not None and any(
                math.isnan(_metric_value(body, c.metric, c.side)) for c in self.hold.conditions)
        ):
            status = "body_not_visible"
            self.stats.frames_body_not_visible += 1
        self.stats.ignored_movements = sum(tr.ignored for tr in self._trackers.values())
        self.stats.abandoned_reps = sum(tr.abandoned for tr in self._trackers.values())
        self.reps.extend(new)
        full = sum(1 for r in self.reps if not r.partial)
        return FrameResult(
            index=frame.index,
            t_s=t,
            status=status,
            n_people=n_people,
            image_xyzv=sm.image_xyzv if has_body else None,
            predicted=sm.predicted if has_body else None,
            driver_value=driver_value,
            phase=phase,
            reps=full,
            partial_reps=len(self.reps) - full,
            hold_s=self.hold.hold_s if self.hold else 0.0,
            new_reps=tuple(new),
            active_faults=tuple(sorted(k for k, v in self._hold_violation.items() if v > 0)),
        )

    def finish(self) -> list[RepRecord]:
        """End of input: finish a rep that was counted but had not settled yet."""
        new = []
        for tr in self._trackers.values():
            ev = tr.flush()
            if ev is not None:
                new.append(self._finish(ev))
        new.sort(key=lambda r: r.t_start_s)
        new = [replace(r, index=len(self.reps) + 1 + k) for k, r in enumerate(new)]
        self.reps.extend(new)
        self.stats.abandoned_reps = sum(tr.abandoned for tr in self._trackers.values())
        return new

    def _size(self, frame: Frame) -> tuple[int, int]:
        if frame.image_bgr is not None:
            return frame.image_bgr.shape[1], frame.image_bgr.shape[0]
        return self.frame_size

    # ------------------------------------------------------------------------------
    def _driver_values(self, body: Body | None) -> dict[str, tuple[float, str]]:
        d = self.ex.driver
        assert d is not None
        if body is None:
            nan = (math.nan, "both")
            return {"left": nan, "right": nan, "both": nan}
        left = compute(body, d.metric, "left", d.space) if METRICS[d.metric].sided else math.nan
        right = compute(body, d.metric, "right", d.space) if METRICS[d.metric].sided else math.nan
        if not METRICS[d.metric].sided:
            v = compute(body, d.metric, None, d.space)
            return {"left": (v, "both"), "right": (v, "both"), "both": (v, "both")}
        out = {"left": (left, "left"), "right": (right, "right")}
        pairs = [(v, s) for v, s in ((left, "left"), (right, "right")) if not math.isnan(v)]
        if d.side_metric is not None and len(pairs) == 2:
            # e.g. a lunge: the front leg is the one with the more flexed hip; its knee is the depth
            sl = compute(body, d.side_metric, "left", d.space)
            sr = compute(body, d.side_metric, "right", d.space)
            if not (math.isnan(sl) or math.isnan(sr)):
                pick = "left" if sl <= sr else "right"
                out["both"] = (left if pick == "left" else right, pick)
                return out
        if not pairs:
            out["both"] = (math.nan, "both")
        elif d.combine == "mean":
            out["both"] = (float(np.mean([v for v, _ in pairs])), "both")
        elif d.combine == "min":
            out["both"] = min(pairs)
        else:
            out["both"] = max(pairs)
        return out

    def _remember(self, t: float, body: Body) -> None:
        vals = {}
        for metric, side in self._rule_metrics:
            for s in (("left", "right") if METRICS[metric].sided and side is None else (side,)):
                vals[(metric, s)] = compute(body, metric, s)
        feats = frame_features(body) if self._feat_exercises is not None else None
        self._history.append((t, vals, view_of(body), feats))
        while self._history and t - self._history[0][0] > self._history_s:
            self._history.popleft()

    def _finish(self, ev: RepEvent) -> RepRecord:
        frames = [h for h in self._history if ev.t_start_s - 1e-9 <= h[0] <= ev.t_end_s + 1e-9]
        views = [h[2] for h in frames if h[2] != "unknown"]
        view = max(set(views), key=views.count) if views else "unknown"
        rs = None
        if self._feat_exercises is not None:
            vec = rep_vector(np.array([h[0] for h in frames]), np.array([h[3] for h in frames]).reshape(-1, N_FRAME),
                             view, self.ex.id, self._feat_exercises)
            self.rep_vectors.append(vec)
            if self.scorer is not None:
                rs = self.scorer.score(vec, self.ex.id)
        faults = []
        for rule in self.ex.rules:
            judged = view in rule.views or view == "unknown"
            f = self._judge_rule(rule, ev, frames) if judged else None
            p = rs.fault_p.get(rule.id) if rs is not None else None
            if f is not None:
                faults.append(replace(f, source="rule+model" if p is not None and p >= 0.5 else "rule",
                                      confidence=model_confidence(p)))
            elif p is not None and p >= MODEL_ONLY_P:
                worst = self._worst_value(rule, ev, frames)
                unit = METRICS[rule.bound.metric].unit
                faults.append(Fault(rule.id, rule.message.en, worst, rule.bound.target_text(unit), unit,
                                    source="model", confidence=model_confidence(p)))
        if ev.partial and ev.partial_reason:
            d = self.ex.driver
            assert d is not None
            cmp = "≤" if d.direction == "decrease" else "≥"
            unit = d.unit
            p = rs.fault_p.get(PARTIAL_FAULT) if rs is not None else None
            faults.insert(0, Fault("incomplete_range", f"Partial rep: {ev.partial_reason}", round(ev.extreme, 1),
                                   f"{cmp} {d.target:g}{'°' if unit == 'deg' else ''}", unit,
                                   source="rule+model" if p is not None and p >= 0.5 else "rule",
                                   confidence=model_confidence(p)))
        return RepRecord(
            index=len(self.reps) + 1,
            side=ev.side,
            t_start_s=ev.t_start_s,
            t_end_s=ev.t_end_s,
            partial=ev.partial,
            partial_reason=ev.partial_reason,
            rom_min=ev.rom_min,
            rom_max=ev.rom_max,
            tempo_down=ev.tempo.down,
            tempo_bottom=ev.tempo.bottom,
            tempo_up=ev.tempo.up,
            tempo_top=ev.tempo.top,
            faults=tuple(faults),
            view=view,
            score=rs.score if rs is not None else None,
        )

    def _worst_value(self, rule: Rule, ev: RepEvent, frames: list) -> float | None:
        """The rule metric's value furthest toward violation during the rule's phase."""
        lo, hi = self._phase_window(rule.phase, ev)
        side = rule.bound.side or (ev.side if ev.side in ("left", "right") else None)
        vals = [_pick(h[1], rule.bound.metric, side) for h in frames if lo - 1e-9 <= h[0] <= hi + 1e-9]
        vals = [v for v in vals if not math.isnan(v)]
        if not vals:
            return None
        b = rule.bound
        v = max(vals) if b.max is not None and (b.min is None or max(vals) - b.max > b.min - min(vals)) else min(vals)
        return round(float(v), 3 if METRICS[rule.bound.metric].unit == "ratio" else 1)

    @staticmethod
    def _phase_window(phase: str, ev: RepEvent) -> tuple[float, float]:
        return {
            "out": (ev.t_start_s, ev.t_reach_s),
            "bottom": (ev.t_reach_s, ev.t_leave_s),
            "return": (ev.t_leave_s, ev.t_end_s),
            "rep": (ev.t_start_s, ev.t_end_s),
        }[phase]

    def _judge_rule(self, rule: Rule, ev: RepEvent, frames: list) -> Fault | None:
        lo, hi = self._phase_window(rule.phase, ev)
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

    def _hold_rules(self, t: float, body: Body | None) -> None:
        dt = 0.0 if math.isnan(self._t_prev) else min(t - self._t_prev, 0.25)
        self._t_prev = t
        if self.hold is None or not self.hold.in_position or body is None:
            for k in self._hold_violation:
                self._hold_violation[k] = 0.0
            return
        for rule in self.ex.rules:
            v = _metric_value(body, rule.bound.metric, rule.bound.side)
            if rule.bound.violated(v):
                self._hold_violation[rule.id] = self._hold_violation.get(rule.id, 0.0) + dt
                if self._hold_violation[rule.id] >= rule.persistence_s:
                    unit = METRICS[rule.bound.metric].unit
                    prev = self._hold_faults.get(rule.id)
                    worst = v if prev is None else _worse(rule.bound, prev.measured, v)
                    total = (prev.duration_s if prev else rule.persistence_s - dt) + dt
                    self._hold_faults[rule.id] = Fault(rule.id, rule.message.en, round(float(worst), 3),
                                                       rule.bound.target_text(unit), unit, round(total, 3))
            else:
                self._hold_violation[rule.id] = 0.0

    @property
    def hold_faults(self) -> list[Fault]:
        return [self._hold_faults[k] for k in sorted(self._hold_faults)]


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


