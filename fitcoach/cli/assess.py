"""`fitcoach assess posture` (front and/or side view) and `fitcoach assess rom` (a guided
range-of-motion test): the assessments of `fitcoach.core.assess`, printed, and written as JSON,
a printable HTML page and a record of the local history when asked."""

from __future__ import annotations

from dataclasses import dataclass

from fitcoach.cli.common import PoseArgs, backend_factory, load_catalog, warn, write_json
from fitcoach.core.errors import FitCoachError
from fitcoach.io.private_files import write_private_text


@dataclass(frozen=True)
class _AssessArgs(PoseArgs):
    json: str | None
    html: str | None
    lang: str  # of the HTML report
    fps: float  # image folders
    save: bool  # into --profile's history
    profile: str


@dataclass(frozen=True)
class PostureArgs(_AssessArgs):
    front: str | None  # photo, video, image folder or .npz
    side: str | None


@dataclass(frozen=True)
class RomArgs(_AssessArgs):
    input: str
    test: str  # fitcoach/data/rom_tests.toml
    side: str  # left or right


def run_posture(args: PostureArgs) -> int:
    """Forward head, tilt and asymmetry from a front and/or a side view."""
    from fitcoach.core import assess
    from fitcoach.reports import assessment_html as report_html

    if not args.front and not args.side:
        raise FitCoachError("assess posture: give --front PHOTO and/or --side PHOTO (or videos)")
    front = _assess_frames(args.front, args) if args.front else None
    side = _assess_frames(args.side, args) if args.side else None
    out = assess.assess_posture(front, side, load_catalog(args.exercises_dir), (args.front or "front", args.side or "side"))
    page = report_html.posture_html(out, args.lang)
    for f in out["findings"]:
        if f["status"] != "not_assessed":
            print(f"  {f['name']['en']:<46} {f['value']:6.1f}° ± {f['uncertainty']:.1f}  {f['status']:<8} "
                  f"(normal {f['normal'][0]:g}..{f['normal'][1]:g})"
                  + (f"  -> {', '.join(f['corrective_exercises'])}" if f["corrective_exercises"] else ""))
    warn(out["warnings"])
    return _keep(args, "posture", out, page)


def run_rom(args: RomArgs) -> int:
    """One joint's range of motion against its normal range."""
    from fitcoach.core import assess
    from fitcoach.reports import assessment_html as report_html

    frames = _assess_frames(args.input, args)
    out = assess.assess_rom(frames, args.test, args.side, args.input)
    page = report_html.rom_html(out, args.lang)
    if out["max_deg"] is None:
        print(f"  {out['name']['en']} ({out['side']}): not measurable")
    else:
        print(f"  {out['name']['en']} ({out['side']}): {out['max_deg']:.1f}° ± {out['uncertainty_deg']:.1f} "
              f"(normal {out['normal'][0]:g}..{out['normal'][1]:g}°, {out['percent_of_normal']:.0f} %, {out['status']})")
    warn(out["warnings"])
    return _keep(args, "rom", out, page)


def _assess_frames(spec: str, args: _AssessArgs, smooth: bool = True):
    from fitcoach.core.assess import person_frames
    from fitcoach.io.sources import open_source

    src = open_source(spec, fps=args.fps, single_image_ok=True)
    backend = None
    if src.kind != "landmarks":
        backend = backend_factory(args.model, 1)()
    try:
        return person_frames(src, backend, smooth=smooth and src.kind != "images")
    finally:
        if backend is not None:
            backend.close()


def _keep(args: _AssessArgs, what: str, out: dict, page: str) -> int:
    """--json, --html, --save."""
    if args.json:
        write_json(args.json, out)
    if args.html:
        write_private_text(args.html, page)
    if args.save:
        from fitcoach.app.database import Database

        with Database() as db:
            store = db.store()
            store.add_assessment(store.profile(args.profile), what, out)
        print(f"saved to the history of {args.profile!r}")
    return 0

