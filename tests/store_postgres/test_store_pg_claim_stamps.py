"""Claims of a replica that works on: re-stamped while it works, taken over
by another replica only once they went stale (the replica died)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from goldthread.store import InboxStatus, Store

T0 = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)
STALE = timedelta(seconds=30)


def _enqueue(store: Store, key: str) -> None:
    store.enqueue(
        source="gh",
        delivery_key=key,
        event="issues.edited",
        item_hint=f"gh:acme/web#{key}",
        payload="{}",
        received_at=T0,
    )


def test_a_claim_re_stamped_by_its_replica_is_not_taken_by_another(
    replicas: tuple[Store, Store],
) -> None:
    first, second = replicas
    _enqueue(first, "1")
    claimed = first.claim(T0, 10, stale_after=STALE)

    assert first.extend_claims([e.id for e in claimed], T0 + timedelta(seconds=20)) == 1
    assert second.claim(T0 + timedelta(seconds=45), 10, stale_after=STALE) == []
    assert len(second.claim(T0 + timedelta(seconds=51), 10, stale_after=STALE)) == 1


def test_extending_a_finished_claim_changes_nothing(replicas: tuple[Store, Store]) -> None:
    first, second = replicas
    _enqueue(first, "1")
    (entry,) = first.claim(T0, 10, stale_after=STALE)
    first.complete(entry.id)

    assert first.extend_claims([entry.id], T0 + timedelta(seconds=5)) == 0
    assert second.claim(T0 + timedelta(hours=1), 10, stale_after=STALE) == []
    assert [e.status for e in second.inbox()] == [InboxStatus.DONE]
