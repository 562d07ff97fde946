"""Pacing lines: writes under one credential reserve slots one interval apart,
whichever process reserves them."""

from __future__ import annotations

from datetime import datetime, timedelta

from store_builders import T0

from goldthread.clock import FakeClock
from goldthread.connectors.pacing import ContentLimits, ContentPacer
from goldthread.store import Store

STEP = timedelta(seconds=2)


def test_an_idle_line_gives_the_slot_at_once(store: Store) -> None:
    assert store.reserve_slot("pace:gh", STEP, T0) == T0


def test_slots_reserved_together_queue_one_interval_apart(store: Store) -> None:
    slots = [store.reserve_slot("pace:gh", STEP, T0) for _ in range(3)]

    assert slots == [T0, T0 + STEP, T0 + 2 * STEP]


def test_a_line_that_went_quiet_starts_again_from_now(store: Store) -> None:
    store.reserve_slot("pace:gh", STEP, T0)
    later = T0 + timedelta(minutes=5)

    assert store.reserve_slot("pace:gh", STEP, later) == later


def test_each_credential_has_a_line_of_its_own(store: Store) -> None:
    store.reserve_slot("pace:gh", STEP, T0)

    assert store.reserve_slot("pace:jira", STEP, T0) == T0


def test_replicas_on_one_content_line_stay_inside_githubs_limits_together(store: Store) -> None:
    """Two processes writing comments as fast as they may, on one credential's
    content line: together no more than 80 a minute and 500 an hour."""
    clock = FakeClock(T0)
    limits = ContentLimits(line="content:gh")

    def reserve(interval: timedelta, now: datetime) -> datetime:
        return store.reserve_slot(limits.line, interval, now)

    replicas = [ContentPacer(limits, clock, reserve) for _ in range(2)]
    written = []
    for turn in range(700):
        replicas[turn % 2].wait()
        written.append(clock.now())
        clock.sleep(0.5)  # each replica's own floor keeps it a second apart; together: half
    for index, first in enumerate(written):
        assert sum(1 for t in written[index:] if t < first + timedelta(minutes=1)) <= 80
        assert sum(1 for t in written[index:] if t < first + timedelta(hours=1)) <= 500
