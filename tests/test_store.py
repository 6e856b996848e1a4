"""Local history: crash safety under SIGKILL, migrations, privacy (permissions, real erasure)."""

import os
import signal
import sqlite3
import stat
import subprocess
import sys
import time

import pytest

from fitcoach.io.store import SCHEMA_VERSION, Store, StoreError, migrate




def test_sigkill_mid_session_loses_no_completed_rep(tmp_path, demo_npz):
    data = tmp_path / "data"
    env = dict(os.environ, FITCOACH_DATA_DIR=str(data))
    proc = subprocess.Popen([sys.executable, "-m", "fitcoach", "analyze", str(demo_npz), "-e", "squat", "--save",
                             "--profile", "crash", "--realtime", "--no-progress", "--no-scorer"],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env)
    saved = []
    deadline = time.time() + 60
    while len(saved) < 3 and time.time() < deadline:
        line = proc.stdout.readline()
        if line.startswith("saved rep"):
            saved.append(int(line.split()[-1]))
    proc.send_signal(signal.SIGKILL)
    proc.wait(timeout=10)
    assert len(saved) == 3, "the session did not get far enough"
    con = sqlite3.connect(str(data / "fitcoach.db"))
    assert con.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    idx = [r[0] for r in con.execute("SELECT idx FROM reps ORDER BY idx")]
    assert set(saved) <= set(idx)
    # the session never ended: it is there, open
    assert con.execute("SELECT COUNT(*) FROM sessions WHERE ended_utc IS NULL").fetchone()[0] == 1


def test_private_permissions_and_real_erasure(tmp_path):
    s = Store(tmp_path / "d")
    pid = s.profile("Kim Patient")
    sid, set_id = s.start_session(pid, "squat")
    rep = {"index": 1, "side": "both", "t_start_s": 0.0, "t_end_s": 2.0, "partial": False, "rom_deg": {"min": 80, "max": 170},
           "tempo_s": {"down": 1, "bottom": 0.2, "up": 0.8, "top": None}, "score": 90.0,
           "faults": [{"id": "forward_lean", "message": "SECRET-NOTE"}]}
    s.add_rep(set_id, rep).result()
    s.end_session(sid, set_id, [{"t_s": 1.0, "text": "1", "priority": "count", "reason": "r"}])
    assert stat.S_IMODE(os.stat(s.folder).st_mode) == 0o700
    assert stat.S_IMODE(os.stat(s.path).st_mode) == 0o600
    assert len(s.reps("Kim Patient")) == 1
    s.delete_profile("Kim Patient")
    with pytest.raises(StoreError, match="no profile"):
        s.reps("Kim Patient")
    s.close()
    raw = b"".join(p.read_bytes() for p in s.folder.iterdir() if p.is_file())
    assert b"SECRET-NOTE" not in raw and b"Kim Patient" not in raw


def test_migrations_upgrade_and_refuse_newer(tmp_path):
    db = tmp_path / "d" / "fitcoach.db"
    db.parent.mkdir()
    con = sqlite3.connect(str(db))
    assert migrate(con, 1) == 0  # the first schema
    con.execute("INSERT INTO profiles (name, kind, created_utc) VALUES ('old', 'home', 0)")
    con.commit()
    con.close()
    s = Store(db.parent)  # opens and upgrades to the latest
    assert s._read.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION
    assert s.profile_id("old") > 0
    old = s.export_profile("old")["profile"]
    assert old["level"] == "beginner" and old["goals"] == "[]"  # columns added by migration 1 -> 2
    s.close()
    con = sqlite3.connect(str(db))
    con.execute(f"PRAGMA user_version = {SCHEMA_VERSION + 5}")
    con.commit()
    con.close()
    with pytest.raises(StoreError, match="newer than this FitCoach"):
        Store(db.parent)


def test_self_report_bounds(tmp_path):
    s = Store(tmp_path / "d")
    sid, _ = s.start_session(s.profile("a"), "squat")
    s.add_self_report(sid, pain=3, rpe=7)
    with pytest.raises(StoreError, match="pain must be 0-10"):
        s.add_self_report(sid, pain=11, rpe=None)
    s.close()
