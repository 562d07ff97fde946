"""Store integrity through the real CLI: an older schema is migrated with its
data kept; a corrupt or unwritable store is a clear error and a failing exit
status, and the file is left exactly as it was."""

from __future__ import annotations

import hashlib
import sqlite3
from pathlib import Path

import pytest
from reliability_helpers import Workspace, flag_state
from support_sandbox import expected_flags

from goldthread.sandbox.http import is_mutating
from goldthread.store.sqlite import default_migrations, load_migrations

INITIAL = default_migrations().joinpath("0001_initial.sql").read_text(encoding="utf-8")
COMMANDS = [("backfill", "--yes"), ("sync", "--yes"), ("report",), ("migrate",), ("inbox", "list")]


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_a_store_from_the_first_schema_is_migrated_and_keeps_its_state(
    workspace: Workspace,
) -> None:
    assert workspace.run("backfill", "--yes").returncode == 0
    before = workspace.report()
    with sqlite3.connect(workspace.store) as raw:
        raw.execute("DROP TABLE leases")  # back to schema 1, as an older goldthread left it
        raw.execute("DELETE FROM schema_version WHERE version > 1")
    raw.close()
    workspace.sandbox.clear_request_log()
    again = workspace.run("sync", "--yes")
    assert again.returncode == 0, again.stderr
    with sqlite3.connect(workspace.store) as raw:
        versions = [
            v for (v,) in raw.execute("SELECT version FROM schema_version ORDER BY version")
        ]
    raw.close()
    assert versions == [version for version, _, _ in load_migrations(default_migrations())]
    assert workspace.report() == before
    mutating = [
        r for log in workspace.sandbox.request_log().values() for r in log if is_mutating(r)
    ]
    assert mutating == [], "the migrated ledger still knows every write"
    assert flag_state(workspace.sandbox) == expected_flags(workspace.sandbox)


def _damage_truncated(store: Path) -> None:
    data = store.read_bytes()
    store.write_bytes(data[: len(data) // 3])


def _damage_garbage(store: Path) -> None:
    store.write_bytes(b"\x00garbage, not SQLite\xff" * 512)


def _damage_header(store: Path) -> None:
    data = bytearray(store.read_bytes())
    data[100:4096] = b"\xff" * (4096 - 100)  # the schema page overwritten
    store.write_bytes(bytes(data))


@pytest.mark.parametrize(
    "damage",
    [_damage_truncated, _damage_garbage, _damage_header],
    ids=["truncated", "garbage", "schema-page"],
)
def test_a_corrupt_store_is_a_clear_error_and_is_left_untouched(
    workspace: Workspace, damage: object
) -> None:
    assert workspace.run("backfill", "--yes").returncode == 0
    for extra in workspace.directory.glob("goldthread.db-*"):
        extra.unlink()
    damage(workspace.store)  # type: ignore[operator]
    fingerprint = digest(workspace.store)
    workspace.sandbox.clear_request_log()
    for command in COMMANDS:
        done = workspace.run(*command)
        assert done.returncode in (1, 2), (command, done.returncode, done.stderr)
        assert "store" in done.stderr.lower(), (command, done.stderr)
        assert "Traceback" not in done.stderr, (command, done.stderr)
        assert digest(workspace.store) == fingerprint, f"{command} changed the damaged store"
    mutating = [
        r for log in workspace.sandbox.request_log().values() for r in log if is_mutating(r)
    ]
    assert mutating == [], "nothing was written to a tracker with no trustworthy ledger"


def test_an_unwritable_store_location_is_a_clear_error(workspace: Workspace) -> None:
    blocker = workspace.directory / "not-a-directory"
    blocker.write_text("x", encoding="utf-8")
    workspace.extra_env["GOLDTHREAD_STORE__URL"] = f"sqlite:///{blocker}/goldthread.db"
    for command in COMMANDS:
        done = workspace.run(*command)
        assert done.returncode in (1, 2), (command, done.returncode, done.stderr)
        assert "store" in done.stderr.lower(), (command, done.stderr)
        assert "Traceback" not in done.stderr, (command, done.stderr)
    assert blocker.read_text(encoding="utf-8") == "x"
