"""Fixtures of the PostgreSQL-only store tests (every test here is marked
``postgres``): a migrated scratch database per session, emptied before each
test, and fresh unmigrated ones for migration tests.

The server is ``$GOLDTHREAD_TEST_POSTGRES`` (default: the local one, trust
auth, user postgres); when it cannot be reached these tests fail with the reason.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from support_postgres import mark_postgres, scratch_database

from goldthread.store import Store, open_store
from goldthread.store.postgres import scratch


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    mark_postgres(items, "store_postgres")


@pytest.fixture(scope="session")
def pg_session_url() -> Iterator[str]:
    with scratch_database("goldthread_test_pg") as url:
        yield url


@pytest.fixture
def pg_url(pg_session_url: str) -> str:
    """A migrated, empty store database."""
    scratch.empty_store(pg_session_url)
    return pg_session_url


@pytest.fixture
def fresh_pg_url() -> Iterator[str]:
    """A database with nothing in it, not even a schema."""
    with scratch_database("goldthread_test_fresh", migrated=False) as url:
        yield url


@pytest.fixture
def replicas(pg_url: str) -> Iterator[tuple[Store, Store]]:
    """Two stores on one database, as two replicas of the service hold it."""
    with open_store(pg_url) as first, open_store(pg_url) as second:
        yield first, second
