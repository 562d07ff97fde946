"""`goldthread inbox`: what waits, what failed, what is parked; retry and drop."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
import structlog
from click.testing import CliRunner, Result
from service_helpers import enqueue, unit_settings

from goldthread.cli import EXIT_ERRORS, cli
from goldthread.store import InboxStatus, open_store

AT = datetime(2026, 6, 1, 12, 0, tzinfo=UTC)


@pytest.fixture(autouse=True)
def logging_restored() -> Iterator[None]:
    root = logging.getLogger()
    handlers, level = list(root.handlers), root.level
    yield
    root.handlers[:] = handlers
    root.setLevel(level)
    structlog.reset_defaults()


@pytest.fixture
def config(tmp_path: Path) -> Path:
    """A config whose store holds one pending, one failed and one parked delivery."""
    settings = unit_settings(tmp_path)
    with open_store(settings.store.url) as store:
        for number in (1, 2, 3):
            enqueue(store, "gh", f"acme/web#{number}", f"d-{number}", AT)
        failed, dead = store.claim(AT, 2)
        store.fail(failed.id, "RetriableError: tracker down", AT)
        store.fail(dead.id, "RetriableError: still down", None)
    return tmp_path / "goldthread.toml"


def _run(config: Path, *args: str) -> Result:
    return CliRunner().invoke(cli, ["--config", str(config), "inbox", *args])


def test_the_inbox_lists_every_entry_not_done_with_its_status_and_error(config: Path) -> None:
    result = _run(config)

    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    assert len(lines) == 5
    assert "failed" in lines[0]
    assert "error=RetriableError: tracker down" in lines[0]
    assert "dead" in lines[1]
    assert "gh:acme/web#3" in lines[2]
    assert "pending" in lines[2]
    assert lines[3] == "3 listed (1 pending, 0 processing, 0 done, 1 failed, 1 dead)"
    assert lines[4].startswith(
        "done entries are kept for 7d after they arrive (daemon.inbox_retention), then pruned"
    )


def test_the_list_can_show_one_status(config: Path) -> None:
    result = _run(config, "list", "--status", "dead")
    assert result.exit_code == 0
    [entry, summary, _retention] = result.stdout.splitlines()
    assert entry.split()[:2] == ["2", "dead"]
    assert summary.startswith("1 listed")


def test_a_parked_entry_retried_is_pending_again(config: Path, tmp_path: Path) -> None:
    result = _run(config, "retry", "2")

    assert result.exit_code == 0
    assert result.stdout == "entry 2 is pending again\n"
    with open_store(unit_settings(tmp_path).store.url) as store:
        assert [e.id for e in store.inbox(InboxStatus.PENDING)] == [2, 3]


def test_a_dropped_entry_is_gone(config: Path, tmp_path: Path) -> None:
    assert _run(config, "drop", "2").exit_code == 0
    with open_store(unit_settings(tmp_path).store.url) as store:
        assert [e.id for e in store.inbox()] == [1, 3]


def test_retrying_or_dropping_an_unknown_entry_fails_with_status_1(config: Path) -> None:
    assert _run(config, "retry", "3").exit_code == EXIT_ERRORS  # pending: nothing to retry
    assert _run(config, "drop", "99").exit_code == EXIT_ERRORS


def test_listing_works_while_a_running_service_holds_the_store(
    config: Path, tmp_path: Path
) -> None:
    with open_store(unit_settings(tmp_path).store.url):  # as `goldthread run` holds it
        result = _run(config, "list")

    assert result.exit_code == 0
    assert "listed" in result.stdout


def test_retrying_while_a_running_service_holds_the_store_says_to_stop_it_first(
    config: Path, tmp_path: Path
) -> None:
    with open_store(unit_settings(tmp_path).store.url):  # as `goldthread run` holds it
        result = _run(config, "retry", "2")

    assert result.exit_code == EXIT_ERRORS
    assert "another goldthread process is using the store" in result.stderr
