"""Fixtures of the sync tests: a fresh store, a fake clock, both trackers in memory."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from sync_builders import START, trackers

from goldthread.clock import FakeClock
from goldthread.connectors.memory import MemoryConnector
from goldthread.store import Store, open_store


@pytest.fixture
def store() -> Iterator[Store]:
    with open_store("sqlite:///:memory:") as opened:
        yield opened


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock(START)


@pytest.fixture
def connectors(clock: FakeClock) -> dict[str, MemoryConnector]:
    return trackers(clock)
