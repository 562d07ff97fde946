"""goldthread's few writes to a Jira issue: its label and its marker comment.

* Labels change through the atomic ``update`` verb (``add`` / ``remove``),
  never by sending the whole list, so a label someone adds at the same
  moment survives. A label already in the wanted state costs no request;
  goldthread's label is removed in whatever case it appears (Jira keeps
  ``Goldthread:Untraced`` apart from ``goldthread:untraced``).
* A project whose edit screen lacks the labels field refuses any edit that
  touches labels with ``400``. Before its first label write for an issue
  type, the writer asks ``GET /issue/{key}/editmeta`` (a read) whether
  labels can be edited there; where they cannot, or a write is refused
  anyway, it raises :class:`~goldthread.errors.LabelRefusedError` and
  sends no more label writes there. The comment still goes out.
* The comment carries a comment property, ``goldthread.marker`` =
  ``{"v": 1, "fingerprint": ...}``, sent in the *same* create request, so a
  comment never exists without its marker and is found again from the
  tracker when the store does not know it (:mod:`.owning`: goldthread's
  account *and* the marker). Before a retried create, the issue is searched
  for it first: a create that reached Jira before its answer was lost is
  not sent twice.
* A comment is updated or deleted only after it was seen to be written by
  goldthread's account and to carry its marker.
* Before a comment is ever created on an issue, the issue property of
  :mod:`.marker` is set there: in the label request when a label is added
  (no extra request), on its own otherwise. So an issue read without that
  property has no goldthread comment, and the lookup is skipped: flagging a
  new issue costs two requests, the label and the comment.

Every mutating request waits for the :class:`WritePacer` first.
"""

from __future__ import annotations

from typing import Any

from goldthread.connectors.jira.client import JiraClient
from goldthread.connectors.jira.labelling import LabelScreens
from goldthread.connectors.jira.marker import MARKER_KEY, MARKER_VERSION, intent_property
from goldthread.connectors.jira.owning import OwnComments
from goldthread.connectors.jira.parsing import description_text
from goldthread.connectors.jira.rendering import render
from goldthread.connectors.pacing import WritePacer
from goldthread.core.labels import carries_label, own_labels
from goldthread.core.model import CommentDoc, MarkerState, OwnComment, WorkItem
from goldthread.errors import LabelRefusedError, SkippableError

__all__ = ["MARKER_KEY", "JiraWriter", "marker_value"]


def marker_value(doc: CommentDoc) -> dict[str, Any]:
    return {"v": MARKER_VERSION, "fingerprint": doc.fingerprint}


class JiraWriter:
    """Labels and marker comments on one site, paced and idempotent."""

    def __init__(self, client: JiraClient, pacer: WritePacer) -> None:
        self._client = client
        self._pacer = pacer
        self._own = OwnComments(client)
        self.screens = LabelScreens(client)
        # What this process last read or did, per issue key; it outlives the
        # item objects (the cycle reloads items from the store, without hints).
        self._markers: dict[str, MarkerState] = {}  # does a comment of ours exist?
        self._intended: set[str] = set()  # the intent property is on the issue

    def observe(self, item: WorkItem) -> WorkItem:
        """Remember what a fresh read of ``item`` said about the marker.

        A read never undoes what this process wrote: Cloud's search may still
        serve the issue as it was before goldthread's own property or comment.
        """
        state = item.marker.state
        if self._markers.get(item.key) is MarkerState.PENDING:
            return item
        if state is MarkerState.UNKNOWN:
            self._markers.pop(item.key, None)
        else:
            self._markers[item.key] = state
        if state is MarkerState.PENDING:
            self._intended.add(item.key)
        else:
            self._intended.discard(item.key)
        return item

    def marker_state(self, item: WorkItem) -> MarkerState:
        """The newest state known: this process's own reads and writes first."""
        return self._markers.get(item.key) or item.marker.state

    # ---------------------------------------------------------------- labels

    def add_label(self, item: WorkItem, label: str) -> None:
        """Add the label, setting the comment-intent property in the same request."""
        if carries_label(item.labels, label):
            return
        try:
            self.screens.require(item)
            with self.screens.watch(item):
                self._edit(item, f"update labels of {item.key}", {"labels": [{"add": label}]})
        except LabelRefusedError:
            if item.key not in self._intended:  # the refused edit took the property with it
                self._edit(item, f"mark {item.key} (label refused)", None, labels_refused=True)
            raise

    def remove_label(self, item: WorkItem, label: str) -> None:
        """Remove goldthread's label in every case it appears on the issue, in one edit."""
        spelled = own_labels(item.labels, label)
        if not spelled:
            return
        self.screens.require(item)
        self._pacer.wait()
        with self.screens.watch(item):
            self._client.send(
                f"update labels of {item.key}",
                "PUT",
                f"issue/{item.key}",
                {"update": {"labels": [{"remove": name} for name in spelled]}},
            )

    def _edit(
        self,
        item: WorkItem,
        what: str,
        update: dict[str, Any] | None,
        *,
        labels_refused: bool = False,
    ) -> None:
        """One issue edit that also records goldthread's intent to comment."""
        body: dict[str, Any] = {"properties": [intent_property(labels_refused=labels_refused)]}
        if update:
            body["update"] = update
        self._pacer.wait()
        self._client.send(what, "PUT", f"issue/{item.key}", body)
        self._intended.add(item.key)  # no comment yet: a proof of none still holds

    # ---------------------------------------------------------------- comments

    def find_own_comment(self, item: WorkItem, *, trust_hint: bool = True) -> OwnComment | None:
        """The marker comment, from the tracker (see :mod:`.owning`).

        None without a request when the issue was read without goldthread's
        property and nothing was written since (``trust_hint``).
        """
        if trust_hint and self.marker_state(item) is MarkerState.NONE:
            return None
        return self._own.find(item)

    def create_comment(self, item: WorkItem, doc: CommentDoc) -> OwnComment:
        """POST the comment with its marker; a retry first looks for it on the issue.

        The issue's intent property is set first unless it already is, so a
        comment never exists on an issue without it.
        """
        if item.key not in self._intended and item.marker.state is not MarkerState.PENDING:
            self._edit(item, f"mark {item.key} before commenting", None)
        self._markers[item.key] = MarkerState.PENDING  # from here on, it may have landed
        attempts = 0

        def create() -> OwnComment:
            nonlocal attempts
            attempts += 1
            if attempts > 1:
                landed = self.find_own_comment(item, trust_hint=False)
                if landed is not None:
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
        return self._own.vouch(item, comment_id)

    def _payload(self, doc: CommentDoc) -> dict[str, Any]:
        return {
            "body": render(doc, cloud=self._client.cloud),
            "properties": [{"key": MARKER_KEY, "value": marker_value(doc)}],
        }

    # ---------------------------------------------------------------- parent links

    def set_parent(self, child: WorkItem, parent: WorkItem, field_id: str) -> None:
        """Put ``child`` under ``parent`` in the hierarchy field ``field_id``
        (``parent`` on Cloud; Epic Link on Data Center)."""
        value: Any = {"key": parent.key} if field_id == "parent" else parent.key
        self._pacer.wait()
        self._client.send(
            f"set the parent of {child.key}",
            "PUT",
            f"issue/{child.key}",
            {"fields": {field_id: value}},
        )

    def add_link(self, child: WorkItem, parent: WorkItem, link_type: str) -> None:
        """Link ``child`` to ``parent`` with ``link_type``, the child on the side
        the outward phrase applies to ("implements"), as goldthread reads it."""
        self._pacer.wait()
        self._client.send(
            f"link {child.key} to {parent.key}",
            "POST",
            "issueLink",
            {
                "type": {"name": link_type},
                "inwardIssue": {"key": child.key},
                "outwardIssue": {"key": parent.key},
            },
        )

    def append_line(self, item: WorkItem, line: str) -> None:
        """Add ``line`` at the end of the description, read afresh, leaving the
        text there as it is; nothing when the description has that line."""
        raw = self._client.get_json(
            f"read the description of {item.key}",
            f"issue/{item.key}",
            params={"fields": "description"},
        )
        fields = raw.get("fields") if isinstance(raw, dict) else None
        current = fields.get("description") if isinstance(fields, dict) else None
        if line in description_text(current).splitlines():
            return
        self._pacer.wait()
        self._client.send(
            f"add a line to the description of {item.key}",
            "PUT",
            f"issue/{item.key}",
            {"fields": {"description": with_line(current, line, cloud=self._client.cloud)}},
        )


def with_line(description: Any, line: str, *, cloud: bool) -> Any:
    """The description with ``line`` added as a last paragraph, the rest as it was."""
    if cloud:
        paragraph = {"type": "paragraph", "content": [{"type": "text", "text": line}]}
        if isinstance(description, dict) and isinstance(description.get("content"), list):
            return {**description, "content": [*description["content"], paragraph]}
        return {"type": "doc", "version": 1, "content": [paragraph]}
    text = description if isinstance(description, str) else ""
    if not text:
        return line
    return f"{text}{'' if text.endswith(chr(10)) else chr(10)}{chr(10)}{line}"
