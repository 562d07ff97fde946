"""Fixtures of the GitHub connector tests."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
import responses
from gh_contract_support import START, make_connector
from support_keys import app_private_key

from goldthread.clock import FakeClock
from goldthread.connectors.github import GitHubConnector


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock(START)


@pytest.fixture
def api() -> Iterator[responses.RequestsMock]:
    with responses.RequestsMock(assert_all_requests_are_fired=False) as mock:
        yield mock


@pytest.fixture
def gh(clock: FakeClock) -> Iterator[GitHubConnector]:
    connector = make_connector(clock)
    yield connector
    connector.close()


@pytest.fixture(scope="session")
def app_key() -> str:
    """A GitHub App private key (PEM), made once per test session."""
    return app_private_key()
