"""The store's errors: `StoreError` (a refused operation: no such profile, a bad value, busy)
and `DatabaseDamaged` (the file itself is damaged or foreign), and `guard`, which turns SQLite's
"malformed"/"not a database" met while reading into `DatabaseDamaged` in one place."""

from __future__ import annotations

import functools
import sqlite3
from pathlib import Path

from fitcoach.core.errors import FitCoachError

WAY_OUT = ("put a backup back with `fitcoach data restore --file BACKUP`, "
           "or copy what is still readable into a new database with `fitcoach data salvage`")


class StoreError(FitCoachError):
    pass


class DatabaseDamaged(FitCoachError):
    """The history database cannot be read as a FitCoach database (damaged, truncated, foreign).

    Deliberately not a `StoreError`: callers that treat `StoreError` as "no such profile" must
    not mistake a damaged history for an empty one."""

    def __init__(self, path: Path | str, detail: str) -> None:
        self.path = str(path)
        self.detail = _one_line(detail)
        super().__init__(f"{self.path}: the history database is damaged ({self.detail}); {WAY_OUT}")


def _one_line(text: str, limit: int = 200) -> str:
    text = " ".join(str(text).split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


SQLITE_CORRUPT, SQLITE_NOTADB = 11, 26


def is_damage(exc: BaseException) -> bool:
    """Whether a sqlite3 error means the file itself is damaged (not busy, not a bad query)."""
    if not isinstance(exc, sqlite3.DatabaseError):
        return False
    code = getattr(exc, "sqlite_errorcode", None)
    if code is not None:
        return code & 0xFF in (SQLITE_CORRUPT, SQLITE_NOTADB)
    text = str(exc)
    return "malformed" in text or "not a database" in text


def guard(method):
    """Turn "database disk image is malformed" (met while reading) into `DatabaseDamaged`."""

    @functools.wraps(method)
    def wrapper(self, *args, **kwargs):
        try:
            return method(self, *args, **kwargs)
        except sqlite3.DatabaseError as e:
            if is_damage(e):
                raise DatabaseDamaged(self.path, str(e)) from None
            raise

    return wrapper
