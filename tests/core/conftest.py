"""Fixtures shared by the core tests."""

from __future__ import annotations

import pytest

from fitcoach.app.database import Database


@pytest.fixture
def db(monkeypatch, tmp_path):
    """The app's one history database (`fitcoach.app.database.Database`) in a fresh data folder."""
    monkeypatch.setenv("FITCOACH_DATA_DIR", str(tmp_path / "data"))
    d = Database()
    yield d
    d.close()
