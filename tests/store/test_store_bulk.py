"""A large organisation stores in seconds, not minutes."""

from __future__ import annotations

import time

from store_builders import make_item

from goldthread.store import Store


def test_a_hundred_thousand_items_store_and_read_back_within_seconds(
    durable_store: Store,
) -> None:
    file_store = durable_store
    items = [make_item(f"acme/repo{n % 50}#{n}") for n in range(100_000)]
    started = time.perf_counter()
    assert file_store.upsert_items(items) == 100_000
    stored = time.perf_counter() - started
    assert sum(1 for _ in file_store.items()) == 100_000
    assert stored < 10.0, f"storing 100k items took {stored:.1f}s"


def test_every_backend_satisfies_the_store_protocol(store: Store) -> None:
    assert isinstance(store, Store)
