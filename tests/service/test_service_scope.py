"""``goldthread run`` on the webhook path while the trackers change under it:
links into an unwatched project, a transfer in and out of scope, a Jira move,
a deleted parent. The poll interval is an hour, so only the webhooks can do
it; the request log proves no mutating request left the scope."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from service_helpers import ServiceProcess, metric, wait_for
from support_sandbox import LABEL, labels, own_comments
from support_scope import load_scope_org, mutating_outside_scope

from goldthread.sandbox.control import Sandbox
from goldthread.store import Store, open_store

SECONDS = 15.0


@pytest.fixture
def running(tmp_path: Path) -> Iterator[tuple[ServiceProcess, Store]]:
    with Sandbox() as sandbox:
        load_scope_org(sandbox)
        service = ServiceProcess(sandbox, tmp_path)
        try:
            service.start()
            service.wait_polled()
            service.hook_github()
            store = open_store(f"sqlite:///{tmp_path / 'goldthread.db'}", read_only=True)
            try:
                yield service, store
            finally:
                store.close()
        finally:
            service.close()
            sandbox.set_webhooks()


def flagged_once(sandbox: Sandbox, ref: str) -> bool:
    return LABEL in labels(sandbox, ref) and len(own_comments(sandbox, ref)) == 1


def test_webhooks_follow_moves_and_deletions_and_never_write_outside_scope(
    running: tuple[ServiceProcess, Store],
) -> None:
    service, store = running
    sandbox = service.sandbox
    refs = lambda: {item.ref for item in store.items()}  # noqa: E731

    sandbox.jira.add_link("Implements", "OPS-1", "OPS-2")
    sandbox.jira.add_link("Implements", "PLAT-4", "OPS-1")
    sandbox.jira.add_link("Implements", "OPS-2", "PLAT-2")
    wait_for(
        lambda: (
            (v := store.verdicts().get("jira:PLAT-4")) is not None
            and v.reason.value == "parent-missing"
        ),
        SECONDS,
        "PLAT-4 judged against its unwatched parent",
    )
    assert not [ref for ref in refs() if "OPS" in ref]

    number = sandbox.github.transfer_issue("acme/web", 5, "acme/api")
    moved = f"gh:acme/api#{number}"
    wait_for(lambda: moved in refs() and "gh:acme/web#5" not in refs(), SECONDS, "the transfer")
    assert flagged_once(sandbox, moved)

    new_key = sandbox.jira.move_issue("PLAT-4", "WEB")
    wait_for(lambda: f"jira:{new_key}" in refs() and "jira:PLAT-4" not in refs(), SECONDS, "move")
    assert flagged_once(sandbox, f"jira:{new_key}")

    sandbox.github.delete_issue("acme/web", 2)
    children = ("gh:acme/web#3", "gh:acme/web#4", "gh:acme/api#1")
    wait_for(
        lambda: all(flagged_once(sandbox, child) for child in children), SECONDS, "children flagged"
    )
    assert "gh:acme/web#2" not in refs()

    sandbox.flush_webhooks()
    assert mutating_outside_scope(sandbox) == []
    sandbox.clear_request_log()  # #6 was in scope until now, and flagged
    sandbox.github.transfer_issue("acme/web", 6, "acme/other")
    wait_for(lambda: "gh:acme/web#6" not in refs(), SECONDS, "the issue transferred away")
    assert not [ref for ref in refs() if "acme/other" in ref]

    gone = sandbox.jira.move_issue("PLAT-3", "OPS")
    wait_for(lambda: "jira:PLAT-3" not in refs(), SECONDS, "the issue moved away")
    assert f"jira:{gone}" not in refs()
    sandbox.flush_webhooks()
    assert mutating_outside_scope(sandbox) == []


def test_a_webhook_round_never_writes_through_the_old_key_of_an_issue_moved_away_unseen(
    running: tuple[ServiceProcess, Store],
) -> None:
    service, store = running
    sandbox = service.sandbox
    sandbox.set_webhooks()  # the move's webhook is lost
    gone = sandbox.jira.move_issue("PLAT-3", "OPS")
    service.hook_github()
    sandbox.clear_request_log()
    sandbox.jira.set_parent("PLAT-2", None)  # PLAT-3's stale copy would now be flagged
    wait_for(
        lambda: flagged_once(sandbox, "jira:PLAT-2") and flagged_once(sandbox, "jira:WEB-1"),
        SECONDS,
        "PLAT-2 and the item beneath it flagged",
    )
    sandbox.flush_webhooks()
    assert mutating_outside_scope(sandbox) == []
    refs = {item.ref for item in store.items()}
    assert "jira:PLAT-3" not in refs
    assert f"jira:{gone}" not in refs


def test_a_poll_never_writes_through_the_old_key_of_an_issue_moved_out_of_scope(
    tmp_path: Path,
) -> None:
    with Sandbox() as sandbox:
        load_scope_org(sandbox)
        service = ServiceProcess(sandbox, tmp_path, poll_interval="1s")
        try:
            service.start()
            service.wait_polled()
            gone = sandbox.jira.move_issue("PLAT-3", "OPS")
            sandbox.jira.set_parent("PLAT-2", None)
            wait_for(
                lambda: (
                    flagged_once(sandbox, "jira:PLAT-2") and flagged_once(sandbox, "jira:WEB-1")
                ),
                SECONDS,
                "PLAT-2 and the item beneath it flagged by a poll",
            )
            assert mutating_outside_scope(sandbox) == []
            with open_store(f"sqlite:///{tmp_path / 'goldthread.db'}", read_only=True) as store:
                refs = {item.ref for item in store.items()}
            assert "jira:PLAT-3" not in refs
            assert f"jira:{gone}" not in refs
        finally:
            service.close()


def test_a_renamed_repositorys_webhooks_keep_working_before_the_config_names_it(
    running: tuple[ServiceProcess, Store],
) -> None:
    service, store = running
    sandbox = service.sandbox
    assert LABEL in labels(sandbox, "gh:acme/web#5")
    sandbox.github.rename_repo("acme/web", "acme/shop")
    sandbox.github.set_parent("acme/shop", 5, ("acme/shop", 4))  # the orphan gets a parent
    wait_for(
        lambda: LABEL not in labels(sandbox, "gh:acme/shop#5"),
        SECONDS,
        "#5 unflagged through a webhook under the repository's new name",
    )
    verdict = store.verdicts().get("gh:acme/shop#5")
    assert verdict is not None
    assert verdict.kind.value == "traced"
    refs = {item.ref for item in store.items()}
    assert not [ref for ref in refs if ref.startswith("gh:acme/web#")]
    unknown = metric(
        service.metrics(),
        "goldthread_webhook_deliveries_total",
        tracker="github",
        outcome="unknown-source",
    )
    assert unknown == 0
