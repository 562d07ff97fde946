"""The organisation a sandbox serves, as plain data.

The generator in :mod:`goldthread.sandbox.org` produces these; the GitHub and
Jira stand-ins load them. Times are aware UTC datetimes.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime


@dataclass(slots=True)
class CommentSeed:
    author: str
    body: str
    created_at: datetime
    properties: dict[str, object] = field(default_factory=dict)  # Jira comment properties


@dataclass(slots=True)
class GitHubIssueSeed:
    repo: str  # "acme/web"
    number: int
    title: str
    body: str
    labels: list[str]
    created_at: datetime
    updated_at: datetime
    type: str | None = None  # organisation issue type name ("Epic", "Task", ...)
    state: str = "open"
    state_reason: str | None = None
    parent: tuple[str, int] | None = None  # (repo, number) of the sub-issue parent
    is_pull_request: bool = False
    comments: list[CommentSeed] = field(default_factory=list)
    id: int = 0  # numeric issue id; assigned by the stand-in when 0


@dataclass(slots=True)
class JiraLinkSeed:
    type_name: str  # link type name, e.g. "Implements", "Blocks"
    outward_key: str  # the issue the outward phrase applies to ("implements" X)
    inward_key: str


@dataclass(slots=True)
class JiraIssueSeed:
    key: str  # "PLAT-7"
    type: str  # "Initiative", "Epic", "Story", "Task", "Sub-task", "Bug"
    summary: str
    description: str  # wiki text; the Cloud stand-in serves it as ADF on v3
    labels: list[str]
    created_at: datetime
    updated_at: datetime
    status: str = "To Do"
    status_category: str = "new"  # new | indeterminate | done
    parent_key: str | None = None  # `parent` field (Cloud: every level; DC: sub-tasks)
    epic_link: str | None = None  # DC Epic Link custom field
    parent_link: str | None = None  # DC Parent Link custom field
    comments: list[CommentSeed] = field(default_factory=list)
    id: int = 0  # numeric issue id; assigned by the stand-in when 0
    components: list[str] = field(default_factory=list)


@dataclass(slots=True)
class Organisation:
    """A seeded company across both trackers, with what goldthread should say.

    ``expected`` maps each item's ref (``gh:acme/web#12``, ``jira:PLAT-7``,
    using ``github_source``/``jira_source`` as prefixes) to
    ``(verdict, reason)`` under the default rules of config.example.toml.
    ``true_parents`` maps an untraced item's ref to the parent it should have
    had, and ``evidence`` to the kind of evidence written for it (both only
    when the organisation was generated with evidence).
    """

    github: list[GitHubIssueSeed]
    jira: list[JiraIssueSeed]
    jira_links: list[JiraLinkSeed]
    expected: dict[str, tuple[str, str]]
    github_source: str = "gh"
    jira_source: str = "jira"
    owner: str = "acme"
    repos: list[str] = field(default_factory=list)
    projects: list[str] = field(default_factory=list)
    true_parents: dict[str, str] = field(default_factory=dict)
    evidence: dict[str, str] = field(default_factory=dict)
