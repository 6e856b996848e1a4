"""`analyze -e auto` (recognise the exercise from the movement, then analyse it) and the check
of `analyze -e ID` (a warning when the recogniser is sure the movement is another exercise).

Both use the recogniser of `fitcoach.core.recognize` on the landmarks of the input; a video is
run through the pose model once, and its landmarks are reused for the analysis.
"""

from __future__ import annotations

from fitcoach.core.errors import FitCoachError


def recognize_input(input_spec: str, fps: float, no_progress: bool, catalog, src, factory):
    """-e auto: (source to analyse, backend factory, Recognition).

    A landmark recording is recognised directly. A video or image folder goes through the pose
    model once (the same frame path as analyze, with a placeholder exercise whose result is
    discarded); it is then re-read and analysed with those landmarks attached, so the pose model
    does not run twice and an annotated video still has its pictures.
    """
    from fitcoach.core.recognize import recognize

    if src.kind == "landmarks":
        return src, factory, recognize(src.rec, allowed=catalog.ids())
    if src.kind == "camera":
        src.close()
        raise FitCoachError("--exercise auto needs a recorded input (video, image folder or .npz), not a camera")
    from fitcoach.io.recordings import LandmarkTape
    from fitcoach.io.sources import open_source
    from fitcoach.run.analyze import analyze

    tape = LandmarkTape()
    placeholder = catalog.get(catalog.ids()[0])
    analyze(src, placeholder, factory, progress=None if not no_progress else False, tape=tape)
    rec = tape_recording(tape, src.frame_size)
    return WithLandmarks(open_source(input_spec, fps=fps), rec), None, recognize(rec, allowed=catalog.ids())


def tape_recording(tape, frame_size):
    """The landmarks a `LandmarkTape` kept, as a `LandmarkRecording`."""
    import numpy as np

    from fitcoach.core.landmarks import LandmarkRecording

    if not len(tape):
        raise FitCoachError("cannot recognise the exercise: the input has no frames")
    return LandmarkRecording(np.asarray(tape.t, np.float64), np.stack(tape.img), np.stack(tape.world),
                             tuple(frame_size))


class WithLandmarks:
    """A video/image source whose frames carry landmarks found earlier (matched by time), so
    the pipeline uses them instead of running the pose model again."""

    def __init__(self, src, rec) -> None:
        self._src = src
        self._rec = rec

    def __getattr__(self, name):
        return getattr(self._src, name)

    def __iter__(self):
        import dataclasses

        t, j = self._rec.t_s, 0
        for f in self._src:
            while j < len(t) and t[j] < f.t_s:
                j += 1
            if j < len(t) and t[j] == f.t_s:
                f = dataclasses.replace(f, image_xyzv=self._rec.image_xyzv[j], world_xyz_m=self._rec.world_xyz_m[j])
            yield f


def exercise_mismatch(ex_id, catalog, rec, tape, frame_size) -> str | None:
    """-e ID: the warning when the recogniser is sure the movement is another exercise.

    A check on top of the analysis: when it cannot be made (no recogniser file, too few frames
    with a person) nothing is said; the analysis has its own warnings for an empty input.
    """
    from fitcoach.core.recognize import mismatch, recognize

    try:
        if rec is None:
            if tape is None or not len(tape):
                return None
            rec = tape_recording(tape, frame_size)
        return mismatch(ex_id, recognize(rec, allowed=catalog.ids()))
    except FitCoachError:
        return None
