"""The advisory lock on the history (`fitcoach.db.lock`): shared by every open `Store`, taken
exclusively by `restore`, so a restore never swaps the files under a FitCoach that has them open."""

from __future__ import annotations

import os
import time
from pathlib import Path

from fitcoach.io.store.errors import StoreError
from fitcoach.io.store.files import DB_NAME

try:  # advisory locks: POSIX (Linux, macOS). Without fcntl (Windows) the lock is a no-op.
    import fcntl
except ImportError:  # pragma: no cover - not on the platforms tested here
    fcntl = None

LOCK_NAME = DB_NAME + ".lock"
LOCK_WAIT_S = 30.0  # how long opening a Store waits for a restore in another process to finish


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
