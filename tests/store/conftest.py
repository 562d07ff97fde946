"""Fixtures of the store tests: a fresh store in memory or in a file."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from goldthread.store import Store, open_store


@pytest.fixture
def store() -> Iterator[Store]:
    with open_store("sqlite:///:memory:") as opened:
        yield opened


@pytest.fixture
def db_path(tmp_path: Path) -> Path:
    return tmp_path / "goldthread.db"


@pytest.fixture
def file_store(db_path: Path) -> Iterator[Store]:
    with open_store(f"sqlite:///{db_path}") as opened:
        yield opened
