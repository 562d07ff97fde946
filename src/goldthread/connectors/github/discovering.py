"""What ``goldthread init --online`` learns from a GitHub host before any config exists.

The repositories the token can read (``/user/repos``: owned, collaborating,
through an organisation), the server and what it offers, and each
organisation's issue types where the server lists them (GitHub.com's
``/orgs/{org}/issue-types``; Enterprise Server has types on issues from 3.16
but no such list, so there the types seen on issues count).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from goldthread.errors import SkippableError

if TYPE_CHECKING:
    from goldthread.connectors.github.connector import GitHubConnector


@dataclass(frozen=True, slots=True)
class GitHubFacts:
    login: str
    server: str
    issue_types_offered: bool
    repositories: tuple[str, ...]
    issue_types: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    notes: tuple[str, ...] = ()


def discover(connector: GitHubConnector, *, listed: bool) -> GitHubFacts:
    """``listed``: the repositories configured (``owner/*`` expanded); otherwise every
    repository the token can read."""
    login = connector.identity()
    repositories = connector.scopes() if listed else connector.readable_repositories()
    kinds = connector.link_kinds()
    notes: list[str] = []
    types: dict[str, tuple[str, ...]] = {}
    owners = sorted({name.partition("/")[0] for name in repositories}, key=str.casefold)
    if connector.http.enterprise_version is None:  # GitHub.com; no GHES lists them
        for owner in owners:
            try:
                types[owner] = issue_types_of(connector, owner)
            except SkippableError as error:
                notes.append(f"Issue types of {owner}: not listed ({error.status or error}).")
    elif kinds.issue_types:
        notes.append(f"{kinds.server} lists no issue types: the types seen on issues count.")
    else:
        notes.append(f"{kinds.server} has no issue types: rules by labels only there.")
    return GitHubFacts(
        login=login,
        server=kinds.server,
        issue_types_offered=kinds.issue_types,
        repositories=tuple(repositories),
        issue_types=types,
        notes=tuple(notes),
    )


def issue_types_of(connector: GitHubConnector, owner: str) -> tuple[str, ...]:
    """The names of ``owner``'s enabled issue types (an organisation; a user has none)."""
    reply = connector.http.call("GET", f"/orgs/{owner}/issue-types", owner=owner)
    listed = reply.data if isinstance(reply.data, list) else []
    return tuple(
        str(entry["name"])
        for entry in listed
        if isinstance(entry, dict) and entry.get("name") and entry.get("is_enabled", True)
    )
