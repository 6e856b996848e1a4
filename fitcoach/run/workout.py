"""The guided workout on the runner: countdown, sets against a prescription, rests.

`run_workout` is what `fitcoach workout` runs and what the Workout page runs on a `Worker`:
pipeline -> `session.Workout` -> cue engine on `Workout.coach_view` (-> voice) -> store
(`SessionRecorder`, when a profile is given) -> optional landmark / video recording. A camera is
read by a capture thread (latest wins); a file is played at its own speed as a camera would
deliver it (`speed` 1.0), faster for tests (`speed` 4.0), or, with `speed` 0, as fast as the
model goes without dropping a frame (deterministic). Nothing done during the countdown or a
rest is counted, spoken or saved; the file keeps playing. Returns the workout JSON
(``fitcoach.workout/1``): each set with its reps (numbered within the set), the rests, the
cues with their times, what was saved, and the live figures.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable

from fitcoach.run import sinks as sk
from fitcoach.run.events import SetChanged
from fitcoach.run.frames import LatestWins, paced, prefetched
from fitcoach.run.runner import RunContext, Runner

JSON_SCHEMA = "fitcoach.workout/1"


@dataclass
class WorkoutJob:
    """Everything a guided workout needs (typed; the CLI and the Workout page fill it in)."""

    source: Any  # a FrameSource: camera, video, image folder or landmark recording
    exercise: Any  # the Exercise as prescribed (`Prescription.apply` is applied here)
    prescription: Any  # session.Prescription
    countdown_s: float = 3.0
    backend_factory: Callable | None = None
    model_name: str | None = None
    scorer: Any = None
    lang: str = "en"
    verbosity: str = "full"
    speed: float = 1.0  # files: 1.0 = real time (as a camera); 0 = unpaced, nothing dropped
    voice: Any = None  # a VoiceCoach (its engine is the cue engine), or None
    recorder_factory: Callable | None = None  # () -> (store, SessionRecorder)
    record_path: str | Path | None = None  # landmark recording of the session (.npz)
    record_video: bool = False  # ... and the camera frames beside it (.mp4)
    extra_sinks: tuple = ()  # e.g. the GUI's latest-frame slot
    workout: Any = None  # a session.Workout to drive (the page keeps it); default: a new one


def _frames(job: WorkoutJob, cancel: threading.Event):
    src = job.source
    if src.kind == "camera":
        return LatestWins(src, cancel, on_stop=src.close)
    if job.speed and job.speed > 0:
        return LatestWins(paced(src, job.speed, cancel), cancel)
    return prefetched(src, cancel=cancel) if src.kind in ("video", "images") else None


def build(job: WorkoutJob, cancel: threading.Event) -> tuple[Runner, sk.WorkoutSink, Any]:
    """The runner of a workout, its workout sink (end set / skip rest) and its cue engine."""
    from fitcoach.core.cues import CueEngine
    from fitcoach.core.session import Workout

    ex = job.prescription.apply(job.exercise)
    cues = job.voice.engine if job.voice is not None else CueEngine(ex, job.lang, job.verbosity)
    wk_sink = sk.WorkoutSink()
    chain: list = [wk_sink]
    if job.recorder_factory is not None:
        store, recorder = job.recorder_factory()
        chain.append(sk.StoreSink(recorder, cues, store))
    chain.append(sk.CueSink(cues))
    if job.voice is not None:
        chain.append(sk.VoiceSink(job.voice))
    if job.record_path is not None:
        chain.append(sk.TapeSink(path=job.record_path))
        if job.record_video:
            chain.append(sk.VideoSink(Path(job.record_path).with_suffix(".mp4")))
    chain.append(sk.LiveSink())
    chain += list(job.extra_sinks)
    frames = _frames(job, cancel)
    wk = job.workout if job.workout is not None else Workout(job.prescription, countdown_s=job.countdown_s)
    runner = Runner(job.source, ex, chain, job.backend_factory, job.scorer, frames=frames, workout=wk)
    return runner, wk_sink, cues


def run_workout(job: WorkoutJob, cancel: threading.Event | None = None,
                emit: Callable[[Any], None] | None = None) -> dict:
    """Run the workout to its end (all sets done, the input ends, or `cancel`); the JSON."""
    cancel = cancel or threading.Event()
    events: list = []

    def keep(ev) -> None:
        if isinstance(ev, SetChanged):
            events.append(ev.event)
        if emit is not None:
            emit(ev)

    runner, _wk, cues = build(job, cancel)
    ctx = runner.run(cancel, keep)
    return workout_json(job, ctx, events, cues)


def _p(xs: list[float], q: float) -> float | None:
    if not xs:
        return None
    s = sorted(xs)
    return round(s[min(len(s) - 1, int(q * (len(s) - 1) + 0.5))], 1)


def workout_json(job: WorkoutJob, ctx: RunContext, events: list, cues) -> dict:
    """The workout JSON (`fitcoach.workout/1`): each set with its reps numbered within the set, the
    rests, the cues with their times, and what was saved."""
    from fitcoach.core.records import _r, rep_to_json

    wk = ctx.workout
    rests = []
    for ev in events:
        if ev.kind == "rest":
            rests.append({"after_set": ev.set_index, "t_start_s": _r(ev.t_s), "t_end_s": None,
                          "seconds": _r(ev.seconds, 1)})
        elif ev.kind == "set_start" and rests and rests[-1]["t_end_s"] is None:
            rests[-1]["t_end_s"] = _r(ev.t_s)
    if rests and rests[-1]["t_end_s"] is None:
        rests[-1]["t_end_s"] = _r(ctx.t_last)  # the input ended during the rest
    summ = wk.summary(job.exercise, job.lang)
    lw = ctx.frames if isinstance(ctx.frames, LatestWins) else None
    lat = ctx.data.get("latency_ms", [])
    p = job.prescription
    return {
        "schema": JSON_SCHEMA,
        "input": {"name": Path(job.source.name).name, "kind": job.source.kind, "frames_analysed": ctx.n,
                  "frames_dropped": lw.dropped if lw is not None else 0, "duration_s": _r(ctx.t_last),
                  "speed": job.speed if job.source.kind != "camera" else 1.0},
        "exercise": {"id": job.exercise.id, "name": job.exercise.name.en, "kind": job.exercise.kind},
        "model": job.model_name if job.source.kind != "landmarks" else None,
        "prescription": {"sets": p.sets, "reps": p.reps, "hold_s": p.hold_s, "rest_s": p.rest_s,
                         "countdown_s": job.countdown_s},
        "state": wk.state,
        "cancelled": ctx.cancelled,
        "sets": [{"index": s.index, "t_start_s": _r(s.t_start_s), "t_end_s": _r(s.t_end_s),
                  "achieved": (int(s.hold_s) if p.hold_s is not None else s.full_reps),
                  "hold_s": _r(s.hold_s, 2) if p.hold_s is not None else None,
                  "reps": [rep_to_json(r) for r in s.reps]} for s in wk.sets],
        "rests": rests,
        "cues": [c.to_json() for c in cues.spoken],
        "summary": {"sets_done": summ.sets_done, "achieved": list(summ.achieved), "partial": list(summ.partial),
                    "best": None if summ.best is None else vars(summ.best),
                    "worst": None if summ.worst is None else vars(summ.worst),
                    "faults": [vars(f) for f in summ.faults]},
        "saved": {"session_id": ctx.data.get("session_id"), "reps": ctx.data.get("saved_reps", 0),
                  "landmarks": ctx.data.get("saved_landmarks"), "video": ctx.data.get("saved_video")},
        "live": {"analysed_fps": (round(ctx.n / ctx.t_last, 1) if lw is not None and ctx.t_last > 0 else None),
                 "latency_ms_p50": _p(lat, 0.5), "latency_ms_p95": _p(lat, 0.95)},
        "warnings": list(job.source.warnings),
    }
