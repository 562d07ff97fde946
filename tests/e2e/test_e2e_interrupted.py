"""kill -9 in the middle of a backfill, then run again: the same end state, no duplicate."""

from __future__ import annotations

import subprocess
import time

from e2e_helpers import Workspace, expected_flags, flag_state


def comment_posts(workspace: Workspace) -> int:
    return sum(1 for line in workspace.mutating_requests() if "POST" in line and "comment" in line)


def test_a_backfill_killed_mid_write_and_run_again_leaves_one_comment_per_flagged_item(
    workspace: Workspace,
) -> None:
    # Paced writes (one a second) leave time to kill the process in the middle.
    process = workspace.start("backfill", "--yes")
    deadline = time.monotonic() + 60
    while comment_posts(workspace) < 3 and time.monotonic() < deadline:
        try:
            process.wait(timeout=0.05)
        except subprocess.TimeoutExpired:
            continue
        raise AssertionError("the backfill ended before it could be killed")
    process.kill()
    process.wait(timeout=10)
    assert comment_posts(workspace) >= 3
    assert flag_state(workspace.sandbox) != expected_flags(workspace.sandbox)
    again = workspace.run("backfill", "--yes")
    assert again.returncode == 0, again.stderr
    assert flag_state(workspace.sandbox) == expected_flags(workspace.sandbox)
