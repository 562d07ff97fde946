"""``goldthread migrate``: apply the store's schema migrations explicitly.

The service and every command also migrate when they open the store (on
PostgreSQL under an advisory lock, so replicas starting together apply each
migration once); this command lets an operator do it first, on its own,
before rolling out a new version.
"""

from __future__ import annotations

import click

from goldthread.cli.context import CliContext
from goldthread.cli.exits import EXIT_ERRORS
from goldthread.errors import StoreError
from goldthread.store import migrate_store


@click.command()
@click.option(
    "--url",
    "store_url",
    default=None,
    metavar="URL",
    help="Store to migrate (default: [store] url of the config).",
)
@click.pass_obj
def migrate(obj: CliContext, store_url: str | None) -> None:
    """Apply store schema migrations."""
    url = store_url if store_url is not None else obj.settings().store.url
    try:
        applied, version = migrate_store(url)
    except StoreError as exc:
        click.echo(f"goldthread: store error: {exc}", err=True)
        raise click.exceptions.Exit(EXIT_ERRORS) from None
    if applied:
        names = ", ".join(f"{number:04d}" for number in applied)
        click.echo(f"applied migration(s) {names}; the store is at schema version {version}")
    else:
        click.echo(f"the store is already at schema version {version}; nothing to apply")
