"""``goldthread inbox``: webhook deliveries waiting, failed or parked.

``list`` (the default) shows every entry not yet done, or those of one
``--status``, and says how long done entries are kept (``daemon.inbox_retention``); ``retry ID`` makes a failed or parked entry pending again;
``drop ID`` deletes it. ``list`` only reads, so it works beside a running
service; with the embedded SQLite store the running service holds the store
for writing, so stop it before ``retry`` or ``drop`` (the service picks
retried entries up when it starts again).
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import click

from goldthread.cli.context import CliContext
from goldthread.cli.exits import EXIT_ERRORS
from goldthread.config import format_duration
from goldthread.core.neutral import one_line
from goldthread.errors import StoreError
from goldthread.store import InboxEntry, InboxStatus, Store, open_store

_WAITING = (InboxStatus.PENDING, InboxStatus.PROCESSING, InboxStatus.FAILED, InboxStatus.DEAD)


@contextmanager
def _store(obj: CliContext, *, read_only: bool = False) -> Iterator[Store]:
    try:
        with open_store(obj.settings().store.url, read_only=read_only) as store:
            yield store
    except StoreError as exc:
        click.echo(f"goldthread: store error: {exc}", err=True)
        raise click.exceptions.Exit(EXIT_ERRORS) from None


@click.group(invoke_without_command=True)
@click.pass_context
def inbox(ctx: click.Context) -> None:
    """Webhook deliveries waiting, failed or parked: list, retry ID, drop ID."""
    if ctx.invoked_subcommand is None:
        ctx.invoke(list_entries)


@inbox.command("list")
@click.option(
    "--status",
    type=click.Choice([status.value for status in InboxStatus]),
    default=None,
    help="Only entries with this status (default: every entry not done).",
)
@click.pass_obj
def list_entries(obj: CliContext, status: str | None) -> None:
    """Entries not done yet (or of one --status), oldest first."""
    settings = obj.settings()
    with _store(obj, read_only=True) as store:
        if status is not None:
            entries = store.inbox(InboxStatus(status))
        else:
            entries = [e for e in store.inbox() if e.status in _WAITING]
        counts = store.inbox_counts()
    for entry in entries:
        click.echo(_line(entry))
    summary = ", ".join(f"{counts[s]} {s.value}" for s in InboxStatus)
    click.echo(f"{len(entries)} listed ({summary})")
    kept = format_duration(settings.daemon.inbox_retention)
    click.echo(
        f"done entries are kept for {kept} after they arrive (daemon.inbox_retention), then"
        " pruned; until then a redelivery or a replay of the same body is not queued again"
    )


def _line(entry: InboxEntry) -> str:
    parts = [
        f"{entry.id:>6}",
        f"{entry.status.value:<10}",
        entry.received_at.strftime("%Y-%m-%d %H:%M:%S"),
        one_line(entry.source),
        one_line(entry.event),
        one_line(entry.item_hint or "-"),
        f"attempts={entry.attempts}",
    ]
    if entry.next_attempt_at is not None and entry.status is InboxStatus.FAILED:
        parts.append(f"next={entry.next_attempt_at.strftime('%H:%M:%S')}")
    if entry.last_error:
        parts.append(f"error={one_line(entry.last_error)[:160]}")
    return "  ".join(parts)


@inbox.command()
@click.argument("entry_id", type=int)
@click.pass_obj
def retry(obj: CliContext, entry_id: int) -> None:
    """Make failed or parked entry ENTRY_ID pending again."""
    with _store(obj) as store:
        done = store.retry(entry_id)
    if not done:
        click.echo(f"goldthread: no failed or parked inbox entry {entry_id}", err=True)
        raise click.exceptions.Exit(EXIT_ERRORS)
    click.echo(f"entry {entry_id} is pending again")


@inbox.command()
@click.argument("entry_id", type=int)
@click.pass_obj
def drop(obj: CliContext, entry_id: int) -> None:
    """Delete entry ENTRY_ID from the inbox."""
    with _store(obj) as store:
        done = store.drop(entry_id)
    if not done:
        click.echo(f"goldthread: no inbox entry {entry_id}", err=True)
        raise click.exceptions.Exit(EXIT_ERRORS)
    click.echo(f"entry {entry_id} dropped")
