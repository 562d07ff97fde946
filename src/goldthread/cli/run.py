"""``goldthread run``: the long-running service (docs/behaviour.md#service-endpoints).

Polling, the webhook receiver, ``/healthz``, ``/readyz``, ``/metrics`` and the
dashboard at ``/``, in one process; SIGTERM stops it cleanly (exit 0).
"""

from __future__ import annotations

import click

from goldthread.cli.context import CliContext
from goldthread.cli.exits import EXIT_ERRORS
from goldthread.errors import FatalSourceError, StoreError


@click.command()
@click.option(
    "--yes",
    "confirmed",
    is_flag=True,
    help="Allow a first run that would flag over half of all items (see confirm_large).",
)
@click.option(
    "--grace-period",
    type=click.FloatRange(min=1.0),
    default=25.0,
    show_default=True,
    help="Seconds to finish the work in hand after SIGTERM; the rest stays in the inbox.",
)
@click.option(
    "--no-poll",
    is_flag=True,
    help="Serve webhooks only; never poll the trackers (for tests and webhook-only setups).",
)
@click.pass_obj
def run(obj: CliContext, confirmed: bool, grace_period: float, no_poll: bool) -> None:
    """The service: polling + webhooks + /healthz /readyz /metrics and a dashboard at /."""
    from goldthread.service.running import ServiceOptions, serve

    settings = obj.settings(sources=True)
    secrets = obj.secrets(sources=True, webhooks=True, notify=True)
    options = ServiceOptions(confirmed=confirmed, grace_seconds=grace_period, poll=not no_poll)
    try:
        status = serve(settings, secrets, options)
    except StoreError as error:
        click.echo(f"goldthread: store error: {error}", err=True)
        raise click.exceptions.Exit(EXIT_ERRORS) from None
    except FatalSourceError as error:
        click.echo(f"goldthread: source error: {error}", err=True)
        raise click.exceptions.Exit(EXIT_ERRORS) from None
    except OSError as error:
        click.echo(f"goldthread: cannot listen: {error}", err=True)
        raise click.exceptions.Exit(EXIT_ERRORS) from None
    raise click.exceptions.Exit(status)
