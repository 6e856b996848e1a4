"""Real clips from ../shared/clips against their hand counts (skips when ../shared is absent)."""

from __future__ import annotations

import csv
import json
import subprocess
import sys

import pytest

pytestmark = [pytest.mark.shared, pytest.mark.model, pytest.mark.slow]


def _rows(shared):
    with open(shared / "clips" / "manifest.csv", newline="", encoding="utf-8") as f:
        return list(csv.DictReader(f))


def pytest_generate_tests(metafunc):
    if "clip_row" in metafunc.fixturenames:
        from tests.conftest import SHARED

        path = SHARED / "clips" / "manifest.csv"
        rows = []
        if path.exists():
            with open(path, newline="", encoding="utf-8") as f:
                rows = list(csv.DictReader(f))
        metafunc.parametrize("clip_row", rows or [None], ids=[r["file"].split("/")[0] + ":" + r["file"].split("__")[-1] for r in rows] or ["no-shared"])


def test_clip_count_matches_hand_count(clip_row, shared_dir, tmp_path):
    if clip_row is None:
        pytest.skip("../shared/clips not present")
    clip = shared_dir / "clips" / clip_row["file"]
    out = tmp_path / "out.json"
    r = subprocess.run([sys.executable, "-m", "fitcoach", "analyze", str(clip), "-e", clip_row["exercise"],
                        "--json", str(out), "--no-progress"], capture_output=True, text=True, timeout=900)
    assert r.returncode == 0, r.stderr
    res = json.loads(out.read_text())
    if clip_row["reps"].startswith("n/a"):
        # a timed hold: most of the clip should count as held
        assert res["summary"]["hold_s"] >= 0.5 * float(clip_row["duration_s"]), res["summary"]
        return
    hand = int(clip_row["reps"])
    got = res["summary"]["reps"]
    # Exact where the hand count is sure; within one where the manifest marks it approximate
    # (e.g. a rep cut by the first or last frame).
    slack = 0 if clip_row["reps_confidence"] == "sure" else 1
    assert abs(got - hand) <= slack, f"{clip_row['file']}: counted {got}, hand count {hand} ({clip_row['reps_confidence']})"
