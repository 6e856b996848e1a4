"""The data folder and the files in it: where the history lives (`default_data_dir`), private
files (0600 whatever the umask) and folders (0700), fsync of files and renames, copies with
their sha256, dated names for backups and kept copies. No SQLite here."""

from __future__ import annotations

import hashlib
import os
import time
from pathlib import Path

from fitcoach.io.private_files import private_dir

DB_NAME = "fitcoach.db"


def default_data_dir() -> Path:
    from platformdirs import user_data_dir

    return Path(os.environ.get("FITCOACH_DATA_DIR") or user_data_dir("fitcoach"))


def _private_dir(path: Path) -> Path:
    """The data folder: created 0700 with any missing parents, tightened to 0700 if it exists."""
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
