"""Local, private, crash-safe history: one SQLite database under the user's data directory.

- WAL journal, `synchronous=FULL`: a committed rep survives a crash or a kill.
- One writer thread owns the write connection; callers enqueue writes (the analysis thread never
  waits on the disk) and may wait for the result. Every completed rep is its own transaction,
  committed when the rep completes.
- Schema migrations by `PRAGMA user_version`: `MIGRATIONS[i]` upgrades version i to i + 1; a
  database made by any earlier schema opens and upgrades.
- The data directory is created 0700 and the database files 0600 (readable by the user only).
Nothing here touches the network.
"""

from __future__ import annotations

import json
import os
import queue
import sqlite3
import threading
import time
from concurrent.futures import Future
from pathlib import Path
from typing import Any, Callable

from fitcoach.core.errors import FitCoachError

DB_NAME = "fitcoach.db"

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


class StoreError(FitCoachError):
    pass


def default_data_dir() -> Path:
    from platformdirs import user_data_dir

    return Path(os.environ.get("FITCOACH_DATA_DIR") or user_data_dir("fitcoach"))


def _private_dir(path: Path) -> Path:
    path.mkdir(parents=True, exist_ok=True)
    os.chmod(path, 0o700)
    return path


def _connect(path: Path) -> sqlite3.Connection:
    con = sqlite3.connect(str(path), timeout=30.0, isolation_level=None, check_same_thread=False)
    con.execute("PRAGMA journal_mode=WAL")
    con.execute("PRAGMA synchronous=FULL")
    con.execute("PRAGMA foreign_keys=ON")
    return con


def migrate(con: sqlite3.Connection, target: int = SCHEMA_VERSION) -> int:
    """Upgrade the schema to `target`; returns the version it started from."""
    start = con.execute("PRAGMA user_version").fetchone()[0]
    if start > SCHEMA_VERSION:
        raise StoreError(f"database schema {start} is newer than this FitCoach ({SCHEMA_VERSION}); update FitCoach")
    for v in range(start, target):
        con.execute("BEGIN IMMEDIATE")
        try:
            for stmt in [s.strip() for s in MIGRATIONS[v].split(";") if s.strip()]:
                con.execute(stmt)
            con.execute(f"PRAGMA user_version = {v + 1}")
            con.execute("COMMIT")
        except Exception:
            con.execute("ROLLBACK")
            raise
    return start


class Store:
    """The history database. Writes go through one writer thread; reads use their own connection."""

    def __init__(self, folder: Path | None = None) -> None:
        self.folder = _private_dir(folder or default_data_dir())
        self.path = self.folder / DB_NAME
        new = not self.path.exists()
        con = _connect(self.path)
        migrate(con)
        con.close()
        for p in (self.path, Path(f"{self.path}-wal"), Path(f"{self.path}-shm")):
            if p.exists():
                os.chmod(p, 0o600)
        if new:
            os.chmod(self.path, 0o600)
        self._q: queue.Queue = queue.Queue()
        self._thread = threading.Thread(target=self._writer, name="store-writer", daemon=True)
        self._thread.start()
        self._read = _connect(self.path)
        self._read.row_factory = sqlite3.Row

    # -- writer thread -----------------------------------------------------------------------
    def _writer(self) -> None:
        con = _connect(self.path)
        while True:
            item = self._q.get()
            if item is None:
                break
            fn, fut = item
            try:
                con.execute("BEGIN IMMEDIATE")
                result = fn(con)
                con.execute("COMMIT")
                fut.set_result(result)
            except Exception as e:
                try:
                    con.execute("ROLLBACK")
                except sqlite3.Error:
                    pass
                fut.set_exception(e)
        con.close()

    def write(self, fn: Callable[[sqlite3.Connection], Any]) -> Future:
        fut: Future = Future()
        self._q.put((fn, fut))
        return fut

    def close(self) -> None:
        self._q.put(None)
        self._thread.join(timeout=10.0)
        self._read.close()

    # -- API -----------------------------------------------------------------------------------
    def profile(self, name: str, kind: str = "home") -> int:
        if not name or len(name) > 100:
            raise StoreError("profile name must be 1-100 characters")

        def fn(con):
            row = con.execute("SELECT id FROM profiles WHERE name = ?", (name,)).fetchone()
            if row:
                return row[0]
            return con.execute("INSERT INTO profiles (name, kind, created_utc) VALUES (?, ?, ?)",
                               (name, kind, time.time())).lastrowid

        return self.write(fn).result()

    def start_session(self, profile_id: int, exercise_id: str, source: str = "", model: str | None = None,
                      scorer: str | None = None, prescribed_reps: int | None = None) -> tuple[int, int]:
        def fn(con):
            now = time.time()
            sid = con.execute("INSERT INTO sessions (profile_id, exercise_id, source, model, scorer, started_utc) "
                              "VALUES (?, ?, ?, ?, ?, ?)", (profile_id, exercise_id, source, model, scorer, now)).lastrowid
            set_id = con.execute("INSERT INTO sets (session_id, idx, prescribed_reps, started_utc) VALUES (?, 1, ?, ?)",
                                 (sid, prescribed_reps, now)).lastrowid
            return sid, set_id

        return self.write(fn).result()

    def start_set(self, session_id: int, idx: int, prescribed_reps: int | None = None) -> int:
        """The next set of a session (the first comes with `start_session`)."""
        return self.write(lambda con: con.execute(
            "INSERT INTO sets (session_id, idx, prescribed_reps, started_utc) VALUES (?, ?, ?, ?)",
            (session_id, idx, prescribed_reps, time.time())).lastrowid).result()

    def end_set(self, set_id: int) -> None:
        self.write(lambda con: con.execute("UPDATE sets SET ended_utc = ? WHERE id = ?",
                                           (time.time(), set_id))).result()

    def add_rep(self, set_id: int, rep: dict) -> Future:
        """Commit one completed rep (a JSON rep as in the analysis output), in its own transaction."""
        row = (set_id, rep["index"], rep["side"], rep["t_start_s"], rep["t_end_s"], int(rep["partial"]),
               rep.get("partial_reason"), rep["rom_deg"]["min"], rep["rom_deg"]["max"], rep["tempo_s"]["down"],
               rep["tempo_s"]["bottom"], rep["tempo_s"]["up"], rep["tempo_s"]["top"], rep.get("score"),
               json.dumps(rep.get("faults", []), ensure_ascii=False))
        return self.write(lambda con: con.execute(
            "INSERT INTO reps (set_id, idx, side, t_start_s, t_end_s, partial, partial_reason, rom_min, rom_max, "
            "tempo_down, tempo_bottom, tempo_up, tempo_top, score, faults) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)",
            row).lastrowid)

    def end_session(self, session_id: int, set_id: int, cues: list[dict] | None = None) -> None:
        def fn(con):
            now = time.time()
            con.execute("UPDATE sets SET ended_utc = ? WHERE id = ?", (now, set_id))
            con.execute("UPDATE sessions SET ended_utc = ? WHERE id = ?", (now, session_id))
            for c in cues or []:
                con.execute("INSERT INTO cues (session_id, t_s, text, priority, reason) VALUES (?, ?, ?, ?, ?)",
                            (session_id, c["t_s"], c["text"], c["priority"], c["reason"]))

        self.write(fn).result()

    def add_self_report(self, session_id: int, pain: int | None, rpe: int | None, note: str = "") -> None:
        for name, v in (("pain", pain), ("rpe", rpe)):
            if v is not None and not 0 <= v <= 10:
                raise StoreError(f"{name} must be 0-10, not {v}")
        self.write(lambda con: con.execute(
            "INSERT INTO self_reports (session_id, pain, rpe, note, created_utc) VALUES (?, ?, ?, ?, ?)",
            (session_id, pain, rpe, note, time.time()))).result()

    def add_program(self, profile_id: int, program) -> int:
        """Store a validated program (`programs.Program`) as the next version of its name."""
        def fn(con):
            v = con.execute("SELECT COALESCE(MAX(version), 0) FROM programs WHERE profile_id = ? AND name = ?",
                            (profile_id, program.name)).fetchone()[0] + 1
            con.execute("INSERT INTO programs (profile_id, name, version, body, created_utc) VALUES (?, ?, ?, ?, ?)",
                        (profile_id, program.name, v, program.text, time.time()))
            return v

        return self.write(fn).result()

    def program_text(self, profile: str, name: str, version: int | None = None) -> str:
        pid = self.profile_id(profile)
        row = self._read.execute(
            "SELECT body FROM programs WHERE profile_id = ? AND name = ? " + ("AND version = ? " if version else "")
            + "ORDER BY version DESC LIMIT 1", (pid, name, version) if version else (pid, name)).fetchone()
        if row is None:
            raise StoreError(f"profile {profile!r} has no program {name!r}")
        return row[0]

    def backup(self, dest: Path) -> str:
        """A consistent copy (SQLite online backup) plus its sha256 in DEST.sha256; returns it."""
        import hashlib

        self.write(lambda con: None).result()  # let queued writes land first
        dest = Path(dest)
        out = sqlite3.connect(str(dest))
        with out:
            self._read.backup(out)
        out.execute("PRAGMA journal_mode=DELETE")
        out.close()
        os.chmod(dest, 0o600)
        digest = hashlib.sha256(dest.read_bytes()).hexdigest()
        Path(f"{dest}.sha256").write_text(f"{digest}  {dest.name}\n", encoding="utf-8")
        return digest

    def add_assessment(self, profile_id: int, kind: str, body: dict) -> int:
        return self.write(lambda con: con.execute(
            "INSERT INTO assessments (profile_id, kind, created_utc, body) VALUES (?, ?, ?, ?)",
            (profile_id, kind, time.time(), json.dumps(body, ensure_ascii=False))).lastrowid).result()

    # -- reads ---------------------------------------------------------------------------------
    AGE_BANDS = ("<18", "18-39", "40-64", "65-79", "80+")
    LEVELS = ("beginner", "intermediate", "advanced")

    def set_profile(self, name: str, age_band: str | None = None, level: str | None = None,
                    goals: list[str] | None = None, conditions: list[str] | None = None,
                    avoid: list[str] | None = None) -> None:
        if age_band is not None and age_band not in self.AGE_BANDS:
            raise StoreError(f"age band must be one of {', '.join(self.AGE_BANDS)}, not {age_band!r}")
        if level is not None and level not in self.LEVELS:
            raise StoreError(f"level must be one of {', '.join(self.LEVELS)}, not {level!r}")
        pid = self.profile(name)
        fields = {"age_band": age_band, "level": level, "goals": None if goals is None else json.dumps(goals),
                  "conditions": None if conditions is None else json.dumps(conditions),
                  "avoid": None if avoid is None else json.dumps(avoid)}
        sets = {k: v for k, v in fields.items() if v is not None}
        if sets:
            cols = ", ".join(f"{k} = ?" for k in sets)
            self.write(lambda con: con.execute(f"UPDATE profiles SET {cols} WHERE id = ?", (*sets.values(), pid))).result()

    def profile_names(self) -> list[str]:
        return [r[0] for r in self._read.execute("SELECT name FROM profiles ORDER BY name").fetchall()]

    def profile_id(self, name: str) -> int:
        row = self._read.execute("SELECT id FROM profiles WHERE name = ?", (name,)).fetchone()
        if row is None:
            raise StoreError(f"no profile named {name!r}")
        return row[0]

    def latest_session(self, profile: str) -> int:
        pid = self.profile_id(profile)
        row = self._read.execute("SELECT id FROM sessions WHERE profile_id = ? ORDER BY started_utc DESC LIMIT 1",
                                 (pid,)).fetchone()
        if row is None:
            raise StoreError(f"profile {profile!r} has no sessions yet")
        return row[0]

    def reps(self, profile: str) -> list[dict]:
        pid = self.profile_id(profile)
        rows = self._read.execute(
            "SELECT s.id AS session_id, s.exercise_id, s.started_utc, st.idx AS set_idx, r.* FROM reps r "
            "JOIN sets st ON r.set_id = st.id JOIN sessions s ON st.session_id = s.id "
            "WHERE s.profile_id = ? ORDER BY s.started_utc, st.idx, r.idx", (pid,)).fetchall()
        return [dict(r) for r in rows]

    def export_profile(self, profile: str) -> dict:
        pid = self.profile_id(profile)
        q = lambda sql, *a: [dict(r) for r in self._read.execute(sql, a).fetchall()]  # noqa: E731
        return {
            "schema": "fitcoach.profile-export/1",
            "profile": q("SELECT * FROM profiles WHERE id = ?", pid)[0],
            "programs": q("SELECT * FROM programs WHERE profile_id = ?", pid),
            "sessions": q("SELECT * FROM sessions WHERE profile_id = ? ORDER BY started_utc", pid),
            "sets": q("SELECT st.* FROM sets st JOIN sessions s ON st.session_id = s.id WHERE s.profile_id = ?", pid),
            "reps": self.reps(profile),
            "assessments": q("SELECT * FROM assessments WHERE profile_id = ? ORDER BY created_utc", pid),
            "cues": q("SELECT c.* FROM cues c JOIN sessions s ON c.session_id = s.id WHERE s.profile_id = ?", pid),
            "self_reports": q("SELECT r.* FROM self_reports r JOIN sessions s ON r.session_id = s.id "
                              "WHERE s.profile_id = ?", pid),
        }

    def delete_profile(self, profile: str) -> int:
        """Erase a profile and everything under it, then compact so the bytes are really gone."""
        pid = self.profile_id(profile)
        n = self.write(lambda con: con.execute("DELETE FROM profiles WHERE id = ?", (pid,)).rowcount).result()
        con = _connect(self.path)
        con.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        con.execute("VACUUM")
        con.close()
        return n

    def salt(self) -> str:
        """A random per-installation secret for pseudonyms (never exported)."""
        p = self.folder / "salt"
        if not p.exists():
            import secrets

            fd = os.open(str(p), os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
            with os.fdopen(fd, "w") as f:
                f.write(secrets.token_hex(16))
        return p.read_text().strip()

    def integrity(self) -> str:
        return self._read.execute("PRAGMA integrity_check").fetchone()[0]


def restore(backup: Path, folder: Path | None = None) -> Path:
    """Replace the history with a backup after checking its sha256 and SQLite integrity."""
    import hashlib
    import shutil

    backup = Path(backup)
    side = Path(f"{backup}.sha256")
    if not side.exists():
        raise StoreError(f"{backup}: no {side.name} next to it; cannot verify the backup")
    want = side.read_text(encoding="utf-8").split()[0]
    if hashlib.sha256(backup.read_bytes()).hexdigest() != want:
        raise StoreError(f"{backup}: sha256 does not match {side.name}: the backup is damaged")
    con = sqlite3.connect(f"file:{backup}?mode=ro", uri=True)
    try:
        ok = con.execute("PRAGMA integrity_check").fetchone()[0]
        ver = con.execute("PRAGMA user_version").fetchone()[0]
    finally:
        con.close()
    if ok != "ok":
        raise StoreError(f"{backup}: SQLite integrity check failed: {ok}")
    if ver > SCHEMA_VERSION:
        raise StoreError(f"{backup}: made by a newer FitCoach (schema {ver})")
    folder = _private_dir(folder or default_data_dir())
    target = folder / DB_NAME
    for p in (Path(f"{target}-wal"), Path(f"{target}-shm")):
        if p.exists():
            p.unlink()
    tmp = folder / (DB_NAME + ".restoring")
    shutil.copyfile(backup, tmp)
    os.chmod(tmp, 0o600)
    os.replace(tmp, target)
    return target

