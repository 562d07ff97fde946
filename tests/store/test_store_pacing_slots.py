"""Pacing lines: writes under one credential reserve slots one interval apart,
whichever process reserves them."""

from __future__ import annotations

from datetime import timedelta

from store_builders import T0

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
