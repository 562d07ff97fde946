"""A run shows it is moving: a bar per source on a terminal, log lines elsewhere, one summary."""

from __future__ import annotations

import io
from datetime import UTC, datetime

from rich.console import Console
from structlog.testing import capture_logs
from sync_builders import cycle

from goldthread.clock import FakeClock
from goldthread.connectors.memory import MemoryConnector
from goldthread.core.model import RateBudget
from goldthread.store import Store
from goldthread.sync.progress import BarProgress, LogProgress
from goldthread.sync.summary import render_plan, render_summary

BUDGET = RateBudget(remaining=4200, limit=5000, reset_at=datetime(2026, 6, 1, tzinfo=UTC))


def test_the_terminal_bar_shows_items_read_and_budget_left_per_source() -> None:
    screen = io.StringIO()
    with BarProgress(Console(file=screen, force_terminal=True, width=160)) as bars:
        bars.started("gh", 2)
        bars.advanced("gh", 250, BUDGET)
        bars.scope_done("gh", "acme/web", BUDGET)
        bars.finished("gh", ok=True)
    shown = screen.getvalue()
    assert "gh" in shown
    assert "250 items" in shown
    assert "budget 4200/5000" in shown


def test_off_a_terminal_each_scope_read_is_one_log_line() -> None:
    progress = LogProgress()
    with capture_logs() as logs:
        progress.started("jira", 1)
        progress.advanced("jira", 40, None)
        progress.scope_done("jira", "PLAT", None)
        progress.finished("jira", ok=True)
    scope_line = next(line for line in logs if line["event"] == "scope read")
    assert (scope_line["source"], scope_line["scope"], scope_line["items_so_far"]) == (
        "jira",
        "PLAT",
        40,
    )


def test_the_summary_names_layers_verdicts_coverage_writes_requests_and_duration(
    store: Store, connectors: dict[str, MemoryConnector], clock: FakeClock
) -> None:
    text = render_summary(cycle(store, connectors, clock, kind="backfill"))
    for part in ("by layer:", "execution", "orphan 2", "broken 1", "coverage:", "add-label 3"):
        assert part in text
    assert "requests:" in text
    assert "duration:" in text


def test_the_dry_run_plan_counts_per_action_and_source_then_lists_the_items(
    store: Store, connectors: dict[str, MemoryConnector], clock: FakeClock
) -> None:
    result = cycle(store, connectors, clock, kind="backfill", apply=False)
    text = render_plan(result.plan)
    assert "none sent" in text
    assert "gh           add-label             2" in text
    assert "create-comment   jira:PLAT-4" in text
