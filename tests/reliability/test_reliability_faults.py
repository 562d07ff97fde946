"""The fault matrix: backfill and sync against stand-ins that fail on purpose.

Every case ends converged (verdicts and labels as expected, exactly one
comment per flagged item), within one more run where a source failed for the
whole run, and no request is sent before a ``Retry-After`` expired.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import pytest
from reliability_helpers import (
    RETRY_AFTER,
    Workspace,
    duplicate_comments,
    flag_state,
    pick,
    record,
    retry_after_violations,
)
from support_sandbox import expected_flags

from goldthread.sandbox.faults import FaultPlan

TIMEOUT = 1  # seconds: the sources' request timeout in the slow cases


@dataclass(frozen=True)
class Case:
    name: str
    plan: Callable[[int], FaultPlan]
    exit_code: int = 0  # 1: the source fails this run; one more run converges
    slow: bool = False  # the source timeout is lowered to TIMEOUT

    def __str__(self) -> str:
        return self.name


CASES = {
    case.name: case
    for case in (
        Case(
            "5xx-burst-on-reads",
            lambda s: FaultPlan(s, fail_next=2, statuses=[502], methods=frozenset({"GET"})),
        ),
        Case(
            "5xx-burst-on-writes",
            lambda s: FaultPlan(
                s,
                fail_next=2,
                statuses=[503],
                methods=frozenset({"POST", "PUT", "PATCH", "DELETE"}),
            ),
        ),
        Case(
            "429-retry-after",
            lambda s: FaultPlan(s, fail_next=2, statuses=[429], retry_after=RETRY_AFTER),
        ),
        Case(
            "429-on-comment",
            lambda s: FaultPlan(
                s,
                fail_next=1,
                statuses=[429],
                retry_after=RETRY_AFTER,
                methods=frozenset({"POST"}),
                path_contains="comment",
            ),
        ),
        Case(
            "403-secondary-limit",
            lambda s: FaultPlan(s, fail_next=2, statuses=[403], retry_after=RETRY_AFTER),
        ),
        Case(
            "slow-read",
            lambda s: FaultPlan(
                s, slow_next=1, slow_delay=TIMEOUT + 1.5, methods=frozenset({"GET"})
            ),
            slow=True,
        ),
        Case(
            "slow-comment-write",
            lambda s: FaultPlan(
                s,
                slow_next=1,
                slow_delay=TIMEOUT + 0.5,
                methods=frozenset({"POST"}),
                path_contains="comment",
            ),
            slow=True,
        ),
        Case("dropped-connections", lambda s: FaultPlan(s, drop_rate=0.15)),
        Case("truncated-json", lambda s: FaultPlan(s, truncate_rate=0.2)),
        Case(
            "mixed-weather",
            lambda s: FaultPlan(
                s,
                error_rate=0.15,
                statuses=[500, 502, 503, 429],
                retry_after=RETRY_AFTER,
                drop_rate=0.04,
                truncate_rate=0.04,
            ),
        ),
        Case(
            "down-for-the-run", lambda s: FaultPlan(s, error_rate=1.0, statuses=[503]), exit_code=1
        ),
    )
}

FAST = [
    ("backfill", "github", "5xx-burst-on-writes"),
    ("backfill", "jira", "429-retry-after"),
    ("backfill", "github", "403-secondary-limit"),
    ("backfill", "github", "slow-comment-write"),
    ("backfill", "jira", "truncated-json"),
    ("backfill", "github", "dropped-connections"),
    ("sync", "jira", "429-on-comment"),
]
FULL = [
    (command, tracker, name)
    for command in ("backfill", "sync")
    for tracker in ("github", "jira")
    for name in CASES
    if not (tracker == "jira" and name == "403-secondary-limit")  # GitHub's own limit
]


def _apply(workspace: Workspace, tracker: str, plan: FaultPlan | None) -> None:
    if tracker == "github":
        workspace.sandbox.set_faults(github=plan)
    else:
        workspace.sandbox.set_faults(jira=plan)


@pytest.mark.parametrize(("command", "tracker", "name"), pick(FAST, FULL))
def test_a_run_under_faults_converges_with_one_comment_per_flagged_item_and_honours_retry_after(
    workspace: Workspace, command: str, tracker: str, name: str
) -> None:
    case = CASES[name]
    record("fault_cases_run")
    sandbox = workspace.sandbox
    if case.slow:
        workspace.set_source_timeout(TIMEOUT)
    if command == "sync":
        first = workspace.run("backfill", "--no-writeback")
        assert first.returncode == 0, first.stderr
    _apply(workspace, tracker, case.plan(sum(map(ord, f"{command}{tracker}{name}"))))
    done = workspace.run(command, "--yes")
    assert done.returncode == case.exit_code, done.stderr
    log = sandbox.request_log()[tracker]
    if name not in ("mixed-weather", "truncated-json") and not case.slow:
        injected = {0} if "dropped" in name else {502, 503, 429, 403, 500}
        assert any(r.status in injected for r in log), "the fault was injected"
    if case.exit_code:
        _apply(workspace, tracker, None)
        again = workspace.run("sync", "--yes")
        assert again.returncode == 0, again.stderr
    violations = retry_after_violations(log)
    duplicates = duplicate_comments(sandbox)
    record("retry_after_violations", len(violations))
    record("duplicate_comments", duplicates)
    assert violations == []
    assert duplicates == 0
    assert workspace.verdicts() == sandbox.expected()
    assert flag_state(sandbox) == expected_flags(sandbox)
    record("fault_cases_passed")
