"""`fitcoach live` (coaching from a camera, in the console), `fitcoach demo` (the built-in
synthetic recording through the real pipeline) and `fitcoach record` (a file or camera to a
landmark recording).

`live` runs on a worker thread (`fitcoach.run.worker`) fed by a capture thread through a
latest-wins slot: frames the model cannot take are dropped and counted (printed at the end).
`demo` and `record` read every frame on this thread, dropping none.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass

from fitcoach.cli.common import CatalogArgs, PoseArgs, backend_factory, load_catalog, load_scorer, warn, write_json
from fitcoach.cli.console import watch
from fitcoach.core.errors import FitCoachError


@dataclass(frozen=True)
class LiveArgs(PoseArgs):
    camera: int
    exercise: str
    lang: str | None  # None: settings.toml
    verbosity: str | None  # None: settings.toml
    rate: int | None  # words per minute; None: settings.toml
    mute: bool


def run_live(args: LiveArgs) -> int:
    """Coach from the camera until Ctrl-C; prints the cues, the reps and the frames dropped."""
    from fitcoach.io.settings import load_settings
    from fitcoach.io.sources import CameraSource
    from fitcoach.run.frames import LatestWins
    from fitcoach.run.runner import Runner
    from fitcoach.run.worker import Worker

    st = load_settings()  # what the command line leaves open comes from the settings
    args = dataclasses.replace(args, lang=args.lang or st.lang, verbosity=args.verbosity or st.verbosity,
                               rate=args.rate or st.voice_rate, mute=args.mute or st.mute)
    ex = load_catalog(args.exercises_dir).get(args.exercise)
    src = CameraSource(args.camera)
    live_sinks = _live_sinks(args, ex)
    print(f"Live: {ex.name.get(args.lang)} on camera {args.camera}. Ctrl-C to stop.")
    ctx = watch(Worker(lambda cancel, emit: Runner(
        src, ex, live_sinks, backend_factory(args.model, args.people), load_scorer(),
        frames=LatestWins(src, cancel, on_stop=src.close)).run(cancel, emit), name="live", on_cancel=src.close))
    if ctx is None:
        return 0
    print(f"{sum(not r.partial for r in ctx.pipe.reps)} reps; frames dropped: {ctx.frames.dropped}")
    return 0


def _live_sinks(args: LiveArgs, ex) -> list:
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


@dataclass(frozen=True)
class DemoArgs(CatalogArgs):
    save: str | None  # OUT.npz: the demo recording
    json: str | None
    annotate: str | None  # OUT.mp4


def run_demo(args: DemoArgs) -> int:
    """Run the built-in demo recording through the real pipeline, printing reps as counted."""
    from fitcoach.core import synth
    from fitcoach.core.cues import CueEngine
    from fitcoach.io.recordings import save_recording
    from fitcoach.io.sources import RecordingSource
    from fitcoach.run.analyze import analyze

    rec, _truth = synth.generate(synth.demo_take())
    if args.save:
        save_recording(args.save, rec)
        print(f"demo recording written to {args.save}")
    ex = load_catalog(args.exercises_dir).get("squat")
    print(f"FitCoach demo: a synthetic exerciser does {ex.name.en.lower()}s ({len(rec)} frames, "
          f"{rec.duration_s:.1f} s). No camera needed; nothing leaves this machine.")
    out = analyze(RecordingSource(rec), ex, on_frame=_print_reps, annotate_path=args.annotate, progress=False,
                  scorer=load_scorer(), cues=CueEngine(ex, "en", "full"))
    s = out["summary"]
    print(f"Done: {s['reps']} complete reps ({s['reps_at_target']} at the target depth), {s['partial_reps']} partial.")
    if args.json:
        write_json(args.json, out)
        print(f"analysis JSON written to {args.json}")
    return 0


def _print_reps(res) -> None:
    """The demo's reps as they are counted, each fault explained."""
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


def _fault_text(f) -> str:
    """One fault, explained: what was measured, the target, and the model's confidence."""
    unit = "°" if f.unit == "deg" else ""
    measured = "not measurable in this view" if f.measured is None else f"measured {f.measured:g}{unit}"
    conf = f", model {f.confidence:.2f}" if f.confidence is not None else ""
    return f"{f.message}: {measured}, target {f.target} ({f.source}{conf})"


@dataclass(frozen=True)
class RecordArgs(PoseArgs):
    input: str  # video, image folder or camera index
    output: str  # OUT.npz
    fps: float
    no_progress: bool


def run_record(args: RecordArgs) -> int:
    """Run the pose model over the input and write its landmarks (`fitcoach.core.landmarks`)."""
    from fitcoach.io.sources import open_source
    from fitcoach.run.analyze import record

    src = open_source(args.input, fps=args.fps)
    if src.kind == "landmarks":
        raise FitCoachError(f"{args.input}: is already a landmark recording")
    info = record(src, args.output, backend_factory(args.model, args.people),
                  progress=None if not args.no_progress else False)
    print(f"{args.output}: {info['frames']} frames, person seen in {info['frames_with_person']}")
    warn(info["warnings"])
    return 0

