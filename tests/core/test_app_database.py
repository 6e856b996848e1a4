"""`fitcoach.app.database.Database`: one store per process, opened once (also on a background
thread), the store's own error when the history is damaged, tried again after a failure, closed
at exit (the lock released: a restore can run)."""

import sqlite3
import threading

import pytest

from fitcoach.app.database import Database, DatabaseDamaged, StoreError, data_dir, data_subdir
from fitcoach.app.history import load_export


@pytest.fixture
def data(monkeypatch, tmp_path):
    folder = tmp_path / "data"
    monkeypatch.setenv("FITCOACH_DATA_DIR", str(folder))
    return folder


def test_one_store_for_every_caller_and_every_thread(data):
    db = Database()
    assert not db.is_open and data_dir() == data
    db.open_in_background()
    got = []
    threads = [threading.Thread(target=lambda: got.append(db.store())) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert db.is_open and db.opens == 1 and len({id(s) for s in got}) == 1 and got[0] is db.store()
    assert db.problem() is None and db.error is None
    db.store().profile("kim")
    assert load_export(db, "kim").export["profile"]["name"] == "kim"
    assert load_export(db, "nobody").export is None and load_export(db, "nobody").problem is None
    db.close()
    assert not db.is_open


def test_close_releases_the_history_for_a_restore(data, tmp_path):
    from fitcoach.io.store import restore_backup

    db = Database()
    db.store().profile("kim")
    backup, _ = db.store().backup(tmp_path / "b.db")
    db.close()
    restore_backup(backup, data)  # refused (busy) while a Store holds the shared lock
    db2 = Database()
    assert db2.store().profile_names() == ["kim"]
    db2.close()


def _damage(folder):
    db = Database(folder)
    store = db.store()
    pid = store.profile("me")
    for _ in range(20):
        sid, set_id = store.start_session(pid, "squat")
        store.end_session(sid, set_id)
    db.close()
    path = folder / "fitcoach.db"
    con = sqlite3.connect(str(path))
    con.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    con.close()
    raw = bytearray(path.read_bytes())
    raw[: len(raw) // 2] = bytes(len(raw) // 2)  # the header and the first pages gone
    path.write_bytes(bytes(raw))
    return path


def test_a_damaged_history_gives_the_stores_error_every_time(data):
    path = _damage(data)
    db = Database()
    db.open_in_background()
    with pytest.raises(DatabaseDamaged) as first:
        db.store()
    assert str(first.value).startswith(f"{path}:") and "fitcoach data salvage" in str(first.value)
    assert db.error is not None and not db.is_open
    assert db.problem() == str(first.value)
    read = load_export(db, "me")
    assert read.export is None and read.problem == str(first.value)
    assert db.opens >= 3  # a failed open is tried again (a restore elsewhere may have fixed it)


def test_a_failed_open_is_tried_again_and_then_kept(data):
    calls = []

    class Fake:
        def close(self):
            calls.append("closed")

    def opener(folder):
        calls.append("open")
        if calls.count("open") == 1:
            raise StoreError("busy: another FitCoach is restoring")
        return Fake()

    db = Database(opener=opener)
    assert db.problem() == "busy: another FitCoach is restoring"
    first = db.store()
    assert db.store() is first and db.problem() is None and db.error is None
    db.close()
    assert calls == ["open", "open", "closed"]


def test_data_subdir_is_private(data):
    folder = data_subdir("recordings")
    assert folder == data / "recordings" and folder.is_dir()
    assert folder.stat().st_mode & 0o777 == 0o700
