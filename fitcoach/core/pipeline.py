"""The per-frame pipeline: landmarks -> smoothing -> metrics -> reps, holds and form rules.

`Pipeline.step(frame)` is one pure step per frame and runs on the analysis thread (the thread
that created the pose backend). It never reads the clock: time comes in with the frame.
Per frame: the person (`_person`: pose backend, `PersonTracker`, `orientation.FlipGuard`), the
smoother, the body's metrics (`measures.Measures`: each value computed once per frame), the
driver signals and rep trackers (`_count`, `driver_choice`), the history a finished rep is
judged from (`_remember`; `judging`), the hold and its rules. Cost of our own stages: about
0.3-0.6 ms per frame (bench/bench_pipeline.py, "our stages").
"""

from __future__ import annotations

import math
from collections import deque
from dataclasses import dataclass, replace

import numpy as np

from fitcoach.core.driver_choice import DriverChooser, driver_values, signal_value
from fitcoach.core.exercises import Driver, Exercise
from fitcoach.core.features import N_FRAME, frame_features, rep_vector
from fitcoach.core.filters import LandmarkSmoother
from fitcoach.core.frame import Frame
from fitcoach.core.judging import Fault, HoldJudge, RepRecord, rep_faults
from fitcoach.core.measures import Measures
from fitcoach.core.metrics import METRICS, Body
from fitcoach.core.orientation import FlipGuard, view_of
from fitcoach.core.people import PersonTracker, PoseBackend, PoseCandidate
from fitcoach.core.reps import AdaptiveRepTracker, HoldTracker, RepEvent, RepTracker
from fitcoach.core.scorer import FormScorer

__all__ = ["DriverChooser", "Fault", "FlipGuard", "FrameResult", "Pipeline", "PipelineStats", "RepRecord",
           "view_of"]


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
        self._hold_judge = HoldJudge(exercise.rules)
        self._rule_metrics = sorted({(r.bound.metric, r.bound.side) for r in exercise.rules})
        # what a finished rep is judged from: (t_s, rule metric values, view, frame features)
        self._history: deque[tuple[float, dict, str, np.ndarray | None]] = deque()
        self._history_s = (d.max_rep_s if d else 10.0) + 2.0
        self._pending_both = False  # the rep being finished is a bilateral one (see _absorbed)

    # ------------------------------------------------------------------------------
    def step(self, frame: Frame) -> FrameResult:
        """One frame: who is there, their smoothed landmarks, reps / hold, and the frame's result."""
        t = frame.t_s
        self.stats.frames += 1
        cand, n_people = self._person(frame)
        sm = self.smoother.step(
            t, None if cand is None else cand.image_xyzv, None if cand is None else cand.world_xyz_m
        )
        has_body = bool(np.isfinite(sm.image_xyzv[:, 0]).any())
        body = Body.from_landmarks(sm.image_xyzv, self._size(frame), sm.world_xyz_m, self.min_visibility) if has_body else None
        m = Measures(body) if body is not None else None
        new: list[RepRecord] = []
        driver_value, phase = math.nan, "rest"
        if self.ex.kind == "reps" and self._drivers:
            driver_value, phase = self._count(t, m, new)
        if body is not None:
            self._remember(t, body, m)
        if self.hold is not None:
            vals = {c.metric: (m.either_side(c.metric, c.side) if m else math.nan) for c in self.hold.conditions}
            phase = "hold" if self.hold.step(t, vals) else "rest"
            self._hold_judge.step(t, self.hold.in_position, m)
        status = self._status(cand is not None or has_body, driver_value, m)
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
            active_faults=self._hold_judge.active,
        )

    def finish(self) -> list[RepRecord]:
        """End of input: finish a rep that was counted but had not settled yet."""
        new = []
        active = self.chooser.active
        for k, (d, trackers) in enumerate(self._drivers):
            for s, tr in trackers.items():
                ev = tr.flush()
                if ev is not None and k == active and not self._absorbed(s, ev, trackers) and not self._overlaps_last(ev):
                    new.append(self._finish(ev, d))
        new.sort(key=lambda r: r.t_start_s)
        new = [replace(r, index=len(self.reps) + 1 + k) for k, r in enumerate(new)]
        self.reps.extend(new)
        self.stats.abandoned_reps = sum(tr.abandoned for _, trs in self._drivers[:1] for tr in trs.values())
        return new

    @property
    def hold_faults(self) -> list[Fault]:
        """The timed hold's faults so far (empty for a rep exercise)."""
        return self._hold_judge.faults

    # ------------------------------------------------------------------------------
    def _person(self, frame: Frame) -> tuple[PoseCandidate | None, int]:
        """The exerciser's raw landmarks on this frame (None: nobody, or an implausible pose) and
        how many people the backend saw."""
        t = frame.t_s
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
        return cand, n_people

    def _status(self, someone: bool, driver_value: float, m: Measures | None) -> str:
        """"ok", "no_person" or "body_not_visible" (what the exercise needs cannot be measured)."""
        if not someone:
            return "no_person"
        if (self.ex.kind == "reps" and math.isnan(driver_value)) or (
            self.hold is not None and m is not None
            and any(math.isnan(m.either_side(c.metric, c.side)) for c in self.hold.conditions)
        ):
            self.stats.frames_body_not_visible += 1
            return "body_not_visible"
        return "ok"

    def _count(self, t: float, m: Measures | None, new: list[RepRecord]) -> tuple[float, str]:
        """Step every driver's rep trackers; reps finished on the chosen signal go to `new` and
        `self.reps`. Returns the chosen signal's value and phase."""
        shown = []
        for k, (d, trackers) in enumerate(self._drivers):
            values = driver_values(m, d)
            value = signal_value(d, values)
            self.chooser.observe(k, t, value)
            shown.append((value, trackers, values))
        before = self.chooser.active
        active = self.chooser.choose(t)
        if active != before:
            self._switched(t, active, new)
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
                new.append(self._finish(ev, d))
                self.reps.append(new[-1])
        driver_value, trackers, _ = shown[active]
        phases = [tr.phase() for tr in trackers.values()]
        return driver_value, next((p for p in phases if p != "top"), "top")

    def _switched(self, t: float, active: int, new: list[RepRecord]) -> None:
        """The chooser moved to signal `active`: the reps it saw just before the switch count."""
        for ev, _s, _trackers in self._unused[active]:
            if t - ev.t_end_s <= DriverChooser.WINDOW_S and not self._overlaps_last(ev, any_driver=True):
                new.append(self._finish(ev, self._drivers[active][0]))
                self.reps.append(new[-1])
        self._unused = [[] for _ in self._drivers]

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
    def _remember(self, t: float, body: Body, m: Measures) -> None:
        """Keep what a rep finishing later is judged from; forget what no rep can reach."""
        vals = {}
        for metric, side in self._rule_metrics:
            for s in (("left", "right") if METRICS[metric].sided and side is None else (side,)):
                vals[(metric, s)] = m(metric, s)
        feats = frame_features(body, m) if self._feat_exercises is not None else None
        self._history.append((t, vals, view_of(body), feats))
        while self._history and t - self._history[0][0] > self._history_s:
            self._history.popleft()

    def _finish(self, ev: RepEvent, d: Driver | None = None) -> RepRecord:
        """The record of a finished rep (counted on driver `d`): its view, score and faults."""
        frames = [h for h in self._history if ev.t_start_s - 1e-9 <= h[0] <= ev.t_end_s + 1e-9]
        views = [h[2] for h in frames if h[2] != "unknown"]
        view = max(set(views), key=views.count) if views else "unknown"
        rs, why = self._score(frames, view)
        d = d or self.ex.driver
        faults = rep_faults(self.ex, ev, frames, view, rs, d)
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
            driver=d.metric if d is not None else None,
        )

    def _score(self, frames: list, view: str):
        """The form scorer's verdict on a rep and its reasons ((None, ()) without a scorer); the
        rep's feature vector is kept in `rep_vectors` (also for training)."""
        if self._feat_exercises is None:
            return None, ()
        vec = rep_vector(np.array([h[0] for h in frames]), np.array([h[3] for h in frames]).reshape(-1, N_FRAME),
                         view, self.ex.id, self._feat_exercises)
        self.rep_vectors.append(vec)
        if self.scorer is None:
            return None, ()
        why = self.scorer.reasons(vec, self.ex.id, view) if hasattr(self.scorer, "reasons") else ()
        return self.scorer.score(vec, self.ex.id), why
