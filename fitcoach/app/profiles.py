"""Profiles (the people who exercise, the physiotherapist's patients): listing, creating,
their details, the self-report after a session. Thin over the `Store`, so that the front ends
never open the history themselves; errors are the store's (`StoreError` names the field)."""

from __future__ import annotations

from fitcoach.app.database import Database
from fitcoach.core.errors import FitCoachError


def profile_names(db: Database) -> list[str]:
    """Every stored profile, by name; raises the store's `FitCoachError` when it cannot be read."""
    return db.store().profile_names()


def is_first_run(db: Database, chosen_profile: str | None) -> bool:
    """No profile chosen in the settings and none stored yet: the welcome comes first. A history
    that cannot be opened is not a first run (the pages say what is wrong with it)."""
    if chosen_profile:
        return False
    try:
        return not db.store().profile_names()
    except FitCoachError:
        return False


def add_profile(db: Database, name: str) -> int:
    """Store a profile by NAME (1-100 characters, else `StoreError`); an existing one is kept.
    Returns its id."""
    return db.store().profile(name)


def save_profile(db: Database, name: str, age_band: str | None = None, level: str | None = None,
                 conditions: list[str] | None = None, avoid: list[str] | None = None,
                 goals: list[str] | None = None) -> dict:
    """Create or update a profile's details (None: left as stored); `StoreError` names a bad
    value. Returns the profile's row as stored."""
    store = db.store()
    store.set_profile(name, age_band, level, goals=goals, conditions=conditions, avoid=avoid)
    return store.profile_record(name).to_row()


def save_self_report(db: Database, session_id: int, pain: int | None, effort: int | None, note: str = "") -> None:
    """Pain and effort (0-10 each, else `StoreError`) and a note for a saved session."""
    db.store().add_self_report(session_id, pain, effort, note.strip())
