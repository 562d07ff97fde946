"""Fixtures: a small seeded organisation and a sandbox serving it on free ports."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from goldthread.sandbox.control import Sandbox
from goldthread.sandbox.org import generate
from goldthread.sandbox.seeds import Organisation


@pytest.fixture(scope="module")
def org() -> Organisation:
    return generate(200, seed=7)


@pytest.fixture
def sandbox() -> Iterator[Sandbox]:
    with Sandbox() as running:
        running.load(generate(200, seed=7))
        yield running
