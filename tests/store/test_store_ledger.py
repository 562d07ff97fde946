"""The ledger remembers what goldthread last wrote on each item."""

from __future__ import annotations

from datetime import timedelta

from store_builders import T0

from goldthread.store import LedgerEntry, Store


def test_a_recorded_write_is_read_back_exactly(store: Store) -> None:
    entry = LedgerEntry("gh:acme/web#1", True, "1234567", "sha256:abc", T0)
    store.record_ledger(entry)
    assert store.ledger("gh:acme/web#1") == entry
    assert store.ledger_all() == {"gh:acme/web#1": entry}


def test_recording_again_replaces_the_entry(store: Store) -> None:
    store.record_ledger(LedgerEntry("jira:PLAT-7", True, "10001", "f1", T0))
    later = LedgerEntry("jira:PLAT-7", False, None, None, T0 + timedelta(hours=1))
    store.record_ledger(later)
    assert store.ledger("jira:PLAT-7") == later


def test_forgetting_an_entry_leaves_the_others(store: Store) -> None:
    store.record_ledger(LedgerEntry("gh:a/b#1", True, None, None, T0))
    store.record_ledger(LedgerEntry("gh:a/b#2", True, "9", "f", T0))
    store.forget_ledger("gh:a/b#1")
    store.forget_ledger("gh:a/b#404")
    assert store.ledger("gh:a/b#1") is None
    assert set(store.ledger_all()) == {"gh:a/b#2"}
