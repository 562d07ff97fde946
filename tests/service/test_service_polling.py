"""The poller: incremental syncs and full reconciliations on a jittered
schedule, yielding to webhook work when the rate budget runs low."""

from __future__ import annotations

import random
from pathlib import Path

import pytest
from service_helpers import (
    comments_created,
    enqueue,
    labelled,
    memory_service,
    metric,
    wait_for,
    work_item,
)

from goldthread.clock import FakeClock
from goldthread.core.model import RateBudget
from goldthread.errors import FatalSourceError
from goldthread.service.polling import Schedule, should_yield
from goldthread.service.running import Service

POLL, FULL = 300.0, 3600.0


def _schedule(now: float = 0.0) -> Schedule:
    return Schedule(["gh", "jira"], now, POLL, FULL, random.Random(7))


def test_every_source_syncs_as_soon_as_the_service_starts() -> None:
    assert _schedule().due(0.0) == [("gh", "sync"), ("jira", "sync")]


def test_the_next_sync_comes_one_jittered_poll_interval_later() -> None:
    schedule = _schedule()
    schedule.done("gh", "sync", 0.0)

    assert ("gh", "sync") not in schedule.due(POLL * 0.89)
    assert ("gh", "sync") in schedule.due(POLL * 1.11)


def test_a_source_with_comments_left_to_write_syncs_again_when_their_slot_comes() -> None:
    schedule = _schedule()
    schedule.done("gh", "sync", 0.0)
    schedule.hasten("gh", 8.5, 0.0)  # the poll deferred comments: the next slot in 8.5 s

    assert ("gh", "sync") not in schedule.due(8.0)
    assert ("gh", "sync") in schedule.due(8.5)


def test_a_full_reconciliation_comes_every_full_resync_interval_instead_of_a_sync() -> None:
    schedule = _schedule()
    for source in ("gh", "jira"):
        schedule.done(source, "sync", 0.0)

    assert all(kind == "sync" for _, kind in schedule.due(FULL * 0.85))
    assert schedule.due(FULL * 1.11) == [("gh", "full"), ("jira", "full")]
    schedule.done("gh", "full", FULL * 1.11)
    assert schedule.due(FULL * 1.12) == [("jira", "full")]


def test_jitter_spreads_the_sources_apart() -> None:
    schedule = _schedule()
    for source in ("gh", "jira"):
        schedule.done(source, "sync", 0.0)
    waits = {schedule.wait(0.0)}
    schedule.done("gh", "sync", 0.0)
    waits.add(schedule.wait(0.0))
    assert all(POLL * 0.9 <= wait <= POLL * 1.1 for wait in waits)


@pytest.mark.parametrize(
    ("remaining", "depth", "yields"),
    [(100, 5, True), (100, 0, False), (4000, 5, False), (None, 5, False)],
)
def test_a_poll_yields_only_when_the_budget_is_low_and_webhook_work_waits(
    remaining: int | None, depth: int, yields: bool
) -> None:
    budget = RateBudget(remaining=remaining, limit=5000, reset_at=None)
    assert should_yield(budget, depth) is yields
    assert should_yield(None, depth) is False


def test_a_poll_flags_orphans_and_records_its_duration(tmp_path: Path) -> None:
    clock = FakeClock()
    service, trackers = memory_service(tmp_path, clock)

    assert service.poller.poll_due() == 2

    assert labelled(trackers) == {"jira:PLAT-4", "gh:acme/web#3"}
    text = service.metrics.render().decode()
    assert metric(text, "goldthread_polls_total", source="gh", kind="sync", outcome="ok") == 1
    assert metric(text, "goldthread_poll_duration_seconds_count", source="jira", kind="sync") == 1
    assert metric(text, "goldthread_items", layer="execution", verdict="orphan") == 2
    assert service.poller.poll_due() == 0  # nothing due until the interval passed


def test_a_poll_with_a_low_budget_waits_while_webhook_work_is_queued(tmp_path: Path) -> None:
    clock = FakeClock()
    service, trackers = memory_service(tmp_path, clock)
    low = RateBudget(remaining=10, limit=5000, reset_at=None)
    trackers["gh"].budget = lambda: low  # type: ignore[method-assign]
    enqueue(service.store, "gh", "acme/web#3", "waiting", clock.now())

    assert service.poller.poll_due() == 1  # only Jira polled

    text = service.metrics.render().decode()
    assert metric(text, "goldthread_polls_total", source="gh", kind="sync", outcome="yielded") == 1


def test_a_source_failing_its_last_three_polls_makes_the_service_not_ready(
    tmp_path: Path,
) -> None:
    clock = FakeClock()
    service, trackers = memory_service(tmp_path, clock)
    trackers["jira"].fail_on("scopes", FatalSourceError("401", source="jira"), times=3)

    for _ in range(3):
        assert service.health.check().ready
        service.poller.poll_due()
        clock.advance(POLL * 1.2)

    readiness = service.health.check()
    assert not readiness.ready
    assert readiness.problems == ("source jira: its last 3 polls failed",)
    service.poller.poll_due()
    assert service.health.check().ready


def test_a_webhook_and_a_poll_racing_on_the_same_items_leave_one_comment_each(
    tmp_path: Path,
) -> None:
    clock = FakeClock()
    service, trackers = memory_service(tmp_path, clock)
    for number in range(10, 30):
        trackers["gh"].put(work_item("gh", f"acme/web#{number}"))
        enqueue(service.store, "gh", f"acme/web#{number}", f"d-{number}", clock.now())
    service.start_threads()
    try:
        wait_for(lambda: service.store.inbox_depth() == 0, 20, "the inbox to drain")
        wait_for(lambda: _polled_both(service), 20, "the first poll of each source")
    finally:
        assert service.stop_threads(10)
    created = comments_created(trackers)
    assert sorted(created) == sorted(set(created))
    assert {f"gh:acme/web#{n}" for n in range(10, 30)} <= set(created)


def _polled_both(service: Service) -> bool:
    text = service.metrics.render().decode()
    return all(
        metric(text, "goldthread_polls_total", source=name, kind="sync", outcome="ok") >= 1
        for name in ("gh", "jira")
    )


def test_an_idle_service_stops_its_threads_promptly(tmp_path: Path) -> None:
    service, _ = memory_service(tmp_path, FakeClock())
    service.start_threads()
    assert service.stop_threads(5)


def test_a_poll_told_to_stop_ends_as_stopped_without_writing_or_counting_as_failed(
    tmp_path: Path,
) -> None:
    clock = FakeClock()
    service, trackers = memory_service(tmp_path, clock)
    listing = trackers["gh"].scopes

    def sigterm_while_listing() -> list[str]:
        service.stop.set()  # what SIGTERM does
        return listing()

    trackers["gh"].scopes = sigterm_while_listing  # type: ignore[method-assign]

    service.poller.poll_due()

    text = service.metrics.render().decode()
    assert metric(text, "goldthread_polls_total", source="gh", kind="sync", outcome="stopped") == 1
    assert not any(ref.startswith("gh:") for ref in labelled(trackers))
    assert service.store.cursors("gh") == {}
    assert service.health.failures() == {"gh": 0, "jira": 0}
