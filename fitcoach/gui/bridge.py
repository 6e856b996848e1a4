"""The seam between the Qt-free core and the GUI.

Analysis runs on the one frame loop of `fitcoach.run`, on a `Worker` thread (no Qt objects in
it; it creates the pose backend it uses: the thread that uses a heavy object creates it).
Results go into a latest-wins slot plus the worker's typed outbox of events that must not be
lost (`fitcoach.run.events`: cues, workout events, failures with their traceback, the end); the GUI polls both
from a ~30 Hz QTimer on its own thread, draws the overlay on the frame the result came from
and counts the frames it never showed (`dropped`). No Python object crosses threads through a
Qt signal (PySide6 6.12 crashed at interpreter exit when they did). A failure in a worker
becomes a message the GUI shows; what was saved before it stays saved.

- `AnalysisRunner`: a workout (camera or file): pipeline -> `session.Workout` (countdown, sets,
  rest; reps numbered within each set) -> cues on `Workout.coach_view` (spoken by the voice
  coach when there is one) -> `SessionRecorder` (saves reps as they complete) -> optional
  landmark / video recording of the session.
- `ReplayRunner`: a tester's replay: exactly `fitcoach analyze` (`run.analyze.analyze`) over a
  file, keeping every frame's result so the page can pause, step, seek and change speed.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass

from fitcoach.core.cues import CueEngine


def _resolve(scorer):
    """A scorer, or one still loading in the background (`app.LazyScorer`): wait for it here,
    on the analysis thread, never on the GUI thread."""
    return scorer.get() if hasattr(scorer, "ready") else scorer


@dataclass(frozen=True)
class Snapshot:
    """What the HUD needs from the workout at one frame (copied, so the GUI never reads live state)."""

    state: str
    set_index: int
    sets: int
    done: float
    goal: float
    remaining_s: float


class _Latest:
    """The runner's sink for the page: the newest (FrameResult, Frame, Snapshot) in a
    latest-wins slot; `produced` counts them (the page counts what it never showed)."""

    def __init__(self, owner: "AnalysisRunner") -> None:
        self.owner = owner

    def frame(self, ctx, frame, res) -> None:
        snap = None
        wk = ctx.workout
        if wk is not None:
            done, goal = wk.progress()
            snap = Snapshot(wk.state, wk.set_index, wk.p.sets, done, goal, wk.remaining_s(frame.t_s))
        with self.owner._lock:
            self.owner._latest = (res, frame, snap)
        self.owner.produced += 1
        if self.owner._stop.is_set():
            ctx.stop = True  # Stop: the workout finishes (set end, saved session) as at the end of a file


class AnalysisRunner:
    """A guided workout (`fitcoach.run.workout`) on a `Worker`; the page polls `events` (the
    worker's typed outbox: `RepDone`, `CueSaid`, `SetChanged`, `Status`, `Saved`, `LiveStatus`,
    `Failed`, then `Finished` with the run's context) and `take_latest()`."""

    def __init__(self, setup, source, backend_factory=None, scorer=None, realtime: bool = False,
                 workout=None) -> None:
        from fitcoach.run.worker import Worker

        self.setup, self.source, self.exercise = setup, source, setup.exercise  # an `app.sessions.WorkoutSetup`
        self.backend_factory, self.scorer, self.realtime, self.workout = backend_factory, scorer, realtime, workout
        self._latest = None
        self._lock = threading.Lock()
        self.produced = 0
        self.session_id: int | None = None
        self._stop = threading.Event()
        self._wk_sink = None
        self._frames = None
        self._worker = Worker(self._job, name="analysis")
        self.events = self._worker.events

    def _job(self, cancel, emit):
        from fitcoach.run.workout import build

        voice = self.setup.make_voice()  # created on this thread, which uses it
        job = self.setup.job(self.source, self.backend_factory, _resolve(self.scorer),
                             speed=1.0 if self.realtime else 0.0, voice=voice, extra_sinks=(_Latest(self),),
                             workout=self.workout)
        runner, self._wk_sink, _cues = build(job, cancel)
        self._frames = runner.frames
        if self._stop.is_set():
            return None
        ctx = runner.run(cancel, emit)
        self.session_id = ctx.data.get("session_id")
        return ctx

    def start(self) -> None:
        self._worker.start()

    def stop(self, timeout: float = 5.0) -> None:
        """End the workout now: it finishes like the end of the input (set end, saved session)."""
        self._stop.set()
        stop = getattr(self._frames, "stop", None)
        if stop is not None:
            stop()  # a capture thread (camera, file played as live): its frames end now
        elif self.source.kind == "camera":
            self.source.close()
        self._worker.join(timeout)

    def end_set(self) -> None:
        if self._wk_sink is not None:
            self._wk_sink.end_set_requested.set()

    def skip_rest(self) -> None:
        if self._wk_sink is not None:
            self._wk_sink.skip_rest_requested.set()

    @property
    def alive(self) -> bool:
        return self._worker.alive

    @property
    def _thread(self):
        return self._worker._thread

    def take_latest(self):
        """The newest (FrameResult, Frame, Snapshot | None), or None if nothing new since the last call."""
        with self._lock:
            item, self._latest = self._latest, None
        return item


class ReplayRunner:
    """`fitcoach analyze` on a file, on a `Worker`, keeping each frame's result for display."""

    def __init__(self, path: str, exercise, backend_factory=None, scorer=None, lang: str = "en",
                 verbosity: str = "full", model_name: str | None = None) -> None:
        from fitcoach.io.sources import open_source
        from fitcoach.run.worker import Worker

        self.path, self.exercise = path, exercise
        self.source = open_source(path)  # errors (missing file, not a video) raise here, before the thread
        self.kind, self.frame_size, self.fps = self.source.kind, self.source.frame_size, self.source.fps
        self.n_frames = self.source.n_frames
        self.backend_factory, self.scorer, self.lang, self.verbosity = backend_factory, scorer, lang, verbosity
        self.model_name = model_name
        self.results: list = []  # FrameResult per frame index, appended by the worker
        from fitcoach.io.recordings import LandmarkTape

        self.tape = LandmarkTape()  # the raw landmarks, to save the replay as a landmark recording
        self.out: dict | None = None
        self.error: str | None = None
        self._worker = Worker(self._job, name="replay")
        self._thread = self._worker._thread

    def start(self) -> None:
        self._worker.start()

    def cancel(self) -> None:
        """Stop analysing (another file was opened, or the window closes): before the next frame."""
        self._worker.cancel()

    @property
    def finished(self) -> bool:
        return not self._thread.is_alive() and (self.out is not None or self.error is not None)

    def join(self, timeout: float | None = None) -> None:
        self._worker.join(timeout)

    def _job(self, cancel, emit):
        from fitcoach.run.analyze import analyze

        try:
            out = analyze(self.source, self.exercise, self.backend_factory, model_name=self.model_name,
                          progress=False, scorer=_resolve(self.scorer),
                          cues=CueEngine(self.exercise, self.lang, self.verbosity), on_frame=self.results.append,
                          tape=self.tape, cancel=cancel)
        except Exception as e:
            self.error = f"{type(e).__name__}: {e}"
            raise
        if cancel.is_set():
            self.error = "cancelled"
        else:
            self.out = out
        return out
