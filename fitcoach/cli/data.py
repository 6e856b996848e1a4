"""`fitcoach data ACTION`: the local history (`fitcoach.io.store`) — export it (JSON, CSV of
the reps, a FHIR R4 Bundle), erase a profile, record a self-report, back it up, and check,
restore or salvage it. The last three never open the history as a `Store`, so they work when
it is damaged."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

from fitcoach.cli.common import CommandArgs, load_catalog
from fitcoach.core.errors import FitCoachError
from fitcoach.io.private_files import open_private, write_private_text


@dataclass(frozen=True)
class DataArgs(CommandArgs):
    action: str  # export, delete, check, backup, restore, salvage, selfreport
    profile: str | None  # export, delete, selfreport
    file: str | None  # backup: the copy; restore: the copy to restore
    out: str | None  # export: FILE.json / FILE.csv / FILE.fhir.json; salvage: the new database
    include_notes: bool  # FHIR export: the programs' names and notes too
    pain: int | None  # selfreport, 0-10
    rpe: int | None  # selfreport, 0-10


def run(args: DataArgs) -> int:
    """One action on the history; one line says what was done."""
    from fitcoach.app.database import Database

    if args.action in ("restore", "check", "salvage"):  # these work on a damaged database too
        return _repair(args)
    if args.action in ("export", "delete", "selfreport") and not args.profile:
        raise FitCoachError(f"data {args.action}: give --profile NAME")
    with Database() as db:
        store = db.store()
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
            _delete(store, args.profile)
        else:
            _export(store, args)
    return 0


def _delete(store, profile: str) -> None:
    store.delete_profile(profile)
    print(f"profile {profile!r} and all its sessions erased; database compacted")
    kept = store.kept_copies()
    if kept:  # erasure must not be silently incomplete
        print(f"note: {len(kept)} earlier copies of the history kept by `data restore`/`data salvage` may "
              f"still hold it; delete them if it must be gone from them too: {', '.join(map(str, kept))}")


def _export(store, args: DataArgs) -> None:
    """--out FILE.fhir.json: a FHIR R4 Bundle; FILE.csv: the reps; else the profile as JSON."""
    import csv

    if not args.out:
        raise FitCoachError("data export: give --out FILE.json or FILE.csv")
    if args.out.endswith(".fhir.json"):
        from fitcoach.reports import fhir

        b = fhir.bundle(store.export_profile(args.profile), store.salt(), fhir.verified_models(),
                        include_notes=args.include_notes, catalog=load_catalog())  # validated before anything is written
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


def _repair(args: DataArgs) -> int:
    """`data restore`, `data check`, `data salvage`: they never open the history as a Store, so
    they work when it is damaged (a damaged history gives one line with the way out, exit 2)."""
    from fitcoach.io import store as st

    if args.action == "restore":
        return _restore(args.file)
    if args.action == "check":
        return _check()
    res = st.salvage(out=Path(args.out) if args.out else None)
    print(f"salvaged what was readable in {res.source} into {res.out} (the damaged file is unchanged):")
    for t in res.tables:
        print(f"  {t.line()}")
    print(f"next: `fitcoach data restore --file {res.out}` makes it your history "
          "(the damaged one is then kept as a dated copy)")
    return 0


def _restore(file: str | None) -> int:
    from fitcoach.io import store as st

    if not file:
        raise FitCoachError("data restore: give --file BACKUP")
    res = st.restore_backup(Path(file))
    c = res.counts
    sha = (f"sha256 matches {file}.sha256" if res.sha256_checked
           else f"no {Path(file).name}.sha256 next to it, so no sha256 check")
    print(f"restored {res.target} from {file}: {c['profiles']} profiles, {c['sessions']} sessions, "
          f"{c['reps']} reps (schema {res.version}, integrity checked, {sha})")
    print(f"the history it replaced is kept in {res.kept[0]}" + (f" (and {res.kept[1].name})" if len(res.kept) > 1 else "")
          if res.kept else "there was no history to replace")
    return 0


def _check() -> int:
    from fitcoach.io import store as st

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
