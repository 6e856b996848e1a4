"""Restore, repair and backup that cannot lose data (issue 12, items 3 and 4).

- restore checks the backup completely (sha256 file, integrity, FitCoach tables and columns,
  schema version) before touching anything, keeps the replaced history as a dated 0600 copy,
  refuses while another process has the history open, and is atomic under kill -9;
- a damaged history gives one line with the way out (never a traceback) from every command;
- `data check` exits 2 when the integrity check fails; `data salvage` copies what is readable;
- every file written is 0600 and every folder made 0700, whatever the umask.
"""

from __future__ import annotations

import hashlib
import os
import random
import signal
import sqlite3
import stat
import subprocess
import sys
import time
from pathlib import Path

import pytest

from fitcoach import cli
from fitcoach.io import store as st
from fitcoach.io.store import DB_NAME, SCHEMA_VERSION, Store, StoreError

PROGRAM = """schema_version = 1
name = "Knee rehab A"
sessions_per_week = 3
[[exercise]]
id = "sit_to_stand"
sets = 3
reps = 10
tempo = "2-0-2-1"
"""


def _rep(i: int) -> dict:
    return {"index": i, "side": "both", "t_start_s": float(i), "t_end_s": i + 2.0, "partial": False,
            "rom_deg": {"min": 80.0, "max": 170.0}, "tempo_s": {"down": 1.0, "bottom": 0.2, "up": 0.8, "top": None},
            "score": 90.0, "faults": [{"id": "forward_lean", "message": "keep your chest up"}]}


def _history(folder: Path, profile: str = "me", sessions: int = 3, reps: int = 4) -> None:
    s = Store(folder)
    pid = s.profile(profile)
    for _ in range(sessions):
        sid, set_id = s.start_session(pid, "squat")
        for f in [s.add_rep(set_id, _rep(i)) for i in range(1, reps + 1)]:
            f.result()
        s.end_session(sid, set_id, [{"t_s": 1.0, "text": "1", "priority": "count", "reason": "r"}])
    s.close()


def _backup(folder: Path, dest: Path) -> Path:
    """`Store.backup` into the file DEST (whatever it returns); DEST."""
    s = Store(folder)
    try:
        s.backup(dest)
    finally:
        s.close()
    return dest


def _counts(db: Path) -> dict:
    con = sqlite3.connect(str(db))
    try:
        return {t: con.execute(f"SELECT COUNT(*) FROM {t}").fetchone()[0] for t in ("profiles", "sessions", "reps")}
    finally:
        con.close()


def _names(db: Path) -> list[str]:
    con = sqlite3.connect(str(db))
    try:
        return [r[0] for r in con.execute("SELECT name FROM profiles ORDER BY name")]
    finally:
        con.close()


def _mode(p: Path) -> int:
    return stat.S_IMODE(os.stat(p).st_mode)


def _sidecar(f: Path) -> None:
    """What `sha256sum f > f.sha256` writes."""
    Path(f"{f}.sha256").write_text(f"{hashlib.sha256(f.read_bytes()).hexdigest()}  {f.name}\n")


def _run(capsys, *argv) -> tuple[int, str, str]:
    rc = cli.main(list(argv))
    out, err = capsys.readouterr()
    return rc, out, err


@pytest.fixture
def data(tmp_path, monkeypatch) -> Path:
    d = tmp_path / "data"
    monkeypatch.setenv("FITCOACH_DATA_DIR", str(d))
    return d


@pytest.fixture
def open_umask():
    """Files must be 0600 and folders 0700 whatever the umask: test with the widest one."""
    old = os.umask(0)
    yield
    os.umask(old)


def _foreign(p: Path, kind: str) -> None:
    if kind == "empty":
        p.write_bytes(b"")
    elif kind == "random":
        p.write_bytes(random.Random(1).randbytes(8192))
    else:
        con = sqlite3.connect(str(p))
        if kind == "foreign":
            con.execute("CREATE TABLE notes (a TEXT)")
            con.execute("INSERT INTO notes VALUES ('x')")
        elif kind == "v2-no-tables":
            con.execute("PRAGMA user_version = 2")
        elif kind == "v2-missing-column":
            st.migrate(con, 2)
            con.execute("ALTER TABLE reps DROP COLUMN score")
        elif kind == "newer":
            st.migrate(con, SCHEMA_VERSION)
            con.execute(f"PRAGMA user_version = {SCHEMA_VERSION + 1}")
        con.commit()
        con.close()


# -- restore ---------------------------------------------------------------------------------------
@pytest.mark.parametrize("kind, why", [
    ("empty", "not a FitCoach database"),
    ("foreign", "not a FitCoach database"),
    ("v2-no-tables", "no table"),
    ("v2-missing-column", "has no column 'score'"),
    ("random", "not a usable SQLite database"),
    ("newer", "newer FitCoach"),
])
def test_restore_refuses_what_is_not_a_fitcoach_database_and_touches_nothing(tmp_path, data, capsys, kind, why):
    _history(data)
    before = (data / DB_NAME).read_bytes()
    bad = tmp_path / f"{kind}.db"
    _foreign(bad, kind)
    _sidecar(bad)  # a matching sha256 file does not make it a FitCoach database
    rc, out, err = _run(capsys, "data", "restore", "--file", str(bad))
    assert rc == 2 and out == ""
    assert err.count("\n") == 1 and str(bad) in err and why in err and "not restored" in err
    assert (data / DB_NAME).read_bytes() == before
    assert sorted(p.name for p in data.iterdir()) == [DB_NAME, st.LOCK_NAME]  # no copy, no temp file
    assert _counts(data / DB_NAME) == {"profiles": 1, "sessions": 3, "reps": 12}


@pytest.mark.parametrize("content", [b"", b"\x00\xff\xfe binary \x89PNG", b"abc123  b.db\n", b"Z" * 70000])
def test_a_malformed_sha256_file_is_an_error_naming_it(tmp_path, data, capsys, content):
    _history(data)
    backup = _backup(data, tmp_path / "b.db")
    side = Path(f"{backup}.sha256")
    side.write_bytes(content)
    rc, out, err = _run(capsys, "data", "restore", "--file", str(backup))
    assert rc == 2 and err.count("\n") == 1
    assert f"{side}: not a sha256 file" in err and "Traceback" not in err


def test_sha256_checked_when_present_and_reported_when_absent(tmp_path, data, capsys):
    _history(data, "old")
    other = tmp_path / "other"
    _history(other, "new")
    backup = _backup(other, tmp_path / "b.db")
    digest = hashlib.sha256(backup.read_bytes()).hexdigest()
    assert Path(f"{backup}.sha256").read_text() == f"{digest}  b.db\n"
    rc, out, _ = _run(capsys, "data", "restore", "--file", str(backup))
    assert rc == 0 and "sha256 matches" in out and "1 profiles, 3 sessions, 12 reps" in out
    os.remove(f"{backup}.sha256")
    rc, out, _ = _run(capsys, "data", "restore", "--file", str(backup))
    assert rc == 0 and "no b.db.sha256 next to it, so no sha256 check" in out
    # a wrong digest: refused
    Path(f"{backup}.sha256").write_text("0" * 64 + "  b.db\n")
    rc, _, err = _run(capsys, "data", "restore", "--file", str(backup))
    assert rc == 2 and "sha256 does not match b.db.sha256" in err
    assert st.read_sha256_file(Path(f"{backup}.sha256"), "b.db") == "0" * 64


def test_restore_keeps_the_replaced_history_as_a_dated_private_copy(tmp_path, data, capsys, open_umask):
    _history(data, "old")
    # a committed write still only in the WAL (the last writer was killed before checkpointing)
    subprocess.run([sys.executable, "-c", "import os, sys; from pathlib import Path; from fitcoach.io.store import Store;"
                    "s = Store(Path(sys.argv[1])); s.profile('only-in-wal'); os._exit(0)", str(data)], check=True)
    assert (data / f"{DB_NAME}-wal").stat().st_size > 0
    other = tmp_path / "other"
    _history(other, "new", sessions=1)
    backup = _backup(other, tmp_path / "b.db")
    rc, out, err = _run(capsys, "data", "restore", "--file", str(backup))
    assert rc == 0, err
    kept = [p for p in data.iterdir() if p.name.startswith("fitcoach-before-restore-")]
    assert len(kept) == 1 and f"the history it replaced is kept in {kept[0]}" in out
    assert kept[0].name.endswith(".db") and _mode(kept[0]) == 0o600
    assert _names(kept[0]) == ["old", "only-in-wal"] and _counts(kept[0])["reps"] == 12
    assert _names(data / DB_NAME) == ["new"] and _mode(data / DB_NAME) == 0o600
    assert not (data / f"{DB_NAME}-wal").exists()  # the old WAL is never replayed onto the new file
    s = Store(data)
    assert s.profile_names() == ["new"]
    s.close()


def test_restore_of_a_damaged_history_keeps_its_bytes_for_salvage(tmp_path, data, capsys):
    _history(data, "old")
    (data / DB_NAME).write_bytes(b"garbage" * 1000)
    other = tmp_path / "other"
    _history(other, "new")
    backup = _backup(other, tmp_path / "b.db")
    rc, out, _ = _run(capsys, "data", "restore", "--file", str(backup))
    assert rc == 0
    kept = next(p for p in data.iterdir() if p.name.startswith("fitcoach-before-restore-"))
    assert kept.read_bytes() == b"garbage" * 1000 and _mode(kept) == 0o600
    assert _names(data / DB_NAME) == ["new"]


HOLD = ("import sys; from pathlib import Path; from fitcoach.io.store import Store; "
        "s = Store(Path(sys.argv[1])); print('open', flush=True); sys.stdin.read(); s.close()")


def test_restore_refuses_while_another_process_has_the_history_open(tmp_path, data, capsys):
    _history(data, "old")
    other = tmp_path / "other"
    _history(other, "new")
    backup = _backup(other, tmp_path / "b.db")
    holder = subprocess.Popen([sys.executable, "-c", HOLD, str(data)], stdin=subprocess.PIPE,
                              stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout.readline().strip() == "open"
        rc, out, err = _run(capsys, "data", "restore", "--file", str(backup))
        assert rc == 2 and err.count("\n") == 1 and "another FitCoach program has the history open" in err
        assert _names(data / DB_NAME) == ["old"]
        assert not [p for p in data.iterdir() if p.name.startswith("fitcoach-before-restore-")]
    finally:
        holder.stdin.close()
        holder.wait(timeout=30)
    rc, out, err = _run(capsys, "data", "restore", "--file", str(backup))  # closed: now it works
    assert rc == 0 and _names(data / DB_NAME) == ["new"]
    # and a Store in this very process blocks it as well
    s = Store(data)
    with pytest.raises(StoreError, match="has the history open"):
        st.restore(backup, data)
    s.close()


def test_a_store_waits_for_a_restore_in_progress(tmp_path, data, monkeypatch):
    _history(data)
    monkeypatch.setattr(st.locking, "LOCK_WAIT_S", 0.3)
    lock = st.DbLock(data, True, 0.0, "busy")  # what restore holds while it swaps the files
    try:
        t0 = time.monotonic()
        with pytest.raises(StoreError, match="restoring the history"):
            Store(data)
        assert time.monotonic() - t0 >= 0.25
    finally:
        lock.release()
    Store(data).close()


def test_restore_while_a_session_is_saving_loses_no_saved_rep(tmp_path, data, demo_npz):
    _history(tmp_path / "other", "other")
    backup = _backup(tmp_path / "other", tmp_path / "b.db")
    env = dict(os.environ, FITCOACH_DATA_DIR=str(data))
    proc = subprocess.Popen([sys.executable, "-m", "fitcoach", "analyze", str(demo_npz), "-e", "squat", "--save",
                             "--profile", "live", "--realtime", "--no-progress", "--no-scorer"],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env)
    saved = []
    try:
        deadline = time.time() + 60
        while len(saved) < 2 and time.time() < deadline:
            line = proc.stdout.readline()
            if line.startswith("saved rep"):
                saved.append(int(line.split()[-1]))
        assert len(saved) == 2, "the session did not get far enough"
        r = subprocess.run([sys.executable, "-m", "fitcoach", "data", "restore", "--file", str(backup)],
                           capture_output=True, text=True, env=env, timeout=60)
        assert r.returncode == 2 and "has the history open" in r.stderr and r.stderr.count("\n") == 1
        while len(saved) < 3 and time.time() < deadline:
            line = proc.stdout.readline()
            if line.startswith("saved rep"):
                saved.append(int(line.split()[-1]))
    finally:
        proc.send_signal(signal.SIGKILL)
        proc.wait(timeout=10)
    con = sqlite3.connect(str(data / DB_NAME))
    assert set(saved) <= {r[0] for r in con.execute("SELECT idx FROM reps")}
    assert [r[0] for r in con.execute("SELECT name FROM profiles")] == ["live"]
    con.close()


RESTORE = ("import sys; from pathlib import Path; from fitcoach.io.store import restore; "
           "print('go', flush=True); restore(Path(sys.argv[1]), Path(sys.argv[2])); print('done', flush=True)")


def test_kill_9_at_any_point_of_a_restore_loses_nothing(tmp_path):
    """The live history is at every moment either the old one (whole, with what its WAL held)
    or the new one, and the old one is never lost."""
    data = tmp_path / "data"
    new = tmp_path / "new"
    _history(new, "new", sessions=100, reps=40)  # ~0.6 MB: a restore takes ~15 ms here
    backup = _backup(new, tmp_path / "b.db")
    rng = random.Random(12)
    outcomes = set()
    for i in range(12):
        for p in data.glob("*") if data.exists() else []:
            p.unlink()
        _history(data, "old", sessions=2)
        subprocess.run([sys.executable, "-c", "import os, sys; from pathlib import Path; "
                        "from fitcoach.io.store import Store; s = Store(Path(sys.argv[1])); "
                        "s.profile('wal'); os._exit(0)", str(data)], check=True)
        proc = subprocess.Popen([sys.executable, "-c", RESTORE, str(backup), str(data)], stdout=subprocess.PIPE,
                                text=True)
        assert proc.stdout.readline().strip() == "go"
        time.sleep(rng.uniform(0.0, 0.02) if i else 0.0)  # kill before, during or after the restore
        proc.send_signal(signal.SIGKILL)
        proc.wait(timeout=10)
        names = _names(data / DB_NAME)
        kept = [p for p in data.glob("fitcoach-before-restore-*.db")]
        if names == ["new"]:
            outcomes.add("new")
            assert len(kept) == 1 and _names(kept[0]) == ["old", "wal"]
        else:
            outcomes.add("old")
            assert names == ["old", "wal"]
        con = sqlite3.connect(str(data / DB_NAME))
        assert con.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        con.close()
        # the next restore (not killed) cleans up and works
        st.restore(backup, data)
        assert _names(data / DB_NAME) == ["new"]
        assert not [p for p in data.iterdir() if "restoring" in p.name]
    assert "old" in outcomes  # killed before the swap at least once


# -- backup ----------------------------------------------------------------------------------------
def test_backup_edge_cases_and_private_files(tmp_path, data, capsys, open_umask):
    _history(data)
    rc, _, err = _run(capsys, "data", "backup", "--file", str(tmp_path / "missing" / "b.db"))
    assert rc == 2 and err.count("\n") == 1 and f"{tmp_path / 'missing'}: no such folder" in err
    assert not (tmp_path / "missing").exists()
    folder = tmp_path / "backups"
    folder.mkdir()
    rc, out, err = _run(capsys, "data", "backup", "--file", str(folder))
    assert rc == 0, err
    made = sorted(folder.iterdir())
    assert [p.suffix for p in made] == [".db", ".sha256"] and made[0].name.startswith("fitcoach-backup-")
    assert out.startswith(f"{made[0]}: sha256 ") and all(_mode(p) == 0o600 for p in made)
    assert _counts(made[0])["reps"] == 12
    # over a file that is not a database: replaced by a good backup, 0600
    junk = tmp_path / "junk.db"
    junk.write_text("not sqlite")
    os.chmod(junk, 0o644)
    rc, _, err = _run(capsys, "data", "backup", "--file", str(junk))
    assert rc == 0, err
    assert _counts(junk)["reps"] == 12 and _mode(junk) == 0o600 and _mode(Path(f"{junk}.sha256")) == 0o600
    assert not [p for p in tmp_path.iterdir() if ".part-" in p.name]
    # onto the history itself: refused, nothing changed
    before = (data / DB_NAME).read_bytes()
    rc, _, err = _run(capsys, "data", "backup", "--file", str(data / DB_NAME))
    assert rc == 2 and "is the history database itself" in err
    assert (data / DB_NAME).read_bytes() == before
    # every file and folder of the store
    assert _mode(data) == 0o700
    for p in data.iterdir():
        assert _mode(p) == 0o600, p


# -- damaged history -------------------------------------------------------------------------------
def _damage(db: Path, kind: str) -> None:
    con = sqlite3.connect(str(db))
    con.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    if kind == "flipped-rollback":  # as a restored backup is until a Store opens it
        con.execute("PRAGMA journal_mode=DELETE")
    con.close()
    b = bytearray(db.read_bytes())
    page = 4096
    if kind.startswith("flipped"):
        mid = (len(b) // page // 2) * page
        for i in range(mid, mid + page):
            b[i] ^= 0x5A
    elif kind == "truncated":
        b = b[: (len(b) // page * 2 // 3) * page]
    else:  # garbage from the first byte
        b = bytearray(random.Random(3).randbytes(len(b)))
    db.write_bytes(bytes(b))


COMMANDS = [
    ["data", "check"],
    ["data", "export", "--profile", "me", "--out", "{tmp}/x.json"],
    ["data", "export", "--profile", "me", "--out", "{tmp}/x.csv"],
    ["data", "backup", "--file", "{tmp}/b.db"],
    ["data", "selfreport", "--profile", "me", "--pain", "1", "--rpe", "5"],
    ["data", "delete", "--profile", "me"],
    ["analyze", "{demo}", "-e", "squat", "--save", "--profile", "me", "--no-progress", "--no-scorer"],
    ["plan", "--profile", "me", "--rules-only"],
    ["report", "--profile", "me", "--out", "{tmp}/r.html"],
    ["profile", "set", "me", "--level", "beginner"],
    ["program", "import", "{tmp}/p.toml", "--profile", "me"],
]


@pytest.mark.parametrize("kind", ["flipped", "flipped-rollback", "truncated", "garbage"])
def test_a_damaged_history_gives_one_line_with_the_way_out_everywhere(tmp_path, data, capsys, demo_npz, kind):
    _history(data, sessions=30, reps=10)
    db = data / DB_NAME
    _damage(db, kind)
    damaged = db.read_bytes()
    (tmp_path / "p.toml").write_text(PROGRAM)
    for argv in COMMANDS:
        argv = [a.format(tmp=tmp_path, demo=demo_npz) for a in argv]
        rc, out, err = _run(capsys, *argv)
        assert rc == 2, (argv, out, err)
        assert err.count("\n") == 1, (argv, err)
        assert err.startswith(f"fitcoach: error: {db}: the history database is damaged"), (argv, err)
        assert "`fitcoach data restore --file BACKUP`" in err and "`fitcoach data salvage`" in err
        assert "saved rep" not in out  # nothing is written into a damaged file
    assert db.read_bytes() == damaged  # ... and none of them changed it


def test_data_check_exits_2_and_says_what_failed(tmp_path, data, capsys):
    rc, out, _ = _run(capsys, "data", "check")
    assert rc == 0 and "no history yet" in out and not (data / DB_NAME).exists()
    _history(data)
    rc, out, _ = _run(capsys, "data", "check")
    assert rc == 0 and "integrity ok" in out and "1 profiles, 3 sessions, 12 reps" in out
    # an index that no longer matches its table: SQLite's quick check at open does not see it,
    # the full integrity check does
    con = sqlite3.connect(str(data / DB_NAME))
    con.execute("PRAGMA writable_schema = ON")
    con.execute("UPDATE sqlite_master SET sql = 'CREATE INDEX reps_set ON reps(idx)' WHERE name = 'reps_set'")
    con.commit()
    con.close()
    rc, out, err = _run(capsys, "data", "check")
    assert rc == 2 and "reps_set" in out  # what failed
    assert err.count("\n") == 1 and "integrity check failed" in err and "fitcoach data salvage" in err


# -- salvage ---------------------------------------------------------------------------------------
def _pages(db: Path) -> list[tuple[str, int, str, int]]:
    con = sqlite3.connect(str(db))
    try:
        return con.execute("SELECT name, pageno, pagetype, ncell FROM dbstat ORDER BY pageno").fetchall()
    finally:
        con.close()


def _salvage_cli(capsys, out: Path) -> str:
    rc, text, err = _run(capsys, "data", "salvage", "--out", str(out))
    assert rc == 0, err
    return text


def test_salvage_after_flipped_bytes_recovers_every_row_outside_the_damaged_page(tmp_path, data, capsys, open_umask):
    _history(data, sessions=60, reps=10)
    db = data / DB_NAME
    con = sqlite3.connect(str(db))
    con.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    con.close()
    orig = _counts(db)
    leaves = [p for p in _pages(db) if p[0] == "reps" and p[2] == "leaf"]
    name, pageno, _, ncell = leaves[len(leaves) // 2]  # a page of reps in the middle
    b = bytearray(db.read_bytes())
    for i in range((pageno - 1) * 4096, pageno * 4096):
        b[i] ^= 0x5A
    db.write_bytes(bytes(b))
    damaged = db.read_bytes()
    out = tmp_path / "saved.db"
    text = _salvage_cli(capsys, out)
    assert db.read_bytes() == damaged  # never modified
    got = _counts(out)
    assert got["profiles"] == 1 and got["sessions"] == orig["sessions"]
    assert orig["reps"] - ncell <= got["reps"] < orig["reps"]
    # the reps can still be counted through their index: the loss is exact
    assert f"{got['reps']} saved, {orig['reps'] - got['reps']} lost" in text
    assert f"data restore --file {out}" in text
    assert _mode(out) == 0o600 and not [p for p in tmp_path.iterdir() if ".part-" in p.name]
    assert not [p for p in data.iterdir() if p.name.startswith(".salvage-")]
    # the salvaged database is a complete FitCoach database: it restores, and it opens
    con = sqlite3.connect(str(out))
    assert con.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    assert con.execute("PRAGMA foreign_key_check").fetchall() == []
    assert con.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION
    con.close()
    rc, _, err = _run(capsys, "data", "restore", "--file", str(out))
    assert rc == 0, err
    s = Store(data)
    assert len(s.reps("me")) == got["reps"]
    s.close()


def test_salvage_of_a_truncated_history(tmp_path, data, capsys):
    """Sessions and sets first, then the reps (so the truncation takes reps pages only): every
    rep in a page that is still there is recovered, those in the missing pages are not."""
    s = Store(data)
    pid = s.profile("me")
    sets = [s.start_session(pid, "squat")[1] for _ in range(40)]
    for set_id in sets:
        for f in [s.add_rep(set_id, _rep(i)) for i in range(1, 16)]:
            f.result()
    s.close()
    db = data / DB_NAME
    orig = _counts(db)
    pages = _pages(db)
    keep = len(db.read_bytes()) // 4096 * 2 // 3
    assert all(p[1] <= keep for p in pages if p[0] in ("sessions", "sets", "profiles", "sqlite_schema"))
    assert all(p[1] <= keep for p in pages if p[0] == "reps" and p[2] == "internal")
    in_kept_pages = sum(p[3] for p in pages if p[0] == "reps" and p[2] == "leaf" and p[1] <= keep)
    db.write_bytes(db.read_bytes()[: keep * 4096])
    damaged = db.read_bytes()
    out = tmp_path / "saved.db"
    text = _salvage_cli(capsys, out)
    assert db.read_bytes() == damaged
    got = _counts(out)
    assert got["sessions"] == orig["sessions"] and got["profiles"] == 1
    assert 0 < got["reps"] == in_kept_pages < orig["reps"]
    assert "reps" in text and f"{got['reps']} saved" in text


def test_salvage_of_an_interleaved_history_truncated_or_flipped_keeps_the_rules(tmp_path, data, capsys):
    """The usual layout (sessions, sets and reps interleaved): whatever is lost, the result is a
    valid database with no more rows than before, and every rep in it has its set and session."""
    _history(data, sessions=80, reps=10)
    db = data / DB_NAME
    good = db.read_bytes()
    orig = _counts(db)
    for kind in ("truncated", "flipped"):
        db.write_bytes(good)
        _damage(db, kind)
        out = tmp_path / f"{kind}.db"
        _salvage_cli(capsys, out)
        got = _counts(out)
        assert got["profiles"] == 1 and 0 < got["sessions"] <= orig["sessions"] and got["reps"] <= orig["reps"]
        con = sqlite3.connect(str(out))
        assert con.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        assert con.execute("PRAGMA foreign_key_check").fetchall() == []
        con.close()
    # a healthy database salvages whole
    db.write_bytes(good)
    text = _salvage_cli(capsys, tmp_path / "whole.db")
    assert _counts(tmp_path / "whole.db") == orig and "800 saved, 0 lost" in text


def test_salvage_refuses_to_overwrite_and_reports_nothing_readable(tmp_path, data, capsys):
    _history(data)
    (tmp_path / "exists.db").write_text("mine")
    rc, _, err = _run(capsys, "data", "salvage", "--out", str(tmp_path / "exists.db"))
    assert rc == 2 and "already exists" in err and (tmp_path / "exists.db").read_text() == "mine"
    _damage(data / DB_NAME, "garbage")
    rc, _, err = _run(capsys, "data", "salvage", "--out", str(tmp_path / "none.db"))
    assert rc == 2 and err.count("\n") == 1 and "nothing could be read" in err
    assert not (tmp_path / "none.db").exists()


# -- what holds ------------------------------------------------------------------------------------
WRITER = ("import sys, time; from pathlib import Path; from fitcoach.io.store import Store\n"
          "folder, name, go = Path(sys.argv[1]), sys.argv[2], Path(sys.argv[3])\n"
          "while not go.exists(): time.sleep(0.005)\n"
          "s = Store(folder); pid = s.profile(name); sid, set_id = s.start_session(pid, 'squat')\n"
          "rep = {'index': 0, 'side': 'both', 't_start_s': 0.0, 't_end_s': 1.0, 'partial': False,"
          " 'rom_deg': {'min': 80, 'max': 170}, 'tempo_s': {'down': 1, 'bottom': 0, 'up': 1, 'top': None},"
          " 'score': None, 'faults': []}\n"
          "for f in [s.add_rep(set_id, dict(rep, index=i)) for i in range(150)]: f.result()\n"
          "s.end_session(sid, set_id); s.close()\n")


def test_concurrent_writers_on_a_new_history_lose_nothing(tmp_path):
    """Several processes opening a database that does not exist yet (the first migration runs
    once) and writing at the same time, each holding the shared lock."""
    data = tmp_path / "data"
    go = tmp_path / "go"
    procs = [subprocess.Popen([sys.executable, "-c", WRITER, str(data), f"p{i}", str(go)],
                              stderr=subprocess.PIPE, text=True) for i in range(4)]
    time.sleep(0.5)
    go.touch()
    for p in procs:
        assert p.wait(timeout=120) == 0, p.stderr.read()
    assert _counts(data / DB_NAME) == {"profiles": 4, "sessions": 4, "reps": 600}


def test_erasing_a_profile_names_the_copies_restore_kept(tmp_path, data, capsys):
    _history(data, "Kim Patient")
    backup = _backup(data, tmp_path / "b.db")
    rc, _, _ = _run(capsys, "data", "restore", "--file", str(backup))
    assert rc == 0
    kept = next(p for p in data.iterdir() if p.name.startswith("fitcoach-before-restore-"))
    rc, out, _ = _run(capsys, "data", "delete", "--profile", "Kim Patient")
    assert rc == 0 and "may still hold it" in out and str(kept) in out
    assert b"Kim Patient" not in (data / DB_NAME).read_bytes()
