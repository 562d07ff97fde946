"""Fixtures: a fake clock, started Cloud and Data Center stand-ins, a hook receiver."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from sandbox_jira_helpers import FakeClock, HookReceiver, hook_receiver

from goldthread.sandbox.jira import JiraStandIn


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def cloud(clock: FakeClock) -> Iterator[JiraStandIn]:
    site = JiraStandIn(mode="cloud", clock=clock)
    site.start()
    yield site
    site.stop()


@pytest.fixture
def dc(clock: FakeClock) -> Iterator[JiraStandIn]:
    site = JiraStandIn(mode="dc", clock=clock, seed=7)
    site.start()
    yield site
    site.stop()


@pytest.fixture
def receiver() -> Iterator[HookReceiver]:
    with hook_receiver() as hook:
        yield hook
