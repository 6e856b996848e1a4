"""Exercises as data: the catalogue of `exercises/*.toml`, one validated file per exercise.

Anyone can add an exercise by writing a file; nothing here is code. `ExerciseCatalog.load`
reads a folder (the shipped one by default), each file with `load_exercise_file` (at most
1 MiB of UTF-8 TOML) and `exercise_schema.parse_exercise`, which rejects unknown keys and
names the file, the field and what is allowed on every error (the schema: exercises/README.md
and `exercise_schema`'s docstring). The model it returns is
in `exercise_model`; its names are re-exported here, so `from fitcoach.core.exercises import
Exercise, ExerciseCatalog` is the one import path for callers.
"""

from __future__ import annotations

import tomllib
from pathlib import Path

from fitcoach.core import resources
from fitcoach.core.errors import ValidationError
from fitcoach.core.exercise_model import (  # noqa: F401  (re-exported: the import path callers use)
    COMBINE,
    DIRECTIONS,
    KINDS,
    LATERALITY,
    METRIC_RANGES,
    PHASES,
    SCHEMA_VERSION,
    SIDES_MODES,
    SPACES,
    UNBOUNDED_RATIOS,
    VIEWS,
    Bound,
    Driver,
    Exercise,
    Rule,
    Tempo,
    Text,
    metric_range,
)
from fitcoach.core.exercise_schema import parse_exercise, short_repr

MAX_FILE_BYTES = 1 << 20  # an exercise file is ~2 KB; this bounds reading and parsing


def default_exercise_dir() -> Path:
    """The exercises shipped with the app (repo checkout or bundled data)."""
    return resources.exercises_dir()


def load_exercise_file(path: str | Path) -> Exercise:
    """The validated exercise in a TOML file; ValidationError when it cannot be read or is invalid."""
    path = Path(path)
    try:
        with open(path, "rb") as fh:
            raw = fh.read(MAX_FILE_BYTES + 1)  # never more than the cap, whatever the file
    except OSError as exc:
        raise ValidationError(str(path), "", f"cannot read ({exc.strerror})") from None
    if len(raw) > MAX_FILE_BYTES:
        raise ValidationError(str(path), "", f"is larger than {MAX_FILE_BYTES} bytes; an exercise file is a few KB")
    try:
        data = tomllib.loads(raw.decode("utf-8"))
    except UnicodeDecodeError:
        raise ValidationError(str(path), "", "is not UTF-8 text") from None
    except tomllib.TOMLDecodeError as exc:
        raise ValidationError(str(path), "", f"is not valid TOML ({' '.join(str(exc).split())})") from None
    except RecursionError:
        raise ValidationError(str(path), "", "is not valid TOML (nested too deeply)") from None
    except ValueError as exc:  # e.g. an integer of more than 4300 digits
        raise ValidationError(str(path), "", f"is not valid TOML ({short_repr(str(exc), 100)})") from None
    return parse_exercise(str(path), data)


class ExerciseCatalog:
    """All exercises in a folder, validated; lookup by id with a helpful error."""

    def __init__(self, exercises: dict[str, Exercise]) -> None:
        self._by_id = exercises

    @classmethod
    def load(cls, folder: str | Path | None = None) -> "ExerciseCatalog":
        folder = Path(folder) if folder is not None else default_exercise_dir()
        if not folder.is_dir():
            raise ValidationError(str(folder), "", "exercise folder not found")
        out: dict[str, Exercise] = {}
        for p in sorted(folder.glob("*.toml")):
            ex = load_exercise_file(p)
            out[ex.id] = ex
        return cls(out)

    def ids(self) -> list[str]:
        return sorted(self._by_id)

    def __iter__(self):
        return iter(self._by_id[k] for k in self.ids())

    def __len__(self) -> int:
        return len(self._by_id)

    def get(self, ex_id: str) -> Exercise:
        try:
            return self._by_id[ex_id]
        except KeyError:
            from fitcoach.core.errors import FitCoachError

            raise FitCoachError(
                f"unknown exercise id {ex_id!r}; known ids: {', '.join(self.ids())}"
            ) from None
