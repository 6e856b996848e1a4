"""The per-frame pipeline: landmarks -> smoothing -> metrics -> reps, holds and form rules.

`Pipeline.step(frame)` is one pure step per frame and runs on the analysis thread (the thread
that created the pose backend). It never reads the clock: time comes in with the frame.
Cost of our own stages is ~0.1-0.3 ms per frame (see bench/bench_pipeline.py).
"""

from __future__ import annotations

import math
from collections import deque
from dataclasses import dataclass, replace

import numpy as np

from fitcoach.core.exercises import VIEWS, Bound, Driver, Exercise, Rule
from fitcoach.core.filters import LandmarkSmoother
from fitcoach.core.metrics import METRICS, Body, compute
from fitcoach.core.people import PersonTracker, PoseBackend, PoseCandidate
from fitcoach.core.features import N_FRAME, frame_features, rep_vector
from fitcoach.core.reps import AdaptiveRepTracker, HoldTracker, RepEvent, RepTracker  # noqa: F401
from fitcoach.core.scorer import MODEL_ONLY_P, PARTIAL_FAULT, FormScorer, model_confidence
from fitcoach.core.frame import Frame


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


class DriverChooser:
    """Which of an exercise's driver signals to count on: the file's own, unless it cannot be
    seen or barely moves in this camera's view while an alternative signal clearly moves.

    Each signal's quality over the last ``WINDOW_S`` is the fraction of frames where it is known
    times its movement (10th-90th percentile spread) in units of its expected excursion
    ``|rest - target|`` (capped at 1). The file's signal keeps the lead unless an alternative's
    quality is above ``MIN_QUALITY`` and ``SWITCH_RATIO`` times the current one; the same margin
    is needed to switch back, so the choice does not flicker. Cheap: re-evaluated every
    ``EVERY`` frames on at most a few hundred values per signal.
    """

    WINDOW_S = 4.0
    MIN_QUALITY = 0.3
    SWITCH_RATIO = 2.0
    EVERY = 10

    def __init__(self, drivers: list) -> None:
        self.drivers = drivers
        self.active = 0
        self._win: list[deque] = [deque() for _ in drivers]
        self._n = 0
        self.switches = 0

    def observe(self, k: int, t: float, value: float) -> None:
        w = self._win[k]
        w.append((t, value))
        while w and t - w[0][0] > self.WINDOW_S:
            w.popleft()

    def quality(self, k: int) -> float:
        w = self._win[k]
        if not w:
            return 0.0
        vals = np.array([v for _, v in w], dtype=float)
        ok = vals[np.isfinite(vals)]
        if len(ok) < 5:
            return 0.0
        d = self.drivers[k]
        spread = float(np.percentile(ok, 90) - np.percentile(ok, 10))
        return (len(ok) / len(vals)) * min(1.0, spread / max(abs(d.rest - d.target), 1e-9))

    def choose(self, t: float) -> int:
        if len(self.drivers) < 2:
            return 0
        self._n += 1
        if self._n % self.EVERY:
            return self.active
        q = [self.quality(k) for k in range(len(self.drivers))]
        best = max(range(len(q)), key=lambda k: (q[k], -k))
        if best != self.active and q[best] >= self.MIN_QUALITY and q[best] >= self.SWITCH_RATIO * q[self.active]:
            self.active = best
            self.switches += 1
        return self.active


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
        self._drivers: list[tuple[Driver, dict[str, AdaptiveRepTracker]]] = []
        if exercise.kind == "reps" and d is not None:
            pause = exercise.tempo.bottom if exercise.tempo is not None else 0.5
            for k, drv in enumerate((d, *d.alternatives)):
                lab = label if k == 0 else ("depth" if drv.direction == "decrease" else "reach")
                sides = ("left", "right") if drv.sides == "each" else ("both",)
                self._drivers.append((drv, {s: AdaptiveRepTracker(drv, s, lab, pause) for s in sides}))
            self._trackers = self._drivers[0][1]
        self.chooser = DriverChooser([drv for drv, _ in self._drivers])
        self._unused: list[list] = [[] for _ in self._drivers]  # recent reps of signals not chosen
        self.hold = HoldTracker(exercise.hold) if exercise.kind == "hold" else None
        self._rule_metrics = sorted({(r.bound.metric, r.bound.side) for r in exercise.rules})
        self._history: deque[tuple[float, dict, str]] = deque()
        self._history_s = (d.max_rep_s if d else 10.0) + 2.0
        self._hold_violation: dict[str, float] = {}
        self._hold_faults: dict[str, Fault] = {}
        self._t_prev = math.nan
        self._pending_both = False  # the rep being finished is a bilateral one (see _absorbed)

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
        if self.ex.kind == "reps" and self._drivers:
            shown = []
            for k, (d, trackers) in enumerate(self._drivers):
                values = self._driver_values(body, d)
                if d.sides == "each":
                    finite = [v for v, _ in (values["left"], values["right"]) if not math.isnan(v)]
                    value = float(np.mean(finite)) if finite else math.nan
                else:
                    value = values["both"][0]
                self.chooser.observe(k, t, value)
                shown.append((value, trackers, values))
            before = self.chooser.active
            active = self.chooser.choose(t)
            if active != before:  # reps the newly chosen signal saw before the switch
                for ev, s_, trackers_ in self._unused[active]:
                    if t - ev.t_end_s <= DriverChooser.WINDOW_S and not self._overlaps_last(ev, any_driver=True):
                        new.append(self._finish(ev, self._drivers[active][0], active))
                        self.reps.append(new[-1])
                self._unused = [[] for _ in self._drivers]
            for k, (d, trackers) in enumerate(self._drivers):
                values = shown[k][2]  # computed once per frame and driver, above
                for s, tr in trackers.items():
                    v, side = values[s]
                    ev = tr.step(t, v, s if d.sides == "each" else side)
                    if ev is None:
                        continue
                    if k != active:
                        if len(self._drivers) > 1:
                            self._unused[k] = [u for u in self._unused[k] if t - u[0].t_end_s <= DriverChooser.WINDOW_S]
                            self._unused[k].append((ev, s, trackers))
                        continue
                    if self._absorbed(s, ev, trackers) or self._overlaps_last(ev):
                        continue
                    new.append(self._finish(ev, d, k))
                    self.reps.append(new[-1])
            driver_value, trackers, _ = shown[active]
            phases = [tr.phase() for tr in trackers.values()]
            phase = next((p for p in phases if p != "top"), "top")
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
        self.stats.ignored_movements = sum(tr.ignored for _, trs in self._drivers[:1] for tr in trs.values())
        self.stats.abandoned_reps = sum(tr.abandoned for _, trs in self._drivers[:1] for tr in trs.values())
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
        active = self.chooser.active
        for k, (d, trackers) in enumerate(self._drivers):
            for s, tr in trackers.items():
                ev = tr.flush()
                if ev is not None and k == active and not self._absorbed(s, ev, trackers) and not self._overlaps_last(ev):
                    new.append(self._finish(ev, d, k))
        new.sort(key=lambda r: r.t_start_s)
        new = [replace(r, index=len(self.reps) + 1 + k) for k, r in enumerate(new)]
        self.reps.extend(new)
        self.stats.abandoned_reps = sum(tr.abandoned for _, trs in self._drivers[:1] for tr in trs.values())
        return new

    def _overlaps_last(self, ev: RepEvent, any_driver: bool = False) -> bool:
        """A rep another driver signal already reported (the chooser switched mid-rep)."""
        if not self.reps or (len(self._drivers) < 2 and not any_driver):
            return False
        last = self.reps[-1]
        overlap = min(last.t_end_s, ev.t_end_s) - max(last.t_start_s, ev.t_start_s)
        return overlap >= 0.5 * max(min(ev.t_end_s - ev.t_start_s, last.t_end_s - last.t_start_s), 1e-6)

    def _absorbed(self, side: str, ev: RepEvent, trackers: dict) -> bool:
        """Both arms (or legs) at once are one rep; one side after the other counts each side.

        An exercise tracked per side (`sides = "each"`) can be done either way, whatever its file
        says, so the tracker tells them apart from the movement: when one side finishes a rep
        while the other side is out on a rep that began within the same cycle, the two are one
        bilateral rep (side "both"), and the other side's rep is dropped when it finishes. A rep
        that finishes overlapping most of a rep the other side already reported is dropped too.
        """
        other_side = "right" if side == "left" else "left"
        other = trackers.get(other_side)
        if other is None:
            return False
        tracker = trackers[side]
        if tracker.absorb_next:  # its partner finished this same cycle already, as "both"
            tracker.absorb_next = False
            return True
        dur = max(ev.t_end_s - ev.t_start_s, 1e-6)
        if other.state in ("out", "settle") and other._buf_t:
            started = other._buf_t[0]
            if abs(started - ev.t_start_s) < 0.5 * dur:
                other.absorb_next = True
                self._pending_both = True
                return False
        last = next((r for r in reversed(self.reps) if r.side == other_side), None)
        if last is not None:
            overlap = min(last.t_end_s, ev.t_end_s) - max(last.t_start_s, ev.t_start_s)
            if overlap >= 0.5 * min(dur, last.t_end_s - last.t_start_s):
                return True
        return False

    def _size(self, frame: Frame) -> tuple[int, int]:
        if frame.image_bgr is not None:
            return frame.image_bgr.shape[1], frame.image_bgr.shape[0]
        return self.frame_size

    # ------------------------------------------------------------------------------
    def _driver_values(self, body: Body | None, d: Driver) -> dict[str, tuple[float, str]]:
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

    def _finish(self, ev: RepEvent, d: Driver | None = None, k: int = 0) -> RepRecord:
        frames = [h for h in self._history if ev.t_start_s - 1e-9 <= h[0] <= ev.t_end_s + 1e-9]
        views = [h[2] for h in frames if h[2] != "unknown"]
        view = max(set(views), key=views.count) if views else "unknown"
        rs, why = None, ()
        if self._feat_exercises is not None:
            vec = rep_vector(np.array([h[0] for h in frames]), np.array([h[3] for h in frames]).reshape(-1, N_FRAME),
                             view, self.ex.id, self._feat_exercises)
            self.rep_vectors.append(vec)
            if self.scorer is not None:
                rs = self.scorer.score(vec, self.ex.id)
                why = self.scorer.reasons(vec, self.ex.id, view) if hasattr(self.scorer, "reasons") else ()
        faults = []
        for rule in self.ex.rules:
            # A rule made for some views only (knee valgus: front) is judged only when the rep was
            # seen from one of them; a view we could not tell is judged by view-independent rules.
            # This holds for the model too: its probability is no verdict where the rule cannot see.
            judged = view in rule.views or (view == "unknown" and set(rule.views) >= set(VIEWS))
            f = self._judge_rule(rule, ev, frames) if judged else None
            p = rs.fault_p.get(rule.id) if rs is not None else None
            if f is not None:
                faults.append(replace(f, source="rule+model" if p is not None and p >= 0.5 else "rule",
                                      confidence=model_confidence(p)))
            elif judged and p is not None and p >= MODEL_ONLY_P:
                worst = self._worst_value(rule, ev, frames)
                unit = METRICS[rule.bound.metric].unit
                faults.append(Fault(rule.id, rule.message.en, worst, rule.bound.target_text(unit), unit,
                                    source="model", confidence=model_confidence(p)))
        if not ev.reached_target or ev.partial:
            d = d or self.ex.driver
            assert d is not None
            cmp = "≤" if d.direction == "decrease" else "≥"
            unit = d.unit
            p = rs.fault_p.get(PARTIAL_FAULT) if rs is not None else None
            text = f"Partial rep: {ev.partial_reason}" if ev.partial else f"Short of the target: {ev.target_reason}"
            faults.insert(0, Fault("incomplete_range", text, round(ev.extreme, 1),
                                   f"{cmp} {d.target:g}{'°' if unit == 'deg' else ''}", unit,
                                   source="rule+model" if p is not None and p >= 0.5 else "rule",
                                   confidence=model_confidence(p)))
        side = ev.side
        if self._pending_both:
            side, self._pending_both = "both", False
        return RepRecord(
            index=len(self.reps) + 1,
            side=side,
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
            score_reasons=why,
            score_basis=getattr(rs, "basis", None),
            reached_target=ev.reached_target,
            driver=(d or self.ex.driver).metric if (d or self.ex.driver) is not None else None,
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


