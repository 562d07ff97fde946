"""``goldthread digest [--dry-run] [--owner TEAM]...``: each owner's digest, now.

Reads the store only (no tracker is contacted) and sends each team's digest
to its ``[[notify]]`` targets at once, outside the ``[digest]`` schedule; the
teams whose targets all took it get a new snapshot, so the next digest says
what changed since this one. ``--dry-run`` prints what would be sent and
changes nothing. A team with nothing untraced, nothing barren and nothing
changed gets no message.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import UTC, datetime

import click
from pydantic import SecretStr

from goldthread.cli.context import CliContext
from goldthread.cli.exits import EXIT_ERRORS
from goldthread.config import Settings
from goldthread.core.digest import Digest, Snapshot
from goldthread.digests.building import digests_of, notified_teams, owner_facts
from goldthread.digests.delivering import send, target_of
from goldthread.digests.text import render_text
from goldthread.errors import NotifyError, StoreError
from goldthread.store import open_store


@click.command()
@click.option("--dry-run", is_flag=True, help="Print what would be sent; send and record nothing.")
@click.option(
    "--owner",
    "owners",
    multiple=True,
    metavar="TEAM",
    help="Only this team's digest (repeatable; default: every team with a notify target).",
)
@click.pass_obj
def digest(obj: CliContext, *, dry_run: bool, owners: Sequence[str]) -> None:
    """Send each owner's digest now (what changed since the last one)."""
    settings = obj.settings()
    teams = _teams(settings, owners, dry_run=dry_run)
    secrets: Mapping[str, SecretStr] = (
        {} if dry_run else obj.secrets(sources=False, webhooks=False, notify=True).notify
    )
    try:
        with open_store(settings.store.url, read_only=dry_run) as store:
            made = digests_of(
                settings,
                owner_facts(settings, store, teams),
                store.snapshots(),
                datetime.now(UTC),
            )
            if dry_run:
                _print(settings, [d for d, _ in made])
                return
            taken, failed = _send_all(settings, secrets, made)
            store.save_snapshots(taken)
    except StoreError as exc:
        click.echo(f"goldthread: store error: {exc}", err=True)
        raise click.exceptions.Exit(EXIT_ERRORS) from None
    if failed:
        raise click.exceptions.Exit(EXIT_ERRORS)


def _teams(settings: Settings, owners: Sequence[str], *, dry_run: bool) -> tuple[str, ...]:
    known = settings.owner_rules().teams()
    if not known:
        raise click.UsageError("no [[owners]] configured: digests are per owner")
    for team in owners:
        if team not in known:
            raise click.UsageError(f"--owner {team!r} is not a team (teams: {', '.join(known)})")
        if not dry_run and not settings.targets_of(team):
            raise click.UsageError(f"team {team!r} has no notify targets (owners.notify)")
    if owners:
        return tuple(dict.fromkeys(owners))
    teams = notified_teams(settings)
    if not teams and not dry_run:
        raise click.UsageError("no team has a notify target: add [[notify]] and owners.notify")
    return teams or known


def _print(settings: Settings, digests: Sequence[Digest]) -> None:
    for made in digests:
        targets = [
            f"{name} ({target_of(settings, name).type})" for name in settings.targets_of(made.team)
        ]
        to = ", ".join(targets) or "no target configured"
        click.echo(f"── {made.team} → {to}")
        if made.quiet:
            click.echo("(nothing untraced and nothing changed: no message)\n")
            continue
        click.echo(render_text(made))


def _send_all(
    settings: Settings, secrets: Mapping[str, SecretStr], made: Sequence[tuple[Digest, Snapshot]]
) -> tuple[list[Snapshot], int]:
    """Send every digest; the snapshots of the teams that heard, and the failures."""
    taken: list[Snapshot] = []
    failed = 0
    for digest_now, snap in made:
        ok = True
        for name in () if digest_now.quiet else settings.targets_of(digest_now.team):
            try:
                send(settings, secrets, name, digest_now)
            except NotifyError as error:
                ok = False
                failed += 1
                click.echo(f"goldthread: {digest_now.team} → {name}: {error}", err=True)
            else:
                click.echo(f"{digest_now.team} → {name}: sent")
        if digest_now.quiet:
            click.echo(f"{digest_now.team}: nothing untraced and nothing changed, no message")
        if ok:
            taken.append(snap)
    return taken, failed
