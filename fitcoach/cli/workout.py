"""`fitcoach workout`: a guided workout without a display (countdown, sets, rests), from a
camera or a file played as a camera would deliver it.

The workout is `fitcoach.run.workout.run_workout` on a worker thread; this thread prints its
events (`fitcoach.cli.console`). Frames the model cannot take are dropped and counted.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from fitcoach.cli.common import (PoseArgs, backend_factory, load_catalog, load_scorer, print_or_write_json,
                                 program_item, warn)
from fitcoach.cli.console import watch
from fitcoach.core.errors import FitCoachError


@dataclass(frozen=True)
class WorkoutArgs(PoseArgs):
    input: str | None  # a file, or None with --camera
    camera: int | None
    exercise: str
    sets: int
    reps: int
    hold: float  # s per set of a hold
    rest: float  # s between sets
    countdown: float  # s before set 1
    program: str | None  # a stored program of --profile, or a .toml file
    profile: str | None  # whose history (None: not saved)
    json: str | None  # "-": print it
    record: str | None  # OUT.npz
    record_video: bool
    speed: float  # files: 1 = real time, 0 = as fast as the model goes
    lang: str
    verbosity: str
    voice: bool
    no_scorer: bool
    fps: float


def run(args: WorkoutArgs) -> int:
    """Run the workout until its last set (or Ctrl-C) and print what was done."""
    from fitcoach.core.session import Prescription
    from fitcoach.io.sources import CameraSource, open_source
    from fitcoach.run.worker import Worker
    from fitcoach.run.workout import run_workout

    if (args.camera is None) == (args.input is None):
        raise FitCoachError("workout: give a FILE or --camera N (one of them)")
    catalog = load_catalog(args.exercises_dir)
    ex = catalog.get(args.exercise)
    if args.program:
        presc = _program_prescription(args, catalog, ex)
    else:
        presc = Prescription.for_exercise(ex, sets=args.sets, reps=args.reps, hold_s=args.hold, rest_s=args.rest)
    src = CameraSource(args.camera) if args.camera is not None else open_source(args.input, fps=args.fps)
    job = _job(args, src, ex, presc)
    goal = f"{presc.hold_s:g} s" if presc.hold_s is not None else f"{presc.reps} reps"
    print(f"Workout: {ex.name.get(args.lang)}, {presc.sets} x {goal}, rest {presc.rest_s:g} s, "
          f"on {src.name}. Ctrl-C to stop.", flush=True)
    out = watch(Worker(lambda cancel, emit: run_workout(job, cancel, emit), name="workout",
                       on_cancel=src.close if src.kind == "camera" else None))
    done = ", ".join(str(a) for a in out["summary"]["achieved"]) or "none"
    print(f"Done: {out['summary']['sets_done']} of {presc.sets} sets ({done}); "
          f"frames analysed {out['input']['frames_analysed']}, dropped {out['input']['frames_dropped']}")
    if args.json and print_or_write_json(args.json, out):
        print(f"workout JSON written to {args.json}")
    warn(out["warnings"])
    return 0


def _job(args: WorkoutArgs, src, ex, presc):
    """The `WorkoutJob`: the pose model (not for a landmark recording), the voice (--voice) and
    the history (--profile)."""
    from fitcoach.core.session import SessionRecorder
    from fitcoach.run.workout import WorkoutJob

    factory = None if src.kind == "landmarks" else backend_factory(args.model, args.people)
    recorder_factory = None
    if args.profile:
        def recorder_factory():  # the Database is closed by the store sink when the run ends
            from fitcoach.app.database import Database

            db = Database()
            return db, SessionRecorder(db.store(), args.profile, ex.id, src.name, args.model, presc)
    voice = None
    if args.voice and args.verbosity != "silent":
        from fitcoach.voice.coach import VoiceCoach

        voice = VoiceCoach(presc.apply(ex), args.lang, args.verbosity)
    return WorkoutJob(src, ex, presc, countdown_s=args.countdown, backend_factory=factory, model_name=args.model,
                      scorer=load_scorer(args.no_scorer), lang=args.lang, verbosity=args.verbosity,
                      speed=args.speed, voice=voice, recorder_factory=recorder_factory,
                      record_path=args.record, record_video=args.record_video)


def _program_prescription(args: WorkoutArgs, catalog, ex):
    """--program NAME: the row for `ex` of a stored program of --profile, or of a program file."""
    from fitcoach.core.programs import load_program_file, parse_program
    from fitcoach.core.session import Prescription

    if Path(args.program).suffix.lower() == ".toml" or Path(args.program).is_file():
        prog = load_program_file(args.program, catalog)
    else:
        from fitcoach.app.database import Database

        with Database() as db:
            prog = parse_program(db.store().program_text(args.profile or "me", args.program), args.program, catalog)
    return Prescription.from_program_item(program_item(prog, args.program, ex.id), ex)
