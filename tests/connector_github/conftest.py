"""Fixtures of the GitHub connector tests."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
import responses
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from gh_contract_support import START, make_connector

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
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    pem = key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )
    return pem.decode()
