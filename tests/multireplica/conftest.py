"""Fixtures of the multi-replica tests (every test here is marked ``postgres``):
a fresh PostgreSQL database per test, created and dropped whole, which
several replicas of the service share.

The server is ``$GOLDTHREAD_TEST_POSTGRES`` (default: the local one, trust
auth, user postgres); when it cannot be reached these tests fail with the
reason. The service tests' helpers (the sandbox organisation, ``goldthread
run`` as a subprocess, the in-memory trackers) are reused from ``tests/service``.
"""

from __future__ import annotations

import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "service"))

from support_postgres import mark_postgres, scratch_database


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    mark_postgres(items, "multireplica")


@pytest.fixture
def shared_url() -> Iterator[str]:
    """A migrated, empty store database of its own."""
    with scratch_database("goldthread_test_multi") as url:
        yield url
