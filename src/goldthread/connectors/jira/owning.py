"""Which Jira comments are goldthread's own (docs/behaviour.md#own-comments), found by documented calls.

A comment is goldthread's when its author is the account of the configured
credentials **and** it carries the ``goldthread.marker`` comment property. A
marker on anybody else's comment is ignored, so a person who copies the
property onto their own comment can never get it edited or deleted.

* The account comes from ``GET /myself``, once per connector: ``accountId``
  on Cloud, ``key`` and ``name`` on Data Center.
* Comments are listed with ``GET /issue/{key}/comment`` (paged, no
  expansion: that endpoint documents only ``renderedBody``); only those by
  goldthread's account are looked at further.
* Their markers are read the documented way: on Cloud ``POST /comment/list``
  with ``expand=properties`` (every candidate in one request), on Data
  Center the comment-property API, ``GET /comment/{id}/properties/{key}``.

So an issue without any comment by goldthread costs one listing request, and
one with goldthread's comment costs one more.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from goldthread.connectors.jira.client import JiraClient
from goldthread.connectors.jira.marker import MARKER_KEY
from goldthread.core.model import OwnComment, WorkItem
from goldthread.errors import SkippableError

_COMMENT_PAGE = 100
_LIST_LIMIT = 1000  # ids per POST /comment/list (documented maximum)


@dataclass(frozen=True, slots=True)
class Account:
    """goldthread's account on the site, as ``/myself`` names it."""

    account_id: str | None = None  # Cloud
    key: str | None = None  # Data Center: stable across renames
    name: str | None = None  # Data Center

    @classmethod
    def of(cls, user: Mapping[str, Any]) -> Account:
        def text(name: str) -> str | None:
            value = user.get(name)
            return str(value) if isinstance(value, str) and value else None

        return cls(account_id=text("accountId"), key=text("key"), name=text("name"))

    def wrote(self, comment: Mapping[str, Any]) -> bool:
        """Whether ``comment``'s author is this account (unknown author: no)."""
        author = comment.get("author")
        if not isinstance(author, Mapping):
            return False
        other = Account.of(author)
        if self.account_id is not None:
            return other.account_id == self.account_id
        if self.key is not None and other.key is not None:
            return other.key == self.key
        return self.name is not None and other.name == self.name


def marker_fingerprint(value: object) -> str | None:
    fingerprint = value.get("fingerprint") if isinstance(value, Mapping) else None
    return str(fingerprint) if fingerprint is not None else None


class OwnComments:
    """Finds and vouches for goldthread's comments on one site."""

    def __init__(self, client: JiraClient) -> None:
        self._client = client
        self._account: Account | None = None

    def account(self) -> Account:
        if self._account is None:
            me = self._client.get_json("read the account", "myself")
            self._account = Account.of(me if isinstance(me, Mapping) else {})
        return self._account

    # ---------------------------------------------------------------- finding

    def find(self, item: WorkItem) -> OwnComment | None:
        """goldthread's marker comment on ``item``, or ``None``."""
        account = self.account()
        mine = [c for c in self._listed(item) if account.wrote(c)]
        for comment_id, value in self._markers(item, mine):
            return OwnComment(comment_id=comment_id, fingerprint=marker_fingerprint(value))
        return None

    def vouch(self, item: WorkItem, comment_id: str) -> OwnComment | None:
        """The comment as goldthread's; ``None`` if it is gone; refuses anyone else's."""
        try:
            comment = self._client.get_json(
                f"read comment {comment_id} on {item.key}",
                f"issue/{item.key}/comment/{comment_id}",
            )
        except SkippableError as error:
            if error.status == 404:
                return None
            raise
        if isinstance(comment, Mapping) and self.account().wrote(comment):
            for found_id, value in self._markers(item, [comment]):
                return OwnComment(comment_id=found_id, fingerprint=marker_fingerprint(value))
        raise SkippableError(
            f"comment {comment_id} on {item.key} is not goldthread's; left alone",
            source=self._client.options.name,
        )

    def _listed(self, item: WorkItem) -> Iterator[Mapping[str, Any]]:
        start = 0
        while True:
            page = self._client.get_json(
                f"list comments of {item.key}",
                f"issue/{item.key}/comment",
                {"startAt": start, "maxResults": _COMMENT_PAGE},
            )
            comments = [c for c in page.get("comments") or () if isinstance(c, Mapping)]
            yield from comments
            start = int(page.get("startAt", start)) + len(comments)
            if not comments or start >= int(page.get("total", 0)):
                return

    # ---------------------------------------------------------------- markers

    def _markers(
        self, item: WorkItem, comments: Sequence[Mapping[str, Any]]
    ) -> Iterator[tuple[str, object]]:
        """(comment id, marker value) of those ``comments`` that carry the marker."""
        ids = [str(c["id"]) for c in comments if c.get("id") is not None]
        if not ids:
            return
        if self._client.cloud:
            yield from self._listed_markers(item, ids)
        else:
            yield from self._property_markers(item, ids)

    def _listed_markers(self, item: WorkItem, ids: list[str]) -> Iterator[tuple[str, object]]:
        for start in range(0, len(ids), _LIST_LIMIT):
            chunk = [int(i) for i in ids[start : start + _LIST_LIMIT]]
            page = self._client.send(
                f"read goldthread's comment properties on {item.key}",
                "POST",
                "comment/list",
                {"ids": chunk},
                params={"expand": "properties"},
            )
            for comment in (page or {}).get("values") or ():
                value = _property(comment, MARKER_KEY)
                if value is not _ABSENT:
                    yield str(comment["id"]), value

    def _property_markers(self, item: WorkItem, ids: list[str]) -> Iterator[tuple[str, object]]:
        for comment_id in ids:
            try:
                found = self._client.get_json(
                    f"read goldthread's comment property on {item.key}",
                    f"comment/{comment_id}/properties/{MARKER_KEY}",
                )
            except SkippableError as error:
                if error.status == 404:
                    continue
                raise
            if isinstance(found, Mapping):
                yield comment_id, found.get("value")


_ABSENT = object()


def _property(comment: Mapping[str, Any], key: str) -> object:
    for prop in comment.get("properties") or ():
        if isinstance(prop, Mapping) and prop.get("key") == key:
            return prop.get("value")
    return _ABSENT
