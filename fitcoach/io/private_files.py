"""Writing files that hold health data so that only the user can read them, whatever the umask.

Every file FitCoach writes (exports, reports, recordings, caches, annotated videos) is created
0600 and every folder FitCoach creates is 0700:

- `private_dir(path)`: creates `path` and any missing parents with 0700; an existing `path` (a
  folder FitCoach owns: its data or cache folder) is tightened to 0700 when it is ours. Existing
  parents (the user's home, `~/.cache`) are never changed.
- `write_private_bytes/text(path, data)`: writes a temporary file in the same folder, created
  0600 by `os.open` (+ `os.fchmod`, so neither the umask nor an odd file system default widens
  it), flushes it to disk and renames it over `path`: a reader never sees half a file, a failed
  write leaves no temporary file behind, and the old file (whatever its mode) is replaced.
- `open_private(path, mode)`: the same for writers that want a file object (CSV, PDF, zip).
- `precreate_private(path)`: for libraries that open the path themselves (OpenCV's VideoWriter,
  espeak-ng): creates or truncates the file 0600 first; they then truncate it and write into the
  same inode, which keeps its mode (checked in tests/test_private_files.py).

Missing parent folders of an output path are created 0700. A path that exists and is not a
regular file (`/dev/null`, a named pipe) is written into directly: renaming over it would
replace a device node. On Windows the POSIX modes do not apply (the user's profile folder is
private by its ACL); the calls still write atomically.
"""

from __future__ import annotations

import contextlib
import errno
import os
import stat
import tempfile
from pathlib import Path
from typing import IO, Iterator

FILE_MODE = 0o600
DIR_MODE = 0o700


def _owned(st: os.stat_result) -> bool:
    return not hasattr(os, "getuid") or st.st_uid == os.getuid()


def _make_dirs(path: Path) -> list[Path]:
    """Create `path` and its missing parents, each 0700; returns the folders created."""
    missing = []
    p = path
    while not os.path.lexists(p):
        missing.append(p)
        if p.parent == p:
            break
        p = p.parent
    made = []
    for d in reversed(missing):
        try:
            os.mkdir(d, DIR_MODE)
        except FileExistsError:  # made meanwhile by someone else: not ours to chmod
            continue
        os.chmod(d, DIR_MODE)  # mkdir's mode is masked by the umask; chmod is not
        made.append(d)
    return made


def private_dir(path: str | os.PathLike) -> Path:
    """A folder of FitCoach's own (data, cache, recordings): created 0700, tightened if it exists."""
    path = Path(path)
    if not _make_dirs(path):
        st = os.stat(path)
        if not stat.S_ISDIR(st.st_mode):
            raise NotADirectoryError(20, "not a folder", str(path))
        if _owned(st) and stat.S_IMODE(st.st_mode) != DIR_MODE:
            os.chmod(path, DIR_MODE)
    return path


def make_private(path: str | os.PathLike) -> None:
    """chmod an existing file FitCoach wrote to 0600."""
    os.chmod(path, FILE_MODE)


def _is_special(path: Path) -> bool:
    try:
        st = os.stat(path)
    except FileNotFoundError:
        return False
    return not stat.S_ISREG(st.st_mode) and not stat.S_ISDIR(st.st_mode)


@contextlib.contextmanager
def open_private(path: str | os.PathLike, mode: str = "wb", encoding: str | None = None,
                 newline: str | None = None) -> Iterator[IO]:
    """A file object for writing `path` (0600), renamed into place when the block ends without
    an exception; on an exception the temporary file is removed and `path` is left as it was."""
    if mode not in ("w", "wb"):
        raise ValueError(f"open_private writes only ('w' or 'wb'), not {mode!r}")
    path = Path(path)
    if mode == "w" and encoding is None:
        encoding = "utf-8"
    if _is_special(path):  # /dev/null, a pipe: write into it, never rename over it
        with open(path, mode, encoding=encoding, newline=newline) as f:
            yield f
        return
    if path.is_dir():
        raise IsADirectoryError(errno.EISDIR, "is a folder, not a file", str(path))
    folder = path.parent
    try:
        _make_dirs(folder)
        fd, tmp = tempfile.mkstemp(dir=folder, prefix=f".{path.name}.", suffix=".tmp")  # O_EXCL, 0600
    except OSError as e:  # name the file asked for, not our temporary one
        raise type(e)(e.errno, e.strerror, str(path)) from None
    try:
        if hasattr(os, "fchmod"):
            os.fchmod(fd, FILE_MODE)
        with os.fdopen(fd, mode, encoding=encoding, newline=newline) as f:
            fd = -1  # owned by f now
            yield f
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, path)
    except BaseException:
        if fd >= 0:
            os.close(fd)
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp)
        raise


def write_private_bytes(path: str | os.PathLike, data: bytes) -> Path:
    with open_private(path, "wb") as f:
        f.write(data)
    return Path(path)


def write_private_text(path: str | os.PathLike, text: str, encoding: str = "utf-8") -> Path:
    # newline="" : the text is written as given (no "\r\n" translation on Windows), like the bytes
    with open_private(path, "w", encoding=encoding, newline="") as f:
        f.write(text)
    return Path(path)


def precreate_private(path: str | os.PathLike) -> bool:
    """Create (or truncate) `path` 0600 before a library that opens the file by name writes it.
    Returns whether the file was created here (so a caller can remove it if the library fails)."""
    path = Path(path)
    if _is_special(path):
        return False
    _make_dirs(path.parent)
    existed = os.path.lexists(path)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC | getattr(os, "O_BINARY", 0), FILE_MODE)
    try:
        if hasattr(os, "fchmod"):
            os.fchmod(fd, FILE_MODE)
    finally:
        os.close(fd)
    return not existed


def private_video_writer(path: str | os.PathLike, fourcc: str, fps: float, size: tuple[int, int]):
    """An OpenCV VideoWriter whose file is 0600 from its first byte.

    VideoWriter opens the file itself (FFmpeg: open(O_CREAT | O_TRUNC, 0666) masked by the
    umask, i.e. 0644). Creating the file 0600 first makes FFmpeg truncate and write into that
    inode, which keeps the mode; a chmod right after creating the writer would leave a moment in
    which another user could open the 0644 file and keep reading it. The chmod after opening is
    only a second line of defence, for a backend that replaces the file instead of truncating it.
    If the writer cannot open, the empty file made here is removed again."""
    import cv2

    created = precreate_private(path)
    w = cv2.VideoWriter(str(path), cv2.VideoWriter_fourcc(*fourcc), float(fps), tuple(size))
    if not w.isOpened():
        if created:
            with contextlib.suppress(FileNotFoundError):
                os.unlink(path)
    elif not _is_special(Path(path)):
        make_private(path)
    return w
