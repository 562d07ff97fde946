"""The worker: webhook deliveries in the inbox become fresh reads, verdicts and
write-backs; failures are retried with back-off and then parked."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

from service_helpers import (
    comments_created,
    enqueue,
    labelled,
    memory_service,
    metric,
    work_item,
)

from goldthread.clock import FakeClock
from goldthread.errors import RetriableError
from goldthread.service.worker import Backoff, recover
from goldthread.store import InboxStatus


def _polled(tmp_path: Path, clock: FakeClock, backoff: Backoff | None = None):  # type: ignore[no-untyped-def]
    service, trackers = memory_service(tmp_path, clock, backoff)
    assert service.poller.poll_due() == 2
    return service, trackers


def test_an_event_about_a_new_orphan_flags_it_with_the_label_and_one_comment(
    tmp_path: Path,
) -> None:
    clock = FakeClock()
    service, trackers = _polled(tmp_path, clock)
    trackers["gh"].put(work_item("gh", "acme/web#9"))
    enqueue(service.store, "gh", "acme/web#9", "d-9", clock.now())

    assert service.worker.drain_once() == 1

    assert "gh:acme/web#9" in labelled(trackers)
    assert comments_created(trackers).count("gh:acme/web#9") == 1
    assert [e.status for e in service.store.inbox()] == [InboxStatus.DONE]


def test_the_payload_is_only_a_hint_the_item_is_read_again_from_the_tracker(
    tmp_path: Path,
) -> None:
    clock = FakeClock()
    service, trackers = _polled(tmp_path, clock)
    enqueue(service.store, "gh", "acme/web#3", "d-3", clock.now())  # says nothing new
    trackers["gh"].put(work_item("gh", "acme/web#3", labels=("no-trace",)))  # but it changed

    service.worker.drain_once()

    assert "gh:acme/web#3" not in labelled(trackers)


def test_taking_the_vision_label_off_a_root_flags_everything_beneath_it_across_trackers(
    tmp_path: Path,
) -> None:
    clock = FakeClock()
    service, trackers = _polled(tmp_path, clock)
    assert labelled(trackers) == {"jira:PLAT-4", "gh:acme/web#3"}
    trackers["jira"].put(work_item("jira", "PLAT-1"))
    enqueue(service.store, "jira", "PLAT-1", "j-1", clock.now())

    service.worker.drain_once()

    assert labelled(trackers) == {
        "jira:PLAT-1",
        "jira:PLAT-2",
        "jira:PLAT-4",
        "gh:acme/web#1",
        "gh:acme/web#2",
        "gh:acme/web#3",
    }


def test_an_item_deleted_on_the_tracker_is_forgotten_and_its_children_flagged(
    tmp_path: Path,
) -> None:
    clock = FakeClock()
    service, trackers = _polled(tmp_path, clock)
    trackers["gh"].remove("acme/web#1")
    enqueue(service.store, "gh", "acme/web#1", "gone", clock.now())

    service.worker.drain_once()

    assert service.store.item("gh:acme/web#1") is None
    verdict = service.store.verdicts().get("gh:acme/web#2")
    assert verdict is not None
    assert (verdict.kind.value, verdict.reason.value) == ("broken", "parent-missing")
    assert "gh:acme/web#2" in labelled(trackers)


def test_two_deliveries_about_one_item_leave_exactly_one_comment(tmp_path: Path) -> None:
    clock = FakeClock()
    service, trackers = _polled(tmp_path, clock)
    trackers["gh"].put(work_item("gh", "acme/web#9"))
    enqueue(service.store, "gh", "acme/web#9", "first", clock.now())
    enqueue(service.store, "gh", "acme/web#9", "second", clock.now())

    while service.worker.drain_once():
        pass

    assert comments_created(trackers).count("gh:acme/web#9") == 1
    assert service.store.inbox_depth() == 0


def test_a_failing_event_is_retried_with_back_off_and_then_parked_as_dead(
    tmp_path: Path,
) -> None:
    clock = FakeClock()
    service, trackers = _polled(tmp_path, clock, Backoff(base=10, cap=100, max_attempts=3))
    trackers["gh"].fail_on("get", RetriableError("tracker down", source="gh"), times=5)
    enqueue(service.store, "gh", "acme/web#3", "poison", clock.now())

    service.worker.drain_once()
    [entry] = service.store.inbox()
    assert entry.status is InboxStatus.FAILED
    assert entry.next_attempt_at is not None
    assert (entry.next_attempt_at - clock.now()).total_seconds() == 10
    assert service.worker.drain_once() == 0  # not due yet
    clock.advance(10)
    service.worker.drain_once()
    retry_at = service.store.inbox()[0].next_attempt_at
    assert retry_at is not None
    assert (retry_at - clock.now()).total_seconds() == 20
    clock.advance(20)
    service.worker.drain_once()

    [parked] = service.store.inbox()
    assert parked.status is InboxStatus.DEAD
    assert parked.attempts == 3
    assert "tracker down" in (parked.last_error or "")
    text = service.metrics.render().decode()
    assert metric(text, "goldthread_events_processed_total", outcome="dead") == 1
    assert metric(text, "goldthread_inbox_entries", status="dead") == 1


def test_a_tracker_retry_after_is_honoured_when_longer_than_the_back_off(tmp_path: Path) -> None:
    clock = FakeClock()
    service, trackers = _polled(tmp_path, clock, Backoff(base=1, max_attempts=5))
    trackers["gh"].fail_on("get", RetriableError("slow down", source="gh", retry_after=90))
    enqueue(service.store, "gh", "acme/web#3", "limited", clock.now())

    service.worker.drain_once()

    [entry] = service.store.inbox()
    assert entry.next_attempt_at is not None
    assert (entry.next_attempt_at - clock.now()).total_seconds() == 90


def test_one_poison_event_in_a_batch_does_not_hold_back_the_others(tmp_path: Path) -> None:
    clock = FakeClock()
    service, trackers = _polled(tmp_path, clock)
    trackers["gh"].put(work_item("gh", "acme/web#9"))
    enqueue(service.store, "jira", "PLAT-4", "poison", clock.now())
    enqueue(service.store, "gh", "acme/web#9", "fine", clock.now())
    # the batch's Jira read fails, and so does the poison entry's own read
    trackers["jira"].fail_on("get", RetriableError("boom", source="jira"), times=2)

    assert service.worker.drain_once() == 2

    status = {e.delivery_key: e.status for e in service.store.inbox()}
    assert status == {"poison": InboxStatus.FAILED, "fine": InboxStatus.DONE}
    assert "gh:acme/web#9" in labelled(trackers)


def test_entries_a_killed_process_left_half_done_are_worked_after_a_restart(
    tmp_path: Path,
) -> None:
    clock = FakeClock()
    service, trackers = _polled(tmp_path, clock)
    trackers["gh"].put(work_item("gh", "acme/web#9"))
    enqueue(service.store, "gh", "acme/web#9", "in-hand", clock.now())
    assert len(service.store.claim(clock.now(), 10)) == 1  # then the process died

    assert recover(service.store, clock.now()) == 1
    service.worker.drain_once()

    assert "gh:acme/web#9" in labelled(trackers)
    assert service.store.inbox_depth() == 0


def test_a_burst_of_deliveries_about_one_item_is_answered_by_one_read(tmp_path: Path) -> None:
    clock = FakeClock()
    service, trackers = _polled(tmp_path, clock)
    trackers["gh"].put(work_item("gh", "acme/web#9"))
    for index in range(5):
        enqueue(service.store, "gh", "acme/web#9", f"burst-{index}", clock.now())
    requests_before = trackers["gh"].stats.requests
    writes_before = len(trackers["gh"].writes)

    assert service.worker.drain_once() == 1

    assert service.store.inbox_depth() == 0
    assert {e.status for e in service.store.inbox()} == {InboxStatus.DONE}
    assert "gh:acme/web#9" in labelled(trackers)
    writes = len(trackers["gh"].writes) - writes_before
    assert trackers["gh"].stats.requests - requests_before == 1 + writes  # one read, then writes
    text = service.metrics.render().decode()
    assert metric(text, "goldthread_events_processed_total", outcome="coalesced") == 4


def test_a_delivery_that_arrives_after_the_read_began_is_not_coalesced(tmp_path: Path) -> None:
    clock = FakeClock()
    service, _ = _polled(tmp_path, clock)
    enqueue(service.store, "gh", "acme/web#3", "early", clock.now())
    clock.advance(5)
    enqueue(service.store, "gh", "acme/web#3", "late", clock.now())
    clock.advance(-10)  # the round begins before the late one arrived

    service.worker.drain_once()

    status = {e.delivery_key: e.status for e in service.store.inbox()}
    assert status == {"early": InboxStatus.DONE, "late": InboxStatus.PENDING}


def test_finished_deliveries_are_pruned_after_the_retention_at_most_once_an_hour(
    tmp_path: Path,
) -> None:
    clock = FakeClock()
    service, trackers = _polled(tmp_path, clock)
    trackers["gh"].put(work_item("gh", "acme/web#9"))
    enqueue(service.store, "gh", "acme/web#9", "old", clock.now())
    service.worker.drain_once()
    clock.advance(8 * 24 * 3600)  # past the default retention of seven days
    enqueue(service.store, "gh", "acme/web#8", "new", clock.now())

    assert service.worker.prune_when_due() == 1
    assert [e.delivery_key for e in service.store.inbox()] == ["new"]
    late = clock.now() - timedelta(days=8)  # arrived long ago, worked on only now
    enqueue(service.store, "gh", "acme/web#7", "late", late)
    service.worker.drain_once()
    assert service.worker.prune_when_due() == 0  # the last pruning was just now
    clock.advance(3600)
    assert service.worker.prune_when_due() == 1
    assert [e.delivery_key for e in service.store.inbox()] == ["new"]


def test_a_round_of_work_renders_the_dashboard_again_and_only_then(tmp_path: Path) -> None:
    clock = FakeClock()
    service, trackers = _polled(tmp_path, clock)
    assert service.dashboard.refresh()
    assert not service.dashboard.refresh()  # nothing evaluated since
    trackers["gh"].put(work_item("gh", "acme/web#9", title="Brand-new orphan"))
    enqueue(service.store, "gh", "acme/web#9", "d-9", clock.now())

    service.worker.drain_once()

    assert service.dashboard.refresh()
    page = service.dashboard.page
    assert page is not None
    assert b"Brand-new orphan" in page.html
