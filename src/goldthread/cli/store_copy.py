"""``goldthread store copy FROM_URL TO_URL``: move state between SQLite and PostgreSQL.

Every table is copied as it is (items, verdicts, cursors, the write-back
ledger, the inbox with its attempts, runs and coverage history, leases) into
a target that must be empty. The source is opened like the service opens it,
so a SQLite store still held by a running ``goldthread run`` is refused: stop
the service, copy, point ``[store] url`` at the target, start again.
"""

from __future__ import annotations

import click

from goldthread.cli.exits import EXIT_ERRORS
from goldthread.errors import StoreError
from goldthread.store import open_store
from goldthread.store.portable import copy_store


@click.group("store")
def store() -> None:
    """Move the store between backends."""


@store.command("copy")
@click.argument("from_url")
@click.argument("to_url")
def copy(from_url: str, to_url: str) -> None:
    """Copy every table of the store at FROM_URL into the empty store at TO_URL.

    Either may be sqlite:///PATH or postgresql://…; the target is created
    (SQLite) or migrated (PostgreSQL; the database must exist) as needed.
    """
    try:
        with open_store(from_url) as source, open_store(to_url) as target:
            copied = copy_store(source, target)
    except StoreError as exc:
        click.echo(f"goldthread: store error: {exc}", err=True)
        raise click.exceptions.Exit(EXIT_ERRORS) from None
    for table, rows in copied.items():
        click.echo(f"{table:<10} {rows:>9} rows")
    click.echo(f"copied {sum(copied.values())} rows; now point [store] url at the target")
