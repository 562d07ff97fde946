"""``goldthread sync``: one incremental pass from the stored cursors.

The same cycle as ``backfill``, reading only what changed since the last
successful run of each source (a source never read before is read in full).
"""

from __future__ import annotations

import click

from goldthread.cli.backfill import fail_on_untraced_option, run_cycle_command
from goldthread.cli.context import CliContext
from goldthread.clock import SystemClock
from goldthread.sync.cycle import CycleOptions


@click.command()
@click.option("--dry-run", is_flag=True, help="Print the write-back plan; send nothing.")
@click.option("--no-writeback", is_flag=True, help="Evaluate and report only.")
@click.option("--yes", is_flag=True, help="Write even when over half of all items get flagged.")
@fail_on_untraced_option
@click.pass_obj
def sync(
    obj: CliContext,
    *,
    dry_run: bool,
    no_writeback: bool,
    yes: bool,
    fail_on_untraced: bool,
) -> None:
    """One incremental pass from the stored cursors."""
    options = CycleOptions(kind="sync", writeback=not no_writeback, confirmed=yes)
    code = run_cycle_command(
        obj,
        options,
        dry_run=dry_run,
        fail_on_untraced=fail_on_untraced,
        clock=SystemClock(),
    )
    raise click.exceptions.Exit(code)
