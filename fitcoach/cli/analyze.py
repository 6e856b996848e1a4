"""`fitcoach analyze INPUT -e EXERCISE`: count reps, tempo, ROM and form in a file, as the
analysis JSON (`fitcoach.run.analyze`, schema in docs/analysis-json.md).

The whole file is analysed on this thread through the one frame loop (`fitcoach.run`),
nothing dropped, so the same input gives the same JSON. `--save` keeps it as one set of the
local history; `-e auto` recognises the exercise first (`fitcoach.run.recognition`).
"""

from __future__ import annotations

import sys
from dataclasses import dataclass

from fitcoach.cli.common import (EXIT_INPUT, PoseArgs, backend_factory, load_catalog, load_scorer,
                                 program_item, warn)
from fitcoach.run.recognition import exercise_mismatch, recognize_input
from fitcoach.io.private_files import write_private_text


@dataclass(frozen=True)
class AnalyzeArgs(PoseArgs):
    input: str
    exercise: str  # an exercise id, or "auto"
    json: str | None  # None or "-": print the JSON
    annotate: str | None  # OUT.mp4
    fps: float  # image folders
    lang: str  # of the cues
    verbosity: str
    no_scorer: bool
    realtime: bool  # a landmark recording at its own speed
    no_progress: bool
    save: bool  # one set of --profile's history
    profile: str
    program: str | None  # --save: the stored program the set belongs to


def run(args: AnalyzeArgs) -> int:
    """Analyse the input and write (or print) its JSON; exit 2 when the input was damaged (what
    was measured is still written), else 0 with each warning on stderr."""
    from fitcoach.core.cues import CueEngine
    from fitcoach.run.analyze import analyze

    catalog = load_catalog(args.exercises_dir)
    auto = args.exercise == "auto"
    src, ex, factory, recognized = _open_input(args, catalog)
    renderer = None
    if args.annotate and args.lang != "en":  # Qt draws every script; OpenCV only ASCII
        from fitcoach.gui.qt_text import draw_text as renderer
    # -e ID: the landmarks are kept so the recogniser can check the name afterwards
    tape = None
    if not auto and src.kind != "landmarks":
        from fitcoach.io.recordings import LandmarkTape

        tape = LandmarkTape()
    check_rec = getattr(src, "rec", None) if not auto else None
    if args.realtime and src.kind == "landmarks":
        src = _Paced(src)
    cues = CueEngine(ex, args.lang, args.verbosity)
    extra = []
    if args.save:  # the whole input is one set, saved as `SessionRecorder` saves a workout
        extra = _save_sinks(args, catalog, ex, cues)
    out = analyze(src, ex, factory, model_name=args.model, annotate_path=args.annotate,
                  progress=None if not args.no_progress else False, scorer=load_scorer(args.no_scorer),
                  cues=cues, text_renderer=renderer, tape=tape, sinks=extra)
    if recognized is not None:
        out["exercise"]["recognized"] = recognized.to_json()
    else:
        warning = exercise_mismatch(ex.id, catalog, check_rec, tape, out["input"]["frame_size"])
        if warning:
            out["warnings"].append(f"{out['input']['name']}: {warning}")
    return _report(out, args.json)


def _open_input(args: AnalyzeArgs, catalog):
    """(source, exercise, backend factory or None, Recognition or None); -e auto recognises the
    exercise from the landmarks first."""
    from fitcoach.io.sources import open_source

    auto = args.exercise == "auto"
    ex = None if auto else catalog.get(args.exercise)
    src = open_source(args.input, fps=args.fps)
    factory = None if src.kind == "landmarks" else backend_factory(args.model, args.people)
    recognized = None
    if auto:
        src, factory, recognized = recognize_input(args.input, args.fps, args.no_progress, catalog, src, factory)
        ex = catalog.get(recognized.id)
    return src, ex, factory, recognized


def _report(out: dict, json_path: str | None) -> int:
    """Write the JSON, then the first error (exit 2) or the warnings (exit 0) on stderr."""
    _emit(out, json_path)
    if out["errors"]:
        # What was measured is already written; one line says what went wrong.
        print(f"fitcoach: error: {out['errors'][0]}", file=sys.stderr)
        return EXIT_INPUT
    warn(out["warnings"])
    return 0


def _save_sinks(args: AnalyzeArgs, catalog, ex, cues) -> list:
    """analyze --save: sinks that save the input as one set of the history (every completed rep
    committed when it completes), with the program's prescription when --program is given."""
    from fitcoach.app.database import Database
    from fitcoach.core.session import Prescription, SessionRecorder
    from fitcoach.run.sinks import OneSetSink, StoreSink

    db = Database()  # closed by the store sink when the run ends
    try:
        store = db.store()
        prescribed = None
        if args.program:  # the set is part of a program: its prescription travels with it
            program = store.program(args.profile, args.program).program(catalog)  # validated
            prescribed = program_item(program, args.program, ex.id).reps
    except BaseException:
        db.close()
        raise
    recorder = SessionRecorder(store, args.profile, ex.id, str(args.input), args.model,
                               Prescription(sets=1, reps=prescribed))
    return [OneSetSink(), StoreSink(recorder, cues, db,
                                    on_saved=lambda r: print(f"saved rep {r.index}", flush=True))]


class _Paced:
    """Replays a landmark recording at its own speed (simulates a live session)."""

    def __init__(self, src) -> None:
        self._src = src

    def __getattr__(self, name):
        return getattr(self._src, name)

    def __iter__(self):
        from fitcoach.run.frames import paced

        yield from paced(self._src)


def _emit(out: dict, json_path: str | None) -> None:
    from fitcoach.run.analyze import analysis_json_text

    text = analysis_json_text(out).rstrip("\n")
    if json_path and json_path != "-":
        write_private_text(json_path, text + "\n")
        s = out["summary"]
        what = f"{s['hold_s']} s held" if out["exercise"]["kind"] == "hold" else f"{s['reps']} reps, {s['partial_reps']} partial"
        print(f"{out['input']['name']}: {out['exercise']['id']}: {what} -> {json_path}")
    else:
        print(text)

