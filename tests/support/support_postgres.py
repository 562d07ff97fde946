"""Scratch PostgreSQL databases for the tests that need a server.

The server is ``$GOLDTHREAD_TEST_POSTGRES`` (default: the local one, trust
auth, user postgres); when it cannot be reached the tests fail with the reason.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager

import pytest

from goldthread.store import open_store
from goldthread.store.postgres import scratch

PG_SERVER = os.environ.get(
    "GOLDTHREAD_TEST_POSTGRES", "postgresql://postgres@127.0.0.1:5432/postgres"
)


@contextmanager
def scratch_database(prefix: str, *, migrated: bool = True) -> Iterator[str]:
    """A database of its own (migrated to the current schema unless told not
    to), dropped whole afterwards."""
    url = scratch.create_database(PG_SERVER, prefix=prefix)
    try:
        if migrated:
            open_store(url).close()
        yield url
    finally:
        scratch.drop_database(url)


def mark_postgres(items: list[pytest.Item], folder: str) -> None:
    """Mark every test collected from ``folder`` as needing PostgreSQL."""
    for item in items:
        if folder in str(item.path):
            item.add_marker(pytest.mark.postgres)
