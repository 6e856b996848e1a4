"""The store's writer thread: it owns the write connection, and every write is a function run
in its own transaction (`BEGIN IMMEDIATE` ... `COMMIT`, `ROLLBACK` when it raises), queued by
any thread (the analysis thread never waits on the disk) and answered through a `Future`.
Nothing is dropped: the queue is unbounded and `close` lets it drain before the thread ends."""

from __future__ import annotations

import queue
import sqlite3
import threading
from concurrent.futures import Future
from pathlib import Path
from typing import Any, Callable

from fitcoach.io.store.errors import DatabaseDamaged, is_damage
from fitcoach.io.store.schema import _connect


class Writer:
    """The thread `store-writer` and its queue of (function, Future) jobs for the database at PATH."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._q: queue.Queue = queue.Queue()
        self._thread: threading.Thread | None = threading.Thread(target=self._run, name="store-writer", daemon=True)
        self._thread.start()

    def _run(self) -> None:
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
        """Let the queued writes land, then end the thread (waits up to 10 s)."""
        if self._thread is not None:
            self._q.put(None)
            self._thread.join(timeout=10.0)
            self._thread = None
