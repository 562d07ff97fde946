"""Opening a store: URLs, migrations, one process per file, clear errors."""

from __future__ import annotations

import sqlite3
import threading
from pathlib import Path

import pytest
from store_builders import make_item

from goldthread.errors import StoreError, StoreLockedError
from goldthread.store import Store, open_store, sqlite_path
from goldthread.store.locking import ProcessLock
from goldthread.store.sqlite import SqliteStore, default_migrations, load_migrations

INITIAL = default_migrations().joinpath("0001_initial.sql").read_text(encoding="utf-8")
COMPONENTS = "ALTER TABLE items ADD COLUMN components TEXT NOT NULL DEFAULT '[]';\n"
GRAPH = default_migrations().joinpath("0006_graph.sql").read_text(encoding="utf-8")
"""The item columns of later migrations that today's code writes."""
LATEST = max(version for version, _, _ in load_migrations(default_migrations()))


def _migrations(tmp_path: Path, **files: str) -> Path:
    directory = tmp_path / "migrations"
    directory.mkdir(exist_ok=True)
    for name, sql in files.items():
        (directory / f"{name}.sql").write_text(sql, encoding="utf-8")
    return directory


def test_sqlite_urls_name_relative_absolute_and_memory_stores(tmp_path: Path) -> None:
    assert sqlite_path("sqlite:///goldthread.db") == "goldthread.db"
    assert sqlite_path("sqlite:///data/g.db", base_dir=tmp_path) == str(tmp_path / "data/g.db")
    assert sqlite_path("sqlite:////var/lib/g.db", base_dir=tmp_path) == "/var/lib/g.db"
    assert sqlite_path("sqlite:///:memory:") == ":memory:"


def test_a_postgresql_server_that_cannot_be_reached_gives_a_clear_store_error() -> None:
    with pytest.raises(StoreError, match="cannot reach the PostgreSQL server") as raised:
        open_store("postgresql://goldthread:s3cret-pw@127.0.0.1:1/goldthread")
    assert "s3cret-pw" not in str(raised.value)


@pytest.mark.parametrize("url", ["mysql://db/x", "sqlite://relative.db", "sqlite:///"])
def test_a_url_that_names_no_usable_store_is_refused(url: str) -> None:
    with pytest.raises(StoreError):
        open_store(url)


def test_a_new_file_is_created_at_the_latest_schema_in_wal_mode(db_path: Path) -> None:
    with open_store(f"sqlite:///{db_path}") as store:
        assert store.schema_version() == LATEST
    with sqlite3.connect(db_path) as raw:
        assert raw.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    raw.close()


def test_reopening_a_store_keeps_its_data_and_applies_nothing_twice(db_path: Path) -> None:
    with open_store(f"sqlite:///{db_path}") as store:
        store.upsert_items([make_item()])
        store.commit_cursors("gh", {"acme/web": "c1"})
    with SqliteStore.open(db_path) as again:
        assert again.migrate(load_migrations(default_migrations())) == []
        assert again.count_items() == 1
        assert again.cursors("gh") == {"acme/web": "c1"}
        assert again.schema_version() == LATEST


def test_a_store_at_an_older_schema_is_migrated_on_open(tmp_path: Path, db_path: Path) -> None:
    old = _migrations(tmp_path, **{"0001_initial": INITIAL + COMPONENTS + GRAPH})
    with SqliteStore.open(db_path, migrations=old) as store:
        store.upsert_items([make_item()])
        assert store.schema_version() == 1
    _migrations(tmp_path, **{"0002_notes": "CREATE TABLE notes (ref TEXT PRIMARY KEY, note TEXT);"})
    with SqliteStore.open(db_path, migrations=old) as store:
        assert store.schema_version() == 2
        assert store.count_items() == 1
    with sqlite3.connect(db_path) as raw:
        versions = raw.execute(
            "SELECT version, name FROM schema_version ORDER BY version"
        ).fetchall()
    raw.close()
    assert versions == [(1, "0001_initial.sql"), (2, "0002_notes.sql")]


def test_a_migration_that_fails_changes_nothing(tmp_path: Path, db_path: Path) -> None:
    bad = "CREATE TABLE half_done (x TEXT);\nINSERT INTO no_such_table VALUES (1);"
    directory = _migrations(tmp_path, **{"0001_initial": INITIAL, "0002_broken": bad})
    with pytest.raises(StoreError, match=r"applying migration 0002_broken\.sql"):
        SqliteStore.open(db_path, migrations=directory)
    (directory / "0002_broken.sql").unlink()
    with SqliteStore.open(db_path, migrations=directory) as store:
        assert store.schema_version() == 1
    with sqlite3.connect(db_path) as raw:
        tables = {
            name for (name,) in raw.execute("SELECT name FROM sqlite_master WHERE type = 'table'")
        }
    raw.close()
    assert "half_done" not in tables


def test_a_store_newer_than_this_goldthread_is_refused(tmp_path: Path, db_path: Path) -> None:
    newer = _migrations(
        tmp_path, **{"0001_initial": INITIAL, "0099_future": "CREATE TABLE f (x TEXT);"}
    )
    SqliteStore.open(db_path, migrations=newer).close()
    with pytest.raises(StoreError, match="newer than this goldthread"):
        open_store(f"sqlite:///{db_path}")


def test_a_second_store_on_the_same_file_refuses_to_start(file_store: Store, db_path: Path) -> None:
    with pytest.raises(StoreLockedError, match="another goldthread process"):
        open_store(f"sqlite:///{db_path}")
    file_store.close()
    with open_store(f"sqlite:///{db_path}") as later:
        assert later.count_items() == 0


def test_a_file_that_is_not_a_database_gives_a_clear_store_error(db_path: Path) -> None:
    db_path.write_bytes(b"\x00garbage, not SQLite\xff" * 512)
    with pytest.raises(StoreError, match="not a goldthread SQLite store") as raised:
        open_store(f"sqlite:///{db_path}")
    assert not isinstance(raised.value, StoreLockedError)
    lock = ProcessLock(Path(f"{db_path}.lock"))
    lock.acquire()  # the failed open let go of the lock
    lock.release()


def test_a_store_in_a_directory_that_cannot_be_written_gives_a_clear_store_error(
    tmp_path: Path,
) -> None:
    not_a_directory = tmp_path / "plain-file"
    not_a_directory.write_text("x")
    with pytest.raises(StoreError, match="is the directory there and writable"):
        open_store(f"sqlite:///{not_a_directory}/goldthread.db")
    with pytest.raises(StoreError, match="is the directory there and writable"):
        open_store(f"sqlite:///{tmp_path}/missing/goldthread.db")


def test_a_closed_store_says_so_instead_of_crashing(store: Store) -> None:
    store.close()
    store.close()
    with pytest.raises(StoreError, match="closed"):
        store.count_items()


def test_a_worker_thread_and_an_http_thread_can_share_one_store(durable_store: Store) -> None:
    file_store = durable_store
    errors: list[BaseException] = []

    def writer(prefix: str) -> None:
        try:
            for n in range(100):
                file_store.upsert_items([make_item(f"{prefix}/repo#{n}")])
                file_store.count_items()
                list(file_store.items())
        except BaseException as exc:
            errors.append(exc)

    threads = [threading.Thread(target=writer, args=(name,)) for name in ("worker", "http")]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert file_store.count_items() == 200
