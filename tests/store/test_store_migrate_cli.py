"""``goldthread migrate`` applies what is pending, once."""

from __future__ import annotations

from pathlib import Path

from click.testing import CliRunner

from goldthread.cli import cli
from goldthread.store import open_store
from goldthread.store.sqlite import SqliteStore, default_migrations, load_migrations

LATEST = max(version for version, _, _ in load_migrations(default_migrations()))


def test_migrate_brings_a_new_store_to_the_latest_schema_then_has_nothing_to_do(
    db_path: Path,
) -> None:
    url = f"sqlite:///{db_path}"
    first = CliRunner().invoke(cli, ["migrate", "--url", url])
    assert first.exit_code == 0, first.output
    assert f"schema version {LATEST}" in first.output
    assert "applied migration(s) 0001" in first.output
    again = CliRunner().invoke(cli, ["migrate", "--url", url])
    assert again.exit_code == 0
    assert "nothing to apply" in again.output
    with open_store(url, read_only=True) as store:
        assert store.schema_version() == LATEST


def test_migrate_reports_a_store_it_cannot_open_with_exit_status_1(db_path: Path) -> None:
    held = SqliteStore.open(db_path)
    try:
        result = CliRunner().invoke(cli, ["migrate", "--url", f"sqlite:///{db_path}"])
    finally:
        held.close()
    assert result.exit_code == 1
    assert "another goldthread process" in result.output
