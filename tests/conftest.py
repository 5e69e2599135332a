"""Shared fixtures: a fresh database per test, and paths to the real files in ../shared/fixtures."""

from __future__ import annotations

from pathlib import Path

import pytest

from tracker.db import Database

SHARED_FIXTURES = Path(__file__).resolve().parents[2] / "shared" / "fixtures"


@pytest.fixture(autouse=True)
def _isolated_environment(monkeypatch, tmp_path):
    """Keep the developer's own database and language out of tests."""
    monkeypatch.setenv("TRACKER_DB", str(tmp_path / "env-default.duckdb"))
    monkeypatch.delenv("TRACKER_LANG", raising=False)
    monkeypatch.delenv("TRACKER_USER", raising=False)


@pytest.fixture
def db(tmp_path):
    database = Database.open(tmp_path / "tracker.duckdb")
    yield database
    database.close()


@pytest.fixture
def shared_fixtures() -> Path:
    if not SHARED_FIXTURES.exists():
        pytest.skip("../shared/fixtures is not present")
    return SHARED_FIXTURES
