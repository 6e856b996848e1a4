"""The sinks of a run (see `runner`): each does one thing with every analysed frame."""

from __future__ import annotations

import time
from pathlib import Path

from fitcoach.run.events import CueSaid, LiveStatus, RepDone, Saved, SetChanged, Status


class ProgressSink:
    """The one-line progress bar on stderr (`analyze.Progress`)."""

    def __init__(self, total, label, enabled=None) -> None:
        from fitcoach.run.analyze import Progress

        self.bar = Progress(total, label, enabled)

    def frame(self, ctx, frame, res) -> None:
        self.bar.update(frame.index)

    def close(self, ctx) -> None:
        self.bar.close()


class TapeSink:
    """The raw landmarks the pipeline saw (`session.LandmarkTape`, what `record` writes);
    saved to `path` at the end when one is given."""

    def __init__(self, tape=None, path=None) -> None:
        from fitcoach.io.recordings import LandmarkTape

        self.tape = tape if tape is not None else LandmarkTape()
        self.path = path

    def frame(self, ctx, frame, res) -> None:
        self.tape.add(frame.t_s, ctx.pipe.last_raw)

    def close(self, ctx) -> None:
        if self.path is not None and len(self.tape) and ctx is not None:
            self.tape.save(self.path, ctx.source.frame_size)
            ctx.emit(Saved("landmarks", str(self.path)))
            ctx.data["saved_landmarks"] = str(self.path)


class VideoSink:
    """The camera frames of a session, as an .mp4 (created 0600: they are health data)."""

    def __init__(self, path) -> None:
        self.path = Path(path)
        self._w = None

    def frame(self, ctx, frame, res) -> None:
        if frame.image_bgr is None:
            return
        if self._w is None:
            from fitcoach.io.private_files import private_video_writer

            self._w = private_video_writer(self.path, "mp4v", ctx.source.fps or 30.0, ctx.source.frame_size)
        self._w.write(frame.image_bgr)

    def close(self, ctx) -> None:
        if self._w is not None:
            self._w.release()
            if ctx is not None:
                ctx.emit(Saved("video", str(self.path)))
                ctx.data["saved_video"] = str(self.path)


class CueSink:
    """The cue engine: what the coach says on each frame (put in `ctx.cue`, emitted as `CueSaid`).

    In a guided workout (`ctx.workout`) it hears the workout's events (set start / end, rest)
    and sees each frame as `Workout.coach_view` shows it: nothing done in a countdown or a rest
    is counted or spoken. Without a workout (`analyze`) the set starts with the first frame
    with a person and ends after the last frame."""

    TRAILING_POLLS = 6  # after the last frame: polls 0.5 s apart, until the last cue is said

    def __init__(self, cues) -> None:
        self.cues = cues
        self._started = False

    def _session(self, evs) -> None:
        for ev in evs:
            if ev.kind == "set_start":
                self.cues.session_event(ev.t_s, "set_start")
            elif ev.kind == "set_end":
                self.cues.session_event(ev.t_s, "set_end", n=ev.achieved)
            elif ev.kind == "rest":
                self.cues.rest(ev.t_s, int(ev.seconds))

    def frame(self, ctx, frame, res) -> None:
        t = frame.t_s
        if ctx.workout is not None:
            self._session(ctx.workout_events)
            self.cues.observe(t, ctx.workout.coach_view(res))
        else:
            if not self._started and res.status == "ok":
                self.cues.session_event(t, "set_start")
                self._started = True
            self.cues.observe(t, res)
        ctx.cue = self.cues.poll(t)
        if ctx.cue is not None:
            ctx.emit(CueSaid(ctx.cue))

    def finish(self, ctx) -> None:
        if ctx.workout is not None:
            self._session(ctx.workout_events)
        elif self._started:
            self.cues.session_event(ctx.t_last, "set_end", n=sum(1 for r in ctx.pipe.reps if not r.partial))
        else:
            return
        for k in range(self.TRAILING_POLLS):  # said after the last frame, once whatever is being spoken ends
            ctx.cue = self.cues.poll(ctx.t_last + 0.5 * k)
            if ctx.cue is not None:
                ctx.emit(CueSaid(ctx.cue))
                break


class VoiceSink:
    """Speaks each frame's cue (after `CueSink`; `voice` is a `VoiceCoach` whose engine the
    `CueSink` drives). Every phrase is synthesised before the first frame."""

    def __init__(self, voice) -> None:
        self.voice = voice

    def start(self, ctx) -> None:
        ctx.emit(Status("preparing voice"))
        self.voice.prepare()
        ctx.emit(Status(""))

    def frame(self, ctx, frame, res) -> None:
        if ctx.cue is not None:
            self.voice.say(ctx.cue)

    def finish(self, ctx) -> None:
        if ctx.cue is not None:
            self.voice.say(ctx.cue)

    def close(self, ctx) -> None:
        self.voice.close()


class AnnotatorSink:
    """The annotated video (`annotate.Annotator`): the overlay and the frame's cue on each frame."""

    def __init__(self, path, exercise, text_renderer=None) -> None:
        self.path, self.exercise, self.text_renderer = path, exercise, text_renderer
        self._w = None

    def start(self, ctx) -> None:
        from fitcoach.io.annotate import Annotator

        self._w = Annotator(self.path, ctx.source.frame_size, ctx.source.fps or 30.0, self.exercise,
                            self.text_renderer)

    def frame(self, ctx, frame, res) -> None:
        self._w.write(frame, res, ctx.cue)

    def close(self, ctx) -> None:
        if self._w is not None:
            self._w.close()


class CallbackSink:
    """Calls `fn(res)` (or `fn(res, frame)` with `with_frame`) on every frame."""

    def __init__(self, fn, with_frame: bool = False) -> None:
        self.fn, self.with_frame = fn, with_frame

    def frame(self, ctx, frame, res) -> None:
        if self.with_frame:
            self.fn(res, frame)
        else:
            self.fn(res)


class RepSink:
    """Emits `RepDone` for every rep the pipeline completes (outside a workout; in one, the
    `WorkoutSink` emits the reps it credits)."""

    def frame(self, ctx, frame, res) -> None:
        for r in res.new_reps:
            ctx.emit(RepDone(frame.t_s, r))


class WorkoutSink:
    """Drives `session.Workout` (countdown, sets, rests) with each result; its events go to
    `ctx.workout_events` (for the cue engine and the store) and out as `SetChanged`. "End set"
    and "skip rest" from the watcher are taken on the next frame; the run stops when the
    workout is done."""

    def __init__(self) -> None:
        import threading

        self.end_set_requested = threading.Event()
        self.skip_rest_requested = threading.Event()

    def _out(self, ctx, evs) -> None:
        ctx.workout_events.extend(evs)
        for ev in evs:
            # a credited rep, numbered within its set
            ctx.emit(RepDone(ev.t_s, ev.rep, ev.set_index) if ev.kind == "rep" else SetChanged(ev))

    def frame(self, ctx, frame, res) -> None:
        wk = ctx.workout
        if self.end_set_requested.is_set():
            self.end_set_requested.clear()
            self._out(ctx, wk.end_set(frame.t_s))
        if self.skip_rest_requested.is_set():
            self.skip_rest_requested.clear()
            wk.skip_rest(frame.t_s)
        self._out(ctx, wk.observe(res))
        if wk.state == "done":
            ctx.stop = True

    def finish(self, ctx) -> None:
        self._out(ctx, ctx.workout.finish(ctx.t_last))


class OneSetSink:
    """Outside a guided workout (`analyze --save`): the whole input is one set, from its first
    frame, every completed rep in it, as `session.Event`s for the store."""

    def __init__(self) -> None:
        self._started = False

    def frame(self, ctx, frame, res) -> None:
        from fitcoach.core.session import Event

        if not self._started:
            self._started = True
            ctx.workout_events.append(Event("set_start", frame.t_s, 1))
        for r in res.new_reps:
            ctx.workout_events.append(Event("rep", frame.t_s, 1, rep=r))

    def finish(self, ctx) -> None:
        from fitcoach.core.session import Event

        if self._started:
            full = sum(1 for r in ctx.pipe.reps if not r.partial)
            ctx.workout_events.append(Event("set_end", ctx.t_last, 1, achieved=full))


class StoreSink:
    """Saves the session as it happens (`session.SessionRecorder`): the workout's events, each
    rep the moment it completes; the cues when it closes (also after a failure: what was saved
    stays saved). `on_saved(rep)` is called after each rep is committed."""

    def __init__(self, recorder, cues=None, store=None, on_saved=None) -> None:
        self.recorder, self.cues, self.store, self.on_saved = recorder, cues, store, on_saved

    def _events(self, ctx) -> None:
        for ev in ctx.workout_events:
            self.recorder.on_event(ev)
            if ev.kind == "rep" and self.on_saved is not None:
                self.on_saved(ev.rep)

    def frame(self, ctx, frame, res) -> None:
        self._events(ctx)

    def finish(self, ctx) -> None:
        self._events(ctx)

    def close(self, ctx) -> None:
        try:
            self.recorder.close([c.to_json() for c in self.cues.spoken] if self.cues is not None else None)
            if ctx is not None and self.recorder.session_id is not None:
                ctx.data["session_id"] = self.recorder.session_id
                ctx.data["saved_reps"] = self.recorder.saved_reps
                ctx.emit(Saved("session", str(self.recorder.session_id)))
        finally:
            if self.store is not None:
                self.store.close()


class LiveSink:
    """Live figures: frame-to-result latency (from the moment the capture thread had the frame
    to the end of its analysis), frames analysed per second, dropped frames; a `LiveStatus`
    about once a second. Analysis is "behind" when it dropped more than a quarter of the
    frames in the last second."""

    def __init__(self, clock=time.monotonic) -> None:
        self.clock = clock
        self.latency_ms: list[float] = []
        self._win_t = None
        self._win_n = 0
        self._win_dropped = 0

    def frame(self, ctx, frame, res) -> None:
        lw = ctx.frames
        now = self.clock()
        if lw is not None and getattr(lw, "grab_time", 0.0):
            self.latency_ms.append(1000.0 * (now - lw.grab_time))
        if self._win_t is None:
            self._win_t, self._win_n, self._win_dropped = now, 0, getattr(lw, "dropped", 0)
        self._win_n += 1
        if now - self._win_t >= 1.0:
            dropped = getattr(lw, "dropped", 0)
            d = dropped - self._win_dropped
            ctx.emit(LiveStatus(frame.t_s, self._win_n / (now - self._win_t), dropped,
                                behind=d > 0.25 * (d + self._win_n)))
            self._win_t, self._win_n, self._win_dropped = now, 0, dropped

    def close(self, ctx) -> None:
        if ctx is not None:
            ctx.data["latency_ms"] = self.latency_ms
