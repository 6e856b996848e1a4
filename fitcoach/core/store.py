"""Local, private, crash-safe history: one SQLite database under the user's data directory.

- WAL journal, `synchronous=FULL`: a committed rep survives a crash or a kill.
- One writer thread owns the write connection; callers enqueue writes (the analysis thread never
  waits on the disk) and may wait for the result. Every completed rep is its own transaction,
  committed when the rep completes.
- Schema migrations by `PRAGMA user_version`: `MIGRATIONS[i]` upgrades version i to i + 1; a
  database made by any earlier schema opens and upgrades.
- The data directory is created 0700 and every file written here 0600 (readable by the user
  only), whatever the umask.
- Damage is found in one place: opening a `Store` runs `PRAGMA quick_check` and checks the schema,
  and any "malformed"/"not a database" error later on becomes `DatabaseDamaged`, whose one-line
  message names the file and the way out (`fitcoach data restore` / `fitcoach data salvage`).
- Every `Store` holds a shared advisory lock (`fitcoach.db.lock`, `flock`) for its lifetime;
  `restore` takes it exclusively, so it refuses while any FitCoach process (a session being
  saved, the app during a workout) has the history open, and no `Store` opens mid-restore.
- `restore` checks the backup completely before touching anything, keeps the history it replaces
  as a dated copy, and swaps files atomically (temp file in the same folder, fsync, rename).
- `salvage` copies whatever is still readable from a damaged database into a new one, row by
  row around the damaged pages, and never modifies the damaged file.
Nothing here touches the network.
"""

from __future__ import annotations

import functools
import hashlib
import os
import queue
import re
import sqlite3
import tempfile
import threading
import time
from concurrent.futures import Future
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Iterator

from fitcoach.core.errors import FitCoachError
from fitcoach.core.records import (AssessmentRecord, CueRecord, ProfileExport, ProfileRecord, ProgramRecord,
                                   SelfReport, SessionRecord, SetRecord, StoredRep, body_text, rep_row, tags_text)

try:  # advisory locks: POSIX (Linux, macOS). Without fcntl (Windows) the lock is a no-op.
    import fcntl
except ImportError:  # pragma: no cover - not on the platforms tested here
    fcntl = None

DB_NAME = "fitcoach.db"
LOCK_NAME = DB_NAME + ".lock"
LOCK_WAIT_S = 30.0  # how long opening a Store waits for a restore in another process to finish

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


def default_data_dir() -> Path:
    from platformdirs import user_data_dir

    return Path(os.environ.get("FITCOACH_DATA_DIR") or user_data_dir("fitcoach"))


def _private_dir(path: Path) -> Path:
    """The data folder: created 0700 with any missing parents, tightened to 0700 if it exists."""
    from fitcoach.io.private_files import private_dir

    return private_dir(path)


def private_file(path: Path | str, exclusive: bool = True) -> int:
    """Open PATH for writing as a file only the user can read (0600 whatever the umask: the mode
    given to `os.open` is masked by the umask, `fchmod` is not); returns the descriptor.
    `exclusive`: fail if it exists; otherwise an existing file is opened as it is (not truncated)."""
    flags = os.O_WRONLY | os.O_CREAT | (os.O_EXCL if exclusive else 0) | getattr(os, "O_BINARY", 0)
    fd = os.open(str(path), flags, 0o600)
    if hasattr(os, "fchmod"):
        os.fchmod(fd, 0o600)
    return fd


def _fsync_path(path: Path) -> None:
    fd = os.open(str(path), os.O_RDONLY | getattr(os, "O_BINARY", 0))
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _fsync_dir(folder: Path) -> None:
    """Make a rename in FOLDER durable (POSIX; Windows has no directory descriptors)."""
    if os.name != "posix":
        return
    fd = os.open(str(folder), os.O_RDONLY | getattr(os, "O_DIRECTORY", 0))
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _copy_private(src: Path, dst: Path) -> str:
    """Copy SRC to a new private file DST in 1 MiB chunks, fsync it; returns SRC's sha256."""
    h = hashlib.sha256()
    fd = private_file(dst)
    try:
        with open(src, "rb") as f:
            while chunk := f.read(1 << 20):
                h.update(chunk)
                view = memoryview(chunk)
                while view:
                    view = view[os.write(fd, view):]
        os.fsync(fd)
    finally:
        os.close(fd)
    return h.hexdigest()


def _sha256_file(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as f:
        while chunk := f.read(1 << 20):
            h.update(chunk)
    return h.hexdigest()


def _write_private_text(path: Path, text: str) -> None:
    """Replace PATH atomically with TEXT, 0600."""
    tmp = path.with_name(f".{path.name}.tmp-{os.getpid()}")
    tmp.unlink(missing_ok=True)
    fd = private_file(tmp)
    try:
        os.write(fd, text.encode("utf-8"))
        os.fsync(fd)
    finally:
        os.close(fd)
    os.replace(tmp, path)


def _stamp() -> str:
    return time.strftime("%Y%m%d-%H%M%S")


def _dated(folder: Path, stem: str, suffix: str = ".db") -> Path:
    """FOLDER/STEM-YYYYmmdd-HHMMSS.db, with -2, -3 ... when that name is taken."""
    base = f"{stem}-{_stamp()}"
    p, n = folder / f"{base}{suffix}", 1
    while p.exists() or Path(f"{p}-wal").exists():
        n += 1
        p = folder / f"{base}-{n}{suffix}"
    return p


def _same_file(a: Path, b: Path) -> bool:
    try:
        return a.exists() and b.exists() and os.path.samefile(a, b)
    except OSError:
        return False


def _db_files(path: Path) -> list[Path]:
    """The database and the files SQLite keeps next to it."""
    return [path] + [Path(f"{path}{s}") for s in ("-wal", "-shm", "-journal")]


class DbLock:
    """An advisory lock on FOLDER/fitcoach.db.lock (`flock`), released when closed or when the
    process ends, however it ends (a kill -9 leaves no stale lock). Shared: every open Store.
    Exclusive: restore. `flock` locks belong to the open file, so two Stores in one process also
    exclude a restore in that process. The lock file is never deleted (deleting lock files races)."""

    def __init__(self, folder: Path, exclusive: bool, wait_s: float, busy: str) -> None:
        self.fd: int | None = None
        if fcntl is None:
            return
        path = folder / LOCK_NAME
        fd = os.open(str(path), os.O_RDWR | os.O_CREAT, 0o600)
        try:
            os.fchmod(fd, 0o600)
            deadline = time.monotonic() + wait_s
            while True:
                try:
                    fcntl.flock(fd, (fcntl.LOCK_EX if exclusive else fcntl.LOCK_SH) | fcntl.LOCK_NB)
                    break
                except (BlockingIOError, PermissionError):
                    if time.monotonic() >= deadline:
                        raise StoreError(busy) from None
                    time.sleep(0.05)
        except BaseException:
            os.close(fd)
            raise
        self.fd = fd

    def release(self) -> None:
        if self.fd is not None:
            os.close(self.fd)  # closing the descriptor releases the lock
            self.fd = None

    def __enter__(self) -> "DbLock":
        return self

    def __exit__(self, *exc) -> None:
        self.release()


def _shared_lock(folder: Path) -> DbLock:
    return DbLock(folder, False, LOCK_WAIT_S,
                  f"{folder / DB_NAME}: another FitCoach is restoring the history and has not finished "
                  f"after {LOCK_WAIT_S:.0f} s; try again when it has")


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


def _guard(method):
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


class Store:
    """The history database. Writes go through one writer thread; reads use their own connection.

    Opening raises `DatabaseDamaged` (one line, with the way out) when the file is damaged or is
    not a FitCoach database, and `StoreError` when a restore keeps it busy or it is newer."""

    def __init__(self, folder: Path | None = None) -> None:
        self.folder = _private_dir(folder or default_data_dir())
        self.path = self.folder / DB_NAME
        self._lock = _shared_lock(self.folder)  # held until close(): no restore under our feet
        self._read: sqlite3.Connection | None = None
        self._thread: threading.Thread | None = None
        try:
            self._open()
            self._q: queue.Queue = queue.Queue()
            self._thread = threading.Thread(target=self._writer, name="store-writer", daemon=True)
            self._thread.start()
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
                fut.set_exception(DatabaseDamaged(self.path, str(e)) if is_damage(e) else e)
        con.close()

    def write(self, fn: Callable[[sqlite3.Connection], Any]) -> Future:
        fut: Future = Future()
        self._q.put((fn, fut))
        return fut

    def close(self) -> None:
        if self._thread is not None:
            self._q.put(None)
            self._thread.join(timeout=10.0)
            self._thread = None
        if self._read is not None:
            self._read.close()
            self._read = None
        self._lock.release()

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

    @_guard
    def program(self, profile: str, name: str, version: int | None = None) -> ProgramRecord:
        """A stored program version (the newest without VERSION); its content is read through
        the validator (`ProgramRecord.program()`)."""
        pid = self.profile_id(profile)
        row = self._read.execute(
            "SELECT * FROM programs WHERE profile_id = ? AND name = ? " + ("AND version = ? " if version else "")
            + "ORDER BY version DESC LIMIT 1", (pid, name, version) if version else (pid, name)).fetchone()
        if row is None:
            raise StoreError(f"profile {profile!r} has no program {name!r}")
        return ProgramRecord.from_row(dict(row))

    def program_text(self, profile: str, name: str, version: int | None = None) -> str:
        """The stored TOML of a program version, as the physiotherapist wrote it."""
        return self.program(profile, name, version).body

    @_guard
    def backup(self, dest: Path) -> tuple[Path, str]:
        """A consistent copy (SQLite online backup) plus its sha256 in DEST.sha256, both 0600;
        returns (the file written, its sha256). DEST may be a folder (a dated name is made in it);
        a missing folder is an error, not created (a backup drive that is not mounted must not
        turn into a folder on the system disk). The copy is written to a temp file next to DEST
        and renamed, so DEST is never a half-written file."""
        dest = Path(dest)
        if dest.is_dir():
            dest = _dated(dest, "fitcoach-backup")
        parent = dest.parent
        if not parent.is_dir():
            raise StoreError(f"{parent}: no such folder (create it first); no backup written")
        if any(_same_file(dest, p) for p in _db_files(self.path)) or _same_file(dest, self.folder / LOCK_NAME):
            raise StoreError(f"{dest}: is the history database itself; back up to another file")
        self.write(lambda con: None).result()  # let queued writes land first
        tmp = parent / f".{dest.name}.part-{os.getpid()}"
        for p in _db_files(tmp):
            p.unlink(missing_ok=True)
        os.close(private_file(tmp))  # SQLite keeps an existing file's mode (and gives it to its journal)
        try:
            out = sqlite3.connect(str(tmp))
            try:
                self._read.backup(out)
                out.execute("PRAGMA journal_mode=DELETE")  # one self-contained file
            finally:
                out.close()
            _fsync_path(tmp)
            digest = _sha256_file(tmp)
            os.replace(tmp, dest)
        finally:
            for p in _db_files(tmp):
                p.unlink(missing_ok=True)
        _write_private_text(Path(f"{dest}.sha256"), f"{digest}  {dest.name}\n")
        _fsync_dir(parent)
        return dest, digest

    def add_assessment(self, profile_id: int, kind: str, body: dict) -> int:
        return self.write(lambda con: con.execute(
            "INSERT INTO assessments (profile_id, kind, created_utc, body) VALUES (?, ?, ?, ?)",
            (profile_id, kind, time.time(), body_text(body))).lastrowid).result()

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
        fields = {"age_band": age_band, "level": level, "goals": None if goals is None else tags_text(goals),
                  "conditions": None if conditions is None else tags_text(conditions),
                  "avoid": None if avoid is None else tags_text(avoid)}
        sets = {k: v for k, v in fields.items() if v is not None}
        if sets:
            cols = ", ".join(f"{k} = ?" for k in sets)
            self.write(lambda con: con.execute(f"UPDATE profiles SET {cols} WHERE id = ?", (*sets.values(), pid))).result()

    @_guard
    def profile_names(self) -> list[str]:
        return [r[0] for r in self._read.execute("SELECT name FROM profiles ORDER BY name").fetchall()]

    @_guard
    def profile_id(self, name: str) -> int:
        row = self._read.execute("SELECT id FROM profiles WHERE name = ?", (name,)).fetchone()
        if row is None:
            raise StoreError(f"no profile named {name!r}")
        return row[0]

    @_guard
    def latest_session(self, profile: str) -> int:
        pid = self.profile_id(profile)
        row = self._read.execute("SELECT id FROM sessions WHERE profile_id = ? ORDER BY started_utc DESC LIMIT 1",
                                 (pid,)).fetchone()
        if row is None:
            raise StoreError(f"profile {profile!r} has no sessions yet")
        return row[0]

    def _rows(self, sql: str, *args) -> list[dict]:
        return [dict(r) for r in self._read.execute(sql, args).fetchall()]

    @_guard
    def profile_record(self, name: str) -> ProfileRecord:
        pid = self.profile_id(name)
        return ProfileRecord.from_row(self._rows("SELECT * FROM profiles WHERE id = ?", pid)[0])

    def _records(self, record, sql: str, profile: str) -> list:
        """`record.from_row` of each row SQL (one `?`: the profile's id) returns."""
        return [record.from_row(r) for r in self._rows(sql, self.profile_id(profile))]

    @_guard
    def programs(self, profile: str) -> list[ProgramRecord]:
        """Every stored program version of PROFILE, as inserted (oldest first)."""
        return self._records(ProgramRecord, "SELECT * FROM programs WHERE profile_id = ?", profile)

    @_guard
    def sessions(self, profile: str) -> list[SessionRecord]:
        return self._records(SessionRecord, "SELECT * FROM sessions WHERE profile_id = ? ORDER BY started_utc", profile)

    @_guard
    def sets(self, profile: str) -> list[SetRecord]:
        return self._records(SetRecord, "SELECT st.* FROM sets st JOIN sessions s ON st.session_id = s.id "
                             "WHERE s.profile_id = ?", profile)

    @_guard
    def reps(self, profile: str) -> list[StoredRep]:
        """PROFILE's reps by session start, set and rep, each with its session and set number."""
        return self._records(StoredRep, "SELECT s.id AS session_id, s.exercise_id, s.started_utc, st.idx AS set_idx, "
                             "r.* FROM reps r JOIN sets st ON r.set_id = st.id JOIN sessions s ON st.session_id = s.id "
                             "WHERE s.profile_id = ? ORDER BY s.started_utc, st.idx, r.idx", profile)

    @_guard
    def assessments(self, profile: str) -> list[AssessmentRecord]:
        return self._records(AssessmentRecord, "SELECT * FROM assessments WHERE profile_id = ? ORDER BY created_utc",
                             profile)

    @_guard
    def cues(self, profile: str) -> list[CueRecord]:
        return self._records(CueRecord, "SELECT c.* FROM cues c JOIN sessions s ON c.session_id = s.id "
                             "WHERE s.profile_id = ?", profile)

    @_guard
    def self_reports(self, profile: str) -> list[SelfReport]:
        return self._records(SelfReport, "SELECT r.* FROM self_reports r JOIN sessions s ON r.session_id = s.id "
                             "WHERE s.profile_id = ?", profile)

    def export_profile(self, profile: str) -> dict:
        """The export file's content (``fitcoach.profile-export/1``): `export(profile).to_json()`."""
        return self.export(profile).to_json()

    @_guard
    def export(self, profile: str) -> ProfileExport:
        """Everything stored for PROFILE, typed (`ProfileExport.to_json()`: the export file)."""
        return ProfileExport(
            profile=self.profile_record(profile), programs=tuple(self.programs(profile)),
            sessions=tuple(self.sessions(profile)), sets=tuple(self.sets(profile)), reps=tuple(self.reps(profile)),
            assessments=tuple(self.assessments(profile)), cues=tuple(self.cues(profile)),
            self_reports=tuple(self.self_reports(profile)))

    @_guard
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

    @_guard
    def integrity(self) -> str:
        return self._read.execute("PRAGMA integrity_check").fetchone()[0]


# -- check ---------------------------------------------------------------------------------------
@dataclass
class CheckResult:
    path: Path
    exists: bool
    problems: list[str] = field(default_factory=list)  # empty: the database is fine
    version: int | None = None
    counts: dict[str, int] = field(default_factory=dict)


def check(folder: Path | None = None) -> CheckResult:
    """`PRAGMA integrity_check` and the schema of the history database, without creating it or
    raising for damage: the problems are returned (a missing database is not a problem)."""
    folder = Path(folder or default_data_dir())
    path = folder / DB_NAME
    if not path.exists():
        return CheckResult(path, False)
    res = CheckResult(path, True)
    with _shared_lock(folder):
        try:
            con = sqlite3.connect(str(path), timeout=30.0, isolation_level=None)
            try:
                res.problems = _check_rows(con, "integrity_check")
                if not res.problems:
                    res.version = con.execute("PRAGMA user_version").fetchone()[0]
                    bad = schema_problem(con)
                    if bad:
                        res.problems = [bad]
                    elif res.version > 0:
                        res.counts = _counts(con)
            finally:
                con.close()
        except sqlite3.DatabaseError as e:
            if not is_damage(e):
                raise
            res.problems = [str(e)]
    return res


# -- restore -------------------------------------------------------------------------------------
_SHA256_LINE = re.compile(r"\A([0-9a-fA-F]{64})(?:[ \t]+\*?(.*))?\Z")


def read_sha256_file(side: Path, name: str | None = None) -> str:
    """The digest in a `sha256sum`-style file: "HEX  NAME" lines (or just HEX). With several
    lines, the one for NAME. StoreError naming the file when it is anything else (empty,
    binary, another format, too big)."""
    bad = f"{side}: not a sha256 file (expected 64 hex digits as `sha256sum` writes them); fix or remove it"
    with open(side, "rb") as f:
        raw = f.read(65537)
    if len(raw) > 65536:
        raise StoreError(bad)
    try:
        lines = [ln.strip() for ln in raw.decode("ascii").splitlines() if ln.strip()]
    except UnicodeDecodeError:
        raise StoreError(bad) from None
    found = [_SHA256_LINE.match(ln) for ln in lines]
    if not found or not all(found):
        raise StoreError(bad)
    if len(found) == 1:
        return found[0].group(1).lower()
    mine = [m.group(1).lower() for m in found if m.group(2) and Path(m.group(2).strip()).name == name]
    if len(mine) != 1:
        raise StoreError(f"{side}: lists several files but not {name!r} once; fix or remove it")
    return mine[0]


@dataclass
class RestoreResult:
    target: Path
    kept: list[Path]             # the history it replaced (a dated copy, plus its -wal if damaged)
    sha256_checked: bool         # False: there was no BACKUP.sha256 next to it
    version: int
    counts: dict[str, int]


def _inspect(db: Path, name: Path) -> tuple[int, dict[str, int]]:
    """Integrity and schema of a candidate database DB (errors name NAME, the user's file);
    leaves DB a self-contained file in rollback-journal mode. Returns (version, counts)."""
    try:
        con = sqlite3.connect(str(db), isolation_level=None)
        con.text_factory = _lenient_text  # a flipped byte in a text value must not raise here
        try:
            problems = _check_rows(con, "integrity_check")
            if problems:
                raise StoreError(f"{name}: SQLite integrity check failed: {_one_line(problems[0])}; not restored")
            version = con.execute("PRAGMA user_version").fetchone()[0]
            if version > SCHEMA_VERSION:
                raise StoreError(f"{name}: made by a newer FitCoach (schema {version}, this one knows "
                                 f"{SCHEMA_VERSION}); update FitCoach; not restored")
            bad = schema_problem(con) or ("not a FitCoach database (no FitCoach tables)" if version == 0 else None)
            if bad:
                raise StoreError(f"{name}: {bad}; not restored")
            counts = _counts(con)
            con.execute("PRAGMA journal_mode=DELETE")
        finally:
            con.close()
    except sqlite3.DatabaseError as e:
        if isinstance(e, sqlite3.OperationalError) and not is_damage(e):
            raise StoreError(f"{name}: cannot be read as a database: {e}; not restored") from None
        raise StoreError(f"{name}: not a usable SQLite database ({e}); not restored") from None
    except (UnicodeDecodeError, ValueError, OverflowError) as e:  # found by tests/core/test_fuzz_backups.py
        raise StoreError(f"{name}: damaged (unreadable values: {_one_line(str(e))}); not restored") from None
    _fsync_path(db)
    return version, counts


def _keep_copy(target: Path, folder: Path) -> list[Path]:
    """Copy the history about to be replaced to FOLDER/fitcoach-before-restore-DATE.db (0600).
    A readable database is copied with SQLite's backup (what its WAL holds included) into one
    file; a damaged one byte for byte, with its -wal, so salvage can still read it."""
    if not target.exists():
        return []
    kept = _dated(folder, "fitcoach-before-restore")
    os.close(private_file(kept))
    try:
        src = sqlite3.connect(str(target), isolation_level=None)
        try:
            out = sqlite3.connect(str(kept))
            try:
                src.backup(out)
                out.execute("PRAGMA journal_mode=DELETE")
            finally:
                out.close()
        finally:
            src.close()  # the last connection: SQLite checkpoints and removes the -wal
        _fsync_path(kept)
        return [kept]
    except sqlite3.DatabaseError:
        for p in _db_files(kept):
            p.unlink(missing_ok=True)
    files = [kept]
    _copy_private(target, kept)
    wal = Path(f"{target}-wal")
    if wal.exists() and wal.stat().st_size:
        _copy_private(wal, Path(f"{kept}-wal"))
        files.append(Path(f"{kept}-wal"))
    return files


def restore_backup(backup: Path, folder: Path | None = None) -> RestoreResult:
    """Replace the history with BACKUP. Nothing is touched until the backup has passed every
    check: its sha256 file (when there is one; a malformed one is an error), SQLite's integrity
    check, a schema version this FitCoach knows, every table and column of that version. Refused
    while another FitCoach has the history open. The replaced history is kept as a dated copy;
    the swap is a rename of an fsynced file in the same folder, so a crash at any point leaves
    either the old or the new database in place, whole."""
    backup = Path(backup)
    if not backup.exists():
        raise StoreError(f"{backup}: no such file")
    if not backup.is_file():
        raise StoreError(f"{backup}: is not a file")
    side = Path(f"{backup}.sha256")
    want = read_sha256_file(side, backup.name) if side.exists() else None
    folder = _private_dir(Path(folder or default_data_dir()))
    target = folder / DB_NAME
    if any(_same_file(backup, p) for p in _db_files(target)):
        raise StoreError(f"{backup}: is the history database itself; nothing to restore")
    with DbLock(folder, True, 0.0,
                f"{target}: another FitCoach program has the history open (the app during a workout, "
                "or a session being saved); close it, then restore"):
        tmp = folder / (DB_NAME + ".restoring")
        for p in _db_files(tmp):  # left by a restore that was interrupted
            p.unlink(missing_ok=True)
        try:
            digest = _copy_private(backup, tmp)  # the bytes checked are the bytes installed
            if want is not None and digest != want:
                raise StoreError(f"{backup}: sha256 does not match {side.name}: the backup is damaged; not restored")
            wal = Path(f"{backup}-wal")  # a copy of a live database may come with its WAL
            if wal.exists() and wal.stat().st_size:
                _copy_private(wal, Path(f"{tmp}-wal"))
            version, counts = _inspect(tmp, backup)
            kept = _keep_copy(target, folder)
            for p in _db_files(target)[1:]:  # its content is in the kept copy; a stale WAL must
                p.unlink(missing_ok=True)    # never be replayed onto the restored file
            os.replace(tmp, target)
            _fsync_dir(folder)
        finally:
            for p in _db_files(tmp):
                p.unlink(missing_ok=True)
    return RestoreResult(target, kept, want is not None, version, counts)


def restore(backup: Path, folder: Path | None = None) -> Path:
    """`restore_backup`, returning the restored database's path."""
    return restore_backup(backup, folder).target


# -- salvage -------------------------------------------------------------------------------------
@dataclass
class TableSalvage:
    name: str
    saved: int = 0
    original: int | None = None        # rows the damaged table had, when it could still be counted
    skipped: list[tuple[int, int | None]] = field(default_factory=list)  # unreadable id ranges (None: to the end)
    orphaned: int = 0                  # readable, but their parent row was lost
    rejected: int = 0                  # readable, but breaking the schema's rules (garbled values)
    error: str | None = None           # the table could not be read at all

    def lost(self) -> tuple[int | None, bool]:
        """(rows lost, exactly?): exact when the damaged table could still be counted, else an
        upper bound from the unreadable id ranges (None: unknown, the end of the table was lost)."""
        if self.original is not None:
            return max(0, self.original - self.saved), True
        if self.error is not None or any(hi is None for _, hi in self.skipped):
            return None, False
        return sum(hi - lo - 1 for lo, hi in self.skipped) + self.orphaned + self.rejected, False

    def line(self) -> str:
        n, exact = self.lost()
        lost = "lost unknown" if n is None else f"{n} lost" if exact or n == 0 else f"at most {n} lost"
        why = []
        if self.error:
            why.append(f"unreadable: {_one_line(self.error, 80)}")
        why += [f"ids {lo + 1}-{hi - 1} unreadable" if hi is not None else
                f"unreadable after id {lo}" if lo > 0 else "unreadable" for lo, hi in self.skipped[:3]]
        if len(self.skipped) > 3:
            why.append(f"{len(self.skipped) - 3} more unreadable parts")
        if self.orphaned:
            why.append(f"{self.orphaned} left out as their parent row was lost")
        if self.rejected:
            why.append(f"{self.rejected} garbled")
        return f"{self.name:<13} {self.saved:>7} saved, {lost}" + (f" ({'; '.join(why)})" if why else "")


@dataclass
class SalvageResult:
    source: Path
    out: Path
    tables: list[TableSalvage]


_MIN_ROWID = -(1 << 63)
_MAX_ROWID = (1 << 63) - 1


def _first_after(con: sqlite3.Connection, table: str, after: int) -> int | None:
    """The first rowid > AFTER (None: none); raises on damage."""
    row = con.execute(f'SELECT rowid FROM "{table}" WHERE rowid > ? ORDER BY rowid LIMIT 1', (after,)).fetchone()
    return None if row is None else row[0]


def _resume_point(con: sqlite3.Connection, table: str, last: int) -> int | None:
    """After an error reading past rowid LAST: the smallest P > LAST from which a search for
    "rowid > P" works again (None: nothing readable after LAST). Probes P = LAST + 1, 2, 4, ...
    then bisects, so a damaged page costs ~2 log2(gap) seeks whatever its size."""
    lo, step = last, 1  # invariant: searching after lo fails
    while True:
        p = min(last + step, _MAX_ROWID)
        try:
            nxt = _first_after(con, table, p)
        except sqlite3.DatabaseError as e:
            if not is_damage(e):
                raise
            if p >= _MAX_ROWID:
                return None
            lo, step = p, step * 2
            continue
        if nxt is None and step == 1:
            return None  # the damage was in the last page
        hi = p  # searching after hi works
        break
    while hi - lo > 1:
        mid = (lo + hi) // 2
        try:
            _first_after(con, table, mid)
            hi = mid
        except sqlite3.DatabaseError as e:
            if not is_damage(e):
                raise
            lo = mid
    try:
        return hi if _first_after(con, table, hi) is not None else None
    except sqlite3.DatabaseError:  # pragma: no cover - it worked a moment ago
        return None


def _readable_rows(con: sqlite3.Connection, table: str, cols: list[str], rep: TableSalvage) -> Iterator[tuple]:
    """Yield (rowid, *cols) in rowid order, stepping over damaged pages (recorded in REP).

    Around a damaged page: the rows before it are read one at a time (a scan reads ahead, so the
    last good row would be lost with the error), and the row at the resume point is read by its
    rowid (a search for "rowid > P" starts at P's own place, so it does not return P)."""
    select = f'SELECT rowid, {", ".join(chr(34) + c + chr(34) for c in cols)} FROM "{table}" '
    scan, step, one = (select + "WHERE rowid > ? ORDER BY rowid", select + "WHERE rowid > ? ORDER BY rowid LIMIT 1",
                       select + "WHERE rowid = ?")
    last = _MIN_ROWID
    while True:
        try:
            for row in con.execute(scan, (last,)):
                if row[0] <= last:  # a garbled page can break the order; never go backwards
                    rep.rejected += 1
                    continue
                last = row[0]
                yield row
            return
        except sqlite3.DatabaseError as e:
            if not is_damage(e):
                raise
        try:  # one row at a time up to the damaged page
            row = con.execute(step, (last,)).fetchone()
            if row is None:
                return
            if row[0] > last:
                last = row[0]
                yield row
                continue
        except sqlite3.DatabaseError as e:
            if not is_damage(e):
                raise
        nxt = _resume_point(con, table, last)
        rep.skipped.append((max(last, 0), None if nxt is None else nxt))
        if nxt is None:
            return
        try:
            row = con.execute(one, (nxt,)).fetchone()
        except sqlite3.DatabaseError as e:
            if not is_damage(e):
                raise
            row = None
        if row is not None:
            yield row
        else:  # P itself is not a row: it is in the unreadable range
            rep.skipped[-1] = (rep.skipped[-1][0], nxt + 1)
        last = nxt


def salvage(folder: Path | None = None, out: Path | None = None) -> SalvageResult:
    """Copy everything still readable from the history database into a new, fully migrated
    database OUT (default: FOLDER/fitcoach-salvaged-DATE.db, 0600). Works on a private copy of
    the damaged file (and its -wal), which is therefore never modified. Tables are copied
    parents first, row by row; rows whose parent was lost are left out (a rep without its set,
    session and profile cannot be placed or erased), a lost optional link is set to NULL."""
    folder = Path(folder or default_data_dir())
    src = folder / DB_NAME
    if not src.is_file():
        raise StoreError(f"{src}: no history database to salvage")
    out = Path(out) if out else _dated(folder, "fitcoach-salvaged")
    if out.exists():
        raise StoreError(f"{out}: already exists; give a new file with --out")
    if not out.parent.is_dir():
        raise StoreError(f"{out.parent}: no such folder (create it first)")
    if out.resolve() in {p.resolve() for p in _db_files(src)}:
        raise StoreError(f"{out}: is the damaged database itself; give a new file with --out")
    order = _table_order()
    report = [TableSalvage(t) for t in order]
    with tempfile.TemporaryDirectory(dir=folder, prefix=".salvage-") as work:  # 0700, removed after
        copy = Path(work) / "damaged.db"
        with _shared_lock(folder):  # a consistent copy: no restore while copying
            _copy_private(src, copy)
            if Path(f"{src}-wal").exists():
                _copy_private(Path(f"{src}-wal"), Path(f"{copy}-wal"))
        tmp = out.with_name(f".{out.name}.part-{os.getpid()}")
        for p in _db_files(tmp):
            p.unlink(missing_ok=True)
        os.close(private_file(tmp))
        try:
            new = sqlite3.connect(str(tmp), isolation_level=None)
            try:
                migrate(new)
                new.execute("PRAGMA foreign_keys=ON")
                _salvage_into(copy, new, report)
                if not any(r.saved for r in report) and all(r.error for r in report):
                    raise StoreError(f"{src}: nothing could be read ({report[0].error}); no salvage written")
            finally:
                new.close()
            _fsync_path(tmp)
            os.replace(tmp, out)
            _fsync_dir(out.parent)
        finally:
            for p in _db_files(tmp):
                p.unlink(missing_ok=True)
    return SalvageResult(src, out, report)


def _salvage_into(copy: Path, new: sqlite3.Connection, report: list[TableSalvage]) -> None:
    target = expected_schema(SCHEMA_VERSION)
    try:
        old = sqlite3.connect(str(copy), isolation_level=None)
    except sqlite3.DatabaseError as e:  # pragma: no cover - connect rarely reads the file
        for r in report:
            r.error = str(e)
        return
    try:
        # A truncated file has fewer pages than its header says, which SQLite refuses as corrupt
        # unless writable_schema is on; then it reads the pages that are there. (Nothing is
        # written through this connection, and it is a private copy anyway.)
        old.execute("PRAGMA writable_schema=ON")
        try:
            version = old.execute("PRAGMA user_version").fetchone()[0]
            have = _tables(old)
        except sqlite3.DatabaseError as e:
            if not is_damage(e):
                raise
            for r in report:
                r.error = str(e)
            return
        if version > SCHEMA_VERSION:
            raise StoreError(f"{copy}: made by a newer FitCoach (schema {version}); update FitCoach to salvage it")
        new.execute("BEGIN")
        for rep in report:
            if rep.name not in have:
                rep.error = "no such table in the damaged database"
                continue
            cols = [c for c in target[rep.name] if c in have[rep.name]]
            try:
                rep.original = old.execute(f'SELECT COUNT(*) FROM "{rep.name}"').fetchone()[0]
            except sqlite3.DatabaseError as e:  # counting may go through an intact index, or not
                if not is_damage(e):
                    raise
            fks = [(r[3], r[2]) for r in new.execute(f'PRAGMA foreign_key_list("{rep.name}")')]
            notnull = {r[1] for r in new.execute(f'PRAGMA table_info("{rep.name}")') if r[3]}
            sql = f'INSERT INTO "{rep.name}" ({", ".join(cols)}) VALUES ({", ".join("?" * len(cols))})'
            for row in _readable_rows(old, rep.name, cols, rep):
                values = dict(zip(cols, row[1:]))
                ok = True
                for col, parent in fks:
                    v = values.get(col)
                    if v is not None and new.execute(f'SELECT 1 FROM "{parent}" WHERE rowid = ?', (v,)).fetchone() is None:
                        if col in notnull:
                            ok = False
                            break
                        values[col] = None
                if not ok:
                    rep.orphaned += 1
                    continue
                try:
                    new.execute(sql, [values[c] for c in cols])
                    rep.saved += 1
                except sqlite3.IntegrityError:
                    rep.rejected += 1
            if rep.original is not None and rep.original < rep.saved:
                rep.original = None  # the count came from a damaged index: not trustworthy
        new.execute("COMMIT")
    finally:
        old.close()
