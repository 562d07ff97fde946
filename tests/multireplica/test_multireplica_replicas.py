"""Replicas of the service side by side on one PostgreSQL store, in one test
process: one poller per source under a lease, a survivor taking over, a
stalled replica fenced off, one comment per item when two replicas write the
same item, and write pacing shared per credential."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import timedelta

import pytest
from service_helpers import MEMORY_SOURCES, START, metric, up, work_item

from goldthread.clock import FakeClock
from goldthread.config import ResolvedSecrets, Settings
from goldthread.connectors.base import ScopeRead
from goldthread.connectors.memory import MemoryConnector
from goldthread.core.model import LinkKind
from goldthread.service.coordinating import shared_pacers
from goldthread.service.running import Service, ServiceOptions
from goldthread.store import InboxStatus, open_store
from goldthread.sync.applying import Applier
from goldthread.sync.cycle import writeback_policy
from goldthread.sync.evaluating import evaluate
from goldthread.sync.planning import plan_writes

TTL = 30.0


class StallingTracker(MemoryConnector):
    """A tracker whose next read first runs ``on_read`` (a replica stalls there)."""

    on_read: Callable[[], None] | None = None

    def read(self, scope: str, cursor: str | None) -> ScopeRead:
        stall, self.on_read = self.on_read, None
        if stall is not None:
            stall()
        return super().read(scope, cursor)


def _trackers(clock: FakeClock) -> dict[str, MemoryConnector]:
    jira = [
        work_item("jira", "PLAT-1", labels=("vision",)),
        work_item("jira", "PLAT-2", up(LinkKind.JIRA_PARENT, "jira:PLAT-1"), type="Epic"),
    ]
    github = [
        work_item("gh", "acme/web#1", up(LinkKind.BODY_REFERENCE, "jira:PLAT-2")),
        work_item("gh", "acme/web#3"),
    ]
    return {
        "jira": MemoryConnector("jira", jira, clock=clock.now),
        "gh": StallingTracker("gh", github, clock=clock.now),
    }


class Pair:
    """Two replicas, ``a`` and ``b``, on one store and one pair of trackers."""

    def __init__(self, url: str) -> None:
        self.clock = FakeClock(START)
        self.trackers = _trackers(self.clock)
        self.settings = Settings(
            sources=MEMORY_SOURCES,
            store={"url": url},
            writeback={"confirm_large": False, "writes_per_minute": 60},
            daemon={
                "poll_interval": "5m",
                "full_resync_interval": "1h",
                "lease_ttl": f"{TTL:.0f}s",
            },
        )
        self.a = self._replica("replica-a")
        self.b = self._replica("replica-b")

    def _replica(self, holder: str) -> Service:
        return Service(
            self.settings,
            ResolvedSecrets(),
            open_store(self.settings.store.url),
            dict(self.trackers),
            self.clock,
            ServiceOptions(confirmed=True, holder=holder),
        )

    def comments(self, key: str) -> int:
        return len(self.trackers["gh"].comments(key))

    def close(self) -> None:
        self.a.store.close()
        self.b.store.close()


@pytest.fixture
def pair(shared_url: str) -> Iterator[Pair]:
    replicas = Pair(shared_url)
    try:
        yield replicas
    finally:
        replicas.close()


def _polls(service: Service, outcome: str, source: str = "gh") -> float:
    text = service.metrics.render().decode()
    return metric(text, "goldthread_polls_total", source=source, kind="sync", outcome=outcome)


def _holds(service: Service, source: str) -> bool:
    text = service.metrics.render().decode()
    return metric(text, "goldthread_lease_held", lease=f"poll:{source}") == 1


def test_only_the_replica_holding_a_sources_lease_polls_it(pair: Pair) -> None:
    assert pair.a.poller.poll_due() == 2
    assert pair.b.poller.poll_due() == 0

    assert _holds(pair.a, "gh")
    assert not _holds(pair.b, "gh")
    assert pair.comments("acme/web#3") == 1


def test_a_replica_that_keeps_renewing_keeps_polling_its_sources(pair: Pair) -> None:
    pair.a.poller.poll_due()
    for _ in range(4):
        pair.clock.advance(TTL * 0.6)
        pair.a.renew_leases_and_claims()
        assert pair.b.poller.poll_due() == 0


def test_a_survivor_polls_within_one_lease_period_after_the_holder_stopped_renewing(
    pair: Pair,
) -> None:
    pair.a.poller.poll_due()
    pair.b.poller.poll_due()

    pair.clock.advance(TTL * 0.9)
    assert pair.b.poller.poll_due() == 0
    pair.clock.advance(TTL * 0.2)
    assert pair.b.poller.poll_due() == 2

    assert _holds(pair.b, "gh")
    assert _polls(pair.b, "ok") == 1


def test_a_replica_stopping_hands_its_leases_over_at_once(pair: Pair) -> None:
    pair.a.poller.poll_due()
    pair.b.poller.poll_due()

    assert pair.a.stop_threads(1)
    pair.clock.advance(1.5)

    assert pair.b.poller.poll_due() == 2


def test_a_replica_that_lost_its_lease_mid_poll_writes_nothing_and_keeps_the_cursors(
    pair: Pair,
) -> None:
    pair.trackers["gh"].put(work_item("gh", "acme/web#7"))

    def stall() -> None:  # a pauses past its lease; b takes the source over
        pair.clock.advance(TTL + 1)
        assert pair.b.leases is not None
        assert pair.b.leases.take("poll:gh") is not None

    tracker = pair.trackers["gh"]
    assert isinstance(tracker, StallingTracker)
    tracker.on_read = stall
    pair.a.poller.poll_due()

    assert _polls(pair.a, "lost") == 1
    assert pair.comments("acme/web#7") == 0
    assert pair.a.store.cursors("gh") == {}
    assert pair.b.poller.poll_due() >= 1
    assert pair.comments("acme/web#7") == 1
    assert pair.a.store.cursors("gh") != {}


def test_two_replicas_that_planned_the_same_new_orphan_leave_one_comment_on_it(
    pair: Pair,
) -> None:
    store = pair.a.store
    items = {i.ref: i for c in pair.trackers.values() for i in c.get(_keys(c))}
    store.upsert_items(items.values())
    verdicts = evaluate(store, pair.settings.trace_policy(), pair.clock.now()).verdicts
    plan = plan_writes(items, verdicts, {}, writeback_policy(pair.settings))

    for replica in (pair.a, pair.b):  # both planned before either wrote
        applier = Applier(replica.writers, replica.store, items, now=pair.clock.now, max_writes=100)
        assert not applier.apply(plan).errors

    assert pair.comments("acme/web#3") == 1
    assert [w.action for w in pair.trackers["gh"].writes].count("create_comment") == 1


def test_a_replica_keeps_an_items_lock_past_the_lease_period_while_its_keeper_renews_it(
    pair: Pair,
) -> None:
    assert pair.a.locks is not None
    ttl = timedelta(seconds=TTL)
    with pair.a.locks.hold("gh:acme/web#3") as still_held:
        for _ in range(4):  # a slow write: more than twice the lease period
            pair.clock.advance(TTL * 0.6)
            pair.a.renew_leases_and_claims()
        taken = pair.b.store.acquire_lease("item:gh:acme/web#3", "replica-b", ttl, pair.clock.now())
        assert taken is None
        still_held()  # and a may still write there


def _keys(connector: MemoryConnector) -> list[str]:
    return [item.key for scope in connector.scopes() for item in connector.read(scope, None)]


def test_writes_under_one_credential_are_paced_across_replicas(pair: Pair) -> None:
    secrets = ResolvedSecrets()
    first = shared_pacers(pair.settings, secrets, pair.a.store, pair.clock)
    second = shared_pacers(pair.settings, secrets, pair.b.store, pair.clock)

    waits = [first["gh"].wait(), second["gh"].wait(), first["gh"].wait()]

    assert waits == [0.0, 1.0, 1.0]
    assert second["jira"].wait() == 0.0  # another credential, another line


def test_a_replica_starting_leaves_the_deliveries_another_replica_works_on_alone(
    pair: Pair,
) -> None:
    store = pair.a.store
    store.enqueue(
        source="gh",
        delivery_key="d-1",
        event="issues.edited",
        item_hint="gh:acme/web#3",
        payload="{}",
        received_at=pair.clock.now(),
    )
    assert [e.delivery_key for e in store.claim(pair.clock.now(), 10)] == ["d-1"]

    pair.b.start_threads()
    assert pair.b.stop_threads(5)

    assert [e.delivery_key for e in store.inbox(InboxStatus.PROCESSING)] == ["d-1"]


def test_a_dead_replicas_deliveries_are_claimed_again_after_one_lease_period(
    pair: Pair,
) -> None:
    store = pair.a.store
    store.enqueue(
        source="gh",
        delivery_key="d-1",
        event="issues.edited",
        item_hint="gh:acme/web#3",
        payload="{}",
        received_at=pair.clock.now(),
    )
    stale = timedelta(seconds=TTL)
    assert len(store.claim(pair.clock.now(), 10, stale_after=stale)) == 1

    pair.clock.advance(TTL * 0.9)
    assert pair.b.store.claim(pair.clock.now(), 10, stale_after=stale) == []
    pair.clock.advance(TTL * 0.2)
    assert [e.attempts for e in pair.b.store.claim(pair.clock.now(), 10, stale_after=stale)] == [2]
