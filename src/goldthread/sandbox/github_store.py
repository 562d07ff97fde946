"""The GitHub stand-in's state: issues, comments and labels, with their JSON.

Reads and renders live here; the mutations are in
:mod:`goldthread.sandbox.github_mutations`. Not thread-safe on its own: the
stand-in holds its lock around every call. Serialised issue JSON is cached
per issue and list queries per repository, both dropped on change, so a
large listing is mostly a join of ready bytes.
"""

from __future__ import annotations

import calendar
import json
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from goldthread.sandbox import github_payloads as payloads
from goldthread.sandbox.github_payloads import IssueContext, Urls
from goldthread.sandbox.github_records import (
    CommentRecord,
    IssueKey,
    IssueRecord,
    LabelDef,
    RepoState,
)

_SORT_KEYS: dict[str, Callable[[IssueRecord], tuple[float, int]]] = {
    "created": lambda r: (r.created_at, r.number),
    "updated": lambda r: (r.updated_at, r.number),
    "comments": lambda r: (len(r.comment_ids), r.number),
}


class StoreError(Exception):
    """A request the real API would refuse; ``status`` is its HTTP status."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.message = message


def not_found() -> StoreError:
    return StoreError(404, "Not Found")


@dataclass(frozen=True, slots=True)
class IssueQuery:
    """The filters and order of ``GET /repos/{o}/{r}/issues``."""

    state: str = "open"
    since: float | None = None
    sort: str = "created"
    direction: str = "desc"
    labels: tuple[str, ...] = ()
    type: str | None = None


def parse_since(text: str) -> float:
    """Read GitHub's ``YYYY-MM-DDTHH:MM:SSZ`` (fractions and offsets tolerated)."""
    try:
        moment = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError as exc:
        raise StoreError(422, f"Invalid since: {text}") from exc
    if moment.tzinfo is None:
        return float(calendar.timegm(moment.timetuple()))
    return moment.timestamp()


class GitHubStore:
    def __init__(self, now: Callable[[], float] = time.time) -> None:
        self.now = now
        self.urls = Urls(api="http://127.0.0.1", web="https://github.localhost")
        self.repos: dict[str, RepoState] = {}
        self.renamed: dict[str, str] = {}  # old full name (lower case) -> current name
        self.transferred: dict[IssueKey, int] = {}  # where an issue was -> its id
        self.deleted: set[IssueKey] = set()
        self.bad_redirects: dict[tuple[str, int], str] = {}  # (repo lower case, n) -> kind
        self.issues: dict[IssueKey, IssueRecord] = {}
        self.by_id: dict[int, IssueRecord] = {}
        self.comments: dict[int, CommentRecord] = {}
        self.next_issue_id = 1_000_001
        self.next_comment_id = 5_000_001
        self.next_label_id = 9_000_001
        self.omitted: set[str] = set()  # issue fields this server's version does not have
        self.permissions: dict[str, dict[str, bool]] = {}  # repo -> the caller's, if not push

    # ------------------------------------------------------------ lookup

    def set_urls(self, urls: Urls) -> None:
        if urls != self.urls:
            self.urls = urls
            self.drop_caches()

    def drop_caches(self) -> None:
        for record in self.issues.values():
            record.cache = None
        for repo in self.repos.values():
            repo.changed()

    def repo(self, name: str, create: bool = False) -> RepoState:
        state = self.repos.get(name)
        if state is None:
            if not create:
                raise not_found()
            state = self.repos[name] = RepoState(name, payloads.stable_id(f"repo:{name}"))
            self.renamed.pop(name.lower(), None)
        return state

    def repo_by_id(self, repo_id: int) -> RepoState | None:
        return next((state for state in self.repos.values() if state.id == repo_id), None)

    def get(self, repo: str, number: int) -> IssueRecord:
        record = self.issues.get((repo, number))
        if record is None:
            raise not_found()
        return record

    def label_def(self, repo: str, name: str, create: bool = True) -> LabelDef:
        state = self.repo(repo, create=create)
        found = state.labels.get(name.lower())
        if found is None:
            if not create:
                raise not_found()
            color = f"{payloads.stable_id(name) & 0xFFFFFF:06x}"
            found = LabelDef(self.next_label_id, name, color)
            self.next_label_id += 1
            state.labels[name.lower()] = found
        return found

    # ------------------------------------------------------------ render

    def issue_json(self, record: IssueRecord) -> dict[str, Any]:
        parent_url = None
        if record.parent is not None:
            parent_repo, parent_number = record.parent
            parent_url = f"{self.urls.api}/repos/{parent_repo}/issues/{parent_number}"
        children = [self.issues[key] for key in record.children]
        context = IssueContext(
            labels=[self.label_json(record.repo, name) for name in record.labels],
            parent_url=parent_url,
            children_total=len(children),
            children_closed=sum(1 for child in children if child.state == "closed"),
        )
        payload = payloads.issue(self.urls, record, context)
        for name in self.omitted:
            payload.pop(name, None)
        return payload

    def issue_bytes(self, record: IssueRecord) -> bytes:
        if record.cache is None:
            record.cache = json.dumps(self.issue_json(record), separators=(",", ":")).encode()
        return record.cache

    def label_json(self, repo: str, name: str) -> dict[str, Any]:
        return payloads.label(self.urls, repo, self.label_def(repo, name))

    def comment_json(self, record: CommentRecord) -> dict[str, Any]:
        return payloads.comment(self.urls, record, record.repo.split("/", 1)[0])

    def repository_json(self, name: str) -> dict[str, Any]:
        payload = payloads.repository(self.urls, name, self.repo(name).id)
        if name in self.permissions:
            payload["permissions"] = dict(self.permissions[name])
        payload["open_issues_count"] = payload["open_issues"] = sum(
            1 for record in self.repo(name).issues if record.state == "open"
        )
        return payload

    # ------------------------------------------------------------ queries

    def query(self, repo: str, query: IssueQuery) -> list[IssueRecord]:
        state = self.repo(repo)
        cache_key = (state.version, query)
        hit = state.queries.get(cache_key)
        if hit is not None:
            return hit
        sort_key = _SORT_KEYS.get(query.sort)
        if sort_key is None or query.direction not in ("asc", "desc"):
            raise StoreError(422, "Validation Failed")
        wanted = {name.lower() for name in query.labels}
        found = [record for record in state.issues if _matches(record, query, wanted)]
        found.sort(key=sort_key, reverse=query.direction == "desc")
        if len(state.queries) > 64:
            state.queries.clear()
        state.queries[cache_key] = found
        return found

    def comments_of(self, record: IssueRecord) -> list[CommentRecord]:
        return [self.comments[cid] for cid in sorted(record.comment_ids)]

    def comment(self, repo: str, comment_id: int) -> CommentRecord:
        found = self.comments.get(comment_id)
        if found is None or found.repo != repo:
            raise not_found()
        return found

    # ------------------------------------------------------------ change tracking

    def changed(self, record: IssueRecord, bump: bool = True) -> None:
        """Drop what shows ``record``: its cache, its parent's summary, list queries."""
        if bump:
            record.updated_at = self.now()
        record.cache = None
        self.repos[record.repo].changed()
        if record.parent is not None:
            parent = self.issues.get(record.parent)
            if parent is not None:
                parent.cache = None
                self.repos[parent.repo].changed()


def _matches(record: IssueRecord, query: IssueQuery, wanted: set[str]) -> bool:
    if query.state not in ("all", record.state):
        return False
    if query.since is not None and record.updated_at < query.since:
        return False
    if wanted and not wanted.issubset({name.lower() for name in record.labels}):
        return False
    if query.type is None:
        return True
    if query.type == "*":
        return record.type is not None
    if query.type == "none":
        return record.type is None
    return (record.type or "").lower() == query.type.lower()
