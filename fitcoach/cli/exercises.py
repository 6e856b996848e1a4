"""`fitcoach exercises list|show|validate`: the exercise files (exercises/*.toml) as the
catalogue reads them."""

from __future__ import annotations

import argparse
from dataclasses import dataclass
from pathlib import Path

from fitcoach.cli.common import CatalogArgs, load_catalog
from fitcoach.core.errors import FitCoachError


@dataclass(frozen=True)
class ExercisesArgs(CatalogArgs):
    action: str  # list, show, validate
    id: str | None  # show: the exercise
    files: tuple[str, ...]  # validate: these files (default: every file of the catalogue's folder)

    @classmethod
    def from_namespace(cls, ns: argparse.Namespace) -> "ExercisesArgs":
        files = tuple(ns.files)
        if ns.action == "validate" and ns.id:  # validate takes files positionally after the optional id
            files = (ns.id, *files)
        return cls(exercises_dir=ns.exercises_dir, action=ns.action, id=ns.id, files=files)


def run(args: ExercisesArgs) -> int:
    """List the catalogue, print one exercise file, or validate files (one line each)."""
    from fitcoach.core.exercises import load_exercise_file

    if args.action == "validate":
        files = args.files or sorted(str(p) for p in Path(args.exercises_dir or _default_ex_dir()).glob("*.toml"))
        for f in files:
            ex = load_exercise_file(f)
            print(f"ok  {f}  ({ex.id})")
        return 0
    cat = load_catalog(args.exercises_dir)
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
