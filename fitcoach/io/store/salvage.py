"""`salvage`: copy whatever is still readable from a damaged history into a new database, row
by row around the damaged pages, parents before children. The damaged file is never modified
(the work is done on a private copy of it)."""

from __future__ import annotations

import os
import sqlite3
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterator

from fitcoach.io.store.errors import StoreError, _one_line, is_damage
from fitcoach.io.store.files import (DB_NAME, _copy_private, _dated, _db_files, _fsync_dir, _fsync_path,
                                     default_data_dir, private_file)
from fitcoach.io.store.locking import _shared_lock
from fitcoach.io.store.schema import SCHEMA_VERSION, _table_order, _tables, expected_schema, migrate


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
            _salvage_table(old, new, rep, [c for c in target[rep.name] if c in have[rep.name]])
        new.execute("COMMIT")
    finally:
        old.close()


def _salvage_table(old: sqlite3.Connection, new: sqlite3.Connection, rep: TableSalvage, cols: list[str]) -> None:
    """Copy the readable rows of table REP.name (columns COLS) from OLD into NEW, counting in REP."""
    try:
        rep.original = old.execute(f'SELECT COUNT(*) FROM "{rep.name}"').fetchone()[0]
    except sqlite3.DatabaseError as e:  # counting may go through an intact index, or not
        if not is_damage(e):
            raise
    fks = [(r[3], r[2]) for r in new.execute(f'PRAGMA foreign_key_list("{rep.name}")')]
    notnull = {r[1] for r in new.execute(f'PRAGMA table_info("{rep.name}")') if r[3]}
    sql = f'INSERT INTO "{rep.name}" ({", ".join(cols)}) VALUES ({", ".join("?" * len(cols))})'
    for row in _readable_rows(old, rep.name, cols, rep):
        values = _linked(new, dict(zip(cols, row[1:])), fks, notnull)
        if values is None:
            rep.orphaned += 1
            continue
        try:
            new.execute(sql, [values[c] for c in cols])
            rep.saved += 1
        except sqlite3.IntegrityError:
            rep.rejected += 1
    if rep.original is not None and rep.original < rep.saved:
        rep.original = None  # the count came from a damaged index: not trustworthy


def _linked(new: sqlite3.Connection, values: dict, fks: list[tuple[str, str]], notnull: set[str]) -> dict | None:
    """VALUES with each link (column, parent table in FKS) to a parent row NEW lacks set to NULL;
    None when such a link is required (a NOT NULL column): the row is an orphan."""
    for col, parent in fks:
        v = values.get(col)
        if v is not None and new.execute(f'SELECT 1 FROM "{parent}" WHERE rowid = ?', (v,)).fetchone() is None:
            if col in notnull:
                return None
            values[col] = None
    return values
