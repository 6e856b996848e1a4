"""Fuzzing `fitcoach data restore` with damaged, foreign and mismatched backups.

Property, for every case: exit 0 or 2; on 2, exactly one line on stderr, no traceback, and the
history that was there is untouched; on 0, the restored history opens and passes SQLite's
integrity check. Nothing is written outside the data folder and the backup's own folder."""

from __future__ import annotations

import contextlib
import hashlib
import io
import sqlite3
from pathlib import Path

import pytest
from hypothesis import HealthCheck, event, example, given, settings
from hypothesis import strategies as st

from fitcoach.cli import main as cli


def _history(folder: Path) -> None:
    from fitcoach.io.store import Store

    s = Store(folder)
    pid = s.profile("fuzz")
    sid, set_id = s.start_session(pid, "squat")
    rep = {"index": 1, "side": "both", "t_start_s": 0.0, "t_end_s": 2.0, "partial": False,
           "rom_deg": {"min": 80, "max": 170}, "tempo_s": {"down": 1, "bottom": 0.2, "up": 0.8, "top": None},
           "score": 90.0, "faults": []}
    for i in range(20):
        s.add_rep(set_id, dict(rep, index=i + 1)).result()
    s.end_session(sid, set_id)
    s.close()


def _run(*argv: str) -> tuple[int, str]:
    err = io.StringIO()
    with contextlib.redirect_stderr(err), contextlib.redirect_stdout(io.StringIO()):
        rc = cli(list(argv))
    return rc, err.getvalue()


def _reps(db: Path) -> int:
    con = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
    try:
        return con.execute("SELECT count(*) FROM reps").fetchone()[0]
    finally:
        con.close()


@pytest.fixture(scope="module")
def good_backup(tmp_path_factory) -> bytes:
    root = tmp_path_factory.mktemp("src")
    _history(root / "data")
    import os

    old = os.environ.get("FITCOACH_DATA_DIR")
    os.environ["FITCOACH_DATA_DIR"] = str(root / "data")
    try:
        rc, err = _run("data", "backup", "--file", str(root / "b.db"))
    finally:
        if old is None:
            os.environ.pop("FITCOACH_DATA_DIR")
        else:
            os.environ["FITCOACH_DATA_DIR"] = old
    assert rc == 0, err
    return (root / "b.db").read_bytes()


mutations = st.one_of(
    st.tuples(st.just("truncate"), st.floats(0.0, 1.0)),
    st.tuples(st.just("flip"), st.lists(st.tuples(st.floats(0.0, 1.0), st.integers(1, 255)), min_size=1, max_size=8)),
    st.tuples(st.just("junk"), st.binary(max_size=5000)),
    st.tuples(st.just("none"), st.none()),
)
sidecars = st.sampled_from(["absent", "matching", "wrong", "empty", "binary", "text"])


def _mutate(data: bytes, m) -> bytes:
    kind, arg = m
    if kind == "truncate":
        return data[: int(len(data) * arg)]
    if kind == "flip":
        b = bytearray(data)
        for where, x in arg:
            b[min(len(b) - 1, int(len(b) * where))] ^= x
        return bytes(b)
    if kind == "junk":
        return arg
    return data


@settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(m=mutations, sidecar=sidecars)
@example(m=("flip", [(0.03125, 128)]), sidecar="absent")  # found: a bad UTF-8 byte in the schema raised UnicodeDecodeError
def test_restore_of_any_backup_exits_0_or_2_and_never_loses_the_history(tmp_path, good_backup, monkeypatch, m, sidecar):
    data_dir = tmp_path / "data"
    db = data_dir / "fitcoach.db"
    if not db.exists():
        _history(data_dir)
    monkeypatch.setenv("FITCOACH_DATA_DIR", str(data_dir))
    before = _reps(db)
    out = tmp_path / "in"
    out.mkdir(exist_ok=True)
    backup = out / "b.db"
    blob = _mutate(good_backup, m)
    backup.write_bytes(blob)
    side = out / "b.db.sha256"
    side.unlink(missing_ok=True)
    text = {"matching": f"{hashlib.sha256(blob).hexdigest()}  b.db\n", "wrong": f"{'0' * 64}  b.db\n",
            "empty": "", "binary": None, "text": "not a hash at all\n", "absent": None}[sidecar]
    if sidecar == "binary":
        side.write_bytes(bytes(range(256)))
    elif text is not None:
        side.write_text(text)
    listed = {p for p in tmp_path.rglob("*")}
    rc, err = _run("data", "restore", "--file", str(backup))
    lines = [ln for ln in err.splitlines() if ln.strip()]
    assert rc in (0, 2), err
    event(f"exit {rc}")  # --hypothesis-show-statistics: both outcomes are exercised
    assert "Traceback" not in err
    if rc == 2:
        assert len(lines) == 1 and lines[0].startswith("fitcoach: error:"), err
        assert _reps(db) == before  # the history is untouched
    else:
        con = sqlite3.connect(str(db))
        try:
            assert con.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        finally:
            con.close()
    new = {p for p in tmp_path.rglob("*")} - listed
    assert all(p.is_relative_to(data_dir) or p.is_relative_to(out) for p in new), new
