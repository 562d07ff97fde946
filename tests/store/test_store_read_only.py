"""A read-only store: reports and explain beside a running service."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest
from store_builders import make_item

from goldthread.errors import StoreError
from goldthread.store import Store, open_store
from goldthread.store.sqlite import SqliteStore, default_migrations


def test_a_store_held_by_a_running_service_can_still_be_read(
    file_store: Store, db_path: Path
) -> None:
    file_store.upsert_items([make_item()])
    with open_store(f"sqlite:///{db_path}", read_only=True) as reader:
        assert [item.ref for item in reader.items()] == ["gh:acme/web#1"]
        file_store.upsert_items([make_item("acme/web#2")])
        assert reader.count_items() == 2


def test_a_read_only_store_refuses_writes(file_store: Store, db_path: Path) -> None:
    with (
        open_store(f"sqlite:///{db_path}", read_only=True) as reader,
        pytest.raises(StoreError, match="read-only"),
    ):
        reader.upsert_items([make_item()])
    assert file_store.count_items() == 0


def test_reading_a_store_that_does_not_exist_says_so_and_creates_nothing(db_path: Path) -> None:
    with pytest.raises(StoreError, match="no store here yet; run `goldthread backfill` first"):
        open_store(f"sqlite:///{db_path}", read_only=True)
    assert not db_path.exists()


def test_a_store_at_an_older_schema_is_not_read_until_migrated(
    tmp_path: Path, db_path: Path
) -> None:
    old = tmp_path / "old"
    old.mkdir()
    initial = default_migrations().joinpath("0001_initial.sql").read_text(encoding="utf-8")
    (old / "0001_initial.sql").write_text(initial, encoding="utf-8")
    SqliteStore.open(db_path, migrations=old).close()
    with pytest.raises(StoreError, match="goldthread migrate"):
        open_store(f"sqlite:///{db_path}", read_only=True)
    with sqlite3.connect(db_path) as raw:
        assert raw.execute("SELECT max(version) FROM schema_version").fetchone() == (1,)
    raw.close()
