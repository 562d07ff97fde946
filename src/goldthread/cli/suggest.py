"""``goldthread suggest REF``: likely parents of one untraced item.

From the store only, like ``report``: no tracker is contacted, and the
verdicts are the last evaluation's, the ones the comments and reports show.
"""

from __future__ import annotations

import click

from goldthread.cli.context import CliContext
from goldthread.cli.reporting import open_for_reading, resolve_ref
from goldthread.core.suggesting import suggest_parents
from goldthread.reports.suggested import suggest_text


@click.command()
@click.argument("ref")
@click.pass_obj
def suggest(obj: CliContext, ref: str) -> None:
    """Likely parents for the untraced item REF, best first, with why."""
    settings = obj.settings()
    with open_for_reading(settings) as store:
        items = {item.ref: item for item in store.items()}
        verdicts = store.verdicts()
    found = resolve_ref(ref, items)
    likely = suggest_parents(
        items, verdicts, only=[found], ignore_labels=(settings.writeback.label,)
    )
    click.echo(suggest_text(found, items, verdicts.get(found), likely.get(found, ())), nl=False)
