"""`backup`: a consistent copy of the history (SQLite's online backup, one self-contained file)
and its sha256 beside it, both 0600, written to a temp file and renamed into place."""

from __future__ import annotations

import os
import sqlite3
from pathlib import Path
from typing import Callable

from fitcoach.io.store.errors import StoreError
from fitcoach.io.store.files import (_dated, _db_files, _fsync_dir, _fsync_path, _same_file, _sha256_file,
                                     _write_private_text, private_file)
from fitcoach.io.store.locking import LOCK_NAME


def backup_database(read: sqlite3.Connection, path: Path, dest: Path,
                    flush: Callable[[], None]) -> tuple[Path, str]:
    """Copy the database at PATH (through its open connection READ) to DEST, as `Store.backup`
    says; FLUSH() lets the queued writes land first. Returns (the file written, its sha256)."""
    if dest.is_dir():
        dest = _dated(dest, "fitcoach-backup")
    parent = dest.parent
    if not parent.is_dir():
        raise StoreError(f"{parent}: no such folder (create it first); no backup written")
    if any(_same_file(dest, p) for p in _db_files(path)) or _same_file(dest, path.parent / LOCK_NAME):
        raise StoreError(f"{dest}: is the history database itself; back up to another file")
    flush()  # let queued writes land first
    tmp = parent / f".{dest.name}.part-{os.getpid()}"
    for p in _db_files(tmp):
        p.unlink(missing_ok=True)
    os.close(private_file(tmp))  # SQLite keeps an existing file's mode (and gives it to its journal)
    try:
        out = sqlite3.connect(str(tmp))
        try:
            read.backup(out)
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
