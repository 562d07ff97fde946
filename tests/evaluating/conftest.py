"""Fixtures of the evaluation tests: an empty store and the organisation's trackers."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from evaluating_builders import organisation

from goldthread.connectors.memory import MemoryConnector
from goldthread.store import Store, open_store


@pytest.fixture
def store() -> Iterator[Store]:
    with open_store("sqlite:///:memory:") as opened:
        yield opened


@pytest.fixture
def connectors() -> list[MemoryConnector]:
    jira, github = organisation()
    return [MemoryConnector("jira", jira), MemoryConnector("gh", github)]
