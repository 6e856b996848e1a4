"""A guided workout: countdown, sets of reps (or holds) against a prescription, rest between sets.

`Workout` is a state machine driven by the pipeline's `FrameResult`s and their frame time, so a
replayed recording gives the same sets, rests and saved reps every run and tests need no clock:

    waiting --(whole body visible)--> countdown --(countdown_s)--> set k
    set k --(reps or hold reached, or end_set())--> rest --(rest_s)--> set k+1 ... --> done

Reps completed during the countdown or a rest are not credited (the person is getting ready);
they stay in the pipeline's analysis, but nothing about them is counted, spoken or saved:
`coach_view(res)` is the frame as the cue engine must see it. Credited reps are numbered within
their set (the `index` of each set's reps starts at 1; the pipeline's own numbering runs over
the whole file). Every change is returned as an `Event` for the caller to save
(`SessionRecorder`) and to speak (`CueEngine.session_event`); `summary()` is the end-of-session
report. Nothing here imports Qt.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field, replace

import numpy as np

from fitcoach.core.exercises import Exercise, Tempo
from fitcoach.core.pipeline import FrameResult, RepRecord
from fitcoach.i18n.faults import fault_name

PARTIAL_FAULT = "incomplete_range"  # a short rep: not a rule of the exercise file

COUNTDOWN_S = 3.0


@dataclass(frozen=True)
class Prescription:
    """What to do: sets of `reps` (or `hold_s` seconds), rest, tempo and the angles that matter."""

    sets: int = 3
    reps: int | None = 10
    hold_s: float | None = None
    rest_s: float = 60.0
    tempo: Tempo | None = None
    target: float | None = None  # driver angle a full rep must reach
    safe_min: float | None = None  # physiotherapist's safe range (driver angle)
    safe_max: float | None = None

    @classmethod
    def for_exercise(cls, ex: Exercise, sets: int = 3, reps: int = 10, hold_s: float = 30.0,
                     rest_s: float = 60.0) -> "Prescription":
        if ex.kind == "hold":
            return cls(sets=sets, reps=None, hold_s=hold_s, rest_s=rest_s)
        return cls(sets=sets, reps=reps, rest_s=rest_s, tempo=ex.tempo,
                   target=ex.driver.target if ex.driver else None, safe_min=ex.safe_min, safe_max=ex.safe_max)

    @classmethod
    def from_program_item(cls, item, ex: Exercise) -> "Prescription":
        """A `programs.ProgramItem`; what it leaves out comes from the exercise file."""
        base = cls.for_exercise(ex, sets=item.sets, rest_s=item.rest_s)
        tempo = base.tempo
        if item.tempo:
            tempo = Tempo(*(float(v) for v in item.tempo.split("-")))
        return replace(base, reps=item.reps if ex.kind == "reps" else None,
                       hold_s=item.hold_s if ex.kind == "hold" else None, tempo=tempo,
                       target=item.target if item.target is not None else base.target,
                       safe_min=item.safe_min if item.safe_min is not None else base.safe_min,
                       safe_max=item.safe_max if item.safe_max is not None else base.safe_max)

    @classmethod
    def from_plan_item(cls, item: dict, ex: Exercise) -> "Prescription":
        """An item of `planner.plan_next(...)["items"]`."""
        base = cls.for_exercise(ex, sets=int(item.get("sets", 3)), rest_s=float(item.get("rest_s", 60.0)))
        tempo = Tempo(*(float(v) for v in item["tempo"].split("-"))) if item.get("tempo") else base.tempo
        lo, hi = item.get("safe_range_deg") or (base.safe_min, base.safe_max)
        return replace(base, reps=item.get("reps") if ex.kind == "reps" else None,
                       hold_s=item.get("hold_s") if ex.kind == "hold" else None, tempo=tempo,
                       target=item.get("target_rom_deg", base.target), safe_min=lo, safe_max=hi)

    def apply(self, ex: Exercise) -> Exercise:
        """The exercise as this prescription asks for it: its target depth, tempo and safe range
        are what the pipeline judges and the cue engine enforces."""
        driver = ex.driver
        if driver is not None and self.target is not None:
            driver = replace(driver, target=float(self.target))
        return replace(ex, driver=driver, tempo=self.tempo or ex.tempo, safe_min=self.safe_min,
                       safe_max=self.safe_max)


@dataclass(frozen=True)
class Event:
    kind: str  # "countdown", "set_start", "rep", "set_end", "rest", "done"
    t_s: float
    set_index: int = 0
    rep: RepRecord | None = None
    achieved: int = 0
    seconds: float = 0.0


@dataclass
class SetLog:
    index: int
    t_start_s: float
    t_end_s: float | None = None
    reps: list[RepRecord] = field(default_factory=list)
    hold_s: float = 0.0

    @property
    def full_reps(self) -> int:
        return sum(1 for r in self.reps if not r.partial)


@dataclass(frozen=True)
class RepRef:
    """One credited rep: its set and its number within that set (both from 1)."""

    set_index: int
    index: int
    score: float | None


@dataclass(frozen=True)
class FaultTip:
    """A fault seen in the session: on how many reps, what it is and what to do about it (the
    rule's cue from the exercise file)."""

    id: str
    reps: int
    message: str
    tip: str


@dataclass(frozen=True)
class WorkoutSummary:
    """The end of a session: sets x reps (or seconds held), best and worst rep by score, faults."""

    prescribed_sets: int
    goal: float  # reps per set, or seconds per hold
    unit: str  # "reps" or "s"
    achieved: tuple[int, ...]  # per set done: full reps, or whole seconds held
    partial: tuple[int, ...]  # per set: partial reps
    best: RepRef | None  # None without scores (no scorer) or without reps
    worst: RepRef | None
    faults: tuple[FaultTip, ...]  # most frequent first

    @property
    def sets_done(self) -> int:
        return len(self.achieved)


class Workout:
    def __init__(self, prescription: Prescription, countdown_s: float = COUNTDOWN_S) -> None:
        self.p = prescription
        self.countdown_s = countdown_s
        self.state = "waiting"
        self.sets: list[SetLog] = []
        self._since = math.nan  # when the current countdown / rest began
        self._hold_base = 0.0
        self._last_t = 0.0
        # the last observed frame, for coach_view(): the reps it credited (renumbered within the
        # set), and whether a set was running during it (true on the frame that ends a set)
        self._frame_reps: tuple[RepRecord, ...] = ()
        self._frame_in_set = False
        self._frame_full = 0

    # -- queries for the HUD -------------------------------------------------------------------
    @property
    def set_index(self) -> int:
        return len(self.sets)

    @property
    def current(self) -> SetLog | None:
        return self.sets[-1] if self.sets and self.state == "set" else None

    def remaining_s(self, t_s: float | None = None) -> float:
        """Seconds left in the countdown or rest (0 in other states)."""
        t = self._last_t if t_s is None else t_s
        if self.state == "countdown":
            return max(0.0, self.countdown_s - (t - self._since))
        if self.state == "rest":
            return max(0.0, self.p.rest_s - (t - self._since))
        return 0.0

    def progress(self) -> tuple[float, float]:
        """(done, goal) of the current (or last) set: full reps, or seconds held."""
        s = self.sets[-1] if self.sets else None
        if self.p.hold_s is not None:
            return (s.hold_s if s else 0.0), float(self.p.hold_s)
        return float(s.full_reps if s else 0), float(self.p.reps or 0)

    # -- driving it -----------------------------------------------------------------------------
    def observe(self, res: FrameResult) -> list[Event]:
        t = res.t_s
        self._last_t = t
        self._frame_reps, self._frame_in_set = (), False
        out: list[Event] = []
        if self.state == "waiting":
            if res.status == "ok":
                self.state, self._since = "countdown", t
                out.append(Event("countdown", t, 1, seconds=self.countdown_s))
        if self.state == "countdown" and t - self._since >= self.countdown_s:
            out.append(self._start_set(t, res))
        elif self.state == "rest" and t - self._since >= self.p.rest_s:
            out.append(self._start_set(t, res))
        elif self.state == "set":
            cur = self.sets[-1]
            self._frame_in_set = True
            credited = []
            for r in res.new_reps:
                r = replace(r, index=len(cur.reps) + 1)  # numbered within the set
                cur.reps.append(r)
                credited.append(r)
                out.append(Event("rep", t, cur.index, rep=r))
            self._frame_reps, self._frame_full = tuple(credited), cur.full_reps
            if self.p.hold_s is not None:
                cur.hold_s = max(0.0, res.hold_s - self._hold_base)
            if self._goal_reached(cur):
                out += self.end_set(t)
        return out

    def coach_view(self, res: FrameResult) -> FrameResult:
        """The frame `res` (just passed to `observe`) as the cue engine must see it: only the reps
        this workout credited, numbered within their set, and the set's full-rep count (what the
        count cue speaks); outside a set (waiting, countdown, rest, done) no reps and no hold
        faults, so nothing about them is counted or spoken. Visibility and safety stay."""
        if not self._frame_in_set:
            return replace(res, new_reps=(), active_faults=(), reps=0, partial_reps=0)
        return replace(res, new_reps=self._frame_reps, reps=self._frame_full,
                       partial_reps=len(self.sets[-1].reps) - self._frame_full)

    def summary(self, exercise: Exercise | None = None, lang: str = "en") -> WorkoutSummary:
        """Sets x reps, the best and worst credited rep by score, and each fault with its tip
        (the rule's cue in `lang`; a short rep's tip is the exercise's target)."""
        hold = self.p.hold_s is not None
        reps = [(s.index, r) for s in self.sets for r in s.reps]
        scored = [(s, r) for s, r in reps if r.score is not None and not r.partial]
        best = worst = None
        if scored:
            # ties: the earlier rep is the best, the later one the worst
            b = max(scored, key=lambda x: (x[1].score, -x[0], -x[1].index))
            w = min(scored, key=lambda x: (x[1].score, -x[0], -x[1].index))
            best, worst = (RepRef(s, r.index, float(r.score)) for s, r in (b, w))
        counts: dict[str, int] = {}
        for _s, r in reps:
            for fid in dict.fromkeys(f.id for f in r.faults):  # a fault counts once per rep
                counts[fid] = counts.get(fid, 0) + 1
        rules = {r.id: r for r in exercise.rules} if exercise is not None else {}
        tips = []
        for fid, n in sorted(counts.items(), key=lambda kv: (-kv[1], kv[0])):
            rule = rules.get(fid)
            message = fault_name(fid, lang, exercise, summary=True)
            if rule is not None:
                tip = rule.cue.get(lang)
            elif fid == PARTIAL_FAULT:  # no rule: the coach's own "partial" phrase, and the target
                from fitcoach.core.cues import PhraseBook

                target = exercise.driver.target if exercise is not None and exercise.driver else None
                tip = PhraseBook().variants("partial", lang)[0] + (f" ({target:g}°)" if target is not None else "")
            else:
                tip = ""
            tips.append(FaultTip(fid, n, message, tip))
        return WorkoutSummary(
            prescribed_sets=self.p.sets, goal=float(self.p.hold_s if hold else (self.p.reps or 0)),
            unit="s" if hold else "reps", achieved=tuple(self._achieved(s) for s in self.sets),
            partial=tuple(sum(1 for r in s.reps if r.partial) for s in self.sets),
            best=best, worst=worst, faults=tuple(tips))

    def end_set(self, t_s: float) -> list[Event]:
        """Finish the current set now (done, or the person stops early); rest or finish."""
        if self.state != "set":
            return []
        cur = self.sets[-1]
        cur.t_end_s = t_s
        out = [Event("set_end", t_s, cur.index, achieved=self._achieved(cur))]
        if cur.index >= self.p.sets:
            self.state = "done"
            out.append(Event("done", t_s, cur.index))
        else:
            self.state, self._since = "rest", t_s
            out.append(Event("rest", t_s, cur.index, seconds=self.p.rest_s))
        return out

    def skip_rest(self, t_s: float) -> None:
        if self.state in ("rest", "countdown"):
            self._since = -np.inf  # the next frame starts the set

    def finish(self, t_s: float) -> list[Event]:
        """Stop the whole workout (end of the file, or the person presses Stop)."""
        out = self.end_set(t_s) if self.state == "set" else []
        if self.state != "done":
            self.state = "done"
            out.append(Event("done", t_s, self.set_index))
        return out

    def _start_set(self, t: float, res: FrameResult) -> Event:
        s = SetLog(len(self.sets) + 1, t)
        self.sets.append(s)
        self.state = "set"
        self._hold_base = res.hold_s
        return Event("set_start", t, s.index)

    def _achieved(self, s: SetLog) -> int:
        return int(s.hold_s) if self.p.hold_s is not None else s.full_reps

    def _goal_reached(self, s: SetLog) -> bool:
        if self.p.hold_s is not None:
            return s.hold_s >= self.p.hold_s
        return self.p.reps is not None and s.full_reps >= self.p.reps


class SessionRecorder:
    """Saves a workout as it happens: the session row at the first set, each set row when it
    starts, each rep the moment it completes (its own transaction), the cues at the end. A crash
    loses at most the rep in flight. Used from the thread that runs the analysis."""

    def __init__(self, store, profile: str, exercise_id: str, source: str, model: str | None,
                 prescription: Prescription) -> None:
        self.store, self.profile, self.exercise_id = store, profile, exercise_id
        self.source, self.model, self.p = source, model, prescription
        self.session_id: int | None = None
        self._set_id: int | None = None
        self.saved_reps = 0

    def on_event(self, ev: Event) -> None:
        from fitcoach.core.records import rep_to_json

        if ev.kind == "set_start":
            if self.session_id is None:
                pid = self.store.profile(self.profile)
                self.session_id, self._set_id = self.store.start_session(
                    pid, self.exercise_id, source=self.source, model=self.model, prescribed_reps=self.p.reps)
            else:
                self._set_id = self.store.start_set(self.session_id, ev.set_index, self.p.reps)
        elif ev.kind == "rep" and self._set_id is not None:
            self.store.add_rep(self._set_id, rep_to_json(ev.rep)).result()
            self.saved_reps += 1
        elif ev.kind == "set_end" and self._set_id is not None:
            self.store.end_set(self._set_id)

    def close(self, cues: list[dict] | None = None) -> None:
        if self.session_id is not None:
            self.store.end_session(self.session_id, self._set_id, cues)
