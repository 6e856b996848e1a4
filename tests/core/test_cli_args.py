"""The command line's typed arguments (fitcoach/cli/): every (sub)command's parser stores a
`Command` whose frozen dataclass has exactly the parser's options as fields, and whose function
takes that dataclass — so an option added to the parser and forgotten in the command (or the
other way round) fails here instead of being dropped or crashing at run time."""

from __future__ import annotations

import argparse
import dataclasses
import typing

import pytest

from fitcoach.cli.common import Command, CommandArgs
from fitcoach.cli.exercises import ExercisesArgs
from fitcoach.cli.parser import build_parser

def _leaves(parser: argparse.ArgumentParser, path=()):
    subs = [a for a in parser._actions if isinstance(a, argparse._SubParsersAction)]
    if not subs:
        yield " ".join(path), parser
    for a in subs:
        for name, sp in a.choices.items():
            yield from _leaves(sp, (*path, name))


LEAVES = list(_leaves(build_parser()))


def test_every_command_is_found():
    names = {name for name, _ in LEAVES}
    assert {"analyze", "workout", "live", "demo", "record", "assess posture", "assess rom", "data", "gui"} <= names
    assert len(LEAVES) == 17


@pytest.mark.parametrize("name,parser", LEAVES, ids=[n for n, _ in LEAVES])
def test_a_commands_arguments_are_its_options(name, parser):
    command = parser.get_default("handler")
    assert isinstance(command, Command), name
    assert issubclass(command.args, CommandArgs) and command.args.__dataclass_params__.frozen
    options = {a.dest for a in parser._actions} - {"help"}
    assert {f.name for f in dataclasses.fields(command.args)} == options
    # the command's function takes exactly that dataclass
    hints = typing.get_type_hints(command.run)
    assert list(hints) == ["args", "return"] and hints["args"] is command.args and hints["return"] is int


def test_arguments_are_frozen_and_hold_no_lists():
    ns = build_parser().parse_args(["profile", "set", "ana", "--goal", "legs", "--goal", "core"])
    args = ns.handler.args.from_namespace(ns)
    assert args.goal == ("legs", "core") and args.condition is None
    with pytest.raises(dataclasses.FrozenInstanceError):
        args.name = "bob"


def test_exercises_validate_takes_the_first_file_from_the_id_position():
    ns = build_parser().parse_args(["exercises", "validate", "a.toml", "b.toml"])
    assert ExercisesArgs.from_namespace(ns).files == ("a.toml", "b.toml")
    ns = build_parser().parse_args(["exercises", "show", "squat"])
    assert ExercisesArgs.from_namespace(ns).files == () and ExercisesArgs.from_namespace(ns).id == "squat"
