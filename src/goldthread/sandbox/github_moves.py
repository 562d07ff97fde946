"""Renamed repositories, transferred and deleted issues in the GitHub stand-in.

The changes (:func:`rename`, :func:`transfer`, :func:`delete`) return the
webhooks GitHub fires for them; :func:`answer_moved` gives the answer GitHub
gives a request under a name that no longer holds what it used to:

* a renamed repository's old name: ``301`` (reads) or ``307`` (writes) to
  ``/repositories/{id}`` plus the same path below the repository and the same
  query, with GitHub's body ``{"message", "url", "documentation_url"}``;
* a transferred issue's old URL (and those below it): ``301`` to the issue
  where it is now (``/repositories/{id}/issues/{n}``);
* a deleted issue: ``410 Gone``;
* an issue set to redirect badly (:func:`set_bad_redirect`, for rehearsing
  what goldthread must refuse): ``301`` (reads) or ``307`` (writes) to its
  own URL (``loop``), to another host (``other-host``), or without a
  ``Location`` (``no-location``).

``/repositories/{id}/...`` (where the redirects point) is served as the
repository's current ``/repos/{owner}/{name}/...``.
"""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import urlencode, urlsplit

from goldthread.sandbox import github_payloads as payloads
from goldthread.sandbox.github_mutations import Event
from goldthread.sandbox.github_records import IssueKey, IssueRecord
from goldthread.sandbox.github_store import GitHubStore, StoreError
from goldthread.sandbox.http import Request, Response

FOLLOW_REDIRECTS = (
    "https://docs.github.com/rest/guides/best-practices-for-using-the-rest-api#follow-redirects"
)
_REPO_PATH = re.compile(r"^/repos/(?P<owner>[^/]+)/(?P<name>[^/]+)(?P<suffix>/.*)?$")
_ISSUE_SUFFIX = re.compile(r"^/issues/(?P<number>[0-9]+)(?P<rest>/.*)?$")
_BY_ID = re.compile(r"^/repositories/(?P<id>[0-9]+)(?P<suffix>/.*)?$")


# ---------------------------------------------------------------- answers


def by_id(store: GitHubStore, path: str) -> str | None:
    """``/repositories/{id}/x`` as the repository's current ``/repos/o/r/x``."""
    match = _BY_ID.match(path)
    if match is None:
        return None
    state = store.repo_by_id(int(match["id"]))
    if state is None:
        return None
    return f"/repos/{state.name}{match['suffix'] or ''}"


def answer_moved(store: GitHubStore, request: Request, path: str, api: str) -> Response | None:
    """GitHub's answer for a moved or deleted thing under ``path``, else ``None``."""
    match = _REPO_PATH.match(path)
    if match is None:
        return None
    name, suffix = f"{match['owner']}/{match['name']}", match["suffix"] or ""
    query = urlencode([(k, v) for k, values in request.query.items() for v in values])
    current = store.renamed.get(name.lower())
    if current is not None and current in store.repos:
        status = 301 if request.method in ("GET", "HEAD") else 307
        return moved(status, f"{api}/repositories/{store.repos[current].id}{suffix}", query)
    issue = _ISSUE_SUFFIX.match(suffix)
    if issue is None:
        return None
    key = (name, int(issue["number"]))
    bad = store.bad_redirects.get((name.lower(), key[1]))
    if bad is not None:
        return _bad_redirect(bad, request.method, f"{api}{path}", query)
    if key in store.deleted:
        return Response(410, _error("This issue was deleted", 410))
    issue_id = store.transferred.get(key)
    record = store.by_id.get(issue_id) if issue_id is not None else None
    if record is not None:
        where = f"{api}/repositories/{store.repos[record.repo].id}/issues/{record.number}"
        return moved(301, where + (issue["rest"] or ""), query)
    return None


BAD_REDIRECTS = ("loop", "other-host", "no-location")
ELSEWHERE = "https://elsewhere.example"


def set_bad_redirect(store: GitHubStore, repo: str, number: int, kind: str | None) -> None:
    """Make every request under ``repo#number`` answer a bad redirect of ``kind``
    (one of :data:`BAD_REDIRECTS`); ``None`` makes it answer normally again."""
    store.get(repo, number)  # 404 for an unknown issue
    if kind is None:
        store.bad_redirects.pop((repo.lower(), number), None)
        return
    if kind not in BAD_REDIRECTS:
        raise StoreError(422, f"kind must be one of {', '.join(BAD_REDIRECTS)}, not {kind!r}")
    store.bad_redirects[repo.lower(), number] = kind


def _bad_redirect(kind: str, method: str, url: str, query: str) -> Response:
    status = 301 if method in ("GET", "HEAD") else 307
    if kind == "no-location":
        body = {"message": "Moved Permanently", "documentation_url": FOLLOW_REDIRECTS}
        return Response(status, body)
    if kind == "other-host":
        url = ELSEWHERE + urlsplit(url).path
    return moved(status, url, query)


def moved(status: int, location: str, query: str = "") -> Response:
    """A redirect as GitHub sends it: the ``Location`` and the same URL in the body."""
    url = f"{location}?{query}" if query else location
    body = {"message": "Moved Permanently", "url": url, "documentation_url": FOLLOW_REDIRECTS}
    return Response(status, body, {"Location": url})


def _error(message: str, status: int) -> dict[str, Any]:
    docs = "https://docs.github.com/rest"
    return {"message": message, "documentation_url": docs, "status": str(status)}


# ---------------------------------------------------------------- changes


def rename(store: GitHubStore, old: str, new: str, actor: str) -> list[Event]:
    """Rename repository ``old`` to ``new``: every issue goes by the new name."""
    state = store.repo(old)
    if new in store.repos:
        raise StoreError(422, f"Validation Failed: {new} already exists")
    del store.repos[old]
    state.name = new
    store.repos[new] = state
    store.renamed[old.lower()] = new
    for previous, current in list(store.renamed.items()):
        if current == old:
            store.renamed[previous] = new
    for record in list(store.issues.values()):
        if record.repo == old:
            _rekey(store, record, new, record.number)
    store.drop_caches()
    body = {
        "action": "renamed",
        "changes": {"repository": {"name": {"from": old.split("/", 1)[1]}}},
        "repository": store.repository_json(new),
        "sender": payloads.user(store.urls, actor),
    }
    return [Event("repository", body)]


def transfer(store: GitHubStore, record: IssueRecord, new_repo: str, actor: str) -> list[Event]:
    """Transfer an issue (comments and labels go along) to ``new_repo``, under its next number."""
    if new_repo == record.repo:
        raise StoreError(422, "Validation Failed: the issue is in that repository already")
    target = store.repo(new_repo)
    before = store.issue_json(record)
    old_repo_json = store.repository_json(record.repo)
    old_key = record.key
    number = max((other.number for other in target.issues), default=0) + 1
    for name in record.labels:
        store.label_def(new_repo, name)
    store.repos[record.repo].issues.remove(record)
    store.repos[record.repo].changed()
    target.issues.append(record)
    _rekey(store, record, new_repo, number)
    store.transferred[old_key] = record.id
    store.changed(record)
    after = store.issue_json(record)
    sender = payloads.user(store.urls, actor)
    transferred = {
        "action": "transferred",
        "changes": {"new_issue": after, "new_repository": store.repository_json(new_repo)},
        "issue": before,
        "repository": old_repo_json,
        "sender": sender,
    }
    opened = {
        "action": "opened",
        "issue": after,
        "repository": store.repository_json(new_repo),
        "sender": sender,
    }
    return [Event("issues", transferred), Event("issues", opened)]


def delete(store: GitHubStore, record: IssueRecord, actor: str) -> list[Event]:
    """Delete an issue: its URL answers ``410`` from now on."""
    payload = {
        "action": "deleted",
        "issue": store.issue_json(record),
        "repository": store.repository_json(record.repo),
        "sender": payloads.user(store.urls, actor),
    }
    if record.parent is not None and (parent := store.issues.get(record.parent)) is not None:
        parent.children.remove(record.key)
        store.changed(parent, bump=False)
    for comment_id in record.comment_ids:
        store.comments.pop(comment_id, None)
    store.repos[record.repo].issues.remove(record)
    store.repos[record.repo].changed()
    del store.issues[record.key]
    del store.by_id[record.id]
    store.deleted.add(record.key)
    return [Event("issues", payload)]


def _rekey(store: GitHubStore, record: IssueRecord, repo: str, number: int) -> None:
    """Name ``record`` ``repo#number``, with every key that names it (the
    repository's issue list is the caller's)."""
    old: IssueKey = record.key
    new: IssueKey = (repo, number)
    del store.issues[old]
    record.repo, record.number = repo, number
    store.issues[new] = record
    for comment_id in record.comment_ids:
        comment = store.comments[comment_id]
        comment.repo, comment.number = repo, number
    if record.parent is not None and (parent := store.issues.get(record.parent)) is not None:
        parent.children = [new if child == old else child for child in parent.children]
    for child_key in record.children:
        child = store.issues.get(child_key)
        if child is not None:
            child.parent = new
    record.cache = None
