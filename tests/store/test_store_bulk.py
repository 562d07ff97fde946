"""A large organisation stores in one call and reads back whole."""

from __future__ import annotations

from store_builders import make_item

from goldthread.store import Store


def test_a_hundred_thousand_items_store_in_one_call_and_read_back_whole(
    durable_store: Store,
) -> None:
    # How fast is for `make bench` (the backfill benchmark stores 30,000 items).
    items = [make_item(f"acme/repo{n % 50}#{n}") for n in range(100_000)]
    assert durable_store.upsert_items(items) == 100_000
    assert {item.ref for item in durable_store.items()} == {item.ref for item in items}


def test_every_backend_satisfies_the_store_protocol(store: Store) -> None:
    assert isinstance(store, Store)
