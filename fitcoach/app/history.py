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


WEEK_S = 7 * 86400.0


@dataclass(frozen=True)
class SessionsView:
    """What the History page lists and charts: `report.summarize`'s sessions (oldest first), each
    with `pain`, `effort` (the self-report or None), `sets` (how many), `prescribed_total` (the
    reps prescribed for the whole session, or None) and `adherence` (% of those done, capped at
    100, or None); and the program's sessions a week (`per_week`, or None)."""

    sessions: tuple[dict, ...]
    per_week: int | None = None


def sessions_view(export: dict, catalog) -> SessionsView:
    """The sessions of a profile export, with what the History page shows of each."""
    from fitcoach.reports import summarize

    summary = summarize(export, catalog)
    reports = {r["session_id"]: r for r in export["self_reports"]}
    sets: dict[int, int] = {}
    prescribed: dict[int, int] = {}
    for st in export["sets"]:
        sid = st["session_id"]
        sets[sid] = sets.get(sid, 0) + 1
        if st.get("prescribed_reps"):  # only the sets that were prescribed count
            prescribed[sid] = prescribed.get(sid, 0) + st["prescribed_reps"]
    out = []
    for s in summary["sessions"]:
        rep = reports.get(s["id"], {})
        s["pain"], s["effort"], s["sets"] = rep.get("pain"), rep.get("rpe"), sets.get(s["id"], 0)
        # the reps prescribed for the whole session: the sum over its prescribed sets (as
        # report.summarize and Today count them); with none recorded, the program's reps per set
        # (summarize's fallback) for each set done
        s["prescribed_total"] = prescribed.get(s["id"]) or (
            s["prescribed"] * max(1, s["sets"]) if s["prescribed"] else None)
        s["adherence"] = (round(100.0 * min(1.0, s["reps"] / s["prescribed_total"]))
                          if s["prescribed_total"] else None)
        out.append(s)
    return SessionsView(tuple(out), summary["per_week"])


def sessions_since(sessions, t_utc: float) -> int:
    """How many of SESSIONS started at or after T_UTC."""
    return sum(1 for s in sessions if s["t"] >= t_utc)


def rom_changes(sessions, catalog, now: float) -> list[tuple[str, float]]:
    """(exercise id, degrees better) per exercise with a mean ROM in both the 7 days up to NOW
    and the 7 before, in the driver's direction (for a squat a smaller knee angle is deeper, so
    a fall of the mean is better); by exercise id."""
    out = []
    for ex_id in sorted({s["exercise"] for s in sessions}):
        ex = catalog.get(ex_id) if ex_id in catalog.ids() else None
        if ex is None or ex.driver is None:
            continue
        roms = [(s["t"], s["rom_extreme"]) for s in sessions if s["exercise"] == ex_id and s["rom_extreme"] is not None]
        this = [r for t, r in roms if now - WEEK_S <= t <= now]
        before = [r for t, r in roms if now - 2 * WEEK_S <= t < now - WEEK_S]
        if not this or not before:
            continue
        change = sum(this) / len(this) - sum(before) / len(before)
        out.append((ex_id, -change if ex.driver.direction == "decrease" else change))
    return out
