"""Two replicas writing to one Jira site through the real connector, on one
PostgreSQL store: whatever each replica read or wrote before, and however
long one of them stalls, an issue ends with one goldthread comment."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import pytest

from goldthread.clock import FakeClock
from goldthread.connectors.base import Connector
from goldthread.connectors.jira import JiraConnector, JiraOptions
from goldthread.core.model import Block, CommentDoc, Span, WorkItem
from goldthread.sandbox.jira import JiraStandIn
from goldthread.sandbox.seeds import JiraIssueSeed
from goldthread.service.coordinating import ItemLocks, guard_all
from goldthread.store import open_store
from goldthread.store.base import Store
from goldthread.sync.applying import Applier
from goldthread.sync.planning import Action, ActionKind

EMAIL = "goldthread-bot@acme.example"
TOKEN = "sandbox-secret"
T0 = datetime(2026, 3, 1, 10, 0, tzinfo=UTC)
TTL = timedelta(seconds=30)
LABEL = "goldthread:untraced"
DOC = CommentDoc(blocks=(Block(spans=(Span("No parent."),)),), fingerprint="fp-1")
PLAN = [
    Action(ActionKind.ADD_LABEL, "jira:PLAT-1", "jira", label=LABEL),
    Action(ActionKind.CREATE_COMMENT, "jira:PLAT-1", "jira", doc=DOC, must_exist=True),
]


class Stall:
    """A pause that strikes the replica's next write once, when armed."""

    def __init__(self) -> None:
        self.armed: Callable[[], None] | None = None

    def __call__(self) -> None:
        pause, self.armed = self.armed, None
        if pause is not None:
            pause()


@dataclass
class Replica:
    """One replica's Jira connector, guarded as the service guards it, and its store."""

    connector: Connector
    store: Store
    stall: Stall

    def read(self) -> dict[str, WorkItem]:
        return {item.ref: item for item in self.connector.get(["PLAT-1"])}

    def apply(
        self, items: dict[str, WorkItem], clock: FakeClock, plan: list[Action] = PLAN
    ) -> list[str]:
        applier = Applier({"jira": self.connector}, self.store, items, now=clock.now, max_writes=10)
        return applier.apply(plan).errors


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock(T0 + timedelta(days=1))


@pytest.fixture(params=["cloud", "dc"])
def site(request: pytest.FixtureRequest, clock: FakeClock) -> Iterator[JiraStandIn]:
    stand_in = JiraStandIn(mode=str(request.param), email=EMAIL, token=TOKEN, clock=clock.now)
    stand_in.start()
    stand_in.load(
        [
            JiraIssueSeed(
                key="PLAT-1",
                type="Story",
                summary="Untraced story",
                description="",
                labels=[],
                created_at=T0,
                updated_at=T0,
            )
        ]
    )
    yield stand_in
    stand_in.stop()


@pytest.fixture
def replicas(site: JiraStandIn, shared_url: str, clock: FakeClock) -> Iterator[list[Replica]]:
    made: list[Replica] = []
    for holder in ("replica-a", "replica-b"):
        store = open_store(shared_url)
        options = JiraOptions(
            name="jira",
            url=site.base_url,
            auth="basic" if site.cloud else "bearer",
            email=EMAIL if site.cloud else None,
            token=TOKEN,
            projects=("PLAT",),
            reference_patterns=(re.compile(r"(?im)^\s*part of\s+(?P<ref>\S+)"),),
        )
        connector = JiraConnector(options, clock)
        locks = ItemLocks(store, holder, TTL, clock)
        stall = Stall()
        guarded = guard_all({"jira": connector}, locks, {}, {"jira": stall})["jira"]
        made.append(Replica(guarded, store, stall))
    yield made
    for replica in made:
        replica.store.close()


def test_a_replica_that_read_an_issue_before_another_commented_there_adds_no_second_comment(
    site: JiraStandIn, replicas: list[Replica], clock: FakeClock
) -> None:
    first, second = replicas
    seen_by_first, seen_by_second = first.read(), second.read()  # neither has written yet

    assert first.apply(seen_by_first, clock) == []
    assert second.apply(seen_by_second, clock) == []

    assert len(site.comments("PLAT-1")) == 1
    assert LABEL in site.labels("PLAT-1")


def test_a_replica_that_stalled_past_its_item_lock_before_commenting_leaves_the_comment_to_the_other(
    site: JiraStandIn, replicas: list[Replica], clock: FakeClock
) -> None:
    stalled, other = replicas
    seen_by_stalled, seen_by_other = stalled.read(), other.read()

    def pause() -> None:  # the lock runs out; the other replica comments meanwhile
        clock.advance(TTL.total_seconds() + 1)
        assert other.apply(seen_by_other, clock) == []

    stalled.stall.armed = pause
    stalled.apply(seen_by_stalled, clock, PLAN[1:])  # its label went on in an earlier round
    assert len(site.comments("PLAT-1")) == 1

    assert stalled.apply(seen_by_stalled, clock) == []  # its next round reuses that comment
    assert len(site.comments("PLAT-1")) == 1
