"""From ``[[sources]]`` and resolved secrets to one connector per source.

The only place that maps settings onto the connectors' own option values,
so the connectors never read settings or the environment themselves.
"""

from __future__ import annotations

from datetime import datetime

from goldthread.clock import Clock, SystemClock
from goldthread.config import GitHubSource, ResolvedSecrets, Settings
from goldthread.config.starter import StarterSource
from goldthread.connectors.base import Connector
from goldthread.connectors.github import GitHubConnector, GitHubOptions
from goldthread.connectors.jira import JiraConnector, JiraOptions
from goldthread.core.references import SourceIndex
from goldthread.errors import FatalSourceError


def build_connectors(
    settings: Settings, secrets: ResolvedSecrets, clock: Clock | None = None
) -> dict[str, Connector]:
    """One connector per configured source, by source name, in config order."""
    clock = clock or SystemClock()
    index = settings.source_index()
    patterns = settings.reference_patterns()
    per_minute = settings.writeback.writes_per_minute
    built: dict[str, Connector] = {}
    for source in settings.sources:
        token = secrets.tokens.get(source.name)
        secret = token.get_secret_value() if token is not None else None
        if isinstance(source, GitHubSource):
            key = secrets.app_keys.get(source.name)
            try:
                options = GitHubOptions(
                    name=source.name,
                    index=index,
                    base_url=str(source.base_url).rstrip("/"),
                    token=secret,
                    app_id=source.app_id,
                    private_key=key.get_secret_value() if key is not None else None,
                    installation_id=source.installation_id,
                    repos=tuple(source.repos),
                    include_pull_requests=source.include_pull_requests,
                    reference_patterns=patterns,
                    writes_per_minute=per_minute,
                    timeout=source.timeout.total_seconds(),
                )
            except ValueError as error:
                raise FatalSourceError(str(error), source=source.name) from error
            built[source.name] = GitHubConnector(options, clock)
            continue
        if secret is None:
            raise FatalSourceError(f"source {source.name!r}: no token", source=source.name)
        jira = JiraOptions(
            name=source.name,
            url=str(source.url),
            token=secret,
            auth=source.auth,
            email=source.email,
            projects=tuple(source.projects),
            jql=source.jql,
            parent_link_types=tuple(source.parent_link_types),
            reference_patterns=patterns,
            index=index,
            writes_per_minute=per_minute,
            timeout=source.timeout.total_seconds(),
        )
        built[source.name] = JiraConnector(jira, clock)
    return built


def since_cursor(connector: Connector, when: datetime) -> str:
    """A cursor for ``connector`` that reads what changed at or after ``when``."""
    return connector.cursor_since(when)


def close_all(connectors: dict[str, Connector]) -> None:
    """Release connections of connectors that hold any."""
    for connector in connectors.values():
        connector.close()


def probe_connector(
    source: StarterSource, token: str, clock: Clock | None = None
) -> GitHubConnector | JiraConnector:
    """A connector for ``goldthread init --online``, before a config exists: the
    credentials, and the repositories or projects known so far (perhaps none)."""
    clock = clock or SystemClock()
    if source.kind == "github":
        options = GitHubOptions(
            name=source.name,
            index=SourceIndex(),
            base_url=source.url.rstrip("/"),
            token=token,
            repos=source.repos,
        )
        return GitHubConnector(options, clock)
    jira = JiraOptions(
        name=source.name,
        url=source.url,
        token=token,
        auth=source.auth,
        email=source.email,
        projects=source.projects,
    )
    return JiraConnector(jira, clock)
