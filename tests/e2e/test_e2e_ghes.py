"""GitHub Enterprise Server by version, through the real CLI: each version is read for
what its description has (sub-issue parents and issue types from 3.16),
``check --online`` and ``explain`` say which link kinds were there, and every
request and answer is one that version's official description allows."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest
from e2e_helpers import Workspace
from support_openapi import github

from goldthread.sandbox.control import Sandbox, sandbox_config
from goldthread.sandbox.seeds import GitHubIssueSeed, JiraIssueSeed

WHEN = datetime(2026, 1, 5, tzinfo=UTC)


def issue(number: int, title: str, **extra: object) -> GitHubIssueSeed:
    fields: dict[str, object] = {"body": "", "labels": [], **extra}
    return GitHubIssueSeed("acme/web", number, title, created_at=WHEN, updated_at=WHEN, **fields)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("version", "hierarchy"), [("3.13", False), ("3.17", True), ("3.19", True)]
)
def test_each_enterprise_version_is_read_for_what_it_has(
    tmp_path: Path, version: str, hierarchy: bool
) -> None:
    with Sandbox(github_enterprise=True, github_version=version) as sandbox:
        sandbox.github.record_bodies = True
        sandbox.github.add_repo("acme/web")
        sandbox.github.load(
            [
                issue(1, "Grow", labels=["vision"]),
                issue(2, "Platform", type="Epic", body="Part of #1"),
                issue(3, "Build it", parent=("acme/web", 2)),
            ]
        )
        sandbox.jira.load(
            [JiraIssueSeed("PLAT-1", "Initiative", "Vision", "", ["vision"], WHEN, WHEN)]
        )
        space = Workspace(sandbox, tmp_path)
        space.config.write_text(
            sandbox_config(
                store_url=f"sqlite:///{space.store}",
                github_url=sandbox.github_url,
                jira_url=sandbox.jira_url,
                jira_mode="cloud",
                jira_email=sandbox.jira_email,
                repos=["acme/web"],
                projects=["PLAT"],
            )
        )

        check = space.run("check", "--online")
        done = space.run("backfill", "--yes")
        explained = space.run("explain", "gh:acme/web#3")
        sub_issue_calls = sandbox.github.requests(
            path_contains="sub_issue"
        ) + sandbox.github.requests(path_contains="/parent")
        described = github(f"ghes-{version}")
        problems = sorted(
            {
                problem
                for entry in sandbox.github.requests()
                for problem in [
                    *described.check_request(entry.method, entry.path, entry.query, entry.body),
                    *described.check_answer(entry.method, entry.path, entry.status, entry.answer),
                ]
            }
        )

    assert problems == []
    assert check.returncode == 0, check.stderr
    assert f"GitHub Enterprise Server {version}" in check.stdout
    assert done.returncode == 0, done.stderr
    assert explained.returncode == 0, explained.stderr
    verdicts = {row["ref"]: (row["verdict"], row["reason"]) for row in space.report().values()}
    assert sub_issue_calls == []  # no version has the sub-issue endpoints
    if hierarchy:
        assert verdicts["gh:acme/web#2"] == ("traced", "linked")  # an Epic by its issue type
        assert verdicts["gh:acme/web#3"] == ("traced", "linked")  # through its sub-issue parent
        assert "no sub-issue" not in check.stdout
        assert "Link kinds on gh" in explained.stdout
        assert "sub-issue" in explained.stdout.split("Link kinds on gh")[1].splitlines()[0]
    else:
        assert verdicts["gh:acme/web#2"] == ("broken", "skips-layer")  # no types: execution
        assert verdicts["gh:acme/web#3"] == ("orphan", "no-parent")  # no parent_issue_url
        assert (
            f"no sub-issue (GitHub Enterprise Server {version} has no sub-issues)" in check.stdout
        )
        assert "no issue types" in check.stdout
        assert "not available: sub-issue" in explained.stdout
