"""Store integrity through the real CLI: an older schema is migrated with its
data kept; a corrupt or unwritable store is a clear error and a failing exit
status, and the file is left exactly as it was; a store that stops taking
writes under a running service is reported (503s, readiness) and recovered
from in place, with nothing half-written."""

from __future__ import annotations

import hashlib
import random
import resource
import sqlite3
import subprocess
import threading
import time
from pathlib import Path

import httpx
import pytest
from reliability_helpers import (
    READY_WITHIN_S,
    SLACK_S,
    Workspace,
    duplicate_comments,
    flag_state,
    flagged_once,
    make_orphans,
    record,
    tracker_writes,
)
from reliability_service import ServiceUnderLoad, wait_until
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
        raw.execute("DROP INDEX inbox_by_body")
        raw.execute("DROP INDEX inbox_by_arrival")
        raw.execute("ALTER TABLE inbox DROP COLUMN body_sha256")
        for table in ("flags", "digest_periods", "digest_snapshots", "digest_deliveries"):
            raw.execute(f"DROP TABLE {table}")
        raw.execute("ALTER TABLE items DROP COLUMN components")
        for table in ("edges", "changes", "beneath", "evaluation", "unsettled", "tallies"):
            raw.execute(f"DROP TABLE {table}")
        raw.execute("DROP INDEX items_by_created")
        raw.execute("DROP INDEX ledger_by_updated")
        raw.execute("ALTER TABLE inbox DROP COLUMN targets")
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
    # The flag history starts with the migration (the older store had none).
    assert _without_ages(workspace.report()) == _without_ages(before)
    mutating = [
        r for log in workspace.sandbox.request_log().values() for r in log if is_mutating(r)
    ]
    assert mutating == [], "the migrated ledger still knows every write"
    assert flag_state(workspace.sandbox) == expected_flags(workspace.sandbox)


def _without_ages(report: dict[str, dict[str, object]]) -> dict[str, dict[str, object]]:
    return {ref: {**row, "flagged_since": None} for ref, row in report.items()}


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


class PipedService(ServiceUnderLoad):
    """The service with its output through a pipe, copied to its log file
    by this process: the file-size limit the test puts on the service does
    not apply to pipes, so its log keeps flowing while its store cannot."""

    def start(self) -> None:
        (self.workspace.directory / "service.log").touch()
        self.process = subprocess.Popen(
            [*self.workspace.command("run", "--yes")],
            cwd=self.workspace.directory,
            env=self.workspace.env(),
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
        )
        self._copier = threading.Thread(target=self._copy, args=(self.process,), daemon=True)
        self._copier.start()

    def _copy(self, process: subprocess.Popen[bytes]) -> None:
        assert process.stdout is not None
        with process.stdout, (self.workspace.directory / "service.log").open("ab") as log:
            for line in process.stdout:
                log.write(line)
                log.flush()

    def close(self) -> None:
        super().close()
        self._copier.join(10)


def _readyz(service: ServiceUnderLoad) -> tuple[int, list[str]]:
    answer = httpx.get(f"{service.base}/readyz", timeout=10)
    return answer.status_code, answer.json()["problems"]


def test_a_store_that_stops_taking_writes_mid_run_says_so_and_recovers_in_place(
    workspace: Workspace,
) -> None:
    service = PipedService(workspace, random.Random(7))
    org = workspace.sandbox.org
    assert org is not None
    repo, number = service.issues[0]
    try:
        service.start()
        assert wait_until(service.first_polls_done, 30), service.log()
        assert service.send_one(repo, number) == 202
        assert wait_until(lambda: not service.unprocessed(), 20)
        assert service.process is not None
        pid = service.process.pid
        limits = resource.prlimit(pid, resource.RLIMIT_FSIZE)
        writes_before = tracker_writes(workspace.sandbox)

        # The kernel now refuses every write to a file, as a full disk does.
        resource.prlimit(pid, resource.RLIMIT_FSIZE, (0, limits[1]))
        asked = time.monotonic()
        refused = service.deliver(repo, number)
        record("sqlite_unwritable_webhook_503_s", round(time.monotonic() - asked, 3))
        asked = time.monotonic()
        status, problems = _readyz(service)
        record("sqlite_unwritable_readyz_503_s", round(time.monotonic() - asked, 3))
        made = make_orphans(workspace.sandbox, 901)
        time.sleep(3)  # polls fall due meanwhile: they must not half-write anything
        still = _readyz(service)
        writes_while_unwritable = tracker_writes(workspace.sandbox) - writes_before
        resource.prlimit(pid, resource.RLIMIT_FSIZE, limits)

        back = time.monotonic()
        assert wait_until(lambda: _readyz(service)[0] == 200, READY_WITHIN_S + SLACK_S)
        record("sqlite_unwritable_ready_s", round(time.monotonic() - back, 2))
        assert service.send_one(repo, number) == 202
        assert wait_until(lambda: not service.unprocessed(), 20), service.unprocessed()
        assert wait_until(lambda: all(flagged_once(workspace.sandbox, ref) for ref in made), 20)
        record("sqlite_unwritable_changes_found_s", round(time.monotonic() - back, 2))
    finally:
        service.close()

    assert refused is not None
    assert (refused.status_code, refused.headers.get("retry-after")) == (503, "5")
    assert status == 503
    assert still[0] == 503
    assert "store" in problems[0]
    assert "the file system refused a write" in problems[0]
    assert "webhook.store_failed" in service.log()
    assert writes_while_unwritable == 0, "no tracker write whose record could not be kept"
    with sqlite3.connect(workspace.store) as raw:
        assert raw.execute("PRAGMA integrity_check").fetchall() == [("ok",)]
        keys = [key for (key,) in raw.execute("SELECT delivery_key FROM inbox ORDER BY id")]
    raw.close()
    assert keys == service.accepted, "the refused delivery left nothing behind"
    assert duplicate_comments(workspace.sandbox) == 0
