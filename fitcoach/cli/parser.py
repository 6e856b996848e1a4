"""The `fitcoach` command line: one function per command adds its subparser, and stores the
command (`common.Command`: its arguments' type and its function) as the parser's `handler`.

Bad input is one line on stderr and exit 2 (`_Parser`); numbers are range-checked where they
are read (`bounded`), so a command never sees NaN, infinity or an out-of-range value.
"""

from __future__ import annotations

import argparse

from fitcoach import __version__
from fitcoach.cli import analyze, app, assess, data, exercises, info, live, profiles, say, train, workout
from fitcoach.cli.common import DEFAULT_PEOPLE, EXIT_INPUT, Command
from fitcoach.i18n import LANGS

VERBOSITY = ("silent", "counts", "full")


class _Parser(argparse.ArgumentParser):
    """argparse, with FitCoach's rule for bad input: one line on stderr and exit 2 (argparse
    prints the usage first; `--help` still shows it). Subparsers inherit this class."""

    def error(self, message: str):
        text = " ".join(message.split())  # an unrecognised argument may hold a newline
        self.exit(EXIT_INPUT, f"{self.prog}: error: {text} (see {self.prog} --help)\n")

    def _get_values(self, action, arg_strings):
        # argparse (3.11) drops a value that is "--" (`--fps=--`) and then stores [] without
        # calling `type=`: a later TypeError. Refuse it like any missing value.
        if action.nargs is None and action.option_strings and arg_strings == ["--"]:
            self.error(f"argument {'/'.join(action.option_strings)}: expected one argument")
        return super()._get_values(action, arg_strings)


def _short_repr(text: str) -> str:
    r = repr(text)
    return r if len(r) <= 40 else r[:37] + "..."


def bounded(kind: type, lo: float, hi: float, unit: str = ""):
    """An argparse `type=` for a number in [lo, hi]: anything else (nan, inf, out of range, not
    a number) is argparse's own error naming the option and the allowed range, exit 2."""

    def parse(text: str):
        try:
            value = kind(text)
        except (ValueError, OverflowError):
            value = None
        if value is None or not lo <= value <= hi:  # False for NaN
            what = "a whole number" if kind is int else "a number"
            raise argparse.ArgumentTypeError(f"must be {what} from {lo:g} to {hi:g}{unit}, got {_short_repr(text)}")
        return value

    return parse


def _phrase(text: str) -> str:
    """`say TEXT`: something to say (not blank, no control characters, one phrase long)."""
    from fitcoach.voice.tts import SpeechError, check_text

    try:
        return check_text(text)
    except SpeechError as e:
        raise argparse.ArgumentTypeError(str(e)) from None


FPS = bounded(float, 0.1, 1000.0, " frames per second")


def _rate():
    from fitcoach.voice.tts import RATE_WPM

    return bounded(int, *RATE_WPM, " words per minute")


def _camera():
    from fitcoach.io.settings import RANGES  # settings.toml's ranges: one rule for both

    return bounded(int, *RANGES["camera"])


def build_parser() -> argparse.ArgumentParser:
    """The whole command line; `handler` of the parsed Namespace is the command to run."""
    p = _Parser(prog="fitcoach", description="FitCoach: offline exercise coach.")
    p.add_argument("--version", action="version", version=f"fitcoach {__version__}")
    p.add_argument("--info", action="store_true", help="print versions, model hashes, providers, cameras")
    p.add_argument("--debug-log", action="store_true", help="verbose log with thread names; tracebacks on errors")
    sub = p.add_subparsers(dest="command")
    for add in (_analyze, _record, _exercises, _models, _demo, _say, _assess, _data, _gui, _profile, _plan,
                _report, _program, _train, _workout, _live):  # the order `fitcoach --help` lists them in
        add(sub)
    return p


def _common(sp, model=True):
    sp.add_argument("--exercises-dir", help="folder of exercise TOML files (default: the shipped ones)")
    if model:
        sp.add_argument("--model", choices=("lite", "full", "heavy"), default="full", help="pose model (default full)")
        sp.add_argument("--people", choices=("1", "2", "auto"), default=DEFAULT_PEOPLE,
                        help="people the pose model looks for: 1; 2 on every frame; auto (default): one "
                             "per frame and a look for a second every 0.5 s, then two while two are "
                             "in view (follows the exerciser when someone walks in)")


def _analyze(sub) -> None:
    a = sub.add_parser("analyze", help="count reps, tempo and ROM in a video, image folder or landmark recording")
    a.add_argument("input", help="video file, image folder, or landmark recording (.npz)")
    a.add_argument("--no-scorer", action="store_true", help="rules only: no form-scorer score or confidences")
    a.add_argument("--lang", choices=LANGS, default="en", help="language of the coach's cues (JSON 'cues')")
    a.add_argument("--save", action="store_true", help="keep this session in the local history (with --profile)")
    a.add_argument("--profile", default="me", help="whose history (--save); created if new")
    a.add_argument("--program", help="--save: the program (by name) this set belongs to")
    a.add_argument("--realtime", action="store_true", help="replay a landmark recording at its own speed")
    a.add_argument("--verbosity", choices=VERBOSITY, default="full", help="what the coach says")
    a.add_argument("--exercise", "-e", required=True,
                   help="exercise id (see `fitcoach exercises list`), or auto: recognise it from the movement")
    a.add_argument("--json", help="write the analysis JSON here (default: print it)")
    a.add_argument("--annotate", metavar="OUT.mp4", help="write a video with skeleton, counter, phase, angle")
    a.add_argument("--fps", type=FPS, default=30.0, help="frame rate for image folders, 0.1-1000 (default 30)")
    a.add_argument("--no-progress", action="store_true", help="no progress bar")
    _common(a)
    a.set_defaults(handler=Command(analyze.AnalyzeArgs, analyze.run))


def _record(sub) -> None:
    r = sub.add_parser("record", help="write a landmark recording (.npz) from a video or camera")
    r.add_argument("input", help="video file, image folder, or camera index (e.g. 0)")
    r.add_argument("output", help="OUT.npz")
    r.add_argument("--fps", type=FPS, default=30.0, help="frame rate for image folders, 0.1-1000 (default 30)")
    r.add_argument("--no-progress", action="store_true")
    _common(r)
    r.set_defaults(handler=Command(live.RecordArgs, live.run_record))


def _exercises(sub) -> None:
    e = sub.add_parser("exercises", help="list, show or validate exercise files")
    e.add_argument("action", choices=("list", "show", "validate"))
    e.add_argument("id", nargs="?", help="exercise id (show)")
    e.add_argument("files", nargs="*", help="files to validate (default: all shipped)")
    _common(e, model=False)
    e.set_defaults(handler=Command(exercises.ExercisesArgs, exercises.run))


def _models(sub) -> None:
    m = sub.add_parser("models", help="check the shipped model files against models/manifest.toml")
    m.add_argument("action", choices=("verify",))
    m.set_defaults(handler=Command(info.ModelsArgs, info.run_models))


def _demo(sub) -> None:
    d = sub.add_parser("demo", help="run the built-in synthetic demo recording")
    d.add_argument("--save", metavar="OUT.npz", help="also write the demo landmark recording")
    d.add_argument("--json", help="write the analysis JSON here")
    d.add_argument("--annotate", metavar="OUT.mp4", help="write an annotated video of the demo")
    _common(d, model=False)
    d.set_defaults(handler=Command(live.DemoArgs, live.run_demo))


def _say(sub) -> None:
    from fitcoach.voice.tts import RATE_WPM, VOLUME

    sy = sub.add_parser("say", help="speak a phrase with the offline voice (or write it to a WAV file)")
    sy.add_argument("text", type=_phrase)
    sy.add_argument("--lang", choices=LANGS, default="en")
    sy.add_argument("--out", metavar="FILE.wav", help="write the speech here instead of playing it")
    sy.add_argument("--rate", type=_rate(), default=170,
                    help=f"words per minute, {RATE_WPM[0]}-{RATE_WPM[1]} (default 170)")
    sy.add_argument("--volume", type=bounded(float, *VOLUME), default=1.0, help="0-1 (default 1)")
    sy.set_defaults(handler=Command(say.SayArgs, say.run))


def _assess(sub) -> None:
    asx = sub.add_parser("assess", help="posture (front/side photos or video) or a range-of-motion test")
    asub = asx.add_subparsers(dest="what", required=True)
    ap_ = asub.add_parser("posture", help="forward head, tilt and asymmetry from a front and/or side view")
    ap_.add_argument("--front", help="front photo (or video / image folder / .npz)")
    ap_.add_argument("--side", help="side photo (or video / image folder / .npz)")
    ap_.set_defaults(handler=Command(assess.PostureArgs, assess.run_posture))
    ar_ = asub.add_parser("rom", help="a guided single-joint range-of-motion test")
    ar_.add_argument("input", help="video, image folder, camera index or landmark recording")
    ar_.add_argument("--test", required=True, help="test id (fitcoach/data/rom_tests.toml), e.g. shoulder_flexion")
    ar_.add_argument("--side", required=True, choices=("left", "right"), help="the side tested")
    ar_.set_defaults(handler=Command(assess.RomArgs, assess.run_rom))
    for sp in (ap_, ar_):
        sp.add_argument("--json", help="write the result JSON here")
        sp.add_argument("--html", help="write a printable HTML report here")
        sp.add_argument("--lang", choices=LANGS, default="en", help="report language")
        sp.add_argument("--fps", type=FPS, default=30.0, help="frame rate for image folders, 0.1-1000")
        sp.add_argument("--save", action="store_true", help="keep the result in the local history (with --profile)")
        sp.add_argument("--profile", default="me")
        _common(sp)


def _data(sub) -> None:
    da = sub.add_parser("data", help="your local history: export, erase, back up, check, restore or salvage it")
    da.add_argument("action", choices=("export", "delete", "check", "backup", "restore", "salvage", "selfreport"))
    da.add_argument("--pain", type=int, help="selfreport: pain 0-10 after the latest session")
    da.add_argument("--rpe", type=int, help="selfreport: effort (RPE) 0-10 after the latest session")
    da.add_argument("--profile", help="export/delete: whose data")
    da.add_argument("--file", help="backup: write to FILE (or a dated file in a folder) and FILE.sha256; "
                                   "restore: read FILE (checked against FILE.sha256 when there is one)")
    da.add_argument("--out", help="export: FILE.json (whole profile), FILE.csv (reps) or FILE.fhir.json (FHIR R4 Bundle); "
                                  "salvage: the new database (default: a dated file in the data folder)")
    da.add_argument("--include-notes", action="store_true",
                    help="FHIR export: also include the programs' names and notes (free text that may name the "
                         "patient); by default a CarePlan's title is neutral, e.g. 'FitCoach program 1 v2: squat'")
    da.set_defaults(handler=Command(data.DataArgs, data.run))


def _gui(sub) -> None:
    gu = sub.add_parser("gui", help="open the desktop app (what `fitcoach` alone does when there is a display)")
    gu.add_argument("--lang", choices=LANGS, default=None, help="UI language (default: from settings)")
    gu.add_argument("--demo", action=argparse.BooleanOptionalAction, default=None,
                    help="open the built-in demo recording in Replay (default: when there is no camera)")
    gu.add_argument("--quit-after-show", action="store_true", help=argparse.SUPPRESS)  # start-up benchmark
    gu.set_defaults(handler=Command(app.GuiArgs, app.run_gui))


def _profile(sub) -> None:
    pf = sub.add_parser("profile", help="create or update a profile: age band, level, goals, conditions, exercises to avoid")
    pf.add_argument("action", choices=("set",))
    pf.add_argument("name")
    pf.add_argument("--age-band", choices=("<18", "18-39", "40-64", "65-79", "80+"))
    pf.add_argument("--level", choices=("beginner", "intermediate", "advanced"))
    pf.add_argument("--goal", action="append", help="what to train (tags such as legs, core, shoulders); repeatable")
    pf.add_argument("--condition", action="append", help="a condition tag (e.g. knee_valgus, forward_head_posture); repeatable")
    pf.add_argument("--avoid", action="append", help="an exercise id to leave out (physiotherapist); repeatable")
    pf.set_defaults(handler=Command(profiles.ProfileArgs, profiles.run_profile))


def _plan(sub) -> None:
    pl = sub.add_parser("plan", help="the next session: exercises, sets x reps, tempo, rest, correctives, with reasons")
    pl.add_argument("--profile", required=True)
    pl.add_argument("--json", nargs="?", const="-", help="print (or write to FILE) the plan as JSON")
    pl.add_argument("--rules-only", action="store_true", help="do not use the planner network")
    pl.add_argument("--lang", choices=LANGS, default="en", help="language of the explanations (text output)")
    pl.add_argument("--exercises-dir", help=argparse.SUPPRESS)
    pl.set_defaults(handler=Command(profiles.PlanArgs, profiles.run_plan))


def _report(sub) -> None:
    rp = sub.add_parser("report", help="progress report from the local history (HTML or PDF)")
    rp.add_argument("--profile", required=True)
    rp.add_argument("--out", required=True, help="FILE.html or FILE.pdf")
    rp.add_argument("--exercises-dir", help=argparse.SUPPRESS)
    rp.set_defaults(handler=Command(profiles.ReportArgs, profiles.run_report))


def _program(sub) -> None:
    pg = sub.add_parser("program", help="exercise programs as files: validate, import, export")
    pg.add_argument("action", choices=("validate", "import", "export"))
    pg.add_argument("file", help="validate/import: the program file; export: the program's name")
    pg.add_argument("--profile", default="me")
    pg.add_argument("--out", help="export: write the program here")
    pg.add_argument("--exercises-dir", help=argparse.SUPPRESS)
    pg.set_defaults(handler=Command(profiles.ProgramArgs, profiles.run_program))


def _train(sub) -> None:
    tr = sub.add_parser("train", help="train a model shipped in models/ (needs the 'train' extra)")
    tr.add_argument("what", choices=("scorer", "planner"))
    tr.add_argument("--takes", type=bounded(int, 1, 10_000), default=100,
                    help="synthetic takes per exercise (3 reps each), 1-10000")
    tr.add_argument("--heldout-takes", type=bounded(int, 1, 10_000), default=20)
    tr.add_argument("--epochs", type=bounded(int, 1, 100_000), default=150)
    tr.add_argument("--seed", type=bounded(int, 0, 2**32 - 1), default=0)
    tr.add_argument("--workers", type=bounded(int, 1, 64), default=2)
    tr.add_argument("--exercise", action="append", help="only these exercises (repeatable; default all)")
    tr.add_argument("--out", help="ONNX file (default models/form_scorer.onnx, which also updates the manifest and card)")
    tr.add_argument("--card", help="write the model card here")
    tr.add_argument("--report", help="write the full metrics as JSON here")
    tr.add_argument("--shared", help="folder with datasets/ for the real-data evaluation (default ../shared)")
    tr.add_argument("--no-real", action="store_true",
                    help="synthetic reps only: no real training data (UI-PRMD) and no real-data evaluation")
    tr.add_argument("--no-cv", action="store_true", help="skip the leave-one-subject-out validation (5 extra trainings)")
    tr.add_argument("--cache", help="keep generated training data here between runs (outside the repo)")
    tr.set_defaults(handler=Command(train.TrainArgs, train.run))


def _workout(sub) -> None:
    wo = sub.add_parser("workout", help="a guided workout without a display: countdown, sets, rests (camera or file)")
    wo.add_argument("input", nargs="?", help="video, image folder or landmark recording, played as a camera would")
    wo.add_argument("--camera", type=_camera(), help="camera index, 0-9 (instead of a FILE)")
    wo.add_argument("--exercise", "-e", required=True, help="exercise id (see `fitcoach exercises list`)")
    wo.add_argument("--sets", type=bounded(int, 1, 20), default=3, help="sets (default 3)")
    wo.add_argument("--reps", type=bounded(int, 1, 100), default=10, help="reps per set (default 10)")
    wo.add_argument("--hold", type=bounded(float, 1, 600, " s"), default=30.0, help="hold exercises: seconds per set")
    wo.add_argument("--rest", type=bounded(float, 0, 600, " s"), default=60.0, help="rest between sets, s (default 60)")
    wo.add_argument("--countdown", type=bounded(float, 0, 60, " s"), default=3.0, help="countdown before set 1, s")
    wo.add_argument("--program", help="take sets, reps, rest from this program (stored for --profile, or a .toml)")
    wo.add_argument("--profile", help="save the session in this profile's history (default: not saved)")
    wo.add_argument("--json", help="write the workout JSON here ('-': print it)")
    wo.add_argument("--record", metavar="OUT.npz", help="also save the session's landmarks here")
    wo.add_argument("--record-video", action="store_true", help="with --record: the camera frames too (.mp4)")
    wo.add_argument("--speed", type=bounded(float, 0, 100), default=1.0,
                    help="files: 1 = real time, as a camera (default); 4 = four times faster; "
                         "0 = as fast as the model goes, no frame dropped (tests)")
    wo.add_argument("--lang", choices=LANGS, default="en", help="language of the cues")
    wo.add_argument("--verbosity", choices=VERBOSITY, default="full", help="what the coach says")
    wo.add_argument("--voice", action="store_true", help="speak the cues (default: printed only)")
    wo.add_argument("--no-scorer", action="store_true", help="rules only: no form-scorer score")
    wo.add_argument("--fps", type=FPS, default=30.0, help="frame rate for image folders (default 30)")
    _common(wo)
    wo.set_defaults(handler=Command(workout.WorkoutArgs, workout.run))


def _live(sub) -> None:
    from fitcoach.voice.tts import RATE_WPM

    lv = sub.add_parser("live", help="coach live from a camera (headless, text output)")
    lv.add_argument("--camera", type=_camera(), default=0, help="camera index, 0-9")
    lv.add_argument("--exercise", "-e", default="squat")
    lv.add_argument("--lang", choices=LANGS, help="coach language (default: settings.toml, else en)")
    lv.add_argument("--verbosity", choices=VERBOSITY, help="default: settings.toml, else full")
    lv.add_argument("--rate", type=_rate(), help=f"speech rate, words per minute, {RATE_WPM[0]}-{RATE_WPM[1]} "
                    "(default: settings.toml, else 170)")
    lv.add_argument("--mute", action="store_true", help="no sound; cues are printed")
    _common(lv)
    lv.set_defaults(handler=Command(live.LiveArgs, live.run_live))
