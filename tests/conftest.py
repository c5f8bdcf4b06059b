"""Shared fixtures: a fresh database in the test's own temporary folder."""

from __future__ import annotations

from pathlib import Path

import pytest

from nianbao.db.schema import connect


@pytest.fixture
def db_path(tmp_path: Path) -> Path:
    return tmp_path / "test.db"


@pytest.fixture
def db(db_path: Path):
    database = connect(db_path)
    yield database
    database.close()
