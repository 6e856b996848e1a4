"""The seam between the Qt-free core and the GUI.

Analysis runs on plain Python threads (no Qt objects in them; each creates the pose backend it
uses: the thread that uses a heavy object creates it). Results go into a latest-wins slot plus
a queue of events that must not be lost (cues, workout events, the end); the GUI polls both
from a ~30 Hz QTimer on its own thread, draws the overlay on the frame the result came from
and counts the frames it never showed (`dropped`). No Python object crosses threads through a
Qt signal (PySide6 6.12 crashed at interpreter exit when they did). A failure in a worker
becomes a message the GUI shows; what was saved before it stays saved.

- `AnalysisRunner`: a workout (camera or file): pipeline -> `session.Workout` (countdown, sets,
  rest; reps numbered within each set) -> cues on `Workout.coach_view` (spoken by the voice
  coach when there is one) -> `SessionRecorder` (saves reps as they complete) -> optional
  landmark / video recording of the session.
- `ReplayRunner`: a tester's replay: exactly `fitcoach analyze` (`core.analyze.analyze`) over a
  file, keeping every frame's result so the page can pause, step, seek and change speed.
"""

from __future__ import annotations

import queue
import threading
import time
from dataclasses import dataclass

from fitcoach.core.cues import CueEngine
from fitcoach.core.pipeline import Pipeline


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


class AnalysisRunner:
    def __init__(self, source, exercise, backend_factory=None, scorer=None, lang: str = "en",
                 realtime: bool = False, workout=None, recorder_factory=None, voice_factory=None,
                 record_path=None, record_video: bool = False, verbosity: str = "full") -> None:
        self.source, self.exercise = source, exercise
        self.backend_factory, self.scorer, self.lang, self.realtime = backend_factory, scorer, lang, realtime
        self.workout, self.recorder_factory, self.voice_factory = workout, recorder_factory, voice_factory
        self.record_path, self.record_video, self.verbosity = record_path, record_video, verbosity
        self._latest = None
        self._lock = threading.Lock()
        # ("cue", Cue) | ("workout", session.Event) | ("saved", path) | ("done", Pipeline) | ("failed", str)
        self.events: queue.Queue = queue.Queue()
        self.produced = 0
        self.session_id: int | None = None
        self._end_set = threading.Event()
        self._skip_rest = threading.Event()
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="analysis", daemon=True)

    def start(self) -> None:
        self._thread.start()

    def stop(self, timeout: float = 5.0) -> None:
        self._stop.set()
        if self.source.kind == "camera":
            self.source.close()  # unblocks a camera read
        if self._thread.is_alive():
            self._thread.join(timeout)

    def end_set(self) -> None:
        self._end_set.set()

    def skip_rest(self) -> None:
        self._skip_rest.set()

    @property
    def alive(self) -> bool:
        return self._thread.is_alive()

    def take_latest(self):
        """The newest (FrameResult, Frame, Snapshot | None), or None if nothing new since the last call."""
        with self._lock:
            item, self._latest = self._latest, None
        return item

    def _frames(self):
        """Frames in order; a camera gets its own capture thread and a latest-wins slot, so a
        slow analysis drops frames instead of falling behind."""
        if self.source.kind != "camera":
            yield from self.source
            return
        from fitcoach.core.live import LatestSlot

        slot = LatestSlot()

        def capture():
            try:
                for f in self.source:
                    if self._stop.is_set():
                        break
                    slot.put(f)
            finally:
                slot.close()

        t = threading.Thread(target=capture, name="capture", daemon=True)
        t.start()
        while not self._stop.is_set():
            f = slot.get(timeout=0.5)
            if f is None:
                if not t.is_alive():
                    break
                continue
            yield f

    def _run(self) -> None:
        backend = store = recorder = voice = video = None
        tape = None
        pipe = None
        try:
            if self.backend_factory is not None and self.source.kind != "landmarks":
                backend = self.backend_factory()
            scorer = _resolve(self.scorer)
            pipe = Pipeline(self.exercise, backend=backend, frame_size=self.source.frame_size, scorer=scorer)
            if self.voice_factory is not None:
                self.events.put(("status", "preparing voice"))
                voice = self.voice_factory(self.exercise)
                voice.prepare()  # every phrase of the session, before the first frame
                self.events.put(("status", ""))
                cues = voice.engine
            else:
                cues = CueEngine(self.exercise, self.lang, self.verbosity)
            if self.recorder_factory is not None:
                store, recorder = self.recorder_factory()
            if self.record_path is not None:
                from fitcoach.core.session import LandmarkTape

                tape = LandmarkTape()
            t0 = time.monotonic()
            t_last = 0.0
            for frame in self._frames():
                if self._stop.is_set():
                    break
                if self.realtime:
                    wait = frame.t_s - (time.monotonic() - t0)
                    if wait > 0:
                        time.sleep(wait)
                res = pipe.step(frame)
                t_last = frame.t_s
                if tape is not None:
                    tape.add(frame.t_s, pipe.last_raw)
                    if self.record_video and frame.image_bgr is not None:
                        video = video or _VideoTape(self.record_path, self.source.frame_size, self.source.fps)
                        video.write(frame.image_bgr)
                snap = None
                if self.workout is not None:
                    wk = self.workout
                    if self._end_set.is_set():
                        self._end_set.clear()
                        self._workout_events(wk.end_set(frame.t_s), cues, recorder)
                    if self._skip_rest.is_set():
                        self._skip_rest.clear()
                        wk.skip_rest(frame.t_s)
                    self._workout_events(wk.observe(res), cues, recorder)
                    done, goal = wk.progress()
                    snap = Snapshot(wk.state, wk.set_index, wk.p.sets, done, goal, wk.remaining_s(frame.t_s))
                # in a workout the coach hears only the reps the set credited, numbered within
                # the set: nothing done in the countdown or a rest is counted or spoken
                cues.observe(frame.t_s, self.workout.coach_view(res) if self.workout is not None else res)
                cue = cues.poll(frame.t_s)
                with self._lock:
                    self._latest = (res, frame, snap)
                self.produced += 1
                if cue is not None:
                    self.events.put(("cue", cue))
                    if voice is not None:
                        voice.say(cue)
                if self.workout is not None and self.workout.state == "done":
                    break
            pipe.finish()
            if self.workout is not None:
                self._workout_events(self.workout.finish(t_last), cues, recorder)
        except Exception as e:  # shown by the GUI; what was saved stays saved
            self.events.put(("failed", f"{type(e).__name__}: {e}"))
        finally:
            try:
                if recorder is not None:
                    recorder.close([c.to_json() for c in cues.spoken])
                    self.session_id = recorder.session_id
                if tape is not None and len(tape):
                    tape.save(self.record_path, self.source.frame_size)
                    self.events.put(("saved", str(self.record_path)))
            except Exception as e:
                self.events.put(("failed", f"{type(e).__name__}: {e}"))
            finally:
                if video is not None:
                    video.close()
                if store is not None:
                    store.close()
                if voice is not None:
                    voice.close()
                if backend is not None:
                    backend.close()
                self.source.close()
            if pipe is not None:
                self.events.put(("done", pipe))

    def _workout_events(self, evs, cues, recorder) -> None:
        for ev in evs:
            if recorder is not None:
                recorder.on_event(ev)
            if ev.kind == "set_start":
                cues.session_event(ev.t_s, "set_start")
            elif ev.kind == "set_end":
                cues.session_event(ev.t_s, "set_end", n=ev.achieved)
            elif ev.kind == "rest":
                cues.rest(ev.t_s, int(ev.seconds))
            self.events.put(("workout", ev))


class _VideoTape:
    """The camera frames of a recorded session, as an .mp4 next to the landmark file."""

    def __init__(self, npz_path, size, fps) -> None:
        from pathlib import Path

        from fitcoach.core.private_files import private_video_writer

        self.path = Path(npz_path).with_suffix(".mp4")
        # created 0600 before OpenCV writes into it (the camera frames are health data)
        self._w = private_video_writer(self.path, "mp4v", fps or 30.0, size)

    def write(self, img) -> None:
        self._w.write(img)

    def close(self) -> None:
        self._w.release()


class _Cancelled(Exception):
    pass


class ReplayRunner:
    """`fitcoach analyze` on a file, on a plain thread, keeping each frame's result for display."""

    def __init__(self, path: str, exercise, backend_factory=None, scorer=None, lang: str = "en",
                 verbosity: str = "full", model_name: str | None = None) -> None:
        from fitcoach.core.sources import open_source

        self.path, self.exercise = path, exercise
        self.source = open_source(path)  # errors (missing file, not a video) raise here, before the thread
        self.kind, self.frame_size, self.fps = self.source.kind, self.source.frame_size, self.source.fps
        self.n_frames = self.source.n_frames
        self.backend_factory, self.scorer, self.lang, self.verbosity = backend_factory, scorer, lang, verbosity
        self.model_name = model_name
        self.results: list = []  # FrameResult per frame index, appended by the worker
        from fitcoach.core.session import LandmarkTape

        self.tape = LandmarkTape()  # the raw landmarks, to save the replay as a landmark recording
        self.out: dict | None = None
        self.error: str | None = None
        self._cancel = threading.Event()
        self._thread = threading.Thread(target=self._run, name="replay", daemon=True)

    def start(self) -> None:
        self._thread.start()

    def cancel(self) -> None:
        """Stop analysing (another file was opened, or the window closes)."""
        self._cancel.set()

    def _on_frame(self, res) -> None:
        if self._cancel.is_set():
            raise _Cancelled
        self.results.append(res)

    @property
    def finished(self) -> bool:
        return not self._thread.is_alive() and (self.out is not None or self.error is not None)

    def join(self, timeout: float | None = None) -> None:
        self._thread.join(timeout)

    def _run(self) -> None:
        from fitcoach.core.analyze import analyze

        try:
            self.out = analyze(self.source, self.exercise, self.backend_factory, model_name=self.model_name,
                               progress=False, scorer=_resolve(self.scorer),
                               cues=CueEngine(self.exercise, self.lang, self.verbosity), on_frame=self._on_frame,
                               tape=self.tape)
        except _Cancelled:
            self.error = "cancelled"
        except Exception as e:
            self.error = f"{type(e).__name__}: {e}"
