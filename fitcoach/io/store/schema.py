"""The schema and its migrations (`PRAGMA user_version`: `MIGRATIONS[i]` upgrades version i to
i + 1), connections set up as the store needs them (WAL, `synchronous=FULL`, foreign keys), and
the checks that say whether a file is a FitCoach database this code can use."""

from __future__ import annotations

import functools
import sqlite3
import time
from pathlib import Path

from fitcoach.io.store.errors import StoreError

MIGRATIONS: list[str] = [
    # 0 -> 1
    """
    CREATE TABLE profiles (
        id INTEGER PRIMARY KEY, name TEXT NOT NULL UNIQUE, kind TEXT NOT NULL DEFAULT 'home',
        created_utc REAL NOT NULL);
    CREATE TABLE programs (
        id INTEGER PRIMARY KEY, profile_id INTEGER NOT NULL REFERENCES profiles(id) ON DELETE CASCADE,
        name TEXT NOT NULL, version INTEGER NOT NULL, body TEXT NOT NULL, created_utc REAL NOT NULL,
        UNIQUE (profile_id, name, version));
    CREATE TABLE sessions (
        id INTEGER PRIMARY KEY, profile_id INTEGER NOT NULL REFERENCES profiles(id) ON DELETE CASCADE,
        program_id INTEGER REFERENCES programs(id) ON DELETE SET NULL,
        exercise_id TEXT NOT NULL, source TEXT, model TEXT, scorer TEXT,
        started_utc REAL NOT NULL, ended_utc REAL);
    CREATE TABLE sets (
        id INTEGER PRIMARY KEY, session_id INTEGER NOT NULL REFERENCES sessions(id) ON DELETE CASCADE,
        idx INTEGER NOT NULL, prescribed_reps INTEGER, started_utc REAL NOT NULL, ended_utc REAL);
    CREATE TABLE reps (
        id INTEGER PRIMARY KEY, set_id INTEGER NOT NULL REFERENCES sets(id) ON DELETE CASCADE,
        idx INTEGER NOT NULL, side TEXT, t_start_s REAL, t_end_s REAL, partial INTEGER NOT NULL,
        partial_reason TEXT, rom_min REAL, rom_max REAL, tempo_down REAL, tempo_bottom REAL,
        tempo_up REAL, tempo_top REAL, score REAL, faults TEXT NOT NULL DEFAULT '[]');
    CREATE TABLE assessments (
        id INTEGER PRIMARY KEY, profile_id INTEGER NOT NULL REFERENCES profiles(id) ON DELETE CASCADE,
        kind TEXT NOT NULL, created_utc REAL NOT NULL, body TEXT NOT NULL);
    CREATE TABLE cues (
        id INTEGER PRIMARY KEY, session_id INTEGER NOT NULL REFERENCES sessions(id) ON DELETE CASCADE,
        t_s REAL, text TEXT, priority TEXT, reason TEXT);
    CREATE TABLE self_reports (
        id INTEGER PRIMARY KEY, session_id INTEGER NOT NULL REFERENCES sessions(id) ON DELETE CASCADE,
        pain INTEGER CHECK (pain BETWEEN 0 AND 10), rpe INTEGER CHECK (rpe BETWEEN 0 AND 10),
        note TEXT, created_utc REAL NOT NULL);
    CREATE INDEX reps_set ON reps(set_id);
    CREATE INDEX sessions_profile ON sessions(profile_id);
    """,
    # 1 -> 2: what the planner needs to know about the person
    """
    ALTER TABLE profiles ADD COLUMN age_band TEXT;
    ALTER TABLE profiles ADD COLUMN level TEXT NOT NULL DEFAULT 'beginner';
    ALTER TABLE profiles ADD COLUMN goals TEXT NOT NULL DEFAULT '[]';
    ALTER TABLE profiles ADD COLUMN conditions TEXT NOT NULL DEFAULT '[]';
    ALTER TABLE profiles ADD COLUMN avoid TEXT NOT NULL DEFAULT '[]'
    """,
]
SCHEMA_VERSION = len(MIGRATIONS)


def _lenient_text(raw: bytes) -> str:
    """Text values as UTF-8, a damaged byte shown as U+FFFD instead of raising (the integrity
    checks then say what is wrong)."""
    return raw.decode("utf-8", "replace")


def _connect(path: Path) -> sqlite3.Connection:
    con = sqlite3.connect(str(path), timeout=30.0, isolation_level=None, check_same_thread=False)
    con.text_factory = _lenient_text
    # Switching to WAL needs an exclusive lock and SQLite may answer "database is locked" at once,
    # without waiting for the busy timeout, when several processes open a new history together
    # (seen under load in CI): retry for up to the same 30 s. A history already in WAL is not switched.
    deadline = time.monotonic() + 30.0
    while True:
        try:
            if str(con.execute("PRAGMA journal_mode").fetchone()[0]).lower() != "wal":
                con.execute("PRAGMA journal_mode=WAL")
            break
        except sqlite3.OperationalError as exc:
            if "locked" not in str(exc) and "busy" not in str(exc) or time.monotonic() > deadline:
                raise
            time.sleep(0.02)
    con.execute("PRAGMA synchronous=FULL")
    con.execute("PRAGMA foreign_keys=ON")
    return con


def migrate(con: sqlite3.Connection, target: int = SCHEMA_VERSION) -> int:
    """Upgrade the schema to `target`; returns the version it started from. The version is read
    inside each write transaction, so two processes opening a new database at once do not both
    run the same migration."""
    start = con.execute("PRAGMA user_version").fetchone()[0]
    if start > SCHEMA_VERSION:
        raise StoreError(f"database schema {start} is newer than this FitCoach ({SCHEMA_VERSION}); update FitCoach")
    while True:
        con.execute("BEGIN IMMEDIATE")
        try:
            v = con.execute("PRAGMA user_version").fetchone()[0]
            if v >= target:
                con.execute("COMMIT")
                return start
            for stmt in [s.strip() for s in MIGRATIONS[v].split(";") if s.strip()]:
                con.execute(stmt)
            con.execute(f"PRAGMA user_version = {v + 1}")
            con.execute("COMMIT")
        except Exception:
            con.execute("ROLLBACK")
            raise


@functools.lru_cache(maxsize=None)
def expected_schema(version: int) -> dict[str, tuple[str, ...]]:
    """Table -> column names of a FitCoach database at schema VERSION (built in memory)."""
    con = sqlite3.connect(":memory:", isolation_level=None)
    try:
        migrate(con, version)
        return _tables(con)
    finally:
        con.close()


def _tables(con: sqlite3.Connection) -> dict[str, tuple[str, ...]]:
    names = [r[0] for r in con.execute(
        "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name")]
    return {n: tuple(r[1] for r in con.execute(f'PRAGMA table_info("{n}")')) for n in names}


def _table_order() -> list[str]:
    """The tables of the current schema, parents before children (by their foreign keys)."""
    con = sqlite3.connect(":memory:", isolation_level=None)
    try:
        migrate(con)
        parents = {t: {r[2] for r in con.execute(f'PRAGMA foreign_key_list("{t}")')} - {t} for t in _tables(con)}
    finally:
        con.close()
    order: list[str] = []
    while len(order) < len(parents):
        ready = sorted(t for t, ps in parents.items() if t not in order and ps <= set(order))
        if not ready:  # pragma: no cover - a cycle in the schema
            raise StoreError("the schema's foreign keys form a cycle")
        order += ready
    return order


def schema_problem(con: sqlite3.Connection) -> str | None:
    """Why CON is not a FitCoach database this code can use, or None. Schema version 0 with no
    tables is a new, empty database (None); a later version must have every table and column
    that version defines. The version and the tables are read in one transaction: read apart,
    another process's first migration could commit in between (version 0 with its tables)."""
    own = not con.in_transaction
    if own:
        con.execute("BEGIN")
    try:
        version = con.execute("PRAGMA user_version").fetchone()[0]
        have = _tables(con)
    finally:
        if own:
            con.execute("COMMIT")
    if version == 0:
        return f"not a FitCoach database: schema version 0 with tables {', '.join(have)}" if have else None
    if version < 0 or version > SCHEMA_VERSION:
        return (f"schema version {version} is newer than this FitCoach ({SCHEMA_VERSION}); update FitCoach"
                if version > 0 else f"not a FitCoach database: schema version {version}")
    for table, cols in expected_schema(version).items():
        if table not in have:
            return f"not a FitCoach database: no table {table!r} (schema version {version})"
        missing = [c for c in cols if c not in have[table]]
        if missing:
            return f"not a FitCoach database: table {table!r} has no column {missing[0]!r}"
    return None


def _check_rows(con: sqlite3.Connection, pragma: str) -> list[str]:
    """The problems `PRAGMA quick_check` / `integrity_check` reports (empty: fine)."""
    rows = [r[0] for r in con.execute(f"PRAGMA {pragma}").fetchall()]
    return [] if rows == ["ok"] else rows


def _counts(con: sqlite3.Connection) -> dict[str, int]:
    return {t: con.execute(f"SELECT COUNT(*) FROM {t}").fetchone()[0] for t in ("profiles", "sessions", "reps")}
