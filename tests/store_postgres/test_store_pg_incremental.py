"""Judging only what changed on PostgreSQL gives exactly what judging everything gives."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from hypothesis import HealthCheck, settings
from support_incremental import IncrementalMatchesWhole
from support_postgres import scratch_database


class PostgresIncrementalMatchesWhole(IncrementalMatchesWhole):
    """The machine on a PostgreSQL store."""


PostgresIncrementalMatchesWhole.TestCase.settings = settings(
    max_examples=12,
    stateful_step_count=20,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
)


@pytest.fixture(scope="module", autouse=True)
def _database() -> Iterator[None]:
    with scratch_database("goldthread_test_incremental") as url:
        PostgresIncrementalMatchesWhole.url = url
        yield


TestPostgresIncrementalMatchesWhole = PostgresIncrementalMatchesWhole.TestCase
