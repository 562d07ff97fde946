"""Migrations on PostgreSQL: applied once under a lock, all or nothing, and on demand."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import psycopg
import pytest
from click.testing import CliRunner

from goldthread.cli import cli
from goldthread.errors import StoreError
from goldthread.store import open_store
from goldthread.store.postgres import PostgresStore, default_migrations
from goldthread.store.sqlite import load_migrations

MIGRATIONS = load_migrations(default_migrations())
LATEST = max(version for version, _, _ in MIGRATIONS)
OPEN = "import sys; from goldthread.store import open_store; open_store(sys.argv[1]).close()"


def _versions(url: str) -> list[tuple[int, str]]:
    with psycopg.connect(url) as conn:
        return [
            (int(v), str(n))
            for v, n in conn.execute("SELECT version, name FROM schema_version ORDER BY version")
        ]


def test_replicas_starting_together_apply_each_migration_once(fresh_pg_url: str) -> None:
    starting = [
        subprocess.Popen([sys.executable, "-c", OPEN, fresh_pg_url], stderr=subprocess.PIPE)
        for _ in range(4)
    ]
    errors = [process.communicate(timeout=60)[1].decode() for process in starting]
    assert [process.returncode for process in starting] == [0, 0, 0, 0], errors
    assert _versions(fresh_pg_url) == [(version, name) for version, name, _ in MIGRATIONS]


def test_the_migrate_command_brings_a_new_database_to_the_latest_schema(fresh_pg_url: str) -> None:
    result = CliRunner().invoke(cli, ["migrate", "--url", fresh_pg_url])
    assert result.exit_code == 0, result.output
    assert f"the store is at schema version {LATEST}" in result.output
    again = CliRunner().invoke(cli, ["migrate", "--url", fresh_pg_url])
    assert "nothing to apply" in again.output


def test_a_migration_that_fails_changes_nothing(fresh_pg_url: str, tmp_path: Path) -> None:
    for _version, name, sql in MIGRATIONS:
        (tmp_path / name).write_text(sql, encoding="utf-8")
    broken = "CREATE TABLE half_done (x TEXT);\nINSERT INTO no_such_table VALUES (1);"
    (tmp_path / f"{LATEST + 1:04d}_broken.sql").write_text(broken, encoding="utf-8")
    with pytest.raises(StoreError, match=r"_broken\.sql"):
        PostgresStore.open(fresh_pg_url, migrations=tmp_path)
    with open_store(fresh_pg_url) as store:
        assert store.schema_version() == LATEST
    with psycopg.connect(fresh_pg_url) as conn:
        assert conn.execute("SELECT to_regclass('half_done')").fetchone() == (None,)


def test_a_database_newer_than_this_goldthread_is_refused(fresh_pg_url: str) -> None:
    open_store(fresh_pg_url).close()
    with psycopg.connect(fresh_pg_url) as conn:
        conn.execute("INSERT INTO schema_version VALUES (99, '0099_future.sql', now())")
    with pytest.raises(StoreError, match="newer than this goldthread"):
        open_store(fresh_pg_url)


def test_a_read_only_store_neither_migrates_nor_writes(fresh_pg_url: str) -> None:
    with pytest.raises(StoreError, match="goldthread migrate"):
        open_store(fresh_pg_url, read_only=True)
    open_store(fresh_pg_url).close()
    with (
        open_store(fresh_pg_url.replace("postgresql://", "postgres://"), read_only=True) as store,
        pytest.raises(StoreError, match="read-only"),
    ):
        store.commit_cursors("gh", {"acme/web": "c1"})


def test_a_database_that_does_not_exist_is_named_in_a_clear_error(fresh_pg_url: str) -> None:
    missing = fresh_pg_url.rsplit("/", 1)[0] + "/goldthread_no_such_db"
    with pytest.raises(StoreError, match='database "goldthread_no_such_db" does not exist'):
        open_store(missing)
