"""``goldthread demo``: goldthread end to end in a minute, no account needed.

Starts the sandbox (local GitHub and Jira stand-ins) with a seeded
organisation of about 200 items across both trackers, runs a backfill with
write-back against it, prints the report, shows one comment goldthread
posted as a person would see it, writes ``goldthread-demo.html`` and says
what to try next. It needs no config file: the sandbox brings its own,
and its state lives in a temporary directory that goes away afterwards.
"""

from __future__ import annotations

import shutil
import sys
import tempfile
from datetime import UTC, datetime
from pathlib import Path

import click
from rich.console import Console
from rich.markdown import Markdown
from rich.panel import Panel

from goldthread.cli.context import CliContext
from goldthread.cli.exits import EXIT_ERRORS, EXIT_OK
from goldthread.clock import SystemClock
from goldthread.config import Settings, load_settings, resolve_secrets
from goldthread.core.marker import has_marker, without_marker
from goldthread.digests.building import digests_of, notified_teams, owner_facts
from goldthread.digests.text import render_text
from goldthread.reports import render_html, render_table, report_from
from goldthread.sandbox.control import Sandbox
from goldthread.sandbox.org import generate
from goldthread.store import Store, open_store
from goldthread.sync.commenting import SUGGESTED
from goldthread.sync.connecting import build_connectors, close_all
from goldthread.sync.cycle import CycleOptions, CycleResult, run_cycle
from goldthread.sync.progress import BarProgress, LogProgress
from goldthread.sync.summary import render_summary

HTML_FILE = "goldthread-demo.html"

NEXT_STEPS = """\
Next:
  1. Your own config: `goldthread init --online` proposes repositories, projects
     and layer rules from your trackers and tries them without writing; then
     `goldthread check --online` says what the credentials may do.
  2. See what it would write, without writing: `goldthread backfill --dry-run`
     against production.
  3. Keep it running: `goldthread run` (polling, webhooks, /metrics, dashboard),
     and tell each team what drifted: [[owners]], [[notify]] and [digest].
  4. Link orphans in bulk: `goldthread suggest REF` names likely parents;
     `goldthread fix --output plan.json`, approve entries, then
     `goldthread fix --apply plan.json`.
"""


@click.command()
@click.option("--size", default=200, show_default=True, help="Items in the seeded organisation.")
@click.option("--seed", default=7, show_default=True, help="Seed of the organisation.")
@click.option(
    "--output",
    "output",
    type=click.Path(dir_okay=False, path_type=Path),
    default=Path(HTML_FILE),
    show_default=True,
    help="Where to write the HTML report.",
)
@click.pass_obj
def demo(obj: CliContext, *, size: int, seed: int, output: Path) -> None:
    """The sandbox: local GitHub and Jira stand-ins, a seeded organisation, a backfill."""
    del obj  # the demo needs no config file
    console = Console(highlight=False)
    workdir = Path(tempfile.mkdtemp(prefix="goldthread-demo-"))
    try:
        with Sandbox() as sandbox:
            sandbox.load(generate(size, seed=seed, evidence=True))
            console.print(
                f"Sandbox up: GitHub at {sandbox.github_url}, Jira at {sandbox.jira_url}, "
                f"{len(sandbox.expected())} items seeded."
            )
            config = workdir / "goldthread.toml"
            config.write_text(
                sandbox.config_toml(f"sqlite:///{workdir / 'goldthread.db'}"), encoding="utf-8"
            )
            settings = load_settings(config)
            code = _backfill_and_show(settings, sandbox, console, output)
    finally:
        shutil.rmtree(workdir, ignore_errors=True)
    raise click.exceptions.Exit(code)


def _backfill_and_show(settings: Settings, sandbox: Sandbox, console: Console, output: Path) -> int:
    secrets = resolve_secrets(settings, sources=True, webhooks=False, environ=sandbox.env())
    clock = SystemClock()
    connectors = build_connectors(settings, secrets, clock)
    options = CycleOptions(kind="backfill", confirmed=True)
    try:
        with open_store(settings.store.url) as store:
            if sys.stderr.isatty():
                with BarProgress() as bars:
                    result = run_cycle(
                        settings, store, connectors, options, clock=clock, progress=bars
                    )
            else:
                result = run_cycle(
                    settings, store, connectors, options, clock=clock, progress=LogProgress()
                )
            _show(settings, store, console, output)
            _show_comment(sandbox, result, console)
            _show_digest(settings, store, console)
    finally:
        close_all(connectors)
    click.echo(render_summary(result), nl=False)
    click.echo(f"\nWrote {output}: open it in a browser.\n")
    click.echo(NEXT_STEPS, nl=False)
    return EXIT_OK if result.ok else EXIT_ERRORS


def _show(settings: Settings, store: Store, console: Console, output: Path) -> None:
    """The report table on the terminal, the HTML page in ``output``."""
    data = report_from(
        store,
        writeback_enabled=settings.writeback.enabled,
        now=datetime.now(UTC),
        label=settings.writeback.label,
        owners=settings.owner_rules(),
    )
    width = console.width if console.is_terminal else 120
    tty = console.is_terminal
    click.echo(render_table(data, width=width, color=tty, links=tty), nl=False)
    output.write_text(render_html(data), encoding="utf-8")


def _show_comment(sandbox: Sandbox, result: CycleResult, console: Console) -> None:
    """One flagged GitHub issue's goldthread comment, rendered as Markdown.

    One naming likely parents is preferred, then a broken item with a chain
    to show over a plain orphan.
    """
    org = sandbox.org
    if org is None:
        return
    prefix = f"{org.github_source}:"
    flagged = [
        (ref, verdict)
        for ref, verdict in sorted(result.evaluation.verdicts.items())
        if ref.startswith(prefix) and verdict.flaggable
    ]
    posted: list[tuple[bool, int, str, str, str]] = []
    for ref, verdict in flagged:
        repo, _, number = ref.removeprefix(prefix).partition("#")
        for comment in sandbox.github.comments(repo, int(number)):
            body = str(comment.get("body") or "")
            if has_marker(body):
                hinted = SUGGESTED.split(",")[0] in body
                posted.append((not hinted, -len(verdict.chain), ref, verdict.reason.value, body))
    if posted:
        _, _, ref, reason, body = min(posted)
        console.print(f"\nThe comment goldthread posted on {ref} ({reason}):")
        console.print(Panel(Markdown(without_marker(body)), expand=False))


def _show_digest(settings: Settings, store: Store, console: Console) -> None:
    """One team's digest as it would be sent: the team with the most to hear."""
    teams = notified_teams(settings)
    made = [
        digest
        for digest, _ in digests_of(settings, owner_facts(settings, store, teams), {}, _now())
        if not digest.quiet
    ]
    if not made:
        return
    chosen = max(made, key=lambda d: (d.newly_total + d.fixed_total, d.untraced))
    targets = ", ".join(settings.targets_of(chosen.team))
    console.print(
        f"\nThe digest team {chosen.team} would get ({targets}; `goldthread digest --dry-run`):"
    )
    console.print(Panel(render_text(chosen).rstrip(), expand=False))


def _now() -> datetime:
    return datetime.now(UTC)
