"""`check` (is the history whole?) and `restore` (put a backup back): the backup is checked
completely before anything is touched, the history it replaces is kept as a dated copy, and the
files are swapped atomically (a temp file in the same folder, fsync, rename)."""

from __future__ import annotations

import os
import re
import sqlite3
from dataclasses import dataclass, field
from pathlib import Path

from fitcoach.io.store.errors import StoreError, _one_line, is_damage
from fitcoach.io.store.files import (DB_NAME, _copy_private, _dated, _db_files, _fsync_dir, _fsync_path,
                                     _private_dir, _same_file, default_data_dir, private_file)
from fitcoach.io.store.locking import DbLock, _shared_lock
from fitcoach.io.store.schema import SCHEMA_VERSION, _check_rows, _counts, _lenient_text, schema_problem


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
                f"{target}: another FitCoach program has the history open (the desktop app, "
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
