"""Several replicas claim from one inbox: no entry twice, no item twice at once."""

from __future__ import annotations

import threading
from datetime import UTC, datetime, timedelta

from goldthread.store import InboxEntry, InboxStatus, Store
from goldthread.store.postgres import CLAIM_TIMEOUT

T0 = datetime(2026, 3, 1, 9, 30, tzinfo=UTC)


def _enqueue(store: Store, key: str, hint: str | None) -> None:
    store.enqueue(
        source="gh",
        delivery_key=key,
        event="issues",
        item_hint=hint,
        payload=b"{}",
        received_at=T0,
    )


def test_replicas_claiming_together_never_get_the_same_entry_or_item_at_once(
    replicas: tuple[Store, Store],
) -> None:
    first, _ = replicas
    for n in range(240):
        _enqueue(first, f"d-{n}", None if n % 8 == 0 else f"gh:a/b#{n % 12}")
    in_flight: set[str] = set()
    claimed: list[int] = []
    problems: list[str] = []
    guard = threading.Lock()
    start = threading.Barrier(4)

    def worker(store: Store) -> None:
        """Claim the next batch while still holding the last one, so claims
        always overlap work in flight."""
        held: list[InboxEntry] = []
        start.wait()
        while store.inbox_depth():
            batch = store.claim(T0, 3)
            with guard:
                for entry in batch:
                    claimed.append(entry.id)
                    if entry.item_hint in in_flight:
                        problems.append(f"{entry.item_hint} claimed twice at once")
                    if entry.item_hint is not None:
                        in_flight.add(entry.item_hint)
            for entry in held:
                with guard:
                    in_flight.discard(entry.item_hint or "")
                store.complete(entry.id)
            held = batch

    threads = [threading.Thread(target=worker, args=(s,)) for s in (*replicas, *replicas)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert problems == []
    assert sorted(claimed) == sorted(set(claimed))
    assert len(claimed) == 240
    assert first.inbox_counts()[InboxStatus.DONE] == 240


def test_an_item_one_replica_is_processing_waits_on_every_other_replica(
    replicas: tuple[Store, Store],
) -> None:
    first, second = replicas
    _enqueue(first, "d-1", "gh:a/b#1")
    _enqueue(first, "d-2", "gh:a/b#1")
    _enqueue(first, "d-3", "gh:a/b#2")
    [taken] = first.claim(T0, 1)
    assert [e.delivery_key for e in second.claim(T0, 10)] == ["d-3"]
    first.complete(taken.id)
    assert [e.delivery_key for e in second.claim(T0, 10)] == ["d-2"]


def test_an_entry_left_processing_by_a_replica_that_died_is_claimed_again_after_the_timeout(
    replicas: tuple[Store, Store],
) -> None:
    dead, alive = replicas
    _enqueue(dead, "d-1", "gh:a/b#1")
    [lost] = dead.claim(T0, 1)
    dead.close()
    assert alive.claim(T0 + CLAIM_TIMEOUT - timedelta(seconds=1), 1) == []
    [again] = alive.claim(T0 + CLAIM_TIMEOUT, 1)
    assert (again.id, again.attempts) == (lost.id, 2)
