"""GitHub issue payloads (plain dicts) turned into :class:`WorkItem`.

Pure functions over the list/issue JSON as GitHub sends it. Every optional
field may be missing (older GitHub Enterprise Server versions and older
payloads have no ``type`` or ``parent_issue_url``), and labels come either as
objects or as plain strings.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from goldthread.core.model import MARKER_NONE, MARKER_UNKNOWN, LinkKind, ParentLink, WorkItem
from goldthread.core.references import (
    GitHubSourceInfo,
    SourceIndex,
    TextPattern,
    extract_references,
    github_ref,
    parse_reference,
)

_API_ISSUE_PATH = re.compile(
    r"/repos/(?P<owner>[^/]+)/(?P<repo>[^/]+)/issues/(?P<number>[0-9]+)/?$",
)
_API_REPO_PATH = re.compile(r"/repos/(?P<owner>[^/]+)/(?P<repo>[^/]+)/?$")
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


@dataclass(frozen=True, slots=True)
class ParseContext:
    """What turning a payload into an item needs beyond the payload."""

    source: str
    repo: str  # "acme/web", as configured (or as expanded from "acme/*"); the payload's wins
    patterns: tuple[TextPattern, ...]
    index: SourceIndex  # every configured source, for body references
    own_index: SourceIndex  # this source alone, for the sub-issue parent


def parse_time(text: Any) -> datetime:
    """GitHub's ``2024-01-02T03:04:05Z`` as an aware UTC datetime."""
    if not isinstance(text, str) or not text:
        return _EPOCH
    moment = datetime.fromisoformat(text.replace("Z", "+00:00"))
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC)


def label_names(raw: Any) -> tuple[str, ...]:
    """Label names from either form GitHub uses: ``"bug"`` or ``{"name": "bug"}``."""
    names: list[str] = []
    for label in raw if isinstance(raw, list) else ():
        if isinstance(label, str):
            names.append(label)
        elif isinstance(label, Mapping) and isinstance(label.get("name"), str):
            names.append(str(label["name"]))
    return tuple(names)


def type_name(raw: Any) -> str | None:
    """The issue type's name (``type`` is an object, or absent, or null)."""
    if isinstance(raw, Mapping) and isinstance(raw.get("name"), str):
        return str(raw["name"])
    if isinstance(raw, str) and raw:
        return raw
    return None


def is_pull_request(payload: Mapping[str, Any]) -> bool:
    return payload.get("pull_request") is not None


def sub_issue_parent(url: Any, ctx: ParseContext) -> ParentLink | None:
    """The parent named by ``parent_issue_url``, an API URL on this host.

    A parent in a repository this source does not read is a link to a
    missing parent (``target`` ``None``).
    """
    if not isinstance(url, str) or not url:
        return None
    match = _API_ISSUE_PATH.search(url.split("?", 1)[0])
    if match is None:
        return ParentLink(LinkKind.SUB_ISSUE, None, url, "parent_issue_url")
    short = f"{match['owner']}/{match['repo']}#{match['number']}"
    found = parse_reference(short, here_source=ctx.source, here_repo=ctx.repo, index=ctx.own_index)
    target = found.target if found is not None else None
    return ParentLink(LinkKind.SUB_ISSUE, target, url, "parent_issue_url")


def payload_repo(payload: Mapping[str, Any]) -> str | None:
    """The repository the issue is in now, by its current name (``repository_url``)."""
    url = payload.get("repository_url")
    if not isinstance(url, str):
        return None
    match = _API_REPO_PATH.search(url.split("?", 1)[0])
    return f"{match['owner']}/{match['repo']}" if match is not None else None


def parse_issue(payload: Mapping[str, Any], ctx: ParseContext) -> WorkItem:
    """One issue (or pull request) payload as a :class:`WorkItem`.

    The item is named by the repository the payload says it is in: a renamed
    repository's issues by the new name, a transferred issue where it went.
    """
    repo = payload_repo(payload)
    if repo is not None and repo != ctx.repo:
        ctx = with_repo(ctx, repo)
    number = int(payload["number"])
    body = payload.get("body")
    text = body if isinstance(body, str) else ""
    parents: list[ParentLink] = []
    parent = sub_issue_parent(payload.get("parent_issue_url"), ctx)
    if parent is not None:
        parents.append(parent)
    references = extract_references(
        text, ctx.patterns, here_source=ctx.source, here_repo=ctx.repo, index=ctx.index
    )
    parents.extend(references)
    comments = payload.get("comments")
    state_reason = payload.get("state_reason")
    return WorkItem(
        ref=github_ref(ctx.source, ctx.repo, number),
        source=ctx.source,
        key=f"{ctx.repo}#{number}",
        url=str(payload.get("html_url") or ""),
        title=str(payload.get("title") or ""),
        body=text,
        type=type_name(payload.get("type")),
        labels=label_names(payload.get("labels")),
        state="closed" if payload.get("state") == "closed" else "open",
        created_at=parse_time(payload.get("created_at")),
        updated_at=parse_time(payload.get("updated_at")),
        parents=tuple(parents),
        status=state_reason if isinstance(state_reason, str) else "",
        external_id=str(payload.get("id") or ""),
        is_pull_request=is_pull_request(payload),
        comment_count=comments if isinstance(comments, int) else None,
        marker=MARKER_NONE if comments == 0 else MARKER_UNKNOWN,  # no comments: none of ours
    )


def own_source_index(
    index: SourceIndex, source: str, web_host: str, repos: tuple[str, ...]
) -> SourceIndex:
    """``index`` narrowed to this source (built from the options if absent)."""
    mine = tuple(info for info in index.github if info.name == source)
    if mine:
        return SourceIndex(github=mine)
    return SourceIndex(github=(GitHubSourceInfo(source, web_host, repos),))


def with_repo(ctx: ParseContext, repo: str) -> ParseContext:
    return dataclasses.replace(ctx, repo=repo)
