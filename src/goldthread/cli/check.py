"""``goldthread check [--online]``: validate the config and show it resolved.

Every secret the configured commands use is resolved (source tokens and
webhook secrets), so a missing one is reported here rather than by the
service at three in the morning. Secret values are never printed: only where
each one came from.
"""

from __future__ import annotations

import importlib
from collections.abc import Iterable, Mapping
from typing import Any

import click
from rich.console import Console
from rich.text import Text
from rich.tree import Tree

from goldthread.cli.context import CliContext
from goldthread.cli.doctor import examine_all
from goldthread.cli.exits import EXIT_ERRORS, EXIT_OK
from goldthread.config import ResolvedSecrets, Settings, config_file
from goldthread.config.storeurl import redact_store_url
from goldthread.errors import SourceError
from goldthread.logs import REDACTED, redact

_GROUPS = ("store", "trace", "policy", "writeback", "daemon", "server")


@click.command()
@click.option(
    "--online",
    is_flag=True,
    help="Also examine every source: what it lets goldthread read and write, with fixes.",
)
@click.pass_obj
def check(obj: CliContext, online: bool) -> None:
    """Validate the config; --online also examines every source (the doctor)."""
    settings = obj.settings(sources=online)
    secrets = obj.secrets(sources=True, webhooks=True, notify=True)
    console = plain_console()
    console.print(describe(settings, secrets, title=f"goldthread: config OK ({_where(obj)})"))
    if online:
        raise click.exceptions.Exit(check_online(settings, secrets, console))


def plain_console() -> Console:
    """Rich on a terminal; off one, long lines stay whole for grep and logs."""
    console = Console(highlight=False, markup=False)
    if not console.is_terminal:
        console.width = 10_000
    return console


def _where(obj: CliContext) -> str:
    path = config_file(obj.config_path)
    return str(path) if path.is_file() else f"no {path}: defaults and environment"


def describe(settings: Settings, secrets: ResolvedSecrets, *, title: str) -> Tree:
    """The settings as a tree, each secret shown by origin, never by value."""
    data = settings.model_dump(mode="json")
    data["store"]["url"] = redact_store_url(settings.store.url)
    tree = Tree(_text(title))
    sources = tree.add(_text(f"sources ({len(settings.sources)})"))
    if not settings.sources:
        sources.add(
            _text(
                "none configured: commands that read trackers stop with exit 2; `goldthread init` writes a config"
            )
        )
    for raw, source in zip(data["sources"], settings.sources, strict=True):
        node = sources.add(_text(f"{source.name} ({source.type})"))
        _add_items(node, raw, skip=("name", "type"))
        origin = "token" if source.name in secrets.tokens else "GitHub App key"
        node.add(_text(f"credentials: {origin} resolved ({REDACTED})"))
    rules = tree.add(_text(f"rules ({len(settings.rules)}, first match wins)"))
    for index, rule in enumerate(data["rules"]):
        conditions = ", ".join(f"{k}={v}" for k, v in rule.items() if k != "layer" and v)
        rules.add(_text(f"[{index}] {rule['layer']} <- {conditions or 'every item'}"))
    for group in _GROUPS:
        _add_items(tree.add(_text(group)), data[group])
    tree.add(_text(_webhooks_line(secrets)))
    tree.add(_text(_admin_line(settings, secrets)))
    return tree


def _admin_line(settings: Settings, secrets: ResolvedSecrets) -> str:
    server = settings.server
    token = f"Bearer token required ({REDACTED})" if secrets.dashboard_token else "no token"
    return (
        f"admin listener: {server.admin_host}:{server.admin_port} (dashboard and /metrics; {token})"
    )


def _add_items(node: Tree, values: Mapping[str, Any], skip: Iterable[str] = ()) -> None:
    """``key = value`` lines; keys left unset (``None``, empty lists) are omitted."""
    for key, value in values.items():
        if key not in skip and value is not None and value != []:
            node.add(_text(f"{key} = {value!r}" if isinstance(value, str) else f"{key} = {value}"))


def _text(label: str) -> Text:
    """Plain text: config values are data, never rich markup."""
    return Text(label, overflow="fold")


def _webhooks_line(secrets: ResolvedSecrets) -> str:
    routes = {
        "github": len(secrets.github_webhook_secrets),
        "jira": len(secrets.jira_webhook_secrets) + len(secrets.jira_webhook_tokens),
    }
    parts = [
        f"{name} on ({count} secret{'s' if count > 1 else ''})" if count else f"{name} off (404)"
        for name, count in routes.items()
    ]
    return "webhooks: " + ", ".join(parts)


def check_online(settings: Settings, secrets: ResolvedSecrets, console: Console) -> int:
    """The doctor: every source examined; exit status 1 if any fails or has a problem."""
    build = _connector_builder()
    if build is None:
        click.echo(
            "goldthread: online checks need the connectors "
            "(goldthread.sync.connecting.build_connectors), which are not available",
            err=True,
        )
        return EXIT_ERRORS
    try:
        connectors = list(_as_list(build(settings, secrets)))
    except SourceError as exc:
        console.print(f"goldthread: cannot set up the sources: {redact(str(exc))}")
        return EXIT_ERRORS
    try:
        failing = examine_all(settings, secrets, connectors, console)
    finally:
        for connector in connectors:
            close = getattr(connector, "close", None)
            if callable(close):
                close()
    if failing:
        console.print(f"goldthread: {failing} source(s) with problems: see the fixes above")
    return EXIT_ERRORS if failing else EXIT_OK


def _connector_builder() -> Any:
    """``goldthread.sync.connecting.build_connectors``, or ``None`` where it is absent."""
    try:
        module = importlib.import_module("goldthread.sync.connecting")
    except ModuleNotFoundError as exc:
        if exc.name != "goldthread.sync.connecting":
            raise
        return None
    return getattr(module, "build_connectors", None)


def _as_list(built: Any) -> Iterable[Any]:
    return built.values() if isinstance(built, Mapping) else built
