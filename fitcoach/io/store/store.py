"""`Store`: the history database of one data folder. Opening it checks the file (`PRAGMA
quick_check` and the schema) before anything is written into it, migrates an older schema and
holds the shared lock until `close`. Writes go through the writer thread (`writer.py`); reads
(`reads.py`) use the store's own connection, on the calling thread."""

from __future__ import annotations

import os
import sqlite3
import time
from concurrent.futures import Future
from pathlib import Path
from typing import Any, Callable

from fitcoach.core.records import body_text, rep_row, tags_text
from fitcoach.io.store.backup import backup_database
from fitcoach.io.store.errors import DatabaseDamaged, StoreError, guard, is_damage
from fitcoach.io.store.files import DB_NAME, _db_files, _private_dir, default_data_dir, private_file
from fitcoach.io.store.locking import _shared_lock
from fitcoach.io.store.reads import StoreReads
from fitcoach.io.store.schema import _check_rows, _connect, migrate, schema_problem
from fitcoach.io.store.writer import Writer


class Store(StoreReads):
    """The history database. Writes go through one writer thread; reads use their own connection.

    Opening raises `DatabaseDamaged` (one line, with the way out) when the file is damaged or is
    not a FitCoach database, and `StoreError` when a restore keeps it busy or it is newer."""

    def __init__(self, folder: Path | None = None) -> None:
        self.folder = _private_dir(folder or default_data_dir())
        self.path = self.folder / DB_NAME
        self._lock = _shared_lock(self.folder)  # held until close(): no restore under our feet
        self._read: sqlite3.Connection | None = None
        self._writer: Writer | None = None
        try:
            self._open()
            self._writer = Writer(self.path)
            self._read = _connect(self.path)
            self._read.row_factory = sqlite3.Row
        except BaseException:
            self._lock.release()
            raise

    def _open(self) -> None:
        """Create (0600) or check and migrate the database file."""
        if not self.path.exists():
            os.close(private_file(self.path, exclusive=False))  # an empty file is a new database
        try:
            # checked on a plain connection first: nothing (not even switching to WAL) is ever
            # written into a damaged file
            con = sqlite3.connect(str(self.path), timeout=30.0, isolation_level=None)
            try:
                problems = _check_rows(con, "quick_check")  # reads every page: ~20 ms for 90k reps
                if problems:
                    raise DatabaseDamaged(self.path, f"integrity check failed: {problems[0]}")
                bad = schema_problem(con)
                if bad and "newer than this FitCoach" not in bad:
                    raise DatabaseDamaged(self.path, bad)
            finally:
                con.close()
            con = _connect(self.path)
            try:
                migrate(con)  # raises StoreError for a newer schema
                bad = schema_problem(con)
                if bad:
                    raise DatabaseDamaged(self.path, bad)
            finally:
                con.close()
        except sqlite3.DatabaseError as e:
            if is_damage(e):
                raise DatabaseDamaged(self.path, str(e)) from None
            raise
        for p in _db_files(self.path):
            if p.exists():
                os.chmod(p, 0o600)

    def __enter__(self) -> "Store":
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    # -- writer thread -----------------------------------------------------------------------
    def write(self, fn: Callable[[sqlite3.Connection], Any]) -> Future:
        """Queue FN(connection) for the writer thread, run in its own transaction."""
        return self._writer.write(fn)

    def close(self) -> None:
        if self._writer is not None:
            self._writer.close()
            self._writer = None
        if self._read is not None:
            self._read.close()
            self._read = None
        self._lock.release()

    # -- writes ---------------------------------------------------------------------------------
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
        row = rep_row(set_id, rep)
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

    @guard
    def backup(self, dest: Path) -> tuple[Path, str]:
        """A consistent copy (SQLite online backup) plus its sha256 in DEST.sha256, both 0600;
        returns (the file written, its sha256). DEST may be a folder (a dated name is made in it);
        a missing folder is an error, not created (a backup drive that is not mounted must not
        turn into a folder on the system disk). The copy is written to a temp file next to DEST
        and renamed, so DEST is never a half-written file."""
        return backup_database(self._read, self.path, Path(dest), lambda: self.write(lambda con: None).result())

    def add_assessment(self, profile_id: int, kind: str, body: dict) -> int:
        return self.write(lambda con: con.execute(
            "INSERT INTO assessments (profile_id, kind, created_utc, body) VALUES (?, ?, ?, ?)",
            (profile_id, kind, time.time(), body_text(body))).lastrowid).result()

    # -- the profile's details ------------------------------------------------------------------
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
        fields = {"age_band": age_band, "level": level, "goals": None if goals is None else tags_text(goals),
                  "conditions": None if conditions is None else tags_text(conditions),
                  "avoid": None if avoid is None else tags_text(avoid)}
        sets = {k: v for k, v in fields.items() if v is not None}
        if sets:
            cols = ", ".join(f"{k} = ?" for k in sets)
            self.write(lambda con: con.execute(f"UPDATE profiles SET {cols} WHERE id = ?", (*sets.values(), pid))).result()

    @guard
    def delete_profile(self, profile: str) -> int:
        """Erase a profile and everything under it, then compact so the bytes are really gone."""
        pid = self.profile_id(profile)
        n = self.write(lambda con: con.execute("DELETE FROM profiles WHERE id = ?", (pid,)).rowcount).result()
        con = _connect(self.path)
        con.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        con.execute("VACUUM")
        con.close()
        return n

    def kept_copies(self) -> list[Path]:
        """Whole copies of the history in the data folder made by `restore` (the history it
        replaced) and `salvage`: erasing a profile does not reach into them."""
        return sorted(p for pat in ("fitcoach-before-restore-*.db*", "fitcoach-salvaged-*.db")
                      for p in self.folder.glob(pat))

    def salt(self) -> str:
        """A random per-installation secret for pseudonyms (never exported)."""
        p = self.folder / "salt"
        if not p.exists():
            import secrets

            fd = private_file(p)
            with os.fdopen(fd, "w") as f:
                f.write(secrets.token_hex(16))
        return p.read_text().strip()
