"""Headless jobs: `analyze` (input -> reps JSON, optional annotated video) and `record`
(input -> landmark recording v1).

Runs the whole pipeline through the frame loop of `fitcoach.run` on the calling thread, frame
after frame, dropping nothing (a file is decoded on a helper thread, a few frames ahead): a file
is analysed completely and deterministically (same input, same JSON). Live (camera, or a file
played as live) drops frames instead (latest wins): `fitcoach.run.frames.LatestWins`.

JSON schema ``fitcoach.analysis/1`` (documented in docs/analysis-json.md):
``input``, ``exercise``, ``model``, ``summary`` {reps, partial_reps, hold_s, ...}, ``reps`` [...],
``hold_faults`` [...], ``warnings`` [...].
"""

from __future__ import annotations

import logging
import sys
from pathlib import Path
from typing import Callable

import numpy as np

from fitcoach.core.errors import InputError
from fitcoach.core.exercises import Exercise
from fitcoach.core.pipeline import FrameResult
from fitcoach.core.people import PoseBackend
from fitcoach.core.records import _r, rep_to_json  # noqa: F401  (rep_to_json: the format is owned by records)
from fitcoach.core.frame import FrameSource

log = logging.getLogger(__name__)

JSON_SCHEMA = "fitcoach.analysis/1"

BackendFactory = Callable[[], PoseBackend]


class Progress:
    """A one-line progress bar on stderr, only when stderr is a terminal."""

    def __init__(self, total: int | None, label: str, enabled: bool | None = None) -> None:
        self.total = total
        self.label = label
        self.enabled = (sys.stderr.isatty() if enabled is None else enabled) and bool(total) and total > 60
        self._last = -1

    def update(self, i: int) -> None:
        """Show frame `i` of the total (redrawn only when the percentage changes)."""
        if not self.enabled or not self.total:
            return
        pct = min(100, int(100 * (i + 1) / self.total))
        if pct != self._last:
            self._last = pct
            bar = "#" * (pct // 4)
            sys.stderr.write(f"\r{self.label} [{bar:<25}] {pct:3d}%")
            sys.stderr.flush()

    def close(self) -> None:
        """End the bar's line."""
        if self.enabled:
            sys.stderr.write("\n")
            sys.stderr.flush()


def analyze(
    source: FrameSource,
    exercise: Exercise,
    backend_factory: BackendFactory | None = None,
    model_name: str | None = None,
    annotate_path: str | Path | None = None,
    on_frame: Callable[[FrameResult], None] | None = None,
    progress: bool | None = None,
    scorer=None,
    cues=None,
    text_renderer=None,
    tape=None,
    sinks=(),
    cancel=None,
    prefetch: bool = True,
) -> dict:
    """Run `exercise`'s pipeline over `source` and return the analysis JSON (a dict).

    If the source breaks part-way (a truncated video) the results up to the damage are kept
    and a warning is added. A short caller of the runner (`fitcoach.run`): progress bar,
    landmark tape, cue engine, annotator, `on_frame`, then any extra `sinks`, in that order.
    """
    from fitcoach.run import sinks as sk
    from fitcoach.run.frames import prefetched
    from fitcoach.run.runner import Runner

    needs_model = source.kind not in ("landmarks",)
    chain: list = [sk.ProgressSink(source.n_frames, f"analyze {Path(source.name).name}", progress)]
    if tape is not None:  # a session.LandmarkTape: the raw landmarks, as `record` writes them
        chain.append(sk.TapeSink(tape))
    if cues is not None:  # a CueEngine: what the voice coach would say, and when
        chain.append(sk.CueSink(cues))
    if annotate_path is not None:
        chain.append(sk.AnnotatorSink(annotate_path, exercise, text_renderer))
    if on_frame is not None:
        chain.append(sk.CallbackSink(on_frame))
    chain += list(sinks)
    # files are decoded on a helper thread, beside the pose model (same frames, same order)
    frames = prefetched(source) if prefetch and source.kind in ("video", "images") else None
    ctx = Runner(source, exercise, chain, backend_factory, scorer, frames=frames).run(cancel)
    return analysis_json(ctx, model_name if needs_model else None, scorer, cues)


def analysis_json(ctx, model_name: str | None = None, scorer=None, cues=None) -> dict:
    """The analysis JSON of a finished run (`run.runner.RunContext`)."""
    source, exercise, pipe, n, t_last = ctx.source, ctx.exercise, ctx.pipe, ctx.n, ctx.t_last
    st = pipe.stats
    full = [r for r in pipe.reps if not r.partial]
    warnings = list(source.warnings)
    # Problems that make the result unusable or incomplete: the CLI exits non-zero on them,
    # after writing what was measured.
    errors = [w for w in source.warnings if "truncated" in w]
    if n and st.frames_with_person == 0:
        msg = f"{source.name}: nobody was detected in any of the {n} frames"
        warnings.append(msg)
        errors.append(msg)
    elif n and st.frames_with_person < 0.5 * n:
        warnings.append(f"{source.name}: a person was seen in only {st.frames_with_person} of {n} frames")
    if st.frames_multi_person:
        warnings.append(
            f"{source.name}: more than one person in {st.frames_multi_person} frames; "
            "followed the one tracked from the start"
        )
    return {
        "schema": JSON_SCHEMA,
        "input": {
            "name": Path(source.name).name,
            "kind": source.kind,
            "frames": n,
            "duration_s": _r(t_last),
            "frame_size": list(source.frame_size),
        },
        "exercise": {"id": exercise.id, "name": exercise.name.en, "kind": exercise.kind,
                     "driver": exercise.driver.metric if exercise.driver else None},
        "model": model_name,
        "scorer": (scorer.path.name if scorer is not None and scorer.knows(exercise.id) else None),
        "summary": {
            "reps": len(full),
            "reps_at_target": sum(1 for r in full if r.reached_target),
            "partial_reps": len(pipe.reps) - len(full),
            "hold_s": _r(pipe.hold.hold_s, 2) if pipe.hold else None,
            "longest_hold_s": _r(pipe.hold.longest_s, 2) if pipe.hold else None,
            "frames": st.frames,
            "frames_with_person": st.frames_with_person,
            "frames_multi_person": st.frames_multi_person,
            "frames_body_not_visible": st.frames_body_not_visible,
            "ignored_movements": st.ignored_movements,
            "abandoned_reps": st.abandoned_reps,
            "implausible_poses": st.implausible_poses,
        },
        "reps": [rep_to_json(r) for r in pipe.reps],
        "hold_faults": [
            {"id": f.id, "message": f.message, "measured": f.measured, "target": f.target,
             "unit": f.unit, "duration_s": f.duration_s}
            for f in pipe.hold_faults
        ],
        "cues": [c.to_json() for c in cues.spoken] if cues is not None else [],
        "warnings": warnings,
        "errors": errors,
    }


def record(
    source: FrameSource,
    out_path: str | Path,
    backend_factory: BackendFactory,
    progress: bool | None = None,
    exercise: Exercise | None = None,
) -> dict:
    """Run the pose model over `source` and write landmark recording v1 (raw, unsmoothed): the
    runner with a landmark tape (the exercise only shapes the analysis, which is discarded)."""
    from fitcoach.run import sinks as sk
    from fitcoach.run.frames import prefetched
    from fitcoach.run.runner import Runner

    if source.kind == "landmarks":
        source.close()
        raise InputError(f"{source.name}: is already a landmark recording")
    if exercise is None:
        from fitcoach.core.exercises import ExerciseCatalog

        cat = ExerciseCatalog.load()
        exercise = cat.get(cat.ids()[0])
    tape = sk.TapeSink()
    frames = prefetched(source) if source.kind in ("video", "images") else None
    Runner(source, exercise, [sk.ProgressSink(source.n_frames, f"record {Path(source.name).name}", progress), tape],
           backend_factory, frames=frames).run()
    t = tape.tape
    if not len(t):
        raise InputError(f"{source.name}: no frame to record")
    t.save(out_path, source.frame_size)
    seen = sum(1 for img in t.img if np.isfinite(img[:, 0]).any())
    return {"frames": len(t), "frames_with_person": seen, "warnings": list(source.warnings)}


def analysis_json_text(out: dict) -> str:
    """The analysis JSON as `fitcoach analyze --json` writes it (byte-identical for the same input)."""
    import json

    return json.dumps(out, indent=2, ensure_ascii=False) + "\n"
