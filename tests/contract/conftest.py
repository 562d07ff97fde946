"""Fixtures of the contract tests: a GitHub App key made once per session."""

from __future__ import annotations

import pytest
from support_keys import app_private_key


@pytest.fixture(scope="session")
def app_key() -> str:
    return app_private_key()
