"""SIGTERM while ``goldthread run`` is polling: the poll stops before its next
page, the process exits 0 without waiting for the whole poll, and the next
start reads the project again and flags what the stopped poll never reached,
once."""

from __future__ import annotations

import math
import signal
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest
from service_helpers import LABEL, T0, ServiceProcess, wait_for

from goldthread.sandbox.control import Sandbox
from goldthread.sandbox.faults import FaultPlan
from goldthread.sandbox.seeds import GitHubIssueSeed, JiraIssueSeed, Organisation
from goldthread.store import open_store

STORIES = 250
ORPHANS = range(STORIES - 4, STORIES + 1)  # the last five, on the last page
PAGE = 100  # issues per Jira search page
PAGES = math.ceil(STORIES / PAGE)
LATENCY = 0.5  # seconds per search page


def long_project() -> Organisation:
    """One Jira project of several search pages: a vision, an epic beneath it,
    stories beneath that, and five untraced stories changed last; a GitHub
    vision beside it."""
    stories = [
        JiraIssueSeed(
            key=f"PLAT-{n}",
            type={1: "Initiative", 2: "Epic"}.get(n, "Story"),
            summary=f"Story {n}",
            description="",
            labels=["vision"] if n == 1 else [],
            created_at=T0,
            updated_at=T0 + timedelta(minutes=n),
            parent_key=None if n == 1 or n in ORPHANS else f"PLAT-{min(n - 1, 2)}",
        )
        for n in range(1, STORIES + 1)
    ]
    vision = GitHubIssueSeed(
        repo="acme/web",
        number=1,
        title="Be the best shop",
        body="",
        labels=["vision"],
        created_at=T0,
        updated_at=T0,
    )
    return Organisation(
        github=[vision],
        jira=stories,
        jira_links=[],
        expected={},
        repos=["acme/web"],
        projects=["PLAT"],
    )


@pytest.fixture
def sandbox() -> Iterator[Sandbox]:
    with Sandbox() as running:
        running.load(long_project())
        yield running


def searches(sandbox: Sandbox) -> int:
    return len(sandbox.jira.requests("GET", "search")) + len(
        sandbox.jira.requests("POST", "search")
    )


def commented(sandbox: Sandbox) -> set[int]:
    return {n for n in range(1, STORIES + 1) if sandbox.jira.comments(f"PLAT-{n}")}


def flagged(sandbox: Sandbox) -> set[int]:
    return {n for n in range(1, STORIES + 1) if LABEL in sandbox.jira.labels(f"PLAT-{n}")}


@pytest.mark.slow
def test_sigterm_stops_a_poll_between_pages_and_the_next_start_reads_on(
    sandbox: Sandbox, tmp_path: Path
) -> None:
    sandbox.set_faults(jira=FaultPlan(latency=LATENCY, path_contains="search"))
    service = ServiceProcess(sandbox, tmp_path)
    try:
        service.start()
        wait_for(lambda: searches(sandbox) >= 1, 20, "the first search page")
        answered = searches(sandbox)

        assert service.signal(signal.SIGTERM) == 0

        made = searches(sandbox)
        assert made <= answered + 1  # at most the page already asked for
        assert made < PAGES
        assert '"poll.stopped"' in service.log()
        assert flagged(sandbox) == set()  # nothing judged on part of a project
        with open_store(f"sqlite:///{tmp_path / 'goldthread.db'}") as store:
            assert store.cursors("jira") == {}

        sandbox.set_faults()
        service.start()
        wait_for(lambda: flagged(sandbox) == set(ORPHANS), 30, "the untraced stories flagged")
        wait_for(lambda: commented(sandbox) == set(ORPHANS), 30, "their comments")
        assert service.signal(signal.SIGTERM) == 0
    finally:
        service.stop()
        service.client.close()
    assert [len(sandbox.jira.comments(f"PLAT-{n}")) for n in ORPHANS] == [1] * len(ORPHANS)
    assert flagged(sandbox) == set(ORPHANS)
