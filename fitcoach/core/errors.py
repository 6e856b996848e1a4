"""Errors a user can act on.

Every error raised for bad input names the thing that was wrong (file, field, frame) so the
CLI can print it as one clear line instead of a traceback.
"""

from __future__ import annotations


class FitCoachError(Exception):
    """Base class: an error caused by input or environment, shown to the user as one line."""


class InputError(FitCoachError):
    """A file or device given by the user cannot be used (missing, unreadable, malformed)."""


class ValidationError(FitCoachError):
    """A file a person edits (exercise, program, settings) breaks its schema.

    `path` is the file, `field` a dotted path inside it.
    """

    def __init__(self, path: str, field: str, problem: str) -> None:
        self.path = str(path)
        self.field = field
        self.problem = problem
        where = f"{self.path}: {field}" if field else self.path
        super().__init__(f"{where}: {problem}")


class RecordingError(InputError):
    """A landmark recording is malformed."""


class NoCameraError(InputError):
    """No camera could be opened."""
