"""A tracker that fails is reported and skipped; the other completes; the next run repairs it."""

from __future__ import annotations

from e2e_helpers import Workspace, expected_flags, flag_state

from goldthread.sandbox.faults import FaultPlan


def test_a_failing_tracker_exits_1_while_the_other_is_written_and_the_next_sync_repairs(
    workspace: Workspace,
) -> None:
    sandbox = workspace.sandbox
    sandbox.set_faults(github=FaultPlan(error_rate=1.0, statuses=[401]))
    broken = workspace.run("backfill", "--yes")
    assert broken.returncode == 1
    assert "gh" in broken.stderr
    expected = expected_flags(sandbox)
    state = flag_state(sandbox)
    assert {r: s for r, s in state.items() if r.startswith("jira:")} == {
        r: s for r, s in expected.items() if r.startswith("jira:")
    }
    sandbox.set_faults()
    repaired = workspace.run("sync", "--yes")
    assert repaired.returncode == 0, repaired.stderr
    assert flag_state(sandbox) == expected


def test_an_unknown_source_name_is_a_usage_error(workspace: Workspace) -> None:
    done = workspace.run("backfill", "--source", "nope")
    assert done.returncode == 2
    assert "unknown source nope" in done.stderr
    assert workspace.mutating_requests() == []


def test_max_writes_per_run_stops_with_exit_1_and_the_next_run_finishes(
    workspace: Workspace,
) -> None:
    text = workspace.config.read_text().replace(
        "max_writes_per_run = 500", "max_writes_per_run = 10"
    )
    workspace.config.write_text(text)
    stopped = workspace.run("backfill", "--yes")
    assert stopped.returncode == 1
    assert "max_writes_per_run" in stopped.stderr
    assert len(workspace.mutating_requests()) <= 12  # ten writes, plus creating the label itself
    workspace.config.write_text(text.replace("max_writes_per_run = 10", "max_writes_per_run = 500"))
    finished = workspace.run("sync")
    assert finished.returncode == 0, finished.stderr
    assert flag_state(workspace.sandbox) == expected_flags(workspace.sandbox)
