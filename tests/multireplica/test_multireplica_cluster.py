"""Three ``goldthread run`` processes on one PostgreSQL store behind a
round-robin balancer, under a stream of webhooks from real sandbox changes,
with replicas killed (SIGKILL) and restarted at random: every accepted
delivery ends done, every flagged item carries the label and exactly one
comment, and when the replica polling a source dies a survivor polls it
within one lease period."""

from __future__ import annotations

import random
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from multireplica_helpers import Balancer, Cluster
from service_helpers import LABEL, T0, small_org, wait_for

from goldthread.sandbox.control import Sandbox
from goldthread.sandbox.seeds import GitHubIssueSeed, JiraIssueSeed
from goldthread.store import InboxStatus, open_store

SEED = 20261128
CHANGES = 40
KILLS = 3
LEASE_TTL = 3.0
POLL_SLACK = 1.5
"""Seconds beyond the lease period for the survivor's first poll to finish and be seen."""


@dataclass
class Expected:
    """What the changes made: flagged items stay flagged, linked ones are traced."""

    github: dict[int, bool] = field(default_factory=dict)
    jira: dict[str, bool] = field(default_factory=dict)


@pytest.fixture
def sandbox() -> Iterator[Sandbox]:
    with Sandbox() as running:
        running.load(small_org())
        yield running


@pytest.fixture
def cluster(sandbox: Sandbox, tmp_path: Path, shared_url: str) -> Iterator[Cluster]:
    replicas = Cluster(sandbox, tmp_path, shared_url, lease_ttl=f"{LEASE_TTL:.0f}s")
    try:
        yield replicas.start()
    finally:
        replicas.stop()
        sandbox.set_webhooks()


def _change(sandbox: Sandbox, rng: random.Random, step: int, expected: Expected) -> None:
    """One change on a tracker, which the sandbox sends as a signed webhook."""
    choice = rng.random()
    if choice < 0.35 or not expected.github:
        number = 10 + step
        sandbox.github.create_issue(
            GitHubIssueSeed(
                repo="acme/web",
                number=number,
                title=f"Untraced work {number}",
                body="",
                labels=[],
                created_at=T0,
                updated_at=T0,
            )
        )
        expected.github[number] = True
    elif choice < 0.55 or not expected.jira:
        key = sandbox.jira.create_issue(
            JiraIssueSeed(
                key=f"PLAT-{10 + step}",
                type="Story",
                summary=f"Untraced story {step}",
                description="",
                labels=[],
                created_at=T0,
                updated_at=T0,
            )
        )
        expected.jira[key] = True
    elif choice < 0.7:
        number = rng.choice(sorted(expected.github))
        sandbox.github.set_body("acme/web", number, "Part of #2")
        expected.github[number] = False
    elif choice < 0.85:
        key = rng.choice(sorted(expected.jira))
        sandbox.jira.set_parent(key, "PLAT-2")
        expected.jira[key] = False
    else:
        sandbox.github.set_labels("acme/web", 3, [f"note-{step}"])


def _problems(sandbox: Sandbox, expected: Expected) -> list[str]:
    """Items not (yet) as they should be: the label on exactly when flagged;
    one comment on a flagged item, at most one (updated to say it is traced)
    on an item linked before or after goldthread flagged it."""
    found: list[tuple[str, bool, int, bool]] = [
        (
            f"acme/web#{number}",
            LABEL in sandbox.github.labels("acme/web", number),
            len(sandbox.github.comments("acme/web", number)),
            flagged,
        )
        for number, flagged in expected.github.items()
    ]
    found += [
        (key, LABEL in sandbox.jira.labels(key), len(sandbox.jira.comments(key)), flagged)
        for key, flagged in expected.jira.items()
    ]
    return [
        f"{ref}: label {labelled}, {comments} comments (flagged: {flagged})"
        for ref, labelled, comments, flagged in found
        if labelled != flagged or (comments != 1 and (flagged or comments > 1))
    ]


def _settled(url: str) -> bool:
    with open_store(url) as store:
        return store.inbox_depth() == 0


def test_replicas_killed_at_random_leave_every_delivery_done_and_one_comment_per_item(
    cluster: Cluster, sandbox: Sandbox, shared_url: str
) -> None:
    rng = random.Random(SEED)
    kills_at = set(rng.sample(range(5, CHANGES - 5), KILLS))
    expected = Expected()
    with Balancer(cluster.bases) as balancer:
        cluster.hook(balancer)
        for step in range(CHANGES):
            _change(sandbox, rng, step, expected)
            if step in kills_at:
                sandbox.flush_webhooks()
                cluster.restart(rng.randrange(len(cluster.replicas)))
        assert all(sandbox.flush_webhooks(10).values())
        converge = 40 + time.monotonic()
        while _problems(sandbox, expected) and time.monotonic() < converge:
            time.sleep(0.1)
        wait_for(lambda: _settled(shared_url), 20, "every delivery to be worked")

    with open_store(shared_url) as store:
        counts = store.inbox_counts()
    assert len(cluster.retired) == KILLS
    assert balancer.accepted() >= CHANGES - KILLS
    assert counts[InboxStatus.DONE] >= balancer.accepted()
    assert {status: n for status, n in counts.items() if n and status != InboxStatus.DONE} == {}
    assert _problems(sandbox, expected) == []
    assert any(expected.github.values())
    assert any(expected.jira.values())


def test_a_survivor_polls_within_one_lease_period_after_the_polling_replica_dies(
    cluster: Cluster,
) -> None:
    wait_for(lambda: cluster.holder_of("poll:gh") is not None, 10, "a replica to poll gh")
    holder = cluster.holder_of("poll:gh")
    assert holder is not None
    survivors = [slot for slot in range(len(cluster.replicas)) if slot != holder]
    before = {slot: cluster.polls(slot, "gh") for slot in survivors}

    cluster.kill(holder)
    killed_at = time.monotonic()

    def polled() -> list[int]:
        return [slot for slot in survivors if cluster.polls(slot, "gh") > before[slot]]

    takers = wait_for(polled, LEASE_TTL * 3, "a survivor to poll gh")
    elapsed = time.monotonic() - killed_at
    assert elapsed <= LEASE_TTL + POLL_SLACK, f"took {elapsed:.1f}s"
    assert len(takers) == 1
    assert cluster.holder_of("poll:gh") == takers[0]
