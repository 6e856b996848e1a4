"""Reading a profile's history for the pages that show it (Today, History) and the commands
that print it: the export, or why there is none — never an exception for "no history yet".

Runs on the caller's thread (the GUI thread: a few small SQLite reads)."""

from __future__ import annotations

from dataclasses import dataclass

from fitcoach.app.database import Database, DatabaseDamaged, StoreError
from fitcoach.core.errors import FitCoachError


@dataclass(frozen=True)
class HistoryRead:
    """A profile's export (`fitcoach.profile-export/1` rows) or None, and `problem`: None, or the
    one-line reason the history cannot be read (damaged, busy, newer) — say it to the user."""

    export: dict | None
    problem: str | None = None


def load_export(db: Database, profile: str) -> HistoryRead:
    """The profile's export; None with no problem when the profile has no history yet."""
    try:
        store = db.store()
    except FitCoachError as e:  # DatabaseDamaged (with the way out), StoreError (busy, newer)
        return HistoryRead(None, str(e))
    try:
        return HistoryRead(store.export_profile(profile))
    except StoreError:  # no such profile: no history yet
        return HistoryRead(None)
    except DatabaseDamaged as e:  # damage met while reading
        return HistoryRead(None, str(e))
