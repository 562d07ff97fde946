"""``goldthread fix``: parent links in bulk, through a plan a person approves.

``fix [--output PLAN]`` writes the plan from the store alone (no tracker is
contacted): one entry per untraced item with its best suggestion, none
approved. ``fix --apply PLAN`` checks the whole edited plan first — any
problem is one line on stderr and exit status 2, with nothing written —
prints the approved links, asks (unless ``--yes``; ``--dry-run`` stops
there), and writes them (:mod:`goldthread.sync.fixing`).
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime
from pathlib import Path

import click

from goldthread.cli.context import CliContext
from goldthread.cli.exits import EXIT_ERRORS, EXIT_USAGE
from goldthread.cli.reporting import last_link_kinds, open_for_reading, write_atomically
from goldthread.clock import SystemClock
from goldthread.config import Settings
from goldthread.config.sources import GitHubSource
from goldthread.core.fixing import LinkWays, PlannedLink, draft_plan, plan_json, read_plan
from goldthread.core.model import Verdict, WorkItem
from goldthread.core.neutral import one_line
from goldthread.core.suggesting import suggest_parents
from goldthread.errors import SourceError, StoreError
from goldthread.store import open_store
from goldthread.store.base import RunRecord
from goldthread.sync.budgeting import content_pacers
from goldthread.sync.connecting import build_connectors, close_all
from goldthread.sync.fixing import FixResult, References, apply_links


@click.command()
@click.option(
    "--output",
    "-o",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    help="Write the plan to PLAN (default: standard output).",
)
@click.option(
    "--apply",
    "plan_path",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    metavar="PLAN",
    help='Write the links PLAN approves ("approve": true).',
)
@click.option("--yes", is_flag=True, help="Write without asking.")
@click.option("--dry-run", is_flag=True, help="Check and print the plan; write nothing.")
@click.pass_obj
def fix(
    obj: CliContext, *, output: Path | None, plan_path: Path | None, yes: bool, dry_run: bool
) -> None:
    """Write a reviewable plan of parent links for untraced items; --apply writes
    the approved ones."""
    if output is not None and plan_path is not None:
        raise click.UsageError("--output writes a plan and --apply reads one: give one of them")
    settings = obj.settings()
    with open_for_reading(settings) as store:
        items = {item.ref: item for item in store.items()}
        verdicts = dict(store.verdicts())
        ways = link_ways(settings, store.runs(limit=50))
    if plan_path is None:
        _write_plan(settings, items, verdicts, ways, output)
        return
    _apply(
        obj,
        settings,
        plan_path,
        items=items,
        verdicts=verdicts,
        ways=ways,
        yes=yes,
        dry_run=dry_run,
    )


def link_ways(settings: Settings, runs: list[RunRecord]) -> LinkWays:
    """Each source's tracker, what its server offered when last read, and its
    first parent link type."""
    trackers: dict[str, str] = {}
    no_sub_issues: set[str] = set()
    link_types: dict[str, str] = {}
    for source in settings.sources:
        if isinstance(source, GitHubSource):
            trackers[source.name] = "github"
            kinds = last_link_kinds(runs, source.name)
            if kinds is not None and "sub-issue" not in (kinds.get("available") or ()):
                no_sub_issues.add(source.name)
            continue
        trackers[source.name] = "jira"
        if source.parent_link_types:
            link_types[source.name] = source.parent_link_types[0]
    return LinkWays(trackers, frozenset(no_sub_issues), link_types)


def _write_plan(
    settings: Settings,
    items: Mapping[str, WorkItem],
    verdicts: Mapping[str, Verdict],
    ways: LinkWays,
    output: Path | None,
) -> None:
    likely = suggest_parents(items, verdicts, ignore_labels=(settings.writeback.label,))
    plan = draft_plan(items, verdicts, likely, ways)
    text = plan_json(plan, datetime.now(UTC))
    if output is None:
        click.echo(text, nl=False)
    else:
        write_atomically(output, text)
    with_parent = sum(1 for link in plan if link.parent is not None)
    where = output if output is not None else "PLAN"
    click.echo(
        f"goldthread: {len(plan)} untraced item(s), {with_parent} with a likely parent. "
        f'Set "approve": true on the links to write (a parent may be changed or filled in), '
        f"then run `goldthread fix --apply {where}`.",
        err=True,
    )


def _apply(
    obj: CliContext,
    settings: Settings,
    plan_path: Path,
    *,
    items: Mapping[str, WorkItem],
    verdicts: Mapping[str, Verdict],
    ways: LinkWays,
    yes: bool,
    dry_run: bool,
) -> None:
    try:
        text = plan_path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as error:
        click.echo(f"goldthread: cannot read the plan {plan_path}: {error}", err=True)
        raise click.exceptions.Exit(EXIT_USAGE) from None
    approved, problems = read_plan(text, items, verdicts, ways)
    if problems:
        for problem in problems:
            click.echo(f"goldthread: plan error: {one_line(problem)}", err=True)
        click.echo(f"goldthread: {plan_path} not applied: nothing was written", err=True)
        raise click.exceptions.Exit(EXIT_USAGE)
    if not approved:
        click.echo(f'No link in {plan_path} is approved ("approve": true): nothing to write.')
        return
    click.echo(render_links(approved), nl=False)
    if dry_run or settings.writeback.dry_run:
        click.echo("Dry run: nothing written.")
        return
    if not yes and not click.confirm(f"Write these {len(approved)} link(s)?", default=False):
        click.echo("Nothing written.")
        return
    secrets = obj.secrets(sources=True, webhooks=False)
    clock = SystemClock()
    try:
        connectors = build_connectors(settings, secrets, clock)
    except SourceError as error:
        click.echo(f"goldthread: cannot set up the sources: {error}", err=True)
        raise click.exceptions.Exit(EXIT_ERRORS) from None
    try:
        with open_store(settings.store.url) as store:
            result = apply_links(
                approved,
                connectors,
                items,
                settings.trace_policy(),
                References(settings.reference_patterns(), settings.source_index()),
                now=clock.now,
                max_writes=settings.writeback.max_writes_per_run,
                pacers=content_pacers(store, connectors, clock),
            )
    except StoreError as error:
        click.echo(f"goldthread: store error: {error}", err=True)
        raise click.exceptions.Exit(EXIT_ERRORS) from None
    finally:
        close_all(connectors)
    raise click.exceptions.Exit(_outcome(result))


def render_links(links: list[PlannedLink]) -> str:
    """The approved links, one per line, for a person to confirm."""
    lines = [f"{len(links)} approved link(s):"]
    for link in links:
        why = f"  ({one_line(link.why)})" if link.why else ""
        lines.append(f"  {link.child} -> {link.parent}  by {link.how}{why}")
    return "\n".join(lines) + "\n"


def _outcome(result: FixResult) -> int:
    for line in result.written:
        click.echo(f"linked: {line}")
    for line in result.skipped:
        click.echo(f"skipped: {line}")
    for line in result.errors:
        click.echo(f"goldthread: error: {one_line(line)}", err=True)
    if result.not_done:
        click.echo(
            f"goldthread: stopped after {len(result.written)} writes "
            f"(writeback.max_writes_per_run); {result.not_done} approved link(s) were not "
            "written. Apply the plan again to go on: written links are skipped.",
            err=True,
        )
    click.echo(
        f"{len(result.written)} written, {len(result.skipped)} skipped, "
        f"{len(result.errors)} failed. The next sync takes the flags down."
    )
    return EXIT_ERRORS if result.errors or result.not_done else 0
