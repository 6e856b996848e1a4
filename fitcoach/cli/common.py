"""What the commands share: their typed arguments, the exit code for bad input, and the
exercise catalogue, pose backend and form scorer as the command line chooses them.

Every command is a function taking a frozen dataclass of its arguments (a `CommandArgs`);
`CommandArgs.from_namespace` is the one place an argparse Namespace becomes those arguments,
and `dispatch` the one place a command is called. The commands run on the main thread.
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import sys
from dataclasses import dataclass
from typing import Any, Callable, Iterable, NamedTuple

from fitcoach.core.errors import FitCoachError
from fitcoach.io.private_files import write_private_text

EXIT_INPUT = 2

DEFAULT_PEOPLE = "auto"  # measured: bench/bench_pipeline.py (see DEVELOPERS.md, "The frame loop")
CHECK_EVERY = 15  # --people auto: frames between looks for a second person (0.5 s at 30 fps)


@dataclass(frozen=True)
class CommandArgs:
    """A command's arguments. The fields are the parser's destinations of that command
    (`tests/core/test_cli_args.py` checks that the two agree, so no option is silently dropped);
    a repeatable option or a list of positionals becomes a tuple."""

    @classmethod
    def from_namespace(cls, ns: argparse.Namespace) -> "CommandArgs":
        """The arguments of this command from what the parser read."""
        values = {f.name: getattr(ns, f.name) for f in dataclasses.fields(cls)}
        return cls(**{k: tuple(v) if isinstance(v, list) else v for k, v in values.items()})


@dataclass(frozen=True)
class CatalogArgs(CommandArgs):
    """A command that reads exercise files (--exercises-dir)."""

    exercises_dir: str | None


@dataclass(frozen=True)
class PoseArgs(CatalogArgs):
    """A command that may run the pose model (--model, --people)."""

    model: str
    people: str


class Command(NamedTuple):
    """What the parser stores for a (sub)command: its arguments' type and its function."""

    args: type[CommandArgs]
    run: Callable[[Any], int]


def dispatch(ns: argparse.Namespace) -> int:
    """Run the command the parser found (`ns.handler`) with its typed arguments."""
    command: Command = ns.handler
    return command.run(command.args.from_namespace(ns))


def load_catalog(exercises_dir: str | None = None):
    """The exercise catalogue: the shipped files, or those of --exercises-dir."""
    from fitcoach.core.exercises import ExerciseCatalog

    return ExerciseCatalog.load(exercises_dir)


def backend_factory(model: str, people: int | str = DEFAULT_PEOPLE):
    """--people 1: one person; 2: two on every frame; auto: one per frame plus a periodic check
    for a second (`MediaPipePose.check_every`)."""
    from fitcoach.core.models import pose_model_path
    from fitcoach.io.pose import MediaPipePose

    pose_model_path(model)  # fail early, before any frame is read, if the model is missing
    auto = str(people) == "auto"

    def make():
        return MediaPipePose(model, num_poses=2 if auto else int(people), check_every=CHECK_EVERY if auto else 0)

    return make


def load_scorer(no_scorer: bool = False):
    """The shipped form scorer (None with --no-scorer or when the model file is absent)."""
    if no_scorer:
        return None
    from fitcoach.core.scorer import load_default_scorer

    return load_default_scorer()


def program_item(program, name: str, exercise_id: str):
    """The row of `program` (named NAME on the command line) for the exercise, or the error."""
    item = next((i for i in program.items if i.id == exercise_id), None)
    if item is None:
        raise FitCoachError(f"program {name!r} has no {exercise_id!r}")
    return item


def warn(warnings: Iterable[str]) -> None:
    """Each warning as one line on stderr."""
    for w in warnings:
        print(f"fitcoach: warning: {w}", file=sys.stderr)


def _json_text(obj) -> str:
    """A result as the commands write it: indented, not ASCII-escaped, one newline at the end."""
    return json.dumps(obj, indent=2, ensure_ascii=False) + "\n"


def write_json(path: str, obj) -> None:
    """Write a result's JSON to PATH (user-only, like every file FitCoach writes)."""
    write_private_text(path, _json_text(obj))


def print_or_write_json(path: str, obj) -> bool:
    """PATH "-": print the JSON; else write it there (and return True: say where it went)."""
    if path == "-":
        print(_json_text(obj), end="")
        return False
    write_json(path, obj)
    return True
