"""The store tells the truth about itself: a probe that proves it takes
writes without changing anything, and bounded views for request paths that
share the store's data."""

from __future__ import annotations

from pathlib import Path

import pytest
from store_builders import make_item

from goldthread.errors import StoreError
from goldthread.store import Store, open_store


def test_a_writable_store_passes_the_probe_and_nothing_changes(store: Store) -> None:
    store.upsert_items([make_item()])
    version = store.schema_version()

    for _ in range(3):
        store.probe()
        store.bounded(1.0).probe()

    assert store.schema_version() == version
    assert [item.ref for item in store.items()] == ["gh:acme/web#1"]


def test_a_bounded_view_reads_and_writes_the_same_store(store: Store) -> None:
    view = store.bounded(0.5)
    view.upsert_items([make_item()])

    assert store.count_items() == 1
    store.upsert_items([make_item("acme/web#2")])
    assert sorted(item.ref for item in view.items()) == ["gh:acme/web#1", "gh:acme/web#2"]


def test_a_store_opened_read_only_fails_the_probe_saying_so(
    file_store: Store, db_path: Path
) -> None:
    with open_store(f"sqlite:///{db_path}", read_only=True) as reader:
        with pytest.raises(StoreError, match="read-only"):
            reader.probe()
        assert reader.count_items() == 0
