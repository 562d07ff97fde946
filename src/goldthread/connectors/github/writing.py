"""goldthread's few writes on GitHub: its label and its marker comment.

Every write is idempotent and touches only what goldthread owns: the label
is added or removed by name (never by replacing the label set, never with an
empty list), and a comment is updated or deleted only once it has been seen
to carry goldthread's marker *and* to be written by goldthread's own login.
Creating a comment is never retried blindly: before a second attempt the
issue's comments are searched for the marker, so a POST that reached GitHub
but lost its answer does not post the comment twice.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from typing import Any
from urllib.parse import quote

from goldthread.connectors.github.client import GitHubHttp
from goldthread.connectors.github.markers import render
from goldthread.connectors.github.options import GitHubOptions
from goldthread.connectors.github.reading import next_link
from goldthread.connectors.retrying import call_with_retry
from goldthread.core.labels import carries_label, own_labels
from goldthread.core.marker import find_marker
from goldthread.core.model import CommentDoc, OwnComment, WorkItem
from goldthread.errors import SkippableError


def split_key(key: str) -> tuple[str, str, int]:
    """``acme/web#12`` -> (``acme``, ``acme/web``, 12)."""
    repo, sep, number = key.rpartition("#")
    owner = repo.partition("/")[0]
    if not sep or not owner or not number.isdigit():
        raise ValueError(f"not a GitHub issue key: {key!r}")
    return owner, repo, int(number)


class GitHubWriter:
    """Label and comment writes for one source."""

    def __init__(
        self, http: GitHubHttp, options: GitHubOptions, identity: Callable[[], str]
    ) -> None:
        self._http = http
        self._options = options
        self._identity = identity
        self._labels_ready: set[tuple[str, str]] = set()
        self._own_comments: set[tuple[str, str]] = set()

    # ---------------------------------------------------------------- labels

    def add_label(self, item: WorkItem, label: str) -> None:
        if carries_label(item.labels, label):
            return
        owner, repo, number = split_key(item.key)
        self._ensure_repo_label(owner, repo, label)
        path = f"/repos/{repo}/issues/{number}/labels"
        self._http.call("POST", path, owner=owner, body={"labels": [label]})

    def remove_label(self, item: WorkItem, label: str) -> None:
        """Remove the label as the issue spells it (GitHub names ignore case: one request)."""
        spelled = own_labels(item.labels, label)
        if not spelled:
            return
        owner, repo, number = split_key(item.key)
        path = f"/repos/{repo}/issues/{number}/labels/{quote(spelled[0], safe='')}"
        try:
            self._http.call("DELETE", path, owner=owner)
        except SkippableError as error:
            if error.status != 404:
                raise

    def _ensure_repo_label(self, owner: str, repo: str, label: str) -> None:
        """Create goldthread's label in the repository, with its colour, if missing."""
        key = (repo.casefold(), label.casefold())
        if key in self._labels_ready:
            return
        try:
            self._http.call("GET", f"/repos/{repo}/labels/{quote(label, safe='')}", owner=owner)
        except SkippableError as error:
            if error.status != 404:
                raise
            definition = {
                "name": label,
                "color": self._options.label_color,
                "description": self._options.label_description,
            }
            try:
                self._http.call("POST", f"/repos/{repo}/labels", owner=owner, body=definition)
            except SkippableError as race:
                if race.status != 422:  # 422: created meanwhile
                    raise
        self._labels_ready.add(key)

    # ---------------------------------------------------------------- comments

    def _comments(self, owner: str, repo: str, number: int) -> Iterator[Mapping[str, Any]]:
        url: str | None = f"/repos/{repo}/issues/{number}/comments"
        params: Mapping[str, str] | None = {"per_page": "100"}
        while url is not None:
            reply = self._http.call("GET", url, owner=owner, params=params)
            for comment in reply.data if isinstance(reply.data, list) else ():
                if isinstance(comment, Mapping):
                    yield comment
            url, params = next_link(reply.headers.get("link")), None

    def _own(self, comment: Mapping[str, Any]) -> OwnComment | None:
        """The comment as goldthread's own, if it has the marker and our author."""
        fingerprint = find_marker(comment.get("body"))
        user = comment.get("user")
        login = user.get("login") if isinstance(user, Mapping) else None
        if fingerprint is None or not isinstance(login, str):
            return None
        if login.casefold() != self._identity().casefold():
            return None
        return OwnComment(comment_id=str(comment["id"]), fingerprint=fingerprint)

    def find_own_comment(self, item: WorkItem, *, trust_count: bool = True) -> OwnComment | None:
        if trust_count and item.comment_count == 0:
            return None
        owner, repo, number = split_key(item.key)
        for comment in self._comments(owner, repo, number):
            own = self._own(comment)
            if own is not None:
                self._own_comments.add((repo.casefold(), own.comment_id))
                return own
        return None

    def create_comment(self, item: WorkItem, doc: CommentDoc) -> OwnComment:
        owner, repo, number = split_key(item.key)
        body = {"body": render(doc)}
        attempts = 0

        def attempt() -> OwnComment:
            nonlocal attempts
            attempts += 1
            if attempts > 1:
                existing = self.find_own_comment(item, trust_count=False)
                if existing is not None:
                    return existing
            path = f"/repos/{repo}/issues/{number}/comments"
            reply = self._http.send("POST", path, owner=owner, body=body)
            comment_id = str(reply.data["id"])
            self._own_comments.add((repo.casefold(), comment_id))
            return OwnComment(comment_id=comment_id, fingerprint=doc.fingerprint)

        return call_with_retry(attempt, clock=self._http.clock, settings=self._http.retry)

    def _verify(self, owner: str, repo: str, comment_id: str) -> None:
        """Refuse to touch a comment not seen to be goldthread's own."""
        if (repo.casefold(), comment_id) in self._own_comments:
            return
        reply = self._http.call("GET", f"/repos/{repo}/issues/comments/{comment_id}", owner=owner)
        if not isinstance(reply.data, Mapping) or self._own(reply.data) is None:
            raise SkippableError(
                f"{repo} comment {comment_id} is not goldthread's; left alone",
                source=self._options.name,
            )
        self._own_comments.add((repo.casefold(), comment_id))

    def update_comment(self, item: WorkItem, comment_id: str, doc: CommentDoc) -> OwnComment:
        owner, repo, _number = split_key(item.key)
        self._verify(owner, repo, comment_id)
        path = f"/repos/{repo}/issues/comments/{comment_id}"
        self._http.call("PATCH", path, owner=owner, body={"body": render(doc)})
        return OwnComment(comment_id=comment_id, fingerprint=doc.fingerprint)

    def delete_comment(self, item: WorkItem, comment_id: str) -> None:
        owner, repo, _number = split_key(item.key)
        try:
            self._verify(owner, repo, comment_id)
            self._http.call("DELETE", f"/repos/{repo}/issues/comments/{comment_id}", owner=owner)
        except SkippableError as error:
            if error.status != 404:
                raise
        self._own_comments.discard((repo.casefold(), comment_id))

    # ---------------------------------------------------------------- parent links

    def add_sub_issue(self, child: WorkItem, parent: WorkItem) -> None:
        """Make ``child`` a sub-issue of ``parent`` (GitHub takes the child's numeric id)."""
        owner, repo, number = split_key(parent.key)
        if not child.external_id.isdigit():
            raise SkippableError(
                f"{child.key} has no numeric issue id; cannot make it a sub-issue",
                source=self._options.name,
            )
        path = f"/repos/{repo}/issues/{number}/sub_issues"
        self._http.call("POST", path, owner=owner, body={"sub_issue_id": int(child.external_id)})

    def append_line(self, item: WorkItem, line: str) -> None:
        """Add ``line`` at the end of the issue's body, read afresh, leaving the
        text there as it is; nothing when the body already has that line."""
        owner, repo, number = split_key(item.key)
        path = f"/repos/{repo}/issues/{number}"
        reply = self._http.call("GET", path, owner=owner)
        data = reply.data if isinstance(reply.data, Mapping) else {}
        found = data.get("body")
        body = found if isinstance(found, str) else ""
        if line in body.splitlines():
            return
        self._http.call("PATCH", path, owner=owner, body={"body": appended(body, line)})


def appended(text: str, line: str) -> str:
    """``text`` unchanged with ``line`` after it, a blank line between."""
    if not text:
        return line
    return f"{text}{'' if text.endswith(chr(10)) else chr(10)}{chr(10)}{line}"
