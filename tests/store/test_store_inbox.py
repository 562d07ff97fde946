"""The webhook inbox: durable, deduplicated, one item at a time, retried then parked."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

from store_builders import T0

from goldthread.store import InboxStatus, Store, open_store


def _enqueue(
    store: Store, key: str, hint: str | None = None, source: str = "gh", n: int = 0
) -> bool:
    return store.enqueue(
        source=source,
        delivery_key=key,
        event="issues",
        item_hint=hint,
        payload=b'{"action": "edited"}',
        received_at=T0 + timedelta(seconds=n),
    )


def test_a_delivery_is_stored_with_everything_it_came_with(store: Store) -> None:
    assert store.enqueue(
        source="jira",
        delivery_key="wh-1:1700000000",
        event="jira:issue_updated",
        item_hint="jira:PLAT-7",
        payload='{"issue": "ü"}',
        received_at=T0,
    )
    [entry] = store.inbox()
    assert (entry.source, entry.delivery_key, entry.event, entry.item_hint) == (
        "jira",
        "wh-1:1700000000",
        "jira:issue_updated",
        "jira:PLAT-7",
    )
    assert entry.payload == '{"issue": "ü"}'.encode()
    assert (entry.received_at, entry.status, entry.attempts) == (T0, InboxStatus.PENDING, 0)
    assert (entry.last_error, entry.next_attempt_at) == (None, None)


def test_a_redelivery_of_the_same_key_is_recognised_even_after_it_was_done(store: Store) -> None:
    assert _enqueue(store, "d-1")
    assert not _enqueue(store, "d-1")
    [entry] = store.claim(T0, 10)
    store.complete(entry.id)
    assert not _enqueue(store, "d-1")
    assert len(store.inbox()) == 1


def test_the_same_key_from_another_source_is_a_different_delivery(store: Store) -> None:
    assert _enqueue(store, "d-1", source="gh")
    assert _enqueue(store, "d-1", source="jira")


def test_claims_hand_out_the_oldest_entries_first_up_to_the_limit(store: Store) -> None:
    for n in range(5):
        _enqueue(store, f"d-{n}", hint=f"gh:a/b#{n}", n=n)
    first = store.claim(T0, 2)
    second = store.claim(T0, 10)
    assert [e.delivery_key for e in first] == ["d-0", "d-1"]
    assert [e.delivery_key for e in second] == ["d-2", "d-3", "d-4"]
    assert all(e.status is InboxStatus.PROCESSING and e.attempts == 1 for e in first + second)
    assert store.claim(T0, 10) == []


def test_two_events_of_one_item_are_never_processed_at_once(store: Store) -> None:
    _enqueue(store, "d-1", hint="gh:a/b#1")
    _enqueue(store, "d-2", hint="gh:a/b#1")
    _enqueue(store, "d-3", hint="gh:a/b#2")
    _enqueue(store, "d-4", hint=None)
    _enqueue(store, "d-5", hint=None)
    assert [e.delivery_key for e in store.claim(T0, 10)] == ["d-1", "d-3", "d-4", "d-5"]
    assert store.claim(T0, 10) == []
    store.complete(store.inbox(InboxStatus.PROCESSING)[0].id)
    assert [e.delivery_key for e in store.claim(T0, 10)] == ["d-2"]


def test_a_failed_entry_waits_for_its_retry_time_then_is_claimed_again(store: Store) -> None:
    _enqueue(store, "d-1", hint="gh:a/b#1")
    [entry] = store.claim(T0, 1)
    store.fail(entry.id, "tracker said 502", T0 + timedelta(minutes=1))
    [failed] = store.inbox(InboxStatus.FAILED)
    assert (failed.last_error, failed.next_attempt_at) == (
        "tracker said 502",
        T0 + timedelta(minutes=1),
    )
    assert store.claim(T0 + timedelta(seconds=59), 1) == []
    [again] = store.claim(T0 + timedelta(minutes=1), 1)
    assert (again.id, again.attempts) == (entry.id, 2)


def test_a_failure_without_retry_time_parks_the_entry_until_retried_by_hand(store: Store) -> None:
    _enqueue(store, "d-1")
    [entry] = store.claim(T0, 1)
    store.fail(entry.id, "payload names no issue", None)
    assert [e.status for e in store.inbox()] == [InboxStatus.DEAD]
    assert store.claim(T0 + timedelta(days=1), 1) == []
    assert store.retry(entry.id)
    [again] = store.claim(T0, 1)
    assert again.id == entry.id


def test_only_failed_or_parked_entries_can_be_retried(store: Store) -> None:
    _enqueue(store, "d-1")
    [entry] = store.inbox()
    assert not store.retry(entry.id)
    assert not store.retry(12345)


def test_dropping_an_entry_removes_it(store: Store) -> None:
    _enqueue(store, "d-1")
    [entry] = store.inbox()
    assert store.drop(entry.id)
    assert not store.drop(entry.id)
    assert store.inbox() == []


def test_depth_counts_work_still_to_do_and_counts_cover_every_status(store: Store) -> None:
    for n in range(5):
        _enqueue(store, f"d-{n}", n=n)
    a, b, c, d = store.claim(T0, 4)
    store.complete(a.id)
    store.fail(b.id, "later", T0 + timedelta(minutes=1))
    store.fail(c.id, "never", None)
    assert store.inbox_depth() == 3  # d processing, b failed, d-4 pending
    assert store.inbox_counts() == {
        InboxStatus.PENDING: 1,
        InboxStatus.PROCESSING: 1,
        InboxStatus.DONE: 1,
        InboxStatus.FAILED: 1,
        InboxStatus.DEAD: 1,
    }
    assert d.status is InboxStatus.PROCESSING


def test_entries_left_processing_by_a_dead_process_are_pending_again_on_restart(
    db_path: Path,
) -> None:
    url = f"sqlite:///{db_path}"
    with open_store(url) as first:
        _enqueue(first, "d-1", hint="gh:a/b#1")
        first.claim(T0, 1)
    with open_store(url) as second:
        [entry] = second.claim(T0, 1)
        assert (entry.delivery_key, entry.attempts) == ("d-1", 2)


def test_the_oldest_waiting_delivery_is_reported_and_done_ones_do_not_count(
    store: Store,
) -> None:
    assert store.oldest_waiting() is None
    _enqueue(store, "d-1", "gh:acme/web#1", n=0)
    _enqueue(store, "d-2", "gh:acme/web#2", n=5)
    assert store.oldest_waiting() == T0

    [first] = [entry for entry in store.inbox() if entry.delivery_key == "d-1"]
    store.claim(T0 + timedelta(seconds=10), 1)
    store.complete(first.id)
    assert store.oldest_waiting() == T0 + timedelta(seconds=5)


def _replay(store: Store, key: str, digest: str, n: int = 0, source: str = "gh") -> bool:
    return store.enqueue(
        source=source,
        delivery_key=key,
        event="issues",
        item_hint=None,
        payload=b'{"action": "edited"}',
        received_at=T0 + timedelta(seconds=n),
        body_sha256=digest,
    )


def test_the_same_body_under_a_new_delivery_key_is_a_replay_not_a_new_entry(store: Store) -> None:
    assert _replay(store, "d-1", "a" * 64)
    assert not _replay(store, "d-2", "a" * 64, n=1)
    assert not _replay(store, "d-3", "a" * 64, n=2)
    assert _replay(store, "d-4", "b" * 64, n=3)
    assert _replay(store, "d-5", "a" * 64, n=4, source="other")  # another route, another body
    assert [e.delivery_key for e in store.inbox()] == ["d-1", "d-4", "d-5"]


def test_a_replay_is_recognised_after_its_entry_was_done_while_the_entry_is_kept(
    store: Store,
) -> None:
    assert _replay(store, "d-1", "c" * 64)
    [entry] = store.claim(T0, 10)
    store.complete(entry.id)
    assert not _replay(store, "d-2", "c" * 64, n=60)


def test_pruning_deletes_only_done_entries_that_arrived_before_the_cut(store: Store) -> None:
    for n, key in enumerate(("old-done", "old-dead", "new-done", "old-pending")):
        assert _replay(store, key, f"{n:064d}", n=n * 10)
    by_key = {e.delivery_key: e for e in store.claim(T0 + timedelta(hours=1), 10)}
    store.complete(by_key["old-done"].id)
    store.fail(by_key["old-dead"].id, "boom", None)
    store.complete(by_key["new-done"].id)
    store.fail(by_key["old-pending"].id, "later", T0)

    pruned = store.prune_inbox(T0 + timedelta(seconds=15))

    assert pruned == 1
    assert sorted(e.delivery_key for e in store.inbox()) == ["new-done", "old-dead", "old-pending"]
    assert _replay(store, "again", f"{0:064d}", n=100)  # its body is news again after the prune
