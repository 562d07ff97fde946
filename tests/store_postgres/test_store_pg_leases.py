"""Replicas share leases: one holder at a time; another takes over within one
lease period when the holder stops renewing."""

from __future__ import annotations

import threading
from datetime import UTC, datetime, timedelta

from goldthread.store import Store

T0 = datetime(2026, 3, 1, 9, 30, tzinfo=UTC)
TTL = timedelta(seconds=30)


def _race(stores: list[Store], name: str, now: datetime) -> dict[str, int | None]:
    """Every replica asks for the lease at the same moment."""
    results: dict[str, int | None] = {}
    start = threading.Barrier(len(stores))

    def ask(holder: str, store: Store) -> None:
        start.wait()
        results[holder] = store.acquire_lease(name, holder, TTL, now)

    threads = [
        threading.Thread(target=ask, args=(f"replica-{n}", store)) for n, store in enumerate(stores)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    return results


def test_of_replicas_asking_together_exactly_one_gets_the_lease(
    replicas: tuple[Store, Store],
) -> None:
    stores = [*replicas, *replicas, *replicas, *replicas]
    results = _race(stores, "poll:gh", T0)
    assert sorted(token for token in results.values() if token is not None) == [1]


def test_when_the_holder_dies_another_replica_takes_over_with_a_higher_token(
    replicas: tuple[Store, Store],
) -> None:
    first, second = replicas
    assert first.acquire_lease("poll:gh", "replica-a", TTL, T0) == 1
    first.close()
    assert second.acquire_lease("poll:gh", "replica-b", TTL, T0 + TTL / 2) is None
    results = _race([second, second, second], "poll:gh", T0 + TTL)
    assert sorted(token for token in results.values() if token is not None) == [2]


def test_a_holder_that_stalled_past_its_expiry_cannot_renew_after_a_takeover(
    replicas: tuple[Store, Store],
) -> None:
    first, second = replicas
    assert first.acquire_lease("resync:jira", "replica-a", TTL, T0) == 1
    assert second.acquire_lease("resync:jira", "replica-b", TTL, T0 + 2 * TTL) == 2
    assert not first.renew_lease("resync:jira", "replica-a", 1, TTL, T0 + 2 * TTL)
    assert second.renew_lease("resync:jira", "replica-b", 2, TTL, T0 + 2 * TTL)
