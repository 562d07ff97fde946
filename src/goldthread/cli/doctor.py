"""``check --online`` as a doctor: per source, what goldthread can read and write
there, the link kinds it offers, the rate budget, and the webhook setup the
service expects, each problem with its fix.

A source that cannot be authenticated, or whose credentials lack something
the config asks of them (reading a configured repository, writing while
write-back is on), ends the check with status 1; what only makes goldthread
do less (a project whose labels cannot be edited, webhooks off) is a warning.
"""

from __future__ import annotations

from collections.abc import Iterable

from rich.console import Console

from goldthread.config import GitHubSource, JiraSource, ResolvedSecrets, Settings
from goldthread.config.durations import format_duration
from goldthread.connectors.base import LinkAware
from goldthread.connectors.health import Examinable, Finding, Health, Severity
from goldthread.errors import SourceError
from goldthread.logs import redact

GITHUB_EVENTS = "Issues and Sub-issues"
GHES_EVENTS = "Issues (Enterprise Server sends none for sub-issues: those arrive by polling)"
JIRA_EVENTS = (
    "issue created, updated and deleted, issue link created and deleted, filtered by JQL "
    "to the configured projects"
)


def examine_all(
    settings: Settings, secrets: ResolvedSecrets, connectors: Iterable[object], console: Console
) -> int:
    """Print every source's health; the number of sources that failed or have problems."""
    writes = settings.writeback.enabled and not settings.writeback.dry_run
    kinds = {source.name: _kind(source) for source in settings.sources}
    failing = 0
    for connector in connectors:
        name = str(getattr(connector, "name", "?"))
        try:
            health = _health(connector, writes=writes)
        except SourceError as exc:
            failing += 1
            console.print(f"{name}: FAILED: {redact(str(exc))}")
            continue
        kind = kinds.get(name, "")
        if kind == "github" and _enterprise(connector):
            kind = "ghes"
        findings = [*health.findings, _webhooks(kind, settings, secrets)]
        console.print(f"{name}: ok, authenticated as {redact(health.who)}")
        for finding in findings:
            _show(console, name, finding)
        failing += 1 if any(f.severity is Severity.PROBLEM for f in findings) else 0
    return failing


def _kind(source: GitHubSource | JiraSource) -> str:
    return "github" if isinstance(source, GitHubSource) else "jira"


def _enterprise(connector: object) -> bool:
    """Whether the connector found a GitHub Enterprise Server (by the version it announced)."""
    if not isinstance(connector, LinkAware):
        return False
    return connector.link_kinds().server.startswith("GitHub Enterprise Server")


def _health(connector: object, *, writes: bool) -> Health:
    if isinstance(connector, Examinable):
        return connector.examine(writes=writes)
    who = str(connector.check())  # type: ignore[attr-defined]
    renamed = connector.scope().renamed  # type: ignore[attr-defined]
    return Health(
        who=who,
        findings=tuple(
            Finding("scope", f"repository {old} is now {new}; put the new name in repos")
            for old, new in renamed
        ),
    )


def _show(console: Console, name: str, finding: Finding) -> None:
    if finding.severity is Severity.OK:
        console.print(f"{name}:   {finding.topic}: {redact(finding.text)}")
    else:
        console.print(f"{name}: {finding.severity.value}: {finding.topic}: {redact(finding.text)}")
    if finding.fix:
        console.print(f"{name}:     fix: {redact(finding.fix)}")


def _webhooks(kind: str, settings: Settings, secrets: ResolvedSecrets) -> Finding:
    """The webhook setup ``goldthread run`` expects for a source of this type."""
    server = settings.server
    every = format_duration(settings.daemon.poll_interval)
    if kind in ("github", "ghes"):
        configured, route, key, events = (
            bool(secrets.github_webhook_secrets),
            "/webhooks/github",
            "server.github_webhook_secret_env",
            f"content type application/json, events "
            f"{GITHUB_EVENTS if kind == 'github' else GHES_EVENTS}",
        )
    else:
        configured, route, key, events = (
            bool(secrets.jira_webhook_secrets or secrets.jira_webhook_tokens),
            "/webhooks/jira",
            "server.jira_webhook_secret_env",
            f"events {JIRA_EVENTS}",
        )
    where = f"https://<your host>:{server.port}{route}"
    if configured:
        return Finding(
            "webhooks", f"expects deliveries at {where}, signed with the secret, {events}"
        )
    return Finding(
        "webhooks",
        f"off (the route answers 404): the service sees changes by polling every {every}",
        Severity.WARNING,
        f"for changes within seconds, set {key} and add a webhook to {where} with that secret, "
        f"{events}",
    )
