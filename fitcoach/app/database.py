"""The one history database of the process: `Database` owns the `Store` (one SQLite file, one
writer thread, one shared lock) that every page and command uses, instead of each opening its own.

Why one: opening a `Store` runs the integrity check and the migrations and starts a writer
thread; the app used to do that a dozen times while its window was built and again on every
button. Now `Database.open_in_background()` starts the open on a plain thread ("open-history")
while the window is built, and the first caller of `store()` waits for it (or opens it itself).

When the history cannot be opened (damaged, newer than this FitCoach, a restore holding it),
`store()` raises the same `FitCoachError` the `Store` raised (`DatabaseDamaged` with the way out,
or `StoreError`), and `problem()` gives its one-line message for a page to show. A failed open
is tried again on the next call (a restore in another process may have finished); an open store
stays open until `close()`, at exit.

Threads: any. Opening is serialised by a lock; the `Store` itself takes writes on its writer
thread and reads on a connection that may be used from any thread.
"""

from __future__ import annotations

import threading
from pathlib import Path
from typing import Callable

from fitcoach.core.errors import FitCoachError
from fitcoach.io.store import DatabaseDamaged, Store, StoreError, default_data_dir

__all__ = ["Database", "DatabaseDamaged", "StoreError", "data_dir", "data_subdir"]


def data_dir() -> Path:
    """The data folder (`FITCOACH_DATA_DIR`, else the platform's user data folder)."""
    return default_data_dir()


def data_subdir(name: str) -> Path:
    """A private (0700) folder in the data folder, created if missing: `recordings`,
    `assessments`, `cache`."""
    from fitcoach.io.private_files import private_dir

    return private_dir(data_dir() / name)


class Database:
    """The process's history: opened once (lazily, or on a background thread), closed at exit.

    `folder`: the data folder (default: `data_dir()` when first opened); `opener` makes the
    store (tests pass a fake)."""

    def __init__(self, folder: Path | None = None, opener: Callable[[Path | None], Store] | None = None) -> None:
        self.folder = folder
        self._opener = opener or Store
        self._store: Store | None = None
        self._error: FitCoachError | None = None
        self._lock = threading.Lock()
        self._opening: threading.Thread | None = None
        self.opens = 0  # how many times a Store was made (one, unless an open failed)

    def open_in_background(self) -> None:
        """Start opening the store on a plain thread; `store()` waits for it."""
        if self._store is not None or (self._opening is not None and self._opening.is_alive()):
            return
        self._opening = threading.Thread(target=self._try_open, name="open-history", daemon=True)
        self._opening.start()

    def _try_open(self) -> None:
        try:
            self.store()
        except FitCoachError:
            pass  # kept in self._error; the pages say it when they need the history

    @property
    def is_open(self) -> bool:
        """True once the store is open (and not closed since)."""
        return self._store is not None

    @property
    def error(self) -> FitCoachError | None:
        """Why the last open failed (`DatabaseDamaged`, `StoreError`), or None."""
        return self._error

    def store(self) -> Store:
        """The open store; opens it on this thread if nobody has (or the last open failed).
        Raises the `FitCoachError` that opening raised (its message says the way out)."""
        store = self._store
        if store is not None:
            return store
        with self._lock:
            if self._store is None:
                self.opens += 1
                try:
                    self._store = self._opener(self.folder)
                except FitCoachError as e:
                    self._error = e
                    raise
                self._error = None
            return self._store

    def problem(self) -> str | None:
        """None when the history can be used, else the one-line reason it cannot."""
        try:
            self.store()
        except FitCoachError as e:
            return str(e)
        return None

    def __enter__(self) -> "Database":
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def close(self) -> None:
        """Close the store (its writer thread finishes the queued writes first); a later
        `store()` opens it again."""
        opening = self._opening
        if opening is not None:
            opening.join(timeout=60.0)
        with self._lock:
            store, self._store = self._store, None
        if store is not None:
            store.close()
