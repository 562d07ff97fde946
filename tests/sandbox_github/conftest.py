"""Fixtures: a fake clock, a started GitHub stand-in, a PyGithub client, a hook receiver."""

from __future__ import annotations

from collections.abc import Iterator

import github
import pytest
from sandbox_github_helpers import FakeClock, HookReceiver, client, hook_receiver

from goldthread.sandbox.github import GitHubStandIn


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def stand_in(clock: FakeClock) -> Iterator[GitHubStandIn]:
    gh = GitHubStandIn(now=clock)
    gh.start()
    yield gh
    gh.stop()


@pytest.fixture
def gh_client(stand_in: GitHubStandIn) -> Iterator[github.Github]:
    g = client(stand_in)
    yield g
    g.close()


@pytest.fixture
def receiver() -> Iterator[HookReceiver]:
    with hook_receiver() as hook:
        yield hook
