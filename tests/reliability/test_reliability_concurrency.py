"""Races: webhooks and polls on the same items, and two goldthread processes
pointed at one SQLite store by mistake."""

from __future__ import annotations

import random
from pathlib import Path

from reliability_helpers import (
    Workspace,
    comments_created,
    flag_state,
    record,
    repeated_creations,
)
from reliability_service import ServiceUnderLoad, wait_until
from support_sandbox import expected_flags

from goldthread.sandbox.control import Sandbox
from goldthread.sandbox.faults import FaultPlan
from goldthread.sandbox.org import generate
from goldthread.store import open_store


def _service(
    sandbox: Sandbox, directory: Path, seed: int, poll_interval: str = "2s"
) -> ServiceUnderLoad:
    space = Workspace(sandbox, directory)
    return ServiceUnderLoad(space, random.Random(seed), poll_interval=poll_interval)


def test_a_second_process_on_the_same_sqlite_store_refuses_to_start_and_the_first_carries_on(
    tmp_path: Path,
) -> None:
    org = generate(30, seed=5)
    with Sandbox() as sandbox, Sandbox() as witness:
        sandbox.load(org)
        witness.load(org)  # the second process's trackers: any request there is its own
        service = _service(sandbox, tmp_path, seed=1)
        try:
            service.start()
            assert wait_until(service.first_polls_done, 30), service.log()
            second = Workspace(witness, tmp_path / "second")
            second.directory.mkdir()
            second.config.write_text(
                witness.config_toml(f"sqlite:///{service.workspace.store}"), encoding="utf-8"
            )
            for command in (
                ("backfill", "--yes"),
                ("sync", "--yes"),
                ("run", "--yes"),
                ("migrate",),
            ):
                refused = second.run(*command, timeout=30)
                assert refused.returncode == 1, (command, refused.stderr)
                assert "another goldthread process" in refused.stderr, refused.stderr
            assert witness.request_log() == {"github": [], "jira": []}, (
                "a refused process sent nothing"
            )
            assert service.alive()
            assert second.run("report", "--format", "json").returncode == 0  # readers are welcome
        finally:
            service.close()
        store = open_store(f"sqlite:///{service.workspace.store}")
        try:
            assert store.count_items() == len(org.expected)
        finally:
            store.close()


def test_two_backfills_started_together_write_each_flag_once(tmp_path: Path) -> None:
    with Sandbox() as sandbox:
        sandbox.load(generate(30, seed=6))
        space = Workspace(sandbox, tmp_path)
        space.config.write_text(sandbox.config_toml(f"sqlite:///{space.store}"), encoding="utf-8")
        space.extra_env["GOLDTHREAD_WRITEBACK__WRITES_PER_MINUTE"] = "600"
        first, second = space.start("backfill", "--yes"), space.start("backfill", "--yes")
        codes = sorted(p.wait(timeout=60) for p in (first, second))
        assert codes[0] == 0
        assert codes[1] in (0, 1)  # the later one either waited its turn or refused
        assert repeated_creations(space) == 0
        assert flag_state(sandbox) == expected_flags(sandbox)


def test_webhooks_and_polls_racing_on_the_same_items_write_each_comment_once(
    tmp_path: Path,
) -> None:
    with Sandbox() as sandbox:
        sandbox.load(generate(30, seed=8))
        service = _service(sandbox, tmp_path, seed=2, poll_interval="1s")
        try:
            service.start()
            assert wait_until(service.first_polls_done, 30), service.log()
            service.start_load()
            wait_until(lambda: len(service.accepted) >= 80, 15)
            service.stop_load()
            assert wait_until(lambda: not service.unprocessed(), 30)
            assert wait_until(lambda: flag_state(sandbox) == expected_flags(sandbox), 30)
            record("race_deliveries", len(service.accepted))
            assert repeated_creations(service.workspace) == 0
        finally:
            service.close()


def test_a_webhook_while_a_parent_tracker_is_unread_never_flags_a_traced_item(
    tmp_path: Path,
) -> None:
    """A fresh service whose Jira is down at start must not judge GitHub items
    whose parents live on Jira: that would comment on traced items (and take
    the comment back down once Jira answers)."""
    with Sandbox() as sandbox:
        org = generate(30, seed=9)
        sandbox.load(org)
        crossing = [
            seed
            for seed in org.github
            if org.expected.get(f"gh:{seed.repo}#{seed.number}", ("", ""))[0] == "traced"
            and "Part of" in (seed.body or "")
        ]
        assert crossing, "the organisation has GitHub items traced through Jira"
        sandbox.set_faults(jira=FaultPlan(error_rate=1.0, statuses=[401]))
        service = _service(sandbox, tmp_path, seed=3, poll_interval="1s")
        try:
            service.start()
            assert wait_until(service.answers, 20), service.log()
            assert wait_until(lambda: _polled(service, "gh"), 20), service.log()
            for seed in crossing:
                service.send_one(seed.repo, seed.number)
            assert wait_until(lambda: not service.unprocessed(), 30)
            sandbox.set_faults()
            assert wait_until(service.first_polls_done, 60), service.log()
            traced = {f"github:/repos/{s.repo}/issues/{s.number}" for s in crossing}
            wrongly = {key for key in comments_created(service.workspace) if key in traced}
            assert wrongly == set(), "traced items were commented on"
            assert wait_until(lambda: flag_state(sandbox) == expected_flags(sandbox), 20)
        finally:
            service.close()


def _polled(service: ServiceUnderLoad, source: str) -> bool:
    return any(
        e.get("event") == "poll.finished" and e.get("source") == source
        for e in service.log_entries()
    )
