"""Shared fixtures. `tests/core` needs no camera, no display and no pose model."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
SHARED = Path(os.environ.get("FITCOACH_SHARED", REPO.parent / "shared"))


@pytest.fixture(scope="session")
def shared_dir() -> Path:
    if not (SHARED / "clips" / "manifest.csv").exists():
        pytest.skip(f"../shared not present at {SHARED} (clips and datasets are not part of the repo)")
    return SHARED


@pytest.fixture(scope="session")
def catalog():
    from fitcoach.core.exercises import ExerciseCatalog

    return ExerciseCatalog.load()


@pytest.fixture(scope="session")
def demo_npz(tmp_path_factory) -> Path:
    """The built-in demo take (8 squats, one shallow) as a landmark recording file."""
    from fitcoach.core import synth
    from fitcoach.io.recordings import save_recording

    p = tmp_path_factory.mktemp("rec") / "demo.npz"
    rec, _ = synth.generate(synth.demo_take())
    save_recording(p, rec)
    return p
