"""A person's side of the local history: `fitcoach profile set`, `fitcoach plan` (the next
session, `fitcoach.core.planner`), `fitcoach report` (HTML or PDF, `fitcoach.reports`) and
`fitcoach program validate|import|export` (program files, `fitcoach.core.programs`)."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

from fitcoach.cli.common import CatalogArgs, CommandArgs, load_catalog, print_or_write_json
from fitcoach.core.errors import FitCoachError
from fitcoach.io.private_files import write_private_text
from fitcoach.i18n import tr


def _export(profile: str) -> dict:
    """The profile's history as `Store.export_profile` gives it."""
    from fitcoach.app.database import Database

    with Database() as db:
        return db.store().export_profile(profile)


@dataclass(frozen=True)
class ProfileArgs(CommandArgs):
    action: str  # set
    name: str
    age_band: str | None
    level: str | None
    goal: tuple[str, ...] | None  # None: unchanged
    condition: tuple[str, ...] | None
    avoid: tuple[str, ...] | None


def run_profile(args: ProfileArgs) -> int:
    """Create or update a profile; prints it as one JSON line."""
    from fitcoach.app.database import Database
    from fitcoach.app.profiles import save_profile

    with Database() as db:
        p = save_profile(db, args.name, args.age_band, args.level, args.condition, args.avoid, args.goal)
    print(json.dumps({k: p[k] for k in ("name", "kind", "age_band", "level", "goals", "conditions", "avoid")},
                     ensure_ascii=False))
    return 0


@dataclass(frozen=True)
class PlanArgs(CatalogArgs):
    profile: str
    json: str | None  # "-": print it
    rules_only: bool  # without the planner network
    lang: str  # of the explanations


def run_plan(args: PlanArgs) -> int:
    """The next session; the text output explains every decision in --lang (the JSON keeps the
    English `reasons` and the language-free `reason_codes`)."""
    from fitcoach.core.planner import default_capacity_model, localize_plan, plan_next

    export = _export(args.profile)
    catalog = load_catalog(args.exercises_dir)
    plan = plan_next(export, catalog, None if args.rules_only else default_capacity_model())
    if args.json:
        if print_or_write_json(args.json, plan):
            print(f"{args.json}: plan for {plan['profile']}")
        return 0
    _print_plan(plan["profile"], localize_plan(plan, args.lang, catalog), args.lang)
    return 0


def _print_plan(profile: str, local: dict, lang: str) -> None:
    print(tr("Next session for {p}:", lang, p=profile))
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


@dataclass(frozen=True)
class ReportArgs(CatalogArgs):
    profile: str
    out: str  # FILE.html or FILE.pdf


def run_report(args: ReportArgs) -> int:
    """The progress report of a profile (`fitcoach.reports.write_report`), pseudonymised."""
    from fitcoach.app.database import Database
    from fitcoach.reports.fhir import pseudonym
    from fitcoach.reports import write_report

    if not args.out.lower().endswith((".html", ".pdf")):
        raise FitCoachError("report: --out must end in .html or .pdf")
    with Database() as db:
        store = db.store()
        export = store.export_profile(args.profile)
        pseudo = pseudonym(store.salt(), export["profile"])
    path = write_report(export, Path(args.out), load_catalog(args.exercises_dir), pseudonym=pseudo)
    print(f"{path}: {len(export['sessions'])} sessions")
    return 0


@dataclass(frozen=True)
class ProgramArgs(CatalogArgs):
    action: str  # validate, import, export
    file: str  # validate/import: the program file; export: the program's name
    profile: str
    out: str | None  # export


def run_program(args: ProgramArgs) -> int:
    """Validate a program file, import it as the next version of its name, or export one."""
    from fitcoach.app.database import Database
    from fitcoach.app.programs import save_program
    from fitcoach.core.programs import load_program_file

    if args.action == "validate":
        prog = load_program_file(args.file, load_catalog(args.exercises_dir))
        print(f"ok  {args.file}: {prog.name!r}, {len(prog.items)} exercises, {prog.sessions_per_week}/week")
        return 0
    with Database() as db:
        if args.action == "import":
            prog = load_program_file(args.file, load_catalog(args.exercises_dir))  # all validated before anything is stored
            v = save_program(db, args.profile, prog)
            print(f"imported {prog.name!r} as version {v} for {args.profile!r}")
        else:
            if not args.out:
                raise FitCoachError("program export: give --out FILE.toml")
            write_private_text(args.out, db.store().program_text(args.profile, args.file))
            print(f"{args.out}: program {args.file!r} of {args.profile!r}")
    return 0
