"""Fixtures of the multi-replica tests (every test here is marked ``postgres``):
a fresh PostgreSQL database per test, created and dropped whole, which
several replicas of the service share.

The server is ``$GOLDTHREAD_TEST_POSTGRES`` (default: the local one, trust
auth, user postgres); when it cannot be reached these tests fail with the
reason. The service tests' helpers (the sandbox organisation, ``goldthread
run`` as a subprocess, the in-memory trackers) are reused from ``tests/service``.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "service"))

from goldthread.store import open_store
from goldthread.store.postgres import scratch

PG_SERVER = os.environ.get(
    "GOLDTHREAD_TEST_POSTGRES", "postgresql://postgres@127.0.0.1:5432/postgres"
)


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        if "multireplica" in str(item.path):
            item.add_marker(pytest.mark.postgres)


@pytest.fixture
def shared_url() -> Iterator[str]:
    """A migrated, empty store database of its own."""
    url = scratch.create_database(PG_SERVER, prefix="goldthread_test_multi")
    try:
        open_store(url).close()
        yield url
    finally:
        scratch.drop_database(url)
