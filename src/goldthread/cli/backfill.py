"""``goldthread backfill``: a full scan of every source, evaluated and written back.

Also home of :func:`run_cycle_command`, which ``sync`` shares: load the
config and secrets, build the connectors, run one cycle with progress, print
the plan (dry run) or the outcome and the summary, and pick the exit status.
"""

from __future__ import annotations

import sys
from collections.abc import Sequence
from dataclasses import replace
from datetime import UTC, datetime

import click
import structlog

from goldthread.cli.context import CliContext
from goldthread.cli.exits import EXIT_ERRORS, EXIT_OK, EXIT_UNTRACED, EXIT_USAGE
from goldthread.clock import Clock, SystemClock
from goldthread.config import Settings
from goldthread.connectors.base import Connector
from goldthread.errors import SourceError, StoreError, StoreLockedError
from goldthread.store import open_store
from goldthread.sync.budgeting import duration_text
from goldthread.sync.connecting import build_connectors, close_all
from goldthread.sync.cycle import CycleOptions, CycleResult, outlook_lines, run_cycle, stats_of
from goldthread.sync.progress import BarProgress, LogProgress
from goldthread.sync.summary import render_plan, render_summary

log = structlog.get_logger("goldthread.cli")


fail_on_untraced_option = click.option(
    "--fail-on-untraced",
    is_flag=True,
    help="Exit with status 3 when any item is orphan or broken (a CI gate).",
)


@click.command()
@click.option(
    "--source",
    "sources",
    multiple=True,
    metavar="NAME",
    help="Only this source (repeatable).",
)
@click.option(
    "--since",
    type=click.DateTime(formats=["%Y-%m-%d", "%Y-%m-%dT%H:%M:%S"]),
    default=None,
    help="Only items changed on or after this date (UTC).",
)
@click.option("--dry-run", is_flag=True, help="Print the write-back plan; send nothing.")
@click.option("--no-writeback", is_flag=True, help="Evaluate and report only.")
@click.option("--yes", is_flag=True, help="Write even when over half of all items get flagged.")
@fail_on_untraced_option
@click.pass_obj
def backfill(
    obj: CliContext,
    *,
    sources: Sequence[str],
    since: datetime | None,
    dry_run: bool,
    no_writeback: bool,
    yes: bool,
    fail_on_untraced: bool,
) -> None:
    """Full scan of every source, evaluate, write back."""
    when = since.replace(tzinfo=UTC) if since is not None else None
    options = CycleOptions(
        kind="backfill", since=when, writeback=not no_writeback, apply=True, confirmed=yes
    )
    code = run_cycle_command(
        obj,
        options,
        sources=sources,
        dry_run=dry_run,
        fail_on_untraced=fail_on_untraced,
        clock=SystemClock(),
    )
    raise click.exceptions.Exit(code)


def run_cycle_command(
    obj: CliContext,
    options: CycleOptions,
    *,
    sources: Sequence[str] = (),
    dry_run: bool = False,
    fail_on_untraced: bool = False,
    clock: Clock | None = None,
) -> int:
    """Run one cycle as a command; returns the exit status (docs/behaviour.md#commands)."""
    settings = obj.settings(sources=True)
    unknown = [name for name in sources if name not in {s.name for s in settings.sources}]
    if unknown:
        known = ", ".join(s.name for s in settings.sources) or "none"
        click.echo(
            f"goldthread: unknown source {', '.join(unknown)} (configured: {known})", err=True
        )
        return EXIT_USAGE
    secrets = obj.secrets(sources=True, webhooks=False)
    clock = clock or SystemClock()
    if dry_run or settings.writeback.dry_run or not settings.writeback.enabled:
        options = replace(
            options,
            writeback=options.writeback and settings.writeback.enabled,
            apply=False,
            confirmed=True,
        )
    try:
        connectors = build_connectors(settings, secrets, clock)
    except SourceError as error:
        click.echo(f"goldthread: cannot set up the sources: {error}", err=True)
        return EXIT_ERRORS
    chosen = {n: c for n, c in connectors.items() if not sources or n in sources}
    try:
        result = _run(settings, chosen, options, clock)
    except StoreLockedError as error:
        click.echo(f"goldthread: {error}", err=True)
        return EXIT_ERRORS
    except StoreError as error:
        click.echo(f"goldthread: store error: {error}", err=True)
        return EXIT_ERRORS
    finally:
        close_all(connectors)
    return report_outcome(result, options, fail_on_untraced=fail_on_untraced)


def _run(
    settings: Settings, connectors: dict[str, Connector], options: CycleOptions, clock: Clock
) -> CycleResult:
    with open_store(settings.store.url) as store:
        if sys.stderr.isatty():
            with BarProgress() as bars:
                return run_cycle(settings, store, connectors, options, clock=clock, progress=bars)
        return run_cycle(settings, store, connectors, options, clock=clock, progress=LogProgress())


def report_outcome(result: CycleResult, options: CycleOptions, *, fail_on_untraced: bool) -> int:
    """Print the plan or the outcome, the errors and the summary; pick the exit status."""
    if not options.apply and options.writeback:
        click.echo(render_plan(result.plan), nl=False)
    for line in result.errors:
        click.echo(f"goldthread: error: {line}", err=True)
    for line in result.warnings:
        click.echo(f"goldthread: warning: {line}", err=True)
    for line in outlook_lines(result.outlooks, options.patience):
        click.echo(f"goldthread: {line}", err=True)
    for source, count in sorted(result.deferred.items()):
        ahead = result.outlooks.get(source)
        left = ahead.finish - result.ended_at if ahead and result.ended_at else None
        eta = f", about {duration_text(left)} more" if left is not None else ""
        click.echo(
            f"goldthread: {source}: {count} comment(s) still to write{eta}; the next run "
            "or the service writes them, in the same order",
            err=True,
        )
    if result.needs_confirmation:
        click.echo(
            f"goldthread: this first run would flag {result.newly_flagged} of "
            f"{result.evaluation.items} items, more than half. Nothing was written. Check the "
            "rules with --dry-run, then run again with --yes (or set "
            "writeback.confirm_large = false).",
            err=True,
        )
    if result.write_limit_reached and result.applied is not None:
        click.echo(
            f"goldthread: stopped writing after {result.applied.total} writes "
            f"(writeback.max_writes_per_run); {result.applied.not_done} planned write(s) "
            "were not sent. If this is expected, raise the limit; the next run continues.",
            err=True,
        )
    click.echo(render_summary(result), nl=False)
    log.info("cycle finished", **stats_of(result))
    if not result.ok:
        return EXIT_ERRORS
    if fail_on_untraced and result.untraced:
        return EXIT_UNTRACED
    return EXIT_OK
