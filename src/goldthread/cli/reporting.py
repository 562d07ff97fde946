"""``goldthread report`` and ``goldthread explain``: what the store knows.

Both read the store only; neither contacts a tracker, so they work offline,
in CI after a backfill, and need no tracker credentials.
"""

from __future__ import annotations

import difflib
import json
import os
import shutil
import sys
import tempfile
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import click

from goldthread.cli.context import CliContext
from goldthread.cli.exits import EXIT_ERRORS, EXIT_UNTRACED
from goldthread.config import Settings
from goldthread.core.model import Verdict, VerdictKind, WorkItem
from goldthread.core.tracing import trace
from goldthread.errors import StoreError
from goldthread.reports import FORMATS, ReportData, render, report_from
from goldthread.reports.explaining import explain_item, owner_lines
from goldthread.reports.table import render_table
from goldthread.store import Store, open_store
from goldthread.store.base import RunRecord


@click.command()
@click.option(
    "--format",
    "fmt",
    type=click.Choice(list(FORMATS)),
    default="table",
    show_default=True,
    help="Output format.",
)
@click.option(
    "--output",
    "-o",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    help="Write the report to FILE (replaced atomically) instead of standard output.",
)
@click.option(
    "--verdict",
    "verdicts",
    type=click.Choice([kind.value for kind in VerdictKind]),
    multiple=True,
    help="List only items with this verdict (repeatable). Totals still cover every item.",
)
@click.option(
    "--owner",
    "owners",
    multiple=True,
    metavar="TEAM",
    help="Only this team's items, totals and barren items (repeatable; [[owners]] teams).",
)
@click.option(
    "--fail-on-untraced",
    is_flag=True,
    help="Exit with status 3 when any item is orphan or broken (a CI gate).",
)
@click.pass_obj
def report(
    obj: CliContext,
    *,
    fmt: str,
    output: Path | None,
    verdicts: Sequence[str],
    owners: Sequence[str],
    fail_on_untraced: bool,
) -> None:
    """From the store, without calling any tracker: coverage and untraced items."""
    settings = obj.settings()
    rules = settings.owner_rules()
    unknown = [team for team in owners if team not in rules.teams()]
    if unknown:
        known = ", ".join(rules.teams()) or "none: add [[owners]] to the config"
        raise click.UsageError(f"--owner {unknown[0]!r} is not a team (teams: {known})")
    with open_for_reading(settings) as store:
        data = report_from(
            store,
            writeback_enabled=settings.writeback.enabled,
            now=datetime.now(UTC),
            verdict_filter=verdicts,
            label=settings.writeback.label,
            owners=rules,
            owner_filter=owners,
        )
    if output is None:
        click.echo(_for_terminal(data, fmt), nl=False)
    else:
        write_atomically(output, render(data, fmt))
    if fail_on_untraced and data.summary.total.untraced:
        raise click.exceptions.Exit(EXIT_UNTRACED)


@click.command()
@click.argument("ref")
@click.pass_obj
def explain(obj: CliContext, ref: str) -> None:
    """The rules that matched, the chain walked, the verdict of REF (gh:acme/web#12)."""
    settings = obj.settings()
    with open_for_reading(settings) as store:
        items = {item.ref: item for item in store.items()}
        stored = store.verdicts()
        runs = store.runs(limit=50)
        spans = store.flags()
    found = resolve_ref(ref, items)
    policy = settings.trace_policy()
    now = datetime.now(UTC)
    fresh = trace(items, policy, now)
    kinds = last_link_kinds(runs, items[found].source)
    click.echo(
        explain_item(found, items, policy, fresh.get(found), verdicts=fresh, link_kinds=kinds),
        nl=False,
    )
    click.echo(
        owner_lines(settings.owner_rules().match(items[found]), spans.get(found), now), nl=False
    )
    note = _stale_note(stored.get(found), fresh.get(found))
    if note:
        click.echo(note)


def last_link_kinds(runs: Sequence[RunRecord], source: str) -> dict[str, Any] | None:
    """What ``source``'s server offered, as the newest run that read it recorded."""
    for run in sorted(runs, key=lambda r: r.id, reverse=True):
        try:
            stats = json.loads(run.stats_json or "{}")
        except ValueError:
            continue
        kinds = (stats.get("link_kinds") or {}).get(source) if isinstance(stats, dict) else None
        if isinstance(kinds, dict):
            return kinds
    return None


@contextmanager
def open_for_reading(settings: Settings) -> Iterator[Store]:
    """The store, open for reading only (so it works beside a running service);
    any store failure ends the command with status 1."""
    try:
        with open_store(settings.store.url, read_only=True) as store:
            yield store
    except StoreError as exc:
        click.echo(f"goldthread: store error: {exc}", err=True)
        raise click.exceptions.Exit(EXIT_ERRORS) from None


def _for_terminal(data: ReportData, fmt: str) -> str:
    """Tables fit the terminal and are coloured only when it is one."""
    if fmt != "table":
        return render(data, fmt)
    tty = sys.stdout.isatty()
    width = shutil.get_terminal_size((120, 40)).columns if tty else 120
    return render_table(data, width=width, color=tty, links=tty)


def write_atomically(path: Path, text: str) -> None:
    """Readers (a dashboard, a CI artefact upload) never see half a report."""
    temporary: Path | None = None
    try:
        with tempfile.NamedTemporaryFile(
            "w", encoding="utf-8", dir=path.parent, prefix=f".{path.name}.", delete=False
        ) as handle:
            temporary = Path(handle.name)
            handle.write(text)
        os.replace(temporary, path)
    except OSError as exc:
        if temporary is not None:
            temporary.unlink(missing_ok=True)
        click.echo(f"goldthread: cannot write {path}: {exc.strerror or exc}", err=True)
        raise click.exceptions.Exit(EXIT_ERRORS) from None


def resolve_ref(ref: str, items: dict[str, WorkItem]) -> str:
    """``ref`` itself, or the one item whose key it is (``PLAT-7``); else exit 1."""
    if ref in items:
        return ref
    by_key = [r for r, item in items.items() if item.key == ref]
    if len(by_key) == 1:
        return by_key[0]
    hint = ""
    close = by_key or difflib.get_close_matches(ref, list(items), n=3)
    if close:
        hint = f"; did you mean {', '.join(close)}?"
    elif not items:
        hint = "; the store is empty: run `goldthread backfill` first"
    click.echo(f"goldthread: no item {ref!r} in the store{hint}", err=True)
    raise click.exceptions.Exit(EXIT_ERRORS)


def _stale_note(stored: Verdict | None, fresh: Verdict | None) -> str:
    """Say so when the stored verdict differs from the one the config gives now."""
    if stored is None or fresh is None:
        return ""
    if (stored.kind, stored.reason) == (fresh.kind, fresh.reason):
        return ""
    return (
        f"\nThe last evaluation said {stored.kind.value} ({stored.reason.value}); the config "
        "or the items changed since, and the next sync will update it."
    )
