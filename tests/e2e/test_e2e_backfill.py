"""The real CLI against both sandbox trackers: every verdict right, every flag right, once."""

from __future__ import annotations

from e2e_helpers import Workspace, expected_flags, flag_state


def test_backfill_judges_every_item_as_expected_across_both_trackers(
    workspace: Workspace,
) -> None:
    done = workspace.run("backfill", "--yes")
    assert done.returncode == 0, done.stderr
    report = workspace.report()
    judged = {ref: (row["verdict"], row["reason"]) for ref, row in report.items()}
    expected = workspace.sandbox.expected()
    assert {ref: judged.get(ref) for ref in expected} == expected
    crossing = [
        ref
        for ref, row in report.items()
        if row["verdict"] == "traced"
        and {link.partition(":")[0] for link in row["chain"]} == {"gh", "jira"}
    ]
    assert crossing, "traced chains cross from GitHub into Jira"


def test_backfill_puts_the_label_and_one_comment_on_exactly_the_flagged_items(
    workspace: Workspace,
) -> None:
    done = workspace.run("backfill", "--yes")
    assert done.returncode == 0, done.stderr
    assert flag_state(workspace.sandbox) == expected_flags(workspace.sandbox)
    report = workspace.report()
    assert all(
        row["flagged"] == (row["verdict"] in ("orphan", "broken")) for row in report.values()
    )


def test_a_second_run_sends_no_mutating_request(workspace: Workspace) -> None:
    assert workspace.run("backfill", "--yes").returncode == 0
    workspace.sandbox.clear_request_log()
    again = workspace.run("sync")
    assert again.returncode == 0, again.stderr
    assert workspace.mutating_requests() == []
    full = workspace.run("backfill")
    assert full.returncode == 0, full.stderr
    assert workspace.mutating_requests() == []


def test_a_run_after_deleting_the_store_duplicates_nothing(workspace: Workspace) -> None:
    assert workspace.run("backfill", "--yes").returncode == 0
    for path in workspace.directory.glob(f"{workspace.store.name}*"):
        path.unlink()
    workspace.sandbox.clear_request_log()
    again = workspace.run("backfill", "--yes")
    assert again.returncode == 0, again.stderr
    assert workspace.mutating_requests() == []
    assert flag_state(workspace.sandbox) == expected_flags(workspace.sandbox)


def test_a_dry_run_prints_the_plan_and_sends_nothing(workspace: Workspace) -> None:
    done = workspace.run("backfill", "--dry-run")
    assert done.returncode == 0, done.stderr
    assert "Write-back plan" in done.stdout
    assert "add-label" in done.stdout
    assert workspace.mutating_requests() == []


def test_fail_on_untraced_exits_3_when_any_item_is_orphan_or_broken(
    workspace: Workspace,
) -> None:
    done = workspace.run("backfill", "--no-writeback", "--fail-on-untraced")
    assert done.returncode == 3, done.stderr
    assert workspace.mutating_requests() == []
