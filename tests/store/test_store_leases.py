"""Leases: one holder at a time, taken over after expiry with a higher fencing token."""

from __future__ import annotations

from datetime import timedelta

from store_builders import T0

from goldthread.store import Store

TTL = timedelta(seconds=30)


def test_the_first_holder_gets_token_one_and_others_wait_until_it_expires(store: Store) -> None:
    assert store.acquire_lease("poll:gh", "replica-a", TTL, T0) == 1
    assert store.acquire_lease("poll:gh", "replica-b", TTL, T0 + timedelta(seconds=29)) is None


def test_another_holder_takes_an_expired_lease_over_with_a_higher_token(store: Store) -> None:
    assert store.acquire_lease("poll:gh", "replica-a", TTL, T0) == 1
    assert store.acquire_lease("poll:gh", "replica-b", TTL, T0 + TTL) == 2
    assert not store.renew_lease("poll:gh", "replica-a", 1, TTL, T0 + TTL)
    assert store.acquire_lease("poll:gh", "replica-a", TTL, T0 + TTL) is None


def test_a_renewed_lease_keeps_its_token_and_holds_others_off_longer(store: Store) -> None:
    assert store.acquire_lease("poll:gh", "replica-a", TTL, T0) == 1
    assert store.renew_lease("poll:gh", "replica-a", 1, TTL, T0 + timedelta(seconds=20))
    assert store.acquire_lease("poll:gh", "replica-b", TTL, T0 + timedelta(seconds=40)) is None
    assert store.acquire_lease("poll:gh", "replica-a", TTL, T0 + timedelta(seconds=45)) == 1


def test_a_released_lease_can_be_taken_at_once_and_its_token_still_grows(store: Store) -> None:
    assert store.acquire_lease("resync:jira", "replica-a", TTL, T0) == 1
    assert not store.release_lease("resync:jira", "replica-b", 1)
    assert store.release_lease("resync:jira", "replica-a", 1)
    assert not store.renew_lease("resync:jira", "replica-a", 1, TTL, T0)
    assert store.acquire_lease("resync:jira", "replica-b", TTL, T0) == 2


def test_leases_of_different_names_are_independent(store: Store) -> None:
    assert store.acquire_lease("poll:gh", "replica-a", TTL, T0) == 1
    assert store.acquire_lease("poll:jira", "replica-b", TTL, T0) == 1
