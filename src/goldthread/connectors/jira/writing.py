"""goldthread's few writes to a Jira issue: its label and its marker comment.

* Labels change through the atomic ``update`` verb (``add`` / ``remove``),
  never by sending the whole list, so a label someone adds at the same
  moment survives. A label already in the wanted state costs no request.
* The comment carries a comment property, ``goldthread.marker`` =
  ``{"v": 1, "fingerprint": ...}``, sent in the *same* create request, so a
  comment never exists without its marker and is found again from the
  tracker when the store does not know it. Before a retried create, the
  issue is searched for the marker first: a create that reached Jira before
  its answer was lost is not sent twice.
* A comment is updated or deleted only after its marker was seen on it:
  goldthread never touches a comment it did not write.

Every mutating request waits for the :class:`WritePacer` first.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from goldthread.connectors.jira.client import JiraClient
from goldthread.connectors.jira.rendering import render
from goldthread.connectors.pacing import WritePacer
from goldthread.core.model import CommentDoc, OwnComment, WorkItem
from goldthread.errors import SkippableError

MARKER_KEY = "goldthread.marker"
MARKER_VERSION = 1
_COMMENT_PAGE = 100


def marker_value(doc: CommentDoc) -> dict[str, Any]:
    return {"v": MARKER_VERSION, "fingerprint": doc.fingerprint}


def own_marker(comment: Mapping[str, Any]) -> OwnComment | None:
    """goldthread's marker on a comment (listed with ``expand=properties``)."""
    for prop in comment.get("properties") or ():
        if isinstance(prop, Mapping) and prop.get("key") == MARKER_KEY:
            value = prop.get("value")
            fingerprint = value.get("fingerprint") if isinstance(value, Mapping) else None
            return OwnComment(
                comment_id=str(comment["id"]),
                fingerprint=str(fingerprint) if fingerprint is not None else None,
            )
    return None


class JiraWriter:
    """Labels and marker comments on one site, paced and idempotent."""

    def __init__(self, client: JiraClient, pacer: WritePacer) -> None:
        self._client = client
        self._pacer = pacer

    # ---------------------------------------------------------------- labels

    def add_label(self, item: WorkItem, label: str) -> None:
        if label in item.labels:
            return
        self._labels(item, {"add": label})

    def remove_label(self, item: WorkItem, label: str) -> None:
        if label not in item.labels:
            return
        self._labels(item, {"remove": label})

    def _labels(self, item: WorkItem, operation: dict[str, str]) -> None:
        self._pacer.wait()
        self._client.send(
            f"update labels of {item.key}",
            "PUT",
            f"issue/{item.key}",
            {"update": {"labels": [operation]}},
        )

    # ---------------------------------------------------------------- comments

    def find_own_comment(self, item: WorkItem) -> OwnComment | None:
        """The marker comment, from the tracker: one request per 100 comments."""
        start = 0
        while True:
            page = self._client.get_json(
                f"list comments of {item.key}",
                f"issue/{item.key}/comment",
                {"expand": "properties", "startAt": start, "maxResults": _COMMENT_PAGE},
            )
            comments = list(page.get("comments") or ())
            for comment in comments:
                found = own_marker(comment)
                if found is not None:
                    return found
            start = int(page.get("startAt", start)) + len(comments)
            if not comments or start >= int(page.get("total", 0)):
                return None

    def create_comment(self, item: WorkItem, doc: CommentDoc) -> OwnComment:
        """POST the comment with its marker; a retry first looks for it on the issue."""
        attempts = 0

        def create() -> OwnComment:
            nonlocal attempts
            attempts += 1
            if attempts > 1 and (landed := self.find_own_comment(item)) is not None:
                return landed
            self._pacer.wait()
            answer = self._client.request_once(
                f"comment on {item.key}",
                "POST",
                f"issue/{item.key}/comment",
                self._payload(doc),
            )
            return OwnComment(comment_id=str(answer["id"]), fingerprint=doc.fingerprint)

        return self._client.retrying(create)

    def update_comment(self, item: WorkItem, comment_id: str, doc: CommentDoc) -> OwnComment:
        current = self._owned(item, comment_id)
        if current is None:
            raise SkippableError(
                f"comment {comment_id} on {item.key} is gone", source=self._client.options.name
            )
        if current.fingerprint == doc.fingerprint:
            return current
        self._pacer.wait()
        self._client.send(
            f"update comment {comment_id} on {item.key}",
            "PUT",
            f"issue/{item.key}/comment/{comment_id}",
            self._payload(doc),
        )
        return OwnComment(comment_id=comment_id, fingerprint=doc.fingerprint)

    def delete_comment(self, item: WorkItem, comment_id: str) -> None:
        if self._owned(item, comment_id) is None:
            return
        self._pacer.wait()
        try:
            self._client.send(
                f"delete comment {comment_id} on {item.key}",
                "DELETE",
                f"issue/{item.key}/comment/{comment_id}",
            )
        except SkippableError as error:
            if error.status != 404:
                raise

    def _owned(self, item: WorkItem, comment_id: str) -> OwnComment | None:
        """The comment's marker; ``None`` if it is gone; refuses anyone else's."""
        try:
            comment = self._client.get_json(
                f"read comment {comment_id} on {item.key}",
                f"issue/{item.key}/comment/{comment_id}",
                {"expand": "properties"},
            )
        except SkippableError as error:
            if error.status == 404:
                return None
            raise
        found = own_marker(comment)
        if found is None:
            raise SkippableError(
                f"comment {comment_id} on {item.key} is not goldthread's; left alone",
                source=self._client.options.name,
            )
        return found

    def _payload(self, doc: CommentDoc) -> dict[str, Any]:
        return {
            "body": render(doc, cloud=self._client.cloud),
            "properties": [{"key": MARKER_KEY, "value": marker_value(doc)}],
        }
