"""A small organisation with watched and unwatched places, for the scope,
move, rename and deletion tests: GitHub ``acme/web`` and ``acme/api`` and
Jira ``PLAT`` and ``WEB`` are configured; ``acme/other`` and ``OPS`` exist on
the trackers and are not."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from goldthread.sandbox.control import Sandbox
from goldthread.sandbox.seeds import GitHubIssueSeed, JiraIssueSeed, Organisation

T0 = datetime(2026, 1, 5, 9, 0, tzinfo=UTC)
UNWATCHED_REPO = "acme/other"
UNWATCHED_PROJECT = "OPS"


def _gh(repo: str, number: int, title: str, **extra: Any) -> GitHubIssueSeed:
    return GitHubIssueSeed(
        repo=repo,
        number=number,
        title=title,
        body=extra.pop("body", ""),
        labels=extra.pop("labels", []),
        created_at=T0,
        updated_at=T0 + timedelta(minutes=number),
        **extra,
    )


def _jira(key: str, kind: str, **extra: Any) -> JiraIssueSeed:
    return JiraIssueSeed(
        key=key,
        type=kind,
        summary=f"{kind} {key}",
        description="",
        labels=extra.pop("labels", []),
        created_at=T0,
        updated_at=T0 + timedelta(minutes=int(key.split("-")[1])),
        **extra,
    )


def scope_org() -> Organisation:
    web = "acme/web"
    github = [
        _gh(web, 1, "Be the best shop", labels=["vision"]),
        _gh(web, 2, "Checkout strategy", type="Epic", parent=(web, 1)),
        _gh(web, 3, "One-click pay", parent=(web, 2)),
        _gh(web, 4, "Saved cards", parent=(web, 2)),
        _gh(web, 5, "Untraced work"),
        _gh(web, 6, "More untraced work"),
        _gh("acme/api", 1, "Payment API", parent=(web, 2)),
    ]
    jira = [
        _jira("PLAT-1", "Initiative", labels=["vision"]),
        _jira("PLAT-2", "Epic", parent_key="PLAT-1"),
        _jira("PLAT-3", "Story", parent_key="PLAT-2"),
        _jira("PLAT-4", "Story"),
        _jira("WEB-1", "Story", parent_key="PLAT-2"),
    ]
    expected = {
        "gh:acme/web#1": ("traced", "vision"),
        "gh:acme/web#2": ("traced", "linked"),
        "gh:acme/web#3": ("traced", "linked"),
        "gh:acme/web#4": ("traced", "linked"),
        "gh:acme/web#5": ("orphan", "no-parent"),
        "gh:acme/web#6": ("orphan", "no-parent"),
        "gh:acme/api#1": ("traced", "linked"),
        "jira:PLAT-1": ("traced", "vision"),
        "jira:PLAT-2": ("traced", "linked"),
        "jira:PLAT-3": ("traced", "linked"),
        "jira:PLAT-4": ("orphan", "no-parent"),
        "jira:WEB-1": ("traced", "linked"),
    }
    return Organisation(
        github=github,
        jira=jira,
        jira_links=[],
        expected=expected,
        repos=["acme/web", "acme/api"],
        projects=["PLAT", "WEB"],
    )


def load_scope_org(sandbox: Sandbox) -> None:
    """The organisation, plus an unwatched repository and project beside it."""
    sandbox.load(scope_org())
    sandbox.github.add_repo(UNWATCHED_REPO)
    sandbox.github.load([_gh(UNWATCHED_REPO, 1, "Someone else's work")])
    sandbox.jira.load([_jira("OPS-1", "Task"), _jira("OPS-2", "Task")])


def mutating_outside_scope(sandbox: Sandbox) -> list[str]:
    """Mutating requests the trackers received about anything unwatched now:
    under its own name, or under the name it had before it moved there."""
    github = sandbox.github.store
    other_id = github.repos[UNWATCHED_REPO].id
    names = {f"/repos/{UNWATCHED_REPO}/", f"/repositories/{other_id}/", "/OPS-"}
    for (repo, number), issue_id in github.transferred.items():
        record = github.by_id.get(issue_id)
        if record is not None and record.repo == UNWATCHED_REPO:
            names.add(f"/repos/{repo}/issues/{number}/")
    with sandbox.jira.lock:
        names |= {f"/{old}/" for old, new in sandbox.jira.state.moved.items() if "OPS-" in new}
    return [
        f"{tracker} {r.method} {r.path}"
        for tracker, log in sandbox.request_log().items()
        for r in log
        if r.method not in ("GET", "HEAD") and any(name in f"{r.path}/" for name in names)
    ]
