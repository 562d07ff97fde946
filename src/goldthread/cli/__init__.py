"""The ``goldthread`` command line: a root group and one module per command.

The root group only records its options (config path, log format and level)
and configures logging; each command loads the config itself, so a command
that needs none (``--help``, ``demo``) works without one. A config problem
ends any command with exit status 2 and one line per problem, before any
tracker is touched.
"""

from __future__ import annotations

import sys
from collections.abc import Sequence
from typing import Any

import click

from goldthread import __version__
from goldthread.cli.backfill import backfill
from goldthread.cli.check import check
from goldthread.cli.configuring import config
from goldthread.cli.context import CliContext
from goldthread.cli.demo import demo
from goldthread.cli.digest import digest
from goldthread.cli.exits import EXIT_ERRORS, EXIT_OK, EXIT_UNTRACED, EXIT_USAGE
from goldthread.cli.fix import fix
from goldthread.cli.inbox import inbox
from goldthread.cli.init import init
from goldthread.cli.migrate import migrate
from goldthread.cli.reporting import explain, report
from goldthread.cli.run import run
from goldthread.cli.store_copy import store
from goldthread.cli.suggest import suggest
from goldthread.cli.sync import sync
from goldthread.errors import ConfigError
from goldthread.logs import LEVELS, LogFormat, configure_logging

__all__ = [
    "EXIT_ERRORS",
    "EXIT_OK",
    "EXIT_UNTRACED",
    "EXIT_USAGE",
    "CliContext",
    "cli",
    "main",
]


class _Group(click.Group):
    """Turns a :class:`ConfigError` from any command into exit status 2."""

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except ConfigError as exc:
            report_config_error(exc)
            raise click.exceptions.Exit(EXIT_USAGE) from None


def report_config_error(exc: ConfigError) -> None:
    """One ``goldthread: config error: <key>: <problem>`` line per problem, to stderr."""
    for line in exc.problems or [str(exc)]:
        click.echo(f"goldthread: config error: {line}", err=True)
    if exc.hint:
        click.echo(f"goldthread: {exc.hint}", err=True)


@click.group(cls=_Group, context_settings={"help_option_names": ["-h", "--help"]})
@click.option(
    "--config",
    "config_path",
    type=click.Path(dir_okay=False),
    default=None,
    help="Config file (default: $GOLDTHREAD_CONFIG, else ./goldthread.toml).",
)
@click.option(
    "--log-format",
    type=click.Choice(["json", "console"]),
    default=None,
    envvar="GOLDTHREAD_LOG_FORMAT",
    help="Log format (default: console on a terminal, json otherwise).",
)
@click.option(
    "--log-level",
    type=click.Choice(LEVELS, case_sensitive=False),
    default="info",
    show_default=True,
    envvar="GOLDTHREAD_LOG_LEVEL",
    help="Lowest level logged.",
)
@click.version_option(__version__, prog_name="goldthread")
@click.pass_context
def cli(
    ctx: click.Context, config_path: str | None, log_format: LogFormat | None, log_level: str
) -> None:
    """Keep the golden thread from vision to strategy to execution intact."""
    configure_logging(log_format, log_level)
    ctx.obj = CliContext(config_path=config_path, log_format=log_format, log_level=log_level)


# Every command lives in its own module of this package and is registered here,
# explicitly, in the order `goldthread --help` should list them.
COMMANDS: list[click.Command] = [
    init,
    check,
    backfill,
    sync,
    run,
    report,
    explain,
    suggest,
    fix,
    digest,
    demo,
    inbox,
    migrate,
    store,
    config,
]
for _command in COMMANDS:
    cli.add_command(_command)


def main(argv: Sequence[str] | None = None) -> None:
    """The console script: run the command and exit with its status."""
    try:
        cli.main(args=list(argv) if argv is not None else None, prog_name="goldthread")
    except ConfigError as exc:  # raised outside a command, e.g. while parsing options
        report_config_error(exc)
        sys.exit(EXIT_USAGE)
