"""Command line: `fitcoach [COMMAND]`.

With no command FitCoach opens the desktop app (on the built-in demo recording when there is
no camera). Without a display (a server, CI, an SSH session) it runs the same job in the
console: live coaching from the camera, or the demo recording (a synthetic exerciser), so a
new user sees counting work at once. Errors caused by input are one line on stderr and a non-zero exit; the
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
from fitcoach.io.private_files import open_private, write_private_bytes, write_private_text
from fitcoach.i18n import LANGS, tr

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


DEFAULT_PEOPLE = "auto"  # measured: bench/bench_pipeline.py (see DEVELOPERS.md, "The frame loop")
CHECK_EVERY = 15  # --people auto: frames between looks for a second person (0.5 s at 30 fps)


def _backend_factory(model: str, people: int | str = DEFAULT_PEOPLE):
    """--people 1: one person; 2: two on every frame; auto: one per frame plus a periodic check
    for a second (`MediaPipePose.check_every`)."""
    from fitcoach.core.models import pose_model_path
    from fitcoach.io.pose import MediaPipePose

    pose_model_path(model)  # fail early, before any frame is read, if the model is missing
    auto = str(people) == "auto"

    def make():
        return MediaPipePose(model, num_poses=2 if auto else int(people), check_every=CHECK_EVERY if auto else 0)

    return make


# --- commands -----------------------------------------------------------------------------


def cmd_info(args) -> int:
    import platform

    print(f"FitCoach {__version__}")
    print(f"Python {platform.python_version()} on {platform.platform()}")
    if getattr(sys, "frozen", False):
        print(f"Installed as a bundle in {getattr(sys, '_MEIPASS', Path(sys.executable).parent)} (no Python needed)")
    else:
        print(f"Running from Python at {sys.executable}")
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
    from fitcoach.io.privacy import privacy_report

    print("\n".join(privacy_report()))
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
    from fitcoach.io.sources import list_cameras

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
    from fitcoach.run.analyze import analyze
    from fitcoach.io.sources import open_source

    catalog = _catalog(args)
    auto = args.exercise == "auto"
    ex = None if auto else catalog.get(args.exercise)
    src = open_source(args.input, fps=args.fps)
    factory = None if src.kind == "landmarks" else _backend_factory(args.model, getattr(args, 'people', DEFAULT_PEOPLE))
    recognized = None
    if auto:  # -e auto: recognise the exercise from the landmarks first
        src, factory, recognized = _recognize_input(args, catalog, src, factory)
        ex = catalog.get(recognized.id)
    from fitcoach.core.cues import CueEngine

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
        extra = _save_sinks(args, ex, cues)
    out = analyze(src, ex, factory, model_name=args.model, annotate_path=args.annotate,
                  progress=None if not args.no_progress else False, scorer=_scorer(args),
                  cues=cues, text_renderer=renderer, tape=tape, sinks=extra)
    if recognized is not None:
        out["exercise"]["recognized"] = recognized.to_json()
    else:
        warning = _exercise_mismatch(ex.id, catalog, check_rec, tape, out["input"]["frame_size"])
        if warning:
            out["warnings"].append(f"{out['input']['name']}: {warning}")
    _emit(out, args.json)
    if out["errors"]:
        # What was measured is already written; one line says what went wrong.
        print(f"fitcoach: error: {out['errors'][0]}", file=sys.stderr)
        return EXIT_INPUT
    for w in out["warnings"]:
        print(f"fitcoach: warning: {w}", file=sys.stderr)
    return 0


def _save_sinks(args, ex, cues) -> list:
    """analyze --save: sinks that save the input as one set of the history (every completed rep
    committed when it completes), with the program's prescription when --program is given."""
    from fitcoach.core.session import Prescription, SessionRecorder
    from fitcoach.core.store import Store
    from fitcoach.run.sinks import OneSetSink, StoreSink

    store = Store()
    try:
        prescribed = None
        if args.program:  # the set is part of a program: its prescription travels with it
            program = store.program(args.profile, args.program).program(_catalog(args))  # validated
            item = next((i for i in program.items if i.id == ex.id), None)
            if item is None:
                raise FitCoachError(f"program {args.program!r} has no {ex.id!r}")
            prescribed = item.reps
    except BaseException:
        store.close()
        raise
    recorder = SessionRecorder(store, args.profile, ex.id, str(args.input), args.model,
                               Prescription(sets=1, reps=prescribed))
    return [OneSetSink(), StoreSink(recorder, cues, store,
                                    on_saved=lambda r: print(f"saved rep {r.index}", flush=True))]


def _recognize_input(args, catalog, src, factory):
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
    from fitcoach.run.analyze import analyze
    from fitcoach.io.recordings import LandmarkTape
    from fitcoach.io.sources import open_source

    tape = LandmarkTape()
    placeholder = catalog.get(catalog.ids()[0])
    analyze(src, placeholder, factory, progress=None if not args.no_progress else False, tape=tape)
    rec = _tape_recording(tape, src.frame_size)
    return _WithLandmarks(open_source(args.input, fps=args.fps), rec), None, recognize(rec, allowed=catalog.ids())


def _tape_recording(tape, frame_size):
    import numpy as np

    from fitcoach.core.landmarks import LandmarkRecording

    if not len(tape):
        raise FitCoachError("cannot recognise the exercise: the input has no frames")
    return LandmarkRecording(np.asarray(tape.t, np.float64), np.stack(tape.img), np.stack(tape.world),
                             tuple(frame_size))


class _WithLandmarks:
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


def _exercise_mismatch(ex_id, catalog, rec, tape, frame_size) -> str | None:
    """-e ID: the warning when the recogniser is sure the movement is another exercise.

    A check on top of the analysis: when it cannot be made (no recogniser file, too few frames
    with a person) nothing is said; the analysis has its own warnings for an empty input.
    """
    from fitcoach.core.recognize import mismatch, recognize

    try:
        if rec is None:
            if tape is None or not len(tape):
                return None
            rec = _tape_recording(tape, frame_size)
        return mismatch(ex_id, recognize(rec, allowed=catalog.ids()))
    except FitCoachError:
        return None


class _Paced:
    """Replays a landmark recording at its own speed (simulates a live session)."""

    def __init__(self, src) -> None:
        self._src = src

    def __getattr__(self, name):
        return getattr(self._src, name)

    def __iter__(self):
        from fitcoach.run.frames import paced

        yield from paced(self._src)


def _scorer(args):
    """The shipped form scorer (None with --no-scorer or when the model file is absent)."""
    if getattr(args, "no_scorer", False):
        return None
    from fitcoach.core.scorer import load_default_scorer

    return load_default_scorer()


def _fault_text(f) -> str:
    """One fault, explained: what was measured, the target, and the model's confidence."""
    unit = "°" if f.unit == "deg" else ""
    measured = "not measurable in this view" if f.measured is None else f"measured {f.measured:g}{unit}"
    conf = f", model {f.confidence:.2f}" if f.confidence is not None else ""
    return f"{f.message}: {measured}, target {f.target} ({f.source}{conf})"


def cmd_say(args) -> int:
    """Speak (or write) one phrase with the offline voice: checks speech works on this machine."""
    from concurrent.futures import TimeoutError as FutureTimeout

    from fitcoach.voice.player import Player
    from fitcoach.voice.tts import SpeechError, Synthesizer, wav_duration_s

    synth = Synthesizer(args.lang, args.rate, args.volume)  # text, rate, volume: checked by the parser
    try:
        path = synth.wav(args.text).result(timeout=60)
    except FutureTimeout:
        raise SpeechError("the speech engine did not finish within 60 s") from None
    except SpeechError:
        raise
    except Exception as e:  # whatever the engine raised on its thread: one line, not a traceback
        raise SpeechError(f"speech synthesis failed: {' '.join(str(e).split()) or type(e).__name__}") from None
    finally:
        synth.close()
    if args.out:
        write_private_bytes(args.out, Path(path).read_bytes())  # 0600, like every file FitCoach writes
        print(f"{args.out}: {wav_duration_s(Path(args.out)):.2f} s of {args.lang} speech")
        return 0
    player = Player()
    if player.play(path):
        import time

        time.sleep(wav_duration_s(path) + 0.1)
    else:
        print(f"not played ({player.status}); the speech is in {path}")
    player.close()
    return 0


def cmd_data(args) -> int:
    import csv

    from fitcoach.core.store import Store

    if args.action in ("restore", "check", "salvage"):  # these work on a damaged database too
        return _data_repair(args)
    if args.action in ("export", "delete", "selfreport") and not args.profile:
        raise FitCoachError(f"data {args.action}: give --profile NAME")
    store = Store()
    try:
        if args.action == "selfreport":
            sid = store.latest_session(args.profile)
            store.add_self_report(sid, args.pain, args.rpe)
            print(f"recorded pain {args.pain}, RPE {args.rpe} for session {sid} of {args.profile!r}")
        elif args.action == "backup":
            if not args.file:
                raise FitCoachError("data backup: give --file BACKUP.db")
            dest, digest = store.backup(Path(args.file))
            print(f"{dest}: sha256 {digest}")
        elif args.action == "delete":
            store.delete_profile(args.profile)
            print(f"profile {args.profile!r} and all its sessions erased; database compacted")
            kept = store.kept_copies()
            if kept:  # erasure must not be silently incomplete
                print(f"note: {len(kept)} earlier copies of the history kept by `data restore`/`data salvage` may "
                      f"still hold it; delete them if it must be gone from them too: {', '.join(map(str, kept))}")
        else:
            if not args.out:
                raise FitCoachError("data export: give --out FILE.json or FILE.csv")
            if args.out.endswith(".fhir.json"):
                from fitcoach.core import fhir

                b = fhir.bundle(store.export_profile(args.profile), store.salt(), fhir.verified_models(),
                                include_notes=args.include_notes, catalog=_catalog(args))  # validated before anything is written
                write_private_text(args.out, json.dumps(b, indent=1, ensure_ascii=False) + "\n")
                print(f"{args.out}: FHIR R4 Bundle, {len(b['entry'])} resources")
            elif args.out.endswith(".csv"):
                rows = [r.to_row() for r in store.reps(args.profile)]
                with open_private(args.out, "w", newline="", encoding="utf-8") as f:
                    w = csv.DictWriter(f, fieldnames=list(rows[0]) if rows else ["session_id"])
                    w.writeheader()
                    w.writerows(rows)
                print(f"{args.out}: {len(rows)} reps")
            else:
                write_private_text(args.out, json.dumps(store.export_profile(args.profile), indent=1,
                                                        ensure_ascii=False) + "\n")
                print(f"{args.out}: profile {args.profile!r}")
    finally:
        store.close()
    return 0


def _data_repair(args) -> int:
    """`data restore`, `data check`, `data salvage`: they never open the history as a Store, so
    they work when it is damaged (a damaged history gives one line with the way out, exit 2)."""
    from fitcoach.core import store as st

    if args.action == "restore":
        if not args.file:
            raise FitCoachError("data restore: give --file BACKUP")
        res = st.restore_backup(Path(args.file))
        c = res.counts
        sha = (f"sha256 matches {args.file}.sha256" if res.sha256_checked
               else f"no {Path(args.file).name}.sha256 next to it, so no sha256 check")
        print(f"restored {res.target} from {args.file}: {c['profiles']} profiles, {c['sessions']} sessions, "
              f"{c['reps']} reps (schema {res.version}, integrity checked, {sha})")
        print(f"the history it replaced is kept in {res.kept[0]}" + (f" (and {res.kept[1].name})" if len(res.kept) > 1 else "")
              if res.kept else "there was no history to replace")
        return 0
    if args.action == "check":
        res = st.check()
        if not res.exists:
            print(f"{res.path}: no history yet")
            return 0
        if res.problems:
            for p in res.problems[:10]:
                print(f"  {p}")
            if len(res.problems) > 10:
                print(f"  ... and {len(res.problems) - 10} more")
            first = res.problems[0]
            if "newer than this FitCoach" in first:
                raise FitCoachError(f"{res.path}: {first}")
            more = f" (and {len(res.problems) - 1} more)" if len(res.problems) > 1 else ""
            raise st.DatabaseDamaged(res.path, (first if first.startswith("not a FitCoach") else
                                                f"integrity check failed: {first}") + more)
        c = res.counts
        print(f"{res.path}: integrity ok, schema {res.version}: {c.get('profiles', 0)} profiles, "
              f"{c.get('sessions', 0)} sessions, {c.get('reps', 0)} reps")
        return 0
    res = st.salvage(out=Path(args.out) if args.out else None)
    print(f"salvaged what was readable in {res.source} into {res.out} (the damaged file is unchanged):")
    for t in res.tables:
        print(f"  {t.line()}")
    print(f"next: `fitcoach data restore --file {res.out}` makes it your history "
          "(the damaged one is then kept as a dated copy)")
    return 0


def cmd_report(args) -> int:
    from fitcoach.core.store import Store
    from fitcoach.report import write_report

    if not args.out.lower().endswith((".html", ".pdf")):
        raise FitCoachError("report: --out must end in .html or .pdf")
    from fitcoach.core.fhir import pseudonym

    store = Store()
    try:
        export = store.export_profile(args.profile)
        pseudo = pseudonym(store.salt(), export["profile"])
    finally:
        store.close()
    print(f"{write_report(export, Path(args.out), _catalog(args), pseudonym=pseudo)}: {len(export['sessions'])} sessions")
    return 0


def cmd_profile(args) -> int:
    from fitcoach.core.store import Store

    store = Store()
    try:
        store.set_profile(args.name, args.age_band, args.level, args.goal, args.condition, args.avoid)
        p = store.export_profile(args.name)["profile"]
    finally:
        store.close()
    print(json.dumps({k: p[k] for k in ("name", "kind", "age_band", "level", "goals", "conditions", "avoid")},
                     ensure_ascii=False))
    return 0


def cmd_gui(args) -> int:
    from fitcoach.gui.app import main as gui_main

    return gui_main([sys.argv[0]], lang=args.lang, demo=args.demo, quit_after_show=args.quit_after_show)


def display_available() -> bool:
    """Whether a window can be shown: Linux and other X11/Wayland systems need a display server;
    Windows and macOS always have one in a desktop session."""
    if sys.platform in ("win32", "darwin"):
        return True
    if os.environ.get("QT_QPA_PLATFORM", "").split(":")[0] in ("offscreen", "minimal"):
        return False  # a headless Qt setting: no one would see the window
    return bool(os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY"))


def cmd_plan(args) -> int:
    """The next session; the text output explains every decision in --lang (the JSON keeps the
    English `reasons` and the language-free `reason_codes`)."""
    from fitcoach.core.planner import default_capacity_model, localize_plan, plan_next
    from fitcoach.core.store import Store

    store = Store()
    try:
        export = store.export_profile(args.profile)
    finally:
        store.close()
    catalog = _catalog(args)
    plan = plan_next(export, catalog, None if args.rules_only else default_capacity_model())
    if args.json:
        text = json.dumps(plan, indent=2, ensure_ascii=False)
        if args.json == "-":
            print(text)
        else:
            write_private_text(args.json, text + "\n")
            print(f"{args.json}: plan for {plan['profile']}")
        return 0
    local = localize_plan(plan, args.lang, catalog)
    lang = args.lang
    print(tr("Next session for {p}:", lang, p=plan["profile"]))
    for n in local["notes"]:
        print(f"  ({n})")
    for c in local["correctives"]:
        print(f"  {tr('first', lang)}: {c['name']} {tr('{sets} x {reps}', lang, sets=c['sets'], reps=c['reps'])} "
              f"({tr('tempo', lang)} {c['tempo']})  — {c['why']}")
    for it in local["items"]:
        dose = (tr("{sets} x {reps}", lang, sets=it["sets"], reps=tr("{n} s", lang, n=f"{it['hold_s']:g}"))
                if "hold_s" in it else
                f"{tr('{sets} x {reps}', lang, sets=it['sets'], reps=it['reps'])} ({tr('tempo', lang)} {it['tempo']})")
        print(f"  {it['name']}: {dose}, {tr('rest', lang)} {tr('{n} s', lang, n=it['rest_s'])}" +
              (f", {tr('target ROM', lang)} {it['target_rom_deg']:g}°"
               if it.get("target_rom_deg") is not None else ""))
        for r in it["why"]:
            print(f"      - {r}")
    print(f"  {local['reassess']}")
    return 0


def cmd_program(args) -> int:
    from fitcoach.core.programs import load_program_file
    from fitcoach.core.store import Store

    if args.action == "validate":
        prog = load_program_file(args.file, _catalog(args))
        print(f"ok  {args.file}: {prog.name!r}, {len(prog.items)} exercises, {prog.sessions_per_week}/week")
        return 0
    store = Store()
    try:
        if args.action == "import":
            prog = load_program_file(args.file, _catalog(args))  # all validated before anything is stored
            v = store.add_program(store.profile(args.profile), prog)
            print(f"imported {prog.name!r} as version {v} for {args.profile!r}")
        else:
            if not args.out:
                raise FitCoachError("program export: give --out FILE.toml")
            write_private_text(args.out, store.program_text(args.profile, args.file))
            print(f"{args.out}: program {args.file!r} of {args.profile!r}")
    finally:
        store.close()
    return 0


def cmd_train(args) -> int:
    try:
        from fitcoach.train import card, realdata
        from fitcoach.train.scorer import train
    except ImportError as e:
        raise FitCoachError(f"training needs the 'train' extra (pip install -e '.[train]'): {e}") from None
    from fitcoach.core.models import models_dir
    from fitcoach.core.scorer import FormScorer

    if args.what == "planner":
        from fitcoach.train import planner as tp

        out = Path(args.out) if args.out else models_dir() / "planner.onnx"
        rep = tp.train(out, seed=args.seed)
        command = "fitcoach train planner" + (f" --seed {args.seed}" if args.seed else "")
        tp.write_card(out.with_suffix(".md"), out, rep, command)
        if args.out is None:
            card.update_manifest(out.parent / "manifest.toml", out, rep, name="planner")
        a, b = rep["rules_only"], rep["rules_plus_ann"]
        print(f"{out}: capacity MAE {rep['capacity_mae_heldout']} reps (held-out); good-form sets per trainee: "
              f"rules {a['good_sets_mean']}, rules+network {b['good_sets_mean']}; violations {a['safety_violations']} / "
              f"{b['safety_violations']}")
        if args.report:
            Path(args.report).write_text(json.dumps(rep, indent=1) + "\n", encoding="utf-8")
        return 0
    out = Path(args.out) if args.out else models_dir() / "form_scorer.onnx"
    from fitcoach.core.resources import checkout_dir

    checkout = checkout_dir()  # ../shared sits next to a source checkout; an installed wheel has none
    shared = Path(args.shared) if args.shared else (checkout.parent / "shared" if checkout else None)
    ds = shared / "datasets" if shared else None
    # real labelled reps (UI-PRMD) join the training set when ../shared is there
    train_shared = shared if ds is not None and (ds / "ui-prmd-s01-s05").is_dir() and not args.no_real else None
    report = train(out, takes=args.takes, heldout_takes=args.heldout_takes, seed=args.seed, epochs=args.epochs,
                   workers=args.workers, exercises=args.exercise or None, shared=train_shared,
                   cache=Path(args.cache) if args.cache else None, cross_validation=not args.no_cv)
    real = None
    if ds is not None and ds.is_dir() and not args.no_real:
        scorer = FormScorer(out)
        real = {"pose_trainer": realdata.pose_trainer(ds / "pose-trainer", scorer),
                "exercise_correction": {**realdata.exercise_correction(ds / "exercise-correction-mediapipe"),
                                        **realdata.plank_vay(ds / "plank-keypoints-vay")}}
    command = "fitcoach train scorer" + (f" --takes {args.takes}" if args.takes != 100 else "") + \
        (f" --seed {args.seed}" if args.seed else "") + (" --no-real" if args.no_real else "") + \
        (" --no-cv" if args.no_cv else "")
    if args.card or args.out is None:
        card_path = Path(args.card) if args.card else out.with_suffix(".md")
        card.write_card(card_path, out, report, real, command)
        print(f"model card: {card_path}")
    if args.out is None:
        card.update_manifest(out.parent / "manifest.toml", out, report)
    h = report["heldout"]
    print(f"{out}: {report['train_reps']} training reps, held-out {report['heldout_reps']}: "
          f"score MAE {h['score_mae']}, fault AUCs " +
          ", ".join(f"{f} {d['auc']}" for f, d in sorted(h["faults"].items()) if d["auc"] is not None))
    if args.report:
        Path(args.report).write_text(json.dumps({"report": report, "real": real}, indent=1) + "\n", encoding="utf-8")
    return 0


def _assess_frames(spec: str, args, smooth: bool = True):
    from fitcoach.core.assess import person_frames
    from fitcoach.io.sources import open_source

    src = open_source(spec, fps=getattr(args, "fps", 30.0), single_image_ok=True)
    backend = None
    if src.kind != "landmarks":
        backend = _backend_factory(args.model, 1)()
    try:
        return person_frames(src, backend, smooth=smooth and src.kind != "images")
    finally:
        if backend is not None:
            backend.close()


def cmd_assess(args) -> int:
    from fitcoach.core import assess, report_html

    if args.what == "posture":
        if not args.front and not args.side:
            raise FitCoachError("assess posture: give --front PHOTO and/or --side PHOTO (or videos)")
        front = _assess_frames(args.front, args) if args.front else None
        side = _assess_frames(args.side, args) if args.side else None
        out = assess.assess_posture(front, side, _catalog(args), (args.front or "front", args.side or "side"))
        page = report_html.posture_html(out, args.lang)
        for f in out["findings"]:
            if f["status"] != "not_assessed":
                print(f"  {f['name']['en']:<46} {f['value']:6.1f}° ± {f['uncertainty']:.1f}  {f['status']:<8} "
                      f"(normal {f['normal'][0]:g}..{f['normal'][1]:g})"
                      + (f"  -> {', '.join(f['corrective_exercises'])}" if f["corrective_exercises"] else ""))
        for w in out["warnings"]:
            print(f"fitcoach: warning: {w}", file=sys.stderr)
    else:
        frames = _assess_frames(args.input, args)
        out = assess.assess_rom(frames, args.test, args.side, args.input)
        page = report_html.rom_html(out, args.lang)
        if out["max_deg"] is None:
            print(f"  {out['name']['en']} ({out['side']}): not measurable")
        else:
            print(f"  {out['name']['en']} ({out['side']}): {out['max_deg']:.1f}° ± {out['uncertainty_deg']:.1f} "
                  f"(normal {out['normal'][0]:g}..{out['normal'][1]:g}°, {out['percent_of_normal']:.0f} %, {out['status']})")
        for w in out["warnings"]:
            print(f"fitcoach: warning: {w}", file=sys.stderr)
    if args.json:
        write_private_text(args.json, json.dumps(out, indent=2, ensure_ascii=False) + "\n")
    if args.html:
        write_private_text(args.html, page)
    if args.save:
        from fitcoach.core.store import Store

        store = Store()
        try:
            store.add_assessment(store.profile(args.profile), args.what, out)
        finally:
            store.close()
        print(f"saved to the history of {args.profile!r}")
    return 0


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


def cmd_record(args) -> int:
    from fitcoach.run.analyze import record
    from fitcoach.io.sources import open_source

    src = open_source(args.input, fps=args.fps)
    if src.kind == "landmarks":
        raise FitCoachError(f"{args.input}: is already a landmark recording")
    info = record(src, args.output, _backend_factory(args.model, getattr(args, 'people', DEFAULT_PEOPLE)), progress=None if not args.no_progress else False)
    print(f"{args.output}: {info['frames']} frames, person seen in {info['frames_with_person']}")
    for w in info["warnings"]:
        print(f"fitcoach: warning: {w}", file=sys.stderr)
    return 0


def cmd_demo(args) -> int:
    """Run the built-in demo recording through the real pipeline, printing reps as counted."""
    from fitcoach.core import synth
    from fitcoach.run.analyze import analyze
    from fitcoach.io.recordings import save_recording
    from fitcoach.io.sources import RecordingSource

    rec, _truth = synth.generate(synth.demo_take())
    if args.save:
        save_recording(args.save, rec)
        print(f"demo recording written to {args.save}")
    ex = _catalog(args).get("squat")
    print(f"FitCoach demo: a synthetic exerciser does {ex.name.en.lower()}s ({len(rec)} frames, "
          f"{rec.duration_s:.1f} s). No camera needed; nothing leaves this machine.")

    def show(res):
        for r in res.new_reps:
            short = next((f for f in r.faults if f.id == "incomplete_range"), None)
            kind = (f"partial ({r.partial_reason})" if r.partial else
                    "rep" if r.reached_target or short is None else f"rep, {short.message.lower()}")
            score = f"  score {r.score:.0f}" if r.score is not None else ""
            print(f"  t={r.t_end_s:5.1f} s  {kind:<32} ROM {r.rom_min:5.1f}–{r.rom_max:5.1f}°  "
                  f"tempo {r.tempo_down:.1f}-{r.tempo_bottom:.1f}-{r.tempo_up:.1f}  total {res.reps}{score}")
            for f in r.faults:
                if f.id != "incomplete_range":
                    print(f"           {_fault_text(f)}")

    from fitcoach.core.cues import CueEngine

    out = analyze(RecordingSource(rec), ex, on_frame=show, annotate_path=args.annotate, progress=False,
                  scorer=_scorer(args), cues=CueEngine(ex, "en", "full"))
    s = out["summary"]
    print(f"Done: {s['reps']} complete reps ({s['reps_at_target']} at the target depth), {s['partial_reps']} partial.")
    if args.json:
        write_private_text(args.json, json.dumps(out, indent=2, ensure_ascii=False) + "\n")
        print(f"analysis JSON written to {args.json}")
    return 0


def cmd_live(args) -> int:
    from fitcoach.io.sources import CameraSource
    from fitcoach.run.frames import LatestWins
    from fitcoach.run.runner import Runner
    from fitcoach.run.worker import Worker

    from fitcoach.io.settings import load_settings

    st = load_settings()
    args.lang = args.lang or st.lang
    args.verbosity = args.verbosity or st.verbosity
    args.rate = args.rate or st.voice_rate
    args.mute = args.mute or st.mute
    ex = _catalog(args).get(args.exercise)
    src = CameraSource(args.camera)
    live_sinks = _live_sinks(args, ex)
    print(f"Live: {ex.name.get(args.lang)} on camera {args.camera}. Ctrl-C to stop.")
    ctx = _watch(Worker(lambda cancel, emit: Runner(
        src, ex, live_sinks, _backend_factory(args.model, getattr(args, 'people', DEFAULT_PEOPLE)), _scorer(args),
        frames=LatestWins(src, cancel, on_stop=src.close)).run(cancel, emit), name="live", on_cancel=src.close))
    if ctx is None:
        return 0
    print(f"{sum(not r.partial for r in ctx.pipe.reps)} reps; frames dropped: {ctx.frames.dropped}")
    return 0


def _live_sinks(args, ex) -> list:
    """Sinks of `live`: the coach (spoken unless silent), the reps and the live figures."""
    from fitcoach.core.cues import CueEngine
    from fitcoach.run import sinks as sk

    out = [sk.RepSink()]
    if args.verbosity != "silent":
        from fitcoach.voice.coach import VoiceCoach

        coach = VoiceCoach(ex, args.lang, args.verbosity, rate=args.rate, mute=args.mute)
        out += [sk.CueSink(coach.engine), sk.VoiceSink(coach)]
    else:
        out.append(sk.CueSink(CueEngine(ex, args.lang, args.verbosity)))
    return out + [sk.LiveSink()]


def _print_event(ev) -> None:
    """One line per runner event (`fitcoach.run.events`) for the console commands."""
    from fitcoach.run import events as E

    if isinstance(ev, E.RepDone):
        r = ev.rep
        kind = "partial" if r.partial else "rep"
        where = f" (set {ev.set_index})" if ev.set_index else ""
        score = f"  score {r.score:.0f}" if r.score is not None else ""
        print(f"  t={ev.t_s:6.1f} s  {kind} {r.index}{where}: ROM {r.rom_min:.0f}–{r.rom_max:.0f}°  "
              f"tempo {r.tempo_down:.1f}-{r.tempo_bottom:.1f}-{r.tempo_up:.1f}{score}", flush=True)
    elif isinstance(ev, E.CueSaid):
        print(f"  t={ev.cue.t_s:6.1f} s  coach: {ev.cue.text}   [{ev.cue.priority}: {ev.cue.reason}]", flush=True)
    elif isinstance(ev, E.SetChanged):
        w = ev.event
        text = {"countdown": f"countdown {w.seconds:g} s", "set_start": f"set {w.set_index} started",
                "set_end": f"set {w.set_index} done: {w.achieved}", "rest": f"rest {w.seconds:g} s",
                "done": "workout done"}.get(w.kind)
        if text:
            print(f"  t={w.t_s:6.1f} s  {text}", flush=True)
    elif isinstance(ev, E.LiveStatus) and ev.behind:
        print(f"  t={ev.t_s:6.1f} s  analysis is behind the camera: {ev.analysed_fps:.0f} fps analysed, "
              f"{ev.dropped} frames dropped so far", flush=True)
    elif isinstance(ev, E.Saved):
        print(f"saved {ev.what}: {ev.path}", flush=True)


def _watch(worker) -> object:
    """Run a `fitcoach.run.worker.Worker` from the console: print its events until it finishes;
    Ctrl-C cancels it (what was measured is still reported). Returns the job's result; a
    failure is raised as one line (its traceback is in the log)."""
    import time as _time

    from fitcoach.run import events as E

    worker.start()
    failed = None
    while True:
        try:
            for ev in worker.poll():
                if isinstance(ev, E.Failed):
                    failed = ev
                elif isinstance(ev, E.Finished):
                    if failed is not None:
                        raise FitCoachError(failed.text)
                    return ev.result
                else:
                    _print_event(ev)
            _time.sleep(0.02)
        except KeyboardInterrupt:
            print("stopping", flush=True)
            worker.cancel()


def _program_prescription(args, catalog, ex):
    """--program NAME: the row for `ex` of a stored program of --profile, or of a program file."""
    from fitcoach.core.programs import load_program_file, parse_program
    from fitcoach.core.session import Prescription

    if Path(args.program).suffix.lower() == ".toml" or Path(args.program).is_file():
        prog = load_program_file(args.program, catalog)
    else:
        from fitcoach.core.store import Store

        store = Store()
        try:
            prog = parse_program(store.program_text(args.profile or "me", args.program), args.program, catalog)
        finally:
            store.close()
    item = next((i for i in prog.items if i.id == ex.id), None)
    if item is None:
        raise FitCoachError(f"program {args.program!r} has no {ex.id!r}")
    return Prescription.from_program_item(item, ex)


def cmd_workout(args) -> int:
    """A guided workout without a display: countdown, sets, rests, on the one frame loop."""
    from fitcoach.core.session import Prescription, SessionRecorder
    from fitcoach.io.sources import CameraSource, open_source
    from fitcoach.run.worker import Worker
    from fitcoach.run.workout import WorkoutJob, run_workout

    if (args.camera is None) == (args.input is None):
        raise FitCoachError("workout: give a FILE or --camera N (one of them)")
    catalog = _catalog(args)
    ex = catalog.get(args.exercise)
    if args.program:
        presc = _program_prescription(args, catalog, ex)
    else:
        presc = Prescription.for_exercise(ex, sets=args.sets, reps=args.reps, hold_s=args.hold, rest_s=args.rest)
    src = CameraSource(args.camera) if args.camera is not None else open_source(args.input, fps=args.fps)
    factory = None if src.kind == "landmarks" else _backend_factory(args.model, args.people)
    recorder_factory = None
    if args.profile:
        def recorder_factory():
            from fitcoach.core.store import Store

            store = Store()
            return store, SessionRecorder(store, args.profile, ex.id, src.name, args.model, presc)
    voice = None
    if args.voice and args.verbosity != "silent":
        from fitcoach.voice.coach import VoiceCoach

        voice = VoiceCoach(presc.apply(ex), args.lang, args.verbosity)
    job = WorkoutJob(src, ex, presc, countdown_s=args.countdown, backend_factory=factory, model_name=args.model,
                     scorer=_scorer(args), lang=args.lang, verbosity=args.verbosity, speed=args.speed,
                     voice=voice, recorder_factory=recorder_factory, record_path=args.record,
                     record_video=args.record_video)
    goal = f"{presc.hold_s:g} s" if presc.hold_s is not None else f"{presc.reps} reps"
    print(f"Workout: {ex.name.get(args.lang)}, {presc.sets} x {goal}, rest {presc.rest_s:g} s, "
          f"on {src.name}. Ctrl-C to stop.", flush=True)
    out = _watch(Worker(lambda cancel, emit: run_workout(job, cancel, emit), name="workout",
                        on_cancel=src.close if src.kind == "camera" else None))
    done = ", ".join(str(a) for a in out["summary"]["achieved"]) or "none"
    print(f"Done: {out['summary']['sets_done']} of {presc.sets} sets ({done}); "
          f"frames analysed {out['input']['frames_analysed']}, dropped {out['input']['frames_dropped']}")
    if args.json:
        text = json.dumps(out, indent=2, ensure_ascii=False) + "\n"
        if args.json == "-":
            print(text, end="")
        else:
            write_private_text(args.json, text)
            print(f"workout JSON written to {args.json}")
    for w in out["warnings"]:
        print(f"fitcoach: warning: {w}", file=sys.stderr)
    return 0


def cmd_default(args) -> int:
    """`fitcoach` alone: the desktop app; with no display, live coaching in the console from
    the camera if there is one, else the built-in demo."""
    from fitcoach.io.sources import list_cameras

    if display_available():
        import importlib.util

        if importlib.util.find_spec("PySide6") is None:  # only fitcoach.gui imports Qt
            print("The desktop app needs PySide6 (pip install PySide6-Essentials); running in the console.")
        else:
            return _run_as(["gui"], args)
    else:
        print("No display: running in the console (the desktop app opens when a display is available).")

    if list_cameras():
        return _run_as(["live", "--camera", "0", "-e", "squat"], args)
    print("No camera found: running the built-in demo recording instead.")
    return _run_as(["demo"], args)


def _run_as(argv: list[str], top) -> int:
    """Run a subcommand with every option at its parser default (a hand-made Namespace misses
    the options added later: `fitcoach` alone once crashed on a missing `lang`)."""
    sub = build_parser().parse_args(argv)
    sub.debug_log = top.debug_log
    return sub.func(sub)


# --- parser --------------------------------------------------------------------------------


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


def _bounded(kind: type, lo: float, hi: float, unit: str = ""):
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


FPS = _bounded(float, 0.1, 1000.0, " frames per second")


def build_parser() -> argparse.ArgumentParser:
    from fitcoach.io.settings import RANGES  # settings.toml's ranges: one rule for both
    from fitcoach.voice.tts import RATE_WPM, VOLUME

    rate = _bounded(int, *RATE_WPM, " words per minute")
    p = _Parser(prog="fitcoach", description="FitCoach: offline exercise coach.")
    p.add_argument("--version", action="version", version=f"fitcoach {__version__}")
    p.add_argument("--info", action="store_true", help="print versions, model hashes, providers, cameras")
    p.add_argument("--debug-log", action="store_true", help="verbose log with thread names; tracebacks on errors")
    sub = p.add_subparsers(dest="command")

    def common(sp, model=True):
        sp.add_argument("--exercises-dir", help="folder of exercise TOML files (default: the shipped ones)")
        if model:
            sp.add_argument("--model", choices=("lite", "full", "heavy"), default="full", help="pose model (default full)")
            sp.add_argument("--people", choices=("1", "2", "auto"), default=DEFAULT_PEOPLE,
                            help="people the pose model looks for: 1; 2 on every frame; auto (default): one "
                                 "per frame and a look for a second every 0.5 s, then two while two are "
                                 "in view (follows the exerciser when someone walks in)")

    a = sub.add_parser("analyze", help="count reps, tempo and ROM in a video, image folder or landmark recording")
    a.add_argument("input", help="video file, image folder, or landmark recording (.npz)")
    a.add_argument("--no-scorer", action="store_true", help="rules only: no form-scorer score or confidences")
    a.add_argument("--lang", choices=LANGS, default="en", help="language of the coach's cues (JSON 'cues')")
    a.add_argument("--save", action="store_true", help="keep this session in the local history (with --profile)")
    a.add_argument("--profile", default="me", help="whose history (--save); created if new")
    a.add_argument("--program", help="--save: the program (by name) this set belongs to")
    a.add_argument("--realtime", action="store_true", help="replay a landmark recording at its own speed")
    a.add_argument("--verbosity", choices=("silent", "counts", "full"), default="full", help="what the coach says")
    a.add_argument("--exercise", "-e", required=True,
                   help="exercise id (see `fitcoach exercises list`), or auto: recognise it from the movement")
    a.add_argument("--json", help="write the analysis JSON here (default: print it)")
    a.add_argument("--annotate", metavar="OUT.mp4", help="write a video with skeleton, counter, phase, angle")
    a.add_argument("--fps", type=FPS, default=30.0, help="frame rate for image folders, 0.1-1000 (default 30)")
    a.add_argument("--no-progress", action="store_true", help="no progress bar")
    common(a)
    a.set_defaults(func=cmd_analyze)

    r = sub.add_parser("record", help="write a landmark recording (.npz) from a video or camera")
    r.add_argument("input", help="video file, image folder, or camera index (e.g. 0)")
    r.add_argument("output", help="OUT.npz")
    r.add_argument("--fps", type=FPS, default=30.0, help="frame rate for image folders, 0.1-1000 (default 30)")
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

    sy = sub.add_parser("say", help="speak a phrase with the offline voice (or write it to a WAV file)")
    sy.add_argument("text", type=_phrase)
    sy.add_argument("--lang", choices=LANGS, default="en")
    sy.add_argument("--out", metavar="FILE.wav", help="write the speech here instead of playing it")
    sy.add_argument("--rate", type=rate, default=170, help=f"words per minute, {RATE_WPM[0]}-{RATE_WPM[1]} (default 170)")
    sy.add_argument("--volume", type=_bounded(float, *VOLUME), default=1.0, help="0-1 (default 1)")
    sy.set_defaults(func=cmd_say)

    asx = sub.add_parser("assess", help="posture (front/side photos or video) or a range-of-motion test")
    asub = asx.add_subparsers(dest="what", required=True)
    ap_ = asub.add_parser("posture", help="forward head, tilt and asymmetry from a front and/or side view")
    ap_.add_argument("--front", help="front photo (or video / image folder / .npz)")
    ap_.add_argument("--side", help="side photo (or video / image folder / .npz)")
    ar_ = asub.add_parser("rom", help="a guided single-joint range-of-motion test")
    ar_.add_argument("input", help="video, image folder, camera index or landmark recording")
    ar_.add_argument("--test", required=True, help="test id (fitcoach/data/rom_tests.toml), e.g. shoulder_flexion")
    ar_.add_argument("--side", required=True, choices=("left", "right"), help="the side tested")
    for sp in (ap_, ar_):
        sp.add_argument("--json", help="write the result JSON here")
        sp.add_argument("--html", help="write a printable HTML report here")
        sp.add_argument("--lang", choices=LANGS, default="en", help="report language")
        sp.add_argument("--fps", type=FPS, default=30.0, help="frame rate for image folders, 0.1-1000")
        sp.add_argument("--save", action="store_true", help="keep the result in the local history (with --profile)")
        sp.add_argument("--profile", default="me")
        common(sp)
        sp.set_defaults(func=cmd_assess)

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
    da.set_defaults(func=cmd_data)

    gu = sub.add_parser("gui", help="open the desktop app (what `fitcoach` alone does when there is a display)")
    gu.add_argument("--lang", choices=LANGS, default=None, help="UI language (default: from settings)")
    gu.add_argument("--demo", action=argparse.BooleanOptionalAction, default=None,
                    help="open the built-in demo recording in Replay (default: when there is no camera)")
    gu.add_argument("--quit-after-show", action="store_true", help=argparse.SUPPRESS)  # start-up benchmark
    gu.set_defaults(func=cmd_gui)

    pf = sub.add_parser("profile", help="create or update a profile: age band, level, goals, conditions, exercises to avoid")
    pf.add_argument("action", choices=("set",))
    pf.add_argument("name")
    pf.add_argument("--age-band", choices=("<18", "18-39", "40-64", "65-79", "80+"))
    pf.add_argument("--level", choices=("beginner", "intermediate", "advanced"))
    pf.add_argument("--goal", action="append", help="what to train (tags such as legs, core, shoulders); repeatable")
    pf.add_argument("--condition", action="append", help="a condition tag (e.g. knee_valgus, forward_head_posture); repeatable")
    pf.add_argument("--avoid", action="append", help="an exercise id to leave out (physiotherapist); repeatable")
    pf.set_defaults(func=cmd_profile)

    pl = sub.add_parser("plan", help="the next session: exercises, sets x reps, tempo, rest, correctives, with reasons")
    pl.add_argument("--profile", required=True)
    pl.add_argument("--json", nargs="?", const="-", help="print (or write to FILE) the plan as JSON")
    pl.add_argument("--rules-only", action="store_true", help="do not use the planner network")
    pl.add_argument("--lang", choices=LANGS, default="en", help="language of the explanations (text output)")
    pl.add_argument("--exercises-dir", help=argparse.SUPPRESS)
    pl.set_defaults(func=cmd_plan)

    rp = sub.add_parser("report", help="progress report from the local history (HTML or PDF)")
    rp.add_argument("--profile", required=True)
    rp.add_argument("--out", required=True, help="FILE.html or FILE.pdf")
    rp.add_argument("--exercises-dir", help=argparse.SUPPRESS)
    rp.set_defaults(func=cmd_report)

    pg = sub.add_parser("program", help="exercise programs as files: validate, import, export")
    pg.add_argument("action", choices=("validate", "import", "export"))
    pg.add_argument("file", help="validate/import: the program file; export: the program's name")
    pg.add_argument("--profile", default="me")
    pg.add_argument("--out", help="export: write the program here")
    pg.add_argument("--exercises-dir", help=argparse.SUPPRESS)
    pg.set_defaults(func=cmd_program)

    tr = sub.add_parser("train", help="train a model shipped in models/ (needs the 'train' extra)")
    tr.add_argument("what", choices=("scorer", "planner"))
    tr.add_argument("--takes", type=_bounded(int, 1, 10_000), default=100,
                    help="synthetic takes per exercise (3 reps each), 1-10000")
    tr.add_argument("--heldout-takes", type=_bounded(int, 1, 10_000), default=20)
    tr.add_argument("--epochs", type=_bounded(int, 1, 100_000), default=150)
    tr.add_argument("--seed", type=_bounded(int, 0, 2**32 - 1), default=0)
    tr.add_argument("--workers", type=_bounded(int, 1, 64), default=2)
    tr.add_argument("--exercise", action="append", help="only these exercises (repeatable; default all)")
    tr.add_argument("--out", help="ONNX file (default models/form_scorer.onnx, which also updates the manifest and card)")
    tr.add_argument("--card", help="write the model card here")
    tr.add_argument("--report", help="write the full metrics as JSON here")
    tr.add_argument("--shared", help="folder with datasets/ for the real-data evaluation (default ../shared)")
    tr.add_argument("--no-real", action="store_true",
                    help="synthetic reps only: no real training data (UI-PRMD) and no real-data evaluation")
    tr.add_argument("--no-cv", action="store_true", help="skip the leave-one-subject-out validation (5 extra trainings)")
    tr.add_argument("--cache", help="keep generated training data here between runs (outside the repo)")
    tr.set_defaults(func=cmd_train)

    wo = sub.add_parser("workout", help="a guided workout without a display: countdown, sets, rests (camera or file)")
    wo.add_argument("input", nargs="?", help="video, image folder or landmark recording, played as a camera would")
    wo.add_argument("--camera", type=_bounded(int, *RANGES["camera"]), help="camera index, 0-9 (instead of a FILE)")
    wo.add_argument("--exercise", "-e", required=True, help="exercise id (see `fitcoach exercises list`)")
    wo.add_argument("--sets", type=_bounded(int, 1, 20), default=3, help="sets (default 3)")
    wo.add_argument("--reps", type=_bounded(int, 1, 100), default=10, help="reps per set (default 10)")
    wo.add_argument("--hold", type=_bounded(float, 1, 600, " s"), default=30.0, help="hold exercises: seconds per set")
    wo.add_argument("--rest", type=_bounded(float, 0, 600, " s"), default=60.0, help="rest between sets, s (default 60)")
    wo.add_argument("--countdown", type=_bounded(float, 0, 60, " s"), default=3.0, help="countdown before set 1, s")
    wo.add_argument("--program", help="take sets, reps, rest from this program (stored for --profile, or a .toml)")
    wo.add_argument("--profile", help="save the session in this profile's history (default: not saved)")
    wo.add_argument("--json", help="write the workout JSON here ('-': print it)")
    wo.add_argument("--record", metavar="OUT.npz", help="also save the session's landmarks here")
    wo.add_argument("--record-video", action="store_true", help="with --record: the camera frames too (.mp4)")
    wo.add_argument("--speed", type=_bounded(float, 0, 100), default=1.0,
                    help="files: 1 = real time, as a camera (default); 4 = four times faster; "
                         "0 = as fast as the model goes, no frame dropped (tests)")
    wo.add_argument("--lang", choices=LANGS, default="en", help="language of the cues")
    wo.add_argument("--verbosity", choices=("silent", "counts", "full"), default="full", help="what the coach says")
    wo.add_argument("--voice", action="store_true", help="speak the cues (default: printed only)")
    wo.add_argument("--no-scorer", action="store_true", help="rules only: no form-scorer score")
    wo.add_argument("--fps", type=FPS, default=30.0, help="frame rate for image folders (default 30)")
    common(wo)
    wo.set_defaults(func=cmd_workout)

    lv = sub.add_parser("live", help="coach live from a camera (headless, text output)")
    lv.add_argument("--camera", type=_bounded(int, *RANGES["camera"]), default=0, help="camera index, 0-9")
    lv.add_argument("--exercise", "-e", default="squat")
    lv.add_argument("--lang", choices=LANGS, help="coach language (default: settings.toml, else en)")
    lv.add_argument("--verbosity", choices=("silent", "counts", "full"), help="default: settings.toml, else full")
    lv.add_argument("--rate", type=rate, help=f"speech rate, words per minute, {RATE_WPM[0]}-{RATE_WPM[1]} "
                    "(default: settings.toml, else 170)")
    lv.add_argument("--mute", action="store_true", help="no sound; cues are printed")
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
        print(f"fitcoach: error: {' '.join(str(exc).split())}", file=sys.stderr)  # always one line
        return EXIT_INPUT
    except BrokenPipeError:  # `fitcoach exercises list | head`: the reader left; not an error
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        return 0
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
