"""The real CLI against the sandbox while the trackers change under it: links
into unwatched projects, transfers, Jira moves, renamed repositories and
deletions. Nothing outside the configured scope is ever stored, shown or
written to; a moved item keeps exactly one goldthread comment."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import parse_qs

import pytest
from e2e_helpers import Workspace
from support_sandbox import LABEL, labels, own_comments
from support_scope import load_scope_org, mutating_outside_scope

from goldthread.sandbox.control import Sandbox
from goldthread.sandbox.seeds import GitHubIssueSeed


@pytest.fixture
def space(tmp_path: Path) -> Iterator[Workspace]:
    with Sandbox() as sandbox:
        load_scope_org(sandbox)
        workspace = Workspace(sandbox, tmp_path)
        workspace.config.write_text(sandbox.config_toml(f"sqlite:///{workspace.store}"))
        done = workspace.run("backfill", "--yes")
        assert done.returncode == 0, done.stderr
        sandbox.clear_request_log()
        yield workspace


def flagged_once(sandbox: Sandbox, ref: str) -> bool:
    return LABEL in labels(sandbox, ref) and len(own_comments(sandbox, ref)) == 1


def test_links_into_an_unwatched_project_are_never_stored_shown_or_written(space: Workspace):
    jira = space.sandbox.jira
    jira.add_link("Implements", "PLAT-4", "OPS-1")  # an unwatched parent
    jira.add_link("Implements", "OPS-2", "PLAT-2")  # an unwatched child
    jira.add_link("Implements", "OPS-1", "OPS-2")  # both ends unwatched
    done = space.run("backfill", "--yes")
    assert done.returncode == 0, done.stderr
    report = space.report()
    assert not [ref for ref in report if "OPS" in ref]
    assert report["jira:PLAT-4"]["reason"] == "parent-missing"
    assert mutating_outside_scope(space.sandbox) == []
    assert jira.labels("OPS-1") == []
    assert jira.labels("OPS-2") == []


def test_an_issue_transferred_within_scope_is_judged_under_its_new_ref_with_one_comment(
    space: Workspace,
):
    number = space.sandbox.github.transfer_issue("acme/web", 5, "acme/api")
    done = space.run("sync")
    assert done.returncode == 0, done.stderr
    report = space.report()
    new = f"gh:acme/api#{number}"
    assert "gh:acme/web#5" not in report
    assert (report[new]["verdict"], report[new]["flagged"]) == ("orphan", True)
    assert flagged_once(space.sandbox, new)
    assert "moved:" in done.stdout


def test_an_issue_transferred_out_of_scope_is_forgotten_and_never_written_again(
    space: Workspace,
):
    space.sandbox.github.transfer_issue("acme/web", 6, "acme/other")
    space.sandbox.github.set_parent("acme/web", 5, ("acme/web", 4))  # a change to write about
    done = space.run("backfill")
    assert done.returncode == 0, done.stderr
    report = space.report()
    assert "gh:acme/web#6" not in report
    assert not [ref for ref in report if "acme/other" in ref]
    assert mutating_outside_scope(space.sandbox) == []


def test_a_renamed_repository_is_read_whole_under_its_new_name_and_named_in_a_warning(
    space: Workspace,
):
    before = {ref: row["verdict"] for ref, row in space.report().items()}
    space.sandbox.github.rename_repo("acme/web", "acme/shop")
    done = space.run("sync")
    assert done.returncode == 0, done.stderr
    assert "repository acme/web is now acme/shop" in done.stdout
    after = {ref: row["verdict"] for ref, row in space.report().items()}
    assert after == {ref.replace("acme/web", "acme/shop"): v for ref, v in before.items()}
    assert flagged_once(space.sandbox, "gh:acme/shop#5")
    lists = space.sandbox.github.requests("GET", "/repositories/")
    listed = [parse_qs(r.query) for r in lists if r.path.endswith("/issues")]
    assert listed
    assert all(q.get("state") == ["all"] for q in listed)
    checked = space.run("check", "--online")
    assert checked.returncode == 0, checked.stderr
    assert "repository acme/web is now acme/shop" in checked.stdout


def test_a_deleted_parent_is_forgotten_and_its_children_are_flagged_parent_missing(
    space: Workspace,
):
    space.sandbox.github.delete_issue("acme/web", 2)
    done = space.run("backfill")
    assert done.returncode == 0, done.stderr
    report = space.report()
    assert "gh:acme/web#2" not in report
    for child in ("gh:acme/web#3", "gh:acme/web#4", "gh:acme/api#1"):
        assert (report[child]["verdict"], report[child]["reason"]) == ("broken", "parent-missing")
        assert flagged_once(space.sandbox, child)


def test_a_jira_issue_moved_within_scope_keeps_its_one_comment_under_the_new_key(
    space: Workspace,
):
    new_key = space.sandbox.jira.move_issue("PLAT-4", "WEB")
    moved_out = space.sandbox.jira.move_issue("PLAT-3", "OPS")
    space.sandbox.clear_request_log()
    done = space.run("backfill")
    assert done.returncode == 0, done.stderr
    report = space.report()
    assert "jira:PLAT-4" not in report
    assert "jira:PLAT-3" not in report
    assert f"jira:{moved_out}" not in report
    assert report[f"jira:{new_key}"]["flagged"] is True
    assert flagged_once(space.sandbox, f"jira:{new_key}")
    assert mutating_outside_scope(space.sandbox) == []


def test_a_sync_never_writes_to_an_issue_that_left_the_scope_unseen_and_forgets_it(
    space: Workspace,
):
    sandbox = space.sandbox
    gone = sandbox.jira.move_issue("PLAT-3", "OPS")
    sandbox.jira.set_parent("PLAT-2", None)  # PLAT-3's stale copy would now be flagged
    number = sandbox.github.transfer_issue("acme/web", 4, "acme/other")
    sandbox.github.set_parent("acme/web", 2, None)  # and so would #4's
    sandbox.clear_request_log()
    done = space.run("sync")
    assert done.returncode == 0, done.stderr
    report = space.report()
    for ref in ("jira:PLAT-3", f"jira:{gone}", "gh:acme/web#4", f"gh:acme/other#{number}"):
        assert ref not in report
    assert "forgotten:  2 item(s)" in done.stdout
    for flagged in ("jira:PLAT-2", "jira:WEB-1", "gh:acme/web#2", "gh:acme/web#3"):
        assert report[flagged]["flagged"] is True
        assert flagged_once(sandbox, flagged)
    log = sandbox.request_log()
    searches = [parse_qs(r.query).get("jql", [""])[0] for r in log["jira"]]
    assert [jql for jql in searches if jql.startswith("key in")] == ['key in ("PLAT-3", "WEB-1")']
    # GitHub refuses a write under a transferred issue's old URL (301): it is tried once,
    # never repeated at the new place, and the issue is then read to learn where it went.
    assert mutating_outside_scope(sandbox) == ["github POST /repos/acme/web/issues/4/labels"]
    refused = [r for r in log["github"] if r.path == "/repos/acme/web/issues/4/labels"]
    assert [r.status for r in refused] == [301]


def test_a_bad_redirect_is_an_error_naming_the_item_and_the_rest_of_the_run_goes_on(
    space: Workspace,
):
    github = space.sandbox.github
    when = datetime.now(UTC)
    for number in (7, 8, 9, 10):
        github.create_issue(
            GitHubIssueSeed("acme/web", number, f"New work {number}", "", [], when, when)
        )
    bad = {7: "loop", 8: "other-host", 9: "no-location"}
    for number, kind in bad.items():
        github.bad_redirect("acme/web", number, kind)
    done = space.run("sync")
    assert done.returncode == 1
    errors = [line for line in done.stderr.splitlines() if "error" in line]
    why = {7: "round in a loop", 8: "another host (elsewhere.example)", 9: "without a Location"}
    for number, text in why.items():
        assert any(f"gh:acme/web#{number}:" in line and text in line for line in errors), errors
    assert not [line for line in errors if "#10" in line]
    assert flagged_once(space.sandbox, "gh:acme/web#10")
    assert labels(space.sandbox, "gh:acme/web#7") == []
    outside = [r for r in space.sandbox.request_log()["github"] if "elsewhere" in r.path]
    assert outside == []
