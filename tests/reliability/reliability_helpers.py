"""Shared tools of the reliability suite: a sandbox workspace driven through the
real CLI, the converged end state, and the figures the suite reports.

``GOLDTHREAD_RELIABILITY=full`` selects the full matrix (``make reliability``);
otherwise a small seeded subset runs, fast enough for ``make test``.
"""

from __future__ import annotations

import json
import os
from collections import Counter
from collections.abc import Iterable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from support_sandbox import LABEL, flag_state, labels, own_comments
from support_sandbox import Workspace as SandboxWorkspace

from goldthread.sandbox.control import Sandbox
from goldthread.sandbox.http import LoggedRequest, is_mutating
from goldthread.sandbox.seeds import GitHubIssueSeed, JiraIssueSeed

FULL = os.environ.get("GOLDTHREAD_RELIABILITY", "").lower() == "full"
FIGURES_ENV = "GOLDTHREAD_RELIABILITY_FIGURES"
DEADLINE_S = 2.0
"""The service's promise: a request waits at most this long on the store."""
READY_WITHIN_S = 5.0
"""The service's promise: ready this soon after the store takes writes again."""
SLACK_S = 1.5
"""Beyond each promise, for a machine that other test runs load too."""


def pick(fast: list[Any], full: list[Any]) -> list[Any]:
    """The cases of this run: the fast subset, or everything under the full env var.

    In the full run, the cases beyond the fast subset carry the ``reliability``
    marker, so ``-m reliability`` selects just them.
    """
    if not FULL:
        return fast
    return [
        case
        if case in fast
        else pytest.param(
            *(case if isinstance(case, tuple) else (case,)), marks=pytest.mark.reliability
        )
        for case in full
    ]


def record(figure: str, amount: float = 1) -> None:
    """Add ``amount`` to one suite figure (written when GOLDTHREAD_RELIABILITY_FIGURES
    is set); a measured time is recorded once, in seconds."""
    path = os.environ.get(FIGURES_ENV)
    if not path:
        return
    with Path(path).open("a", encoding="utf-8") as out:
        out.write(json.dumps({"figure": figure, "amount": amount}) + "\n")


class Workspace(SandboxWorkspace):
    """A sandbox workspace whose sources can be given a timeout, read back as verdicts."""

    def set_source_timeout(self, seconds: int) -> None:
        """Give both sources a request timeout of ``seconds``."""
        text = self.config.read_text(encoding="utf-8")
        text = text.replace(
            "include_pull_requests = false\n",
            f'include_pull_requests = false\ntimeout = "{seconds}s"\n',
        )
        text = text.replace('jql = ""\n', f'jql = ""\ntimeout = "{seconds}s"\n')
        self.config.write_text(text, encoding="utf-8")

    def verdicts(self) -> dict[str, tuple[str, str]]:
        report = self.report()
        return {
            ref: (report[ref]["verdict"], report[ref]["reason"])
            for ref in self.sandbox.expected()
            if ref in report
        }


def tracker_writes(sandbox: Sandbox) -> int:
    """Mutating requests the stand-ins have answered so far (a search sent
    as a POST is a read)."""
    return sum(1 for log in sandbox.request_log().values() for r in log if is_mutating(r))


def duplicate_comments(sandbox: Sandbox) -> int:
    """Marker comments beyond the first, summed over every item."""
    return sum(max(count - 1, 0) for _label, count in flag_state(sandbox).values())


def comments_created(workspace: Workspace) -> Counter[str]:
    """Comment creations the trackers accepted, per item (from their request logs)."""
    created: Counter[str] = Counter()
    for tracker, log in workspace.sandbox.request_log().items():
        for request in log:
            if (
                request.method == "POST"
                and request.status == 201
                and request.path.endswith(("/comments", "/comment"))
            ):
                created[f"{tracker}:{request.path.rsplit('/', 1)[0]}"] += 1
    return created


def repeated_creations(workspace: Workspace) -> int:
    """Comments created on an item that already had one created this round."""
    return sum(count - 1 for count in comments_created(workspace).values() if count > 1)


def retry_after_violations(log: Iterable[LoggedRequest], slack: float = 0.05) -> list[str]:
    """Requests sent to a tracker before an earlier answer's ``Retry-After`` expired.

    The stand-in logs a request when it answers; a later request logged before
    ``answered_at + Retry-After`` was sent while the tracker said to wait.
    Each tracker's requests come from one thread per source, in order.
    """
    violations: list[str] = []
    quiet_until = 0.0
    for request in sorted(log, key=lambda r: r.at):
        if request.at < quiet_until - slack:
            violations.append(
                f"{request.method} {request.path} {quiet_until - request.at:.2f}s early"
            )
        if request.status in (429, 403):
            quiet_until = max(quiet_until, request.at + RETRY_AFTER)
    return violations


RETRY_AFTER = 1.0  # seconds the stand-ins tell goldthread to wait in these tests


def make_orphans(sandbox: Sandbox, number: int) -> list[str]:
    """A new GitHub issue and a new Jira story, neither with a parent, made
    now and announced to nobody: only a poll can find them. Their refs."""
    org = sandbox.org
    assert org is not None
    now = datetime.now(UTC)
    title = f"Made while the store was away ({number})"
    sandbox.github.create_issue(
        GitHubIssueSeed(
            repo=org.repos[0],
            number=number,
            title=title,
            body="",
            labels=[],
            created_at=now,
            updated_at=now,
        )
    )
    key = sandbox.jira.create_issue(
        JiraIssueSeed(
            key=f"{org.projects[0]}-{number}",
            type="Story",
            summary=title,
            description="",
            labels=[],
            created_at=now,
            updated_at=now,
        )
    )
    return [f"{org.github_source}:{org.repos[0]}#{number}", f"{org.jira_source}:{key}"]


def flagged_once(sandbox: Sandbox, ref: str) -> bool:
    """Whether the item carries goldthread's label and exactly one of its comments."""
    return LABEL in labels(sandbox, ref) and len(own_comments(sandbox, ref)) == 1
