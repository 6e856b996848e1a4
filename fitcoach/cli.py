"""Command line: `fitcoach [COMMAND]`.

With no command FitCoach runs its main job: live coaching from the camera, or — when there is
no camera — the built-in demo recording (a synthetic exerciser), so a new user sees counting
work at once. Errors caused by input are one line on stderr and a non-zero exit; the
traceback only with --debug-log.
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import sys
from pathlib import Path

from fitcoach import __version__
from fitcoach.core.errors import FitCoachError

log = logging.getLogger("fitcoach")

EXIT_INPUT = 2


def _setup_logging(debug: bool) -> None:
    logging.basicConfig(
        level=logging.DEBUG if debug else logging.WARNING,
        format="%(asctime)s %(levelname)s [%(threadName)s] %(name)s: %(message)s",
    )


def _catalog(args):
    from fitcoach.core.exercises import ExerciseCatalog

    return ExerciseCatalog.load(getattr(args, "exercises_dir", None))


def _backend_factory(model: str, people: int = 2):
    from fitcoach.core.models import pose_model_path
    from fitcoach.core.pose import MediaPipePose

    pose_model_path(model)  # fail early, before any frame is read, if the model is missing

    def make():
        return MediaPipePose(model, num_poses=people)

    return make


# --- commands -----------------------------------------------------------------------------


def cmd_info(args) -> int:
    import platform

    print(f"FitCoach {__version__}")
    print(f"Python {platform.python_version()} on {platform.platform()}")
    for mod in ("numpy", "cv2", "mediapipe", "onnxruntime", "PySide6", "pyttsx3", "platformdirs"):
        try:
            m = __import__(mod)
            print(f"  {mod:<13} {getattr(m, '__version__', 'installed')}")
        except ImportError as exc:
            print(f"  {mod:<13} not installed ({exc})")
    try:
        import onnxruntime as ort

        print(f"ONNX Runtime providers: {', '.join(ort.get_available_providers())}")
    except ImportError:
        print("ONNX Runtime providers: onnxruntime not installed")
    from fitcoach.core.models import models_dir, read_manifest, sha256_file

    folder = models_dir()
    print(f"Models in {folder}:")
    try:
        for e in read_manifest(folder):
            p = folder / e.file
            if p.exists():
                print(f"  {e.file:<30} {p.stat().st_size:>10} bytes  sha256 {sha256_file(p)}")
            else:
                print(f"  {e.file:<30} {'absent':>10}{'  (optional)' if e.info.get('optional') else ''}")
    except FitCoachError as exc:
        print(f"  {exc}")
    from fitcoach.core.sources import list_cameras

    cams = list_cameras()
    print(f"Cameras: {', '.join(cams) if cams else 'none found'}")
    return 0


def cmd_models(args) -> int:
    from fitcoach.core.models import verify_all

    results = verify_all()
    bad = 0
    for r in results:
        print(f"{r.status:<17} {r.file:<30} {r.detail}")
        bad += r.status in ("missing", "mismatch")
    print(f"{len(results) - bad} of {len(results)} model files verified" + (f", {bad} failed" if bad else ""))
    return 1 if bad else 0


def cmd_exercises(args) -> int:
    from fitcoach.core.exercises import load_exercise_file

    if args.action == "validate":
        files = args.files or sorted(str(p) for p in Path(args.exercises_dir or _default_ex_dir()).glob("*.toml"))
        for f in files:
            ex = load_exercise_file(f)
            print(f"ok  {f}  ({ex.id})")
        return 0
    cat = _catalog(args)
    if args.action == "list":
        for ex in cat:
            extra = f"driver {ex.driver.metric} {ex.driver.rest:g}→{ex.driver.target:g}" if ex.driver else "hold"
            print(f"{ex.id:<28} {ex.kind:<5} {ex.laterality:<11} {ex.name.en} / {ex.name.ko}  [{extra}]")
        return 0
    if not args.id:
        raise FitCoachError("exercises show needs an exercise id")
    ex = cat.get(args.id)
    print(Path(ex.path).read_text(encoding="utf-8"))
    return 0


def _default_ex_dir() -> Path:
    from fitcoach.core.exercises import default_exercise_dir

    return default_exercise_dir()


def cmd_analyze(args) -> int:
    from fitcoach.core.analyze import analyze
    from fitcoach.core.sources import open_source

    ex = _catalog(args).get(args.exercise)
    src = open_source(args.input, fps=args.fps)
    factory = None if src.kind == "landmarks" else _backend_factory(args.model, getattr(args, 'people', 2))
    out = analyze(src, ex, factory, model_name=args.model, annotate_path=args.annotate,
                  progress=None if not args.no_progress else False)
    _emit(out, args.json)
    if out["errors"]:
        # What was measured is already written; one line says what went wrong.
        print(f"fitcoach: error: {out['errors'][0]}", file=sys.stderr)
        return EXIT_INPUT
    for w in out["warnings"]:
        print(f"fitcoach: warning: {w}", file=sys.stderr)
    return 0


def _emit(out: dict, json_path: str | None) -> None:
    text = json.dumps(out, indent=2, ensure_ascii=False)
    if json_path and json_path != "-":
        Path(json_path).write_text(text + "\n", encoding="utf-8")
        s = out["summary"]
        what = f"{s['hold_s']} s held" if out["exercise"]["kind"] == "hold" else f"{s['reps']} reps, {s['partial_reps']} partial"
        print(f"{out['input']['name']}: {out['exercise']['id']}: {what} -> {json_path}")
    else:
        print(text)


def cmd_record(args) -> int:
    from fitcoach.core.analyze import record
    from fitcoach.core.sources import open_source

    src = open_source(args.input, fps=args.fps)
    if src.kind == "landmarks":
        raise FitCoachError(f"{args.input}: is already a landmark recording")
    info = record(src, args.output, _backend_factory(args.model, getattr(args, 'people', 2)), progress=None if not args.no_progress else False)
    print(f"{args.output}: {info['frames']} frames, person seen in {info['frames_with_person']}")
    for w in info["warnings"]:
        print(f"fitcoach: warning: {w}", file=sys.stderr)
    return 0


def cmd_demo(args) -> int:
    """Run the built-in demo recording through the real pipeline, printing reps as counted."""
    from fitcoach.core import synth
    from fitcoach.core.analyze import analyze
    from fitcoach.core.landmarks import save_recording
    from fitcoach.core.sources import RecordingSource

    rec, _truth = synth.generate(synth.demo_take())
    if args.save:
        save_recording(args.save, rec)
        print(f"demo recording written to {args.save}")
    ex = _catalog(args).get("squat")
    print(f"FitCoach demo: a synthetic exerciser does {ex.name.en.lower()}s ({len(rec)} frames, "
          f"{rec.duration_s:.1f} s). No camera needed; nothing leaves this machine.")

    def show(res):
        for r in res.new_reps:
            kind = f"partial ({r.partial_reason})" if r.partial else "rep"
            print(f"  t={r.t_end_s:5.1f} s  {kind:<32} ROM {r.rom_min:5.1f}–{r.rom_max:5.1f}°  "
                  f"tempo {r.tempo_down:.1f}-{r.tempo_bottom:.1f}-{r.tempo_up:.1f}  total {res.reps}")

    out = analyze(RecordingSource(rec), ex, on_frame=show, annotate_path=args.annotate, progress=False)
    s = out["summary"]
    print(f"Done: {s['reps']} complete reps, {s['partial_reps']} partial.")
    if args.json:
        Path(args.json).write_text(json.dumps(out, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
        print(f"analysis JSON written to {args.json}")
    return 0


def cmd_live(args) -> int:
    from fitcoach.core.live import LiveRunner
    from fitcoach.core.sources import CameraSource

    ex = _catalog(args).get(args.exercise)
    src = CameraSource(args.camera)
    print(f"Live: {ex.name.en} on camera {args.camera}. Ctrl-C to stop.")

    def show(res, _frame):
        for r in res.new_reps:
            kind = "partial" if r.partial else "rep"
            print(f"  {kind} {res.reps}: ROM {r.rom_min:.0f}–{r.rom_max:.0f}°  "
                  f"tempo {r.tempo_down:.1f}-{r.tempo_bottom:.1f}-{r.tempo_up:.1f}", flush=True)

    runner = LiveRunner(src, ex, _backend_factory(args.model, getattr(args, 'people', 2)), show)
    try:
        pipe = runner.run()
    except KeyboardInterrupt:
        runner.stop()
        print("stopped")
        return 0
    print(f"{sum(not r.partial for r in pipe.reps)} reps; frames dropped: {runner.stats.dropped}")
    return 0


def cmd_default(args) -> int:
    """`fitcoach` alone: live from the camera if there is one, else the built-in demo."""
    from fitcoach.core.sources import list_cameras

    if list_cameras():
        ns = argparse.Namespace(camera=0, exercise="squat", model="full", exercises_dir=None)
        return cmd_live(ns)
    print("No camera found: running the built-in demo recording instead.")
    ns = argparse.Namespace(save=None, json=None, annotate=None, exercises_dir=None)
    return cmd_demo(ns)


# --- parser --------------------------------------------------------------------------------


def build_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="fitcoach", description="FitCoach: offline exercise coach.")
    p.add_argument("--version", action="version", version=f"fitcoach {__version__}")
    p.add_argument("--info", action="store_true", help="print versions, model hashes, providers, cameras")
    p.add_argument("--debug-log", action="store_true", help="verbose log with thread names; tracebacks on errors")
    sub = p.add_subparsers(dest="command")

    def common(sp, model=True):
        sp.add_argument("--exercises-dir", help="folder of exercise TOML files (default: the shipped ones)")
        if model:
            sp.add_argument("--model", choices=("lite", "full", "heavy"), default="full", help="pose model (default full)")
            sp.add_argument("--people", type=int, choices=(1, 2), default=2,
                            help="people the pose model looks for (default 2: follows the exerciser when "
                                 "someone else walks in; 1 is ~30%% faster)")

    a = sub.add_parser("analyze", help="count reps, tempo and ROM in a video, image folder or landmark recording")
    a.add_argument("input", help="video file, image folder, or landmark recording (.npz)")
    a.add_argument("--exercise", "-e", required=True, help="exercise id (see `fitcoach exercises list`)")
    a.add_argument("--json", help="write the analysis JSON here (default: print it)")
    a.add_argument("--annotate", metavar="OUT.mp4", help="write a video with skeleton, counter, phase, angle")
    a.add_argument("--fps", type=float, default=30.0, help="frame rate for image folders (default 30)")
    a.add_argument("--no-progress", action="store_true", help="no progress bar")
    common(a)
    a.set_defaults(func=cmd_analyze)

    r = sub.add_parser("record", help="write a landmark recording (.npz) from a video or camera")
    r.add_argument("input", help="video file, image folder, or camera index (e.g. 0)")
    r.add_argument("output", help="OUT.npz")
    r.add_argument("--fps", type=float, default=30.0)
    r.add_argument("--no-progress", action="store_true")
    common(r)
    r.set_defaults(func=cmd_record)

    e = sub.add_parser("exercises", help="list, show or validate exercise files")
    e.add_argument("action", choices=("list", "show", "validate"))
    e.add_argument("id", nargs="?", help="exercise id (show)")
    e.add_argument("files", nargs="*", help="files to validate (default: all shipped)")
    common(e, model=False)
    e.set_defaults(func=cmd_exercises)

    m = sub.add_parser("models", help="check the shipped model files against models/manifest.toml")
    m.add_argument("action", choices=("verify",))
    m.set_defaults(func=cmd_models)

    d = sub.add_parser("demo", help="run the built-in synthetic demo recording")
    d.add_argument("--save", metavar="OUT.npz", help="also write the demo landmark recording")
    d.add_argument("--json", help="write the analysis JSON here")
    d.add_argument("--annotate", metavar="OUT.mp4", help="write an annotated video of the demo")
    common(d, model=False)
    d.set_defaults(func=cmd_demo)

    lv = sub.add_parser("live", help="coach live from a camera (headless, text output)")
    lv.add_argument("--camera", type=int, default=0)
    lv.add_argument("--exercise", "-e", default="squat")
    common(lv)
    lv.set_defaults(func=cmd_live)
    return p


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    _setup_logging(args.debug_log)
    if args.debug_log:
        os.environ["FITCOACH_NATIVE_LOG"] = "1"
    # exercises validate takes files positionally after the optional id
    if getattr(args, "command", None) == "exercises" and args.action == "validate" and args.id:
        args.files = [args.id] + list(args.files)
    try:
        if args.info:
            return cmd_info(args)
        if not args.command:
            return cmd_default(args)
        return args.func(args)
    except FitCoachError as exc:
        if args.debug_log:
            log.exception("failed")
        print(f"fitcoach: error: {exc}", file=sys.stderr)
        return EXIT_INPUT
    except OSError as exc:
        if args.debug_log:
            log.exception("failed")
        where = f"{exc.filename}: " if getattr(exc, "filename", None) else ""
        print(f"fitcoach: error: {where}{exc.strerror or exc}", file=sys.stderr)
        return EXIT_INPUT
    except KeyboardInterrupt:
        print("fitcoach: interrupted", file=sys.stderr)
        return 130


if __name__ == "__main__":
    os.environ.setdefault("GLOG_minloglevel", "2")
    raise SystemExit(main())
