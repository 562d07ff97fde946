"""Fixtures of the store tests: every ``store`` test runs against SQLite (in
memory) and PostgreSQL (a scratch database made once per session and emptied
before each test).

The server is ``$GOLDTHREAD_TEST_POSTGRES`` (default: the local one, trust
auth, user postgres). When it cannot be reached the PostgreSQL runs fail with
the reason; deselect them with ``-m "not postgres"``.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from support_postgres import scratch_database

from goldthread.store import Store, open_store
from goldthread.store.postgres import scratch

BACKENDS = ["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)]


@pytest.fixture(scope="session")
def pg_url() -> Iterator[str]:
    """A migrated scratch database for this session (this xdist worker)."""
    with scratch_database("goldthread_test_store") as url:
        yield url


@pytest.fixture(params=BACKENDS)
def backend(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@pytest.fixture
def store_url(backend: str, request: pytest.FixtureRequest) -> str:
    """An empty store: SQLite in memory, or the session's emptied PostgreSQL database."""
    if backend == "sqlite":
        return "sqlite:///:memory:"
    url = str(request.getfixturevalue("pg_url"))
    scratch.empty_store(url)
    return url


@pytest.fixture
def store(store_url: str) -> Iterator[Store]:
    with open_store(store_url) as opened:
        yield opened


@pytest.fixture
def db_path(tmp_path: Path) -> Path:
    return tmp_path / "goldthread.db"


@pytest.fixture
def file_store(db_path: Path) -> Iterator[Store]:
    with open_store(f"sqlite:///{db_path}") as opened:
        yield opened


@pytest.fixture
def durable_store(backend: str, db_path: Path, request: pytest.FixtureRequest) -> Iterator[Store]:
    """A store that outlives its connections: a SQLite file, or PostgreSQL."""
    url = (
        f"sqlite:///{db_path}" if backend == "sqlite" else str(request.getfixturevalue("store_url"))
    )
    with open_store(url) as opened:
        yield opened
