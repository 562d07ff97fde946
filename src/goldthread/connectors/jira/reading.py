"""Searching one project for issues changed since a cursor.

Cloud pages through ``/search/jql`` with ``nextPageToken`` (the old
``/search`` answers 410 there); Data Center through ``/search`` with
``startAt``. Both ask for 100 issues a page and only the fields goldthread
reads, so a full read costs one request per 100 issues.

The cursor is time-zone proof: JQL reads quoted date literals in the
*querying account's* zone, so the bound is written as an unquoted epoch-
millisecond number, which Jira reads the same everywhere. Each poll reaches
``overlap`` behind the bookmark (Cloud search is eventually consistent, and
an issue can move while pages are read); what was already seen at the same
``updated`` is remembered in the cursor and not yielded twice. The bookmark
never passes the moment the poll started, and the caller stores it only
after the cycle succeeded.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from goldthread.core.model import WorkItem

CURSOR_VERSION = 1

# A page of raw issues: (issues, next position or None when this was the last).
PageFetcher = Callable[
    [str, "int | str | None"], tuple[list[Mapping[str, Any]], "int | str | None"]
]


@dataclass(frozen=True, slots=True)
class Cursor:
    """Bookmark (epoch ms) plus the issues already seen inside the overlap.

    ``seen`` maps issue id to the ``updated`` (epoch ms) it was yielded at.
    """

    bookmark: int
    seen: Mapping[str, int] = field(default_factory=dict)

    def encode(self) -> str:
        return json.dumps(
            {"v": CURSOR_VERSION, "updated_ms": self.bookmark, "seen": dict(self.seen)},
            separators=(",", ":"),
            sort_keys=True,
        )

    @staticmethod
    def decode(text: str | None) -> Cursor | None:
        """The cursor in ``text``; ``None`` (read everything) if it is not one."""
        if not text:
            return None
        try:
            data = json.loads(text)
            if data.get("v") != CURSOR_VERSION:
                return None
            seen = {str(k): int(v) for k, v in (data.get("seen") or {}).items()}
            return Cursor(bookmark=int(data["updated_ms"]), seen=seen)
        except (ValueError, TypeError, KeyError, AttributeError):
            return None


def cursor_since(when: datetime) -> str:
    """A cursor that reads what changed at or after ``when`` (``--since``)."""
    return Cursor(bookmark=to_millis(when)).encode()


def to_millis(when: datetime) -> int:
    return int(when.timestamp() * 1000)


def quote_jql(value: str) -> str:
    """A JQL string literal."""
    return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'


def build_jql(project: str, extra: str, since_ms: int | None) -> str:
    """``project = "P" AND (extra) AND updated >= <ms> ORDER BY updated ASC``."""
    parts = [f"project = {quote_jql(project)}"]
    if extra.strip():
        parts.append(f"({extra.strip()})")
    if since_ms is not None:
        parts.append(f"updated >= {max(since_ms, 0)}")
    return " AND ".join(parts) + " ORDER BY updated ASC, key ASC"


def cloud_fetcher(
    search: Callable[[str, str | None], Mapping[str, Any]],
) -> PageFetcher:
    """Pages of ``/search/jql``: ``search(jql, token)`` -> the JSON answer."""

    def fetch(
        jql: str, position: int | str | None
    ) -> tuple[list[Mapping[str, Any]], int | str | None]:
        token = position if isinstance(position, str) else None
        answer = search(jql, token)
        issues = list(answer.get("issues") or ())
        next_token = answer.get("nextPageToken")
        if answer.get("isLast", next_token is None) or not next_token or not issues:
            return issues, None
        return issues, str(next_token)

    return fetch


def dc_fetcher(search: Callable[[str, int], Mapping[str, Any]]) -> PageFetcher:
    """Pages of ``/search``: ``search(jql, start_at)`` -> the JSON answer."""

    def fetch(
        jql: str, position: int | str | None
    ) -> tuple[list[Mapping[str, Any]], int | str | None]:
        start = position if isinstance(position, int) else 0
        answer = search(jql, start)
        issues = list(answer.get("issues") or ())
        start = int(answer.get("startAt", start)) + len(issues)
        total = answer.get("total")
        if not issues or (isinstance(total, int) and start >= total):
            return issues, None
        return issues, start

    return fetch


class ProjectRead:
    """A :class:`~goldthread.connectors.base.ScopeRead` of one project."""

    def __init__(
        self,
        *,
        project: str,
        extra_jql: str,
        cursor: str | None,
        fetch: PageFetcher,
        parse: Callable[[Mapping[str, Any]], WorkItem],
        updated_ms: Callable[[Mapping[str, Any]], int],
        started: datetime,
        overlap: timedelta,
    ) -> None:
        self._previous = Cursor.decode(cursor)
        self._overlap_ms = int(overlap.total_seconds() * 1000)
        since = None if self._previous is None else self._previous.bookmark - self._overlap_ms
        self.jql = build_jql(project, extra_jql, since)
        self._fetch = fetch
        self._parse = parse
        self._updated_ms = updated_ms
        self._started_ms = to_millis(started)
        self._cursor: str | None = None
        self.pages = 0

    @property
    def cursor(self) -> str | None:
        return self._cursor

    def __iter__(self) -> Iterator[WorkItem]:
        previous_seen = self._previous.seen if self._previous else {}
        stamps: dict[str, int] = {}
        position: int | str | None = None
        while True:
            issues, position = self._fetch(self.jql, position)
            self.pages += 1
            for raw in issues:
                issue_id = str(raw.get("id") or raw.get("key"))
                stamp = self._updated_ms(raw)
                if stamps.get(issue_id) == stamp or previous_seen.get(issue_id) == stamp:
                    stamps[issue_id] = stamp
                    continue
                stamps[issue_id] = stamp
                yield self._parse(raw)
            if position is None:
                break
        self._cursor = self._next_cursor(stamps).encode()

    def _next_cursor(self, stamps: Mapping[str, int]) -> Cursor:
        """Newest ``updated`` seen, capped at the poll's start, never going back."""
        previous = self._previous.bookmark if self._previous else 0
        newest = max(stamps.values(), default=previous)
        bookmark = max(previous, min(newest, self._started_ms))
        horizon = bookmark - self._overlap_ms
        seen = {issue_id: stamp for issue_id, stamp in stamps.items() if stamp >= horizon}
        return Cursor(bookmark=bookmark, seen=seen)
