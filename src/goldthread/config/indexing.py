"""The configured sources as the core's :class:`SourceIndex`, for references."""

from __future__ import annotations

from typing import TYPE_CHECKING

from goldthread.config.sources import GitHubSource, JiraSource
from goldthread.core.references import GitHubSourceInfo, JiraSourceInfo, SourceIndex

if TYPE_CHECKING:
    from goldthread.config.settings import Settings


def build_source_index(settings: Settings) -> SourceIndex:
    """Web hosts and scopes of every source (``api.github.com`` -> ``github.com``)."""
    return SourceIndex(
        github=tuple(
            GitHubSourceInfo(name=s.name, web_host=s.web_host, repos=tuple(s.repos))
            for s in settings.sources
            if isinstance(s, GitHubSource)
        ),
        jira=tuple(
            JiraSourceInfo(name=s.name, web_host=s.web_host, projects=tuple(s.projects))
            for s in settings.sources
            if isinstance(s, JiraSource)
        ),
    )
