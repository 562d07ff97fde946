"""Each period's digest is sent once: across a restart, across two replicas
sharing PostgreSQL, and a failing target is retried with back-off."""

from __future__ import annotations

import threading
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from digests_helpers import settings
from pydantic import SecretStr
from support_postgres import scratch_database
from support_receivers import HttpReceiver, http_receiver

from goldthread.clock import FakeClock
from goldthread.config import ResolvedSecrets, Settings
from goldthread.core.model import Layer, Reason, Verdict, VerdictKind, WorkItem
from goldthread.digests.delivering import work_queue
from goldthread.digests.periods import prepare_due
from goldthread.service.digesting import DigestLoop
from goldthread.service.leasing import Leases
from goldthread.store import DeliveryStatus, Store, open_store

MONDAY_EARLY = datetime(2026, 3, 9, 7, 0, tzinfo=UTC)  # 08:00 in Berlin, before the digest
MONDAY_LATE = datetime(2026, 3, 9, 9, 0, tzinfo=UTC)  # 10:00 in Berlin, after it


def seed(store: Store, now: datetime) -> None:
    """Team web: one orphan, one traced item."""
    items = [
        WorkItem(
            ref=f"gh:acme/web#{n}",
            source="gh",
            key=f"acme/web#{n}",
            url=f"https://github.com/acme/web/issues/{n}",
            title=f"Item {n}",
            body="",
            type=None,
            labels=(),
            state="open",
            created_at=now,
            updated_at=now,
        )
        for n in (1, 2)
    ]
    store.upsert_items(items)
    store.save_verdicts(
        [
            Verdict("gh:acme/web#1", Layer.EXECUTION, VerdictKind.ORPHAN, Reason.NO_PARENT, ("gh:acme/web#1",)),
            Verdict("gh:acme/web#2", Layer.EXECUTION, VerdictKind.TRACED, Reason.LINKED, ("gh:acme/web#2",)),
        ],
        now,
    )  # fmt: skip


def config(url: str, store: str) -> Settings:
    return settings(slack=url, store=store, timezone="Europe/Berlin", at="09:00")


def secrets(receiver: HttpReceiver) -> ResolvedSecrets:
    return ResolvedSecrets(notify={"chat": SecretStr(receiver.url)})


def test_the_first_period_is_a_baseline_and_a_failing_target_is_retried_with_back_off() -> None:
    clock = FakeClock(MONDAY_LATE - timedelta(days=3))
    with http_receiver(statuses=[503, 200]) as slack, open_store("sqlite:///:memory:") as store:
        seed(store, clock.now())
        conf = config(slack.url, "sqlite:///:memory:")
        baseline = prepare_due(conf, store, clock.now())
        assert baseline is not None
        assert baseline.baseline
        assert baseline.messages == 0
        clock.advance((MONDAY_LATE - clock.now()).total_seconds())
        prepared = prepare_due(conf, store, clock.now())
        assert prepared is not None
        assert prepared.messages == 1
        assert prepare_due(conf, store, clock.now()) is None  # once per period
        first = work_queue(conf, store, secrets(slack).notify, clock)
        assert [d.target for d in first.retried] == ["chat"]
        [waiting] = store.deliveries()
        assert waiting.status is DeliveryStatus.FAILED
        assert waiting.next_attempt_at == clock.now() + timedelta(minutes=1)
        assert work_queue(conf, store, secrets(slack).notify, clock).sent == []  # not due yet
        clock.advance(61)
        second = work_queue(conf, store, secrets(slack).notify, clock)
        assert [d.target for d in second.sent] == ["chat"]
        [done] = store.deliveries()
        assert (done.status, done.attempts) == (DeliveryStatus.SENT, 2)
    assert len(slack.bodies) == 1
    assert "gh:acme/web#1" in str(slack.bodies[0])


def test_a_restart_in_the_middle_of_a_period_sends_nothing_twice(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'goldthread.db'}"
    clock = FakeClock(MONDAY_EARLY)
    with http_receiver() as slack:
        conf = config(slack.url, url)
        with open_store(url) as store:
            seed(store, clock.now() - timedelta(days=1))
            loop = DigestLoop(conf, store, secrets(slack), clock, None)
            loop.step()  # the baseline of last week's period
            clock.advance(3 * 3600)
            loop.step()  # this week's digest
        assert len(slack.bodies) == 1
        with open_store(url) as store:  # the service starts again, later the same day
            clock.advance(3600)
            DigestLoop(conf, store, secrets(slack), clock, None).step()
            assert [d.status for d in store.deliveries()] == [DeliveryStatus.SENT]
    assert len(slack.bodies) == 1


@pytest.mark.postgres
def test_two_replicas_on_one_postgresql_store_send_each_period_once() -> None:
    clock = FakeClock(MONDAY_EARLY)
    with scratch_database("digests") as url, http_receiver() as slack:
        conf = config(slack.url, url)
        stores = [open_store(url), open_store(url)]
        try:
            seed(stores[0], clock.now() - timedelta(days=1))
            loops = [
                DigestLoop(conf, store, secrets(slack), clock, Leases(store, name, timedelta(seconds=30), clock))
                for store, name in zip(stores, ("replica-a", "replica-b"), strict=True)
            ]  # fmt: skip
            for moment in (0.0, 3 * 3600.0):  # the baseline, then this week's period
                clock.advance(moment)
                start = threading.Barrier(2)

                def rounds(loop: DigestLoop, start: threading.Barrier = start) -> None:
                    start.wait()
                    for _ in range(5):
                        loop.step()

                threads = [threading.Thread(target=rounds, args=(loop,)) for loop in loops]
                for thread in threads:
                    thread.start()
                for thread in threads:
                    thread.join(30)
            assert len(slack.bodies) == 1
            assert [d.status for d in stores[1].deliveries()] == [DeliveryStatus.SENT]
        finally:
            for store in stores:
                store.close()
