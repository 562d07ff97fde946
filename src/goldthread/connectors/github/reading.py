"""Reading a repository's issues changed since a cursor.

Each read lists ``GET /repos/{o}/{r}/issues?state=all&sort=updated&
direction=desc&per_page=100``, newest change first, and stops at the first
issue older than the cursor: one request per 100 changed issues, and a full
read costs one request per 100 issues. The URL of the first page never
changes, so its ETag, kept in the cursor, makes the next poll a conditional
request: a repository with no change answers ``304 Not Modified``, which
costs no rate-limit points. (A ``since=`` filter would change that URL with
every cursor, and ascending pages can skip an issue when another one moves
to the end while pages are read; newest-first pages only repeat one.)

The cursor is capped at the time the read started and moved back by
:data:`OVERLAP`, so an issue changed while pages were read is read again
next time rather than skipped. Issues are parsed from plain dicts, so no
per-issue request is ever made.

A renamed repository answers its old name with a redirect, followed with
the same query (:mod:`.redirects`); the read then learns the new name once
(``on_redirect``), so items and ``#N`` references use it.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from goldthread.connectors.github.client import GitHubHttp, Reply
from goldthread.connectors.github.parsing import (
    ParseContext,
    is_pull_request,
    parse_issue,
    parse_time,
)
from goldthread.core.model import WorkItem
from goldthread.errors import SkippableError

OVERLAP = timedelta(minutes=1)
LIST_PARAMS: Mapping[str, str] = {
    "state": "all",
    "sort": "updated",
    "direction": "desc",
    "per_page": "100",
}
_LINK = re.compile(r'<(?P<url>[^>]+)>\s*;\s*rel="(?P<rel>[^"]+)"')


@dataclass(frozen=True, slots=True)
class Cursor:
    """Where the last successful read of one repository ended.

    ``since``: issues updated before it were read already (``None``: read
    everything). ``etag``: the first page's ETag as last seen. ``repo``: the
    repository's name when it was read (``None``: as configured); a read that
    finds it renamed since reads it whole once, so every item takes the name.
    """

    since: datetime | None = None
    etag: str | None = None
    repo: str | None = None

    def dump(self) -> str:
        since = self.since.isoformat() if self.since is not None else None
        data = {"v": 1, "since": since, "etag": self.etag}
        if self.repo is not None:
            data["repo"] = self.repo
        return json.dumps(data, sort_keys=True)

    @classmethod
    def load(cls, text: str | None) -> Cursor:
        """The cursor in ``text``; an unreadable one means a full read."""
        if not text:
            return cls()
        try:
            data = json.loads(text)
            since = data.get("since")
            etag = data.get("etag")
            repo = data.get("repo")
            return cls(
                since=parse_time(since) if isinstance(since, str) else None,
                etag=etag if isinstance(etag, str) else None,
                repo=repo if isinstance(repo, str) else None,
            )
        except (ValueError, AttributeError):
            return cls()


def advance(
    old: Cursor, newest: datetime | None, started: datetime, etag: str | None, repo: str | None
) -> Cursor:
    """The cursor after a read of ``repo`` that saw ``newest`` as its latest change."""
    since = old.since
    if newest is not None:
        candidate = min(newest, started) - OVERLAP
        since = candidate if since is None else max(since, candidate)
    return Cursor(since=since, etag=etag or None, repo=repo)


def next_link(header: str | None) -> str | None:
    """The ``rel="next"`` URL of a ``Link`` header, if any."""
    for match in _LINK.finditer(header or ""):
        if "next" in match["rel"].split():
            return match["url"]
    return None


def _page_items(reply: Reply, repo: str, source: str) -> list[Mapping[str, Any]]:
    if not isinstance(reply.data, list):
        raise SkippableError(f"{repo}: GitHub sent no issue list", source=source)
    return [item for item in reply.data if isinstance(item, Mapping)]


class RepositoryRead:
    """The issues of one repository changed since a cursor (a ScopeRead)."""

    def __init__(
        self,
        http: GitHubHttp,
        ctx: ParseContext,
        cursor: Cursor,
        *,
        include_pull_requests: bool,
        on_redirect: Callable[[tuple[str, ...]], ParseContext] | None = None,
    ) -> None:
        self._http = http
        self._ctx = ctx
        self._on_redirect = on_redirect
        self._old = cursor
        self._include_prs = include_pull_requests
        self._cursor: str | None = None

    @property
    def cursor(self) -> str | None:
        return self._cursor

    def __iter__(self) -> Iterator[WorkItem]:
        repo = self._ctx.repo
        owner = repo.partition("/")[0]
        started = self._http.clock.now()
        headers = {"If-None-Match": self._old.etag} if self._old.etag else {}
        reply = self._http.call(
            "GET", f"/repos/{repo}/issues", owner=owner, params=LIST_PARAMS, headers=headers
        )
        if reply.status == 304:
            self._cursor = self._old.dump()
            return
        since = self._old.since
        if reply.followed and self._on_redirect is not None:
            self._ctx = self._on_redirect(reply.followed)  # renamed: parse under the new name
        renamed = self._ctx.repo != repo
        if renamed and (self._old.repo or repo).casefold() != self._ctx.repo.casefold():
            since = None  # first read since the rename: every item takes the new name
        etag = reply.headers.get("etag")
        newest: datetime | None = None
        seen: set[int] = set()
        while True:
            done = False
            for raw in _page_items(reply, repo, self._ctx.source):
                updated = parse_time(raw.get("updated_at"))
                if since is not None and updated < since:
                    done = True
                    break
                newest = updated if newest is None else max(newest, updated)
                number = int(raw["number"])
                if number in seen or (is_pull_request(raw) and not self._include_prs):
                    continue
                seen.add(number)
                yield parse_issue(raw, self._ctx)
            url = None if done else next_link(reply.headers.get("link"))
            if url is None:
                break
            reply = self._http.call("GET", url, owner=owner)
        name = self._ctx.repo if renamed else self._old.repo
        self._cursor = advance(self._old, newest, started, etag, name).dump()
