"""A tracker held in memory, at goldthread's own connector seam.

For tests of the layers above the connectors (sync, write-back, service): it
reads and writes like a real source — scopes, cursors, labels that show up on
the next read, marker comments — counts its requests, and keeps a log of every
write so a test can assert exactly what goldthread sent. Faults can be planted
per operation with :meth:`MemoryConnector.fail_on`.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, replace
from datetime import datetime

from goldthread.core.model import CommentDoc, OwnComment, RateBudget, RequestStats, WorkItem
from goldthread.core.scope import SourceScope
from goldthread.errors import GoldthreadError, SkippableError

_JIRA_KEY = re.compile(r"^(?P<project>[A-Za-z][A-Za-z0-9_]*)-\d+$")


def scope_of(key: str) -> str:
    """The scope an item key belongs to: ``acme/web#12`` -> ``acme/web``,
    ``PLAT-7`` -> ``PLAT``; any other key is its own scope."""
    repo, sep, _ = key.partition("#")
    if sep:
        return repo
    match = _JIRA_KEY.match(key)
    return match.group("project") if match else key


@dataclass(frozen=True, slots=True)
class MemoryWrite:
    """One mutating call, as logged: ``action`` is the connector method's name."""

    action: str
    key: str
    detail: str = ""


class MemoryRead:
    """A :class:`~goldthread.connectors.base.ScopeRead` over a snapshot."""

    def __init__(self, items: list[WorkItem], since: str | None) -> None:
        self._items = items
        self._since = since
        self.cursor: str | None = None

    def __iter__(self) -> Iterator[WorkItem]:
        yield from self._items
        newest = max((item.updated_at for item in self._items), default=None)
        self.cursor = newest.isoformat() if newest is not None else self._since


class MemoryConnector:
    """A :class:`~goldthread.connectors.base.Connector` over a dict of items.

    Reading with a cursor returns items updated at or after it (at-least-once,
    like the real connectors). Writes change the stored item, so a re-read
    sees goldthread's label; with ``clock`` given they also bump
    ``updated_at``, as a tracker does.
    """

    def __init__(
        self,
        name: str,
        items: Iterable[WorkItem] = (),
        *,
        clock: Callable[[], datetime] | None = None,
        identity: str = "goldthread-bot",
        watched: Iterable[str] | None = None,
    ) -> None:
        self._name = name
        self._watched = tuple(watched) if watched is not None else None
        self._clock = clock
        self._identity = identity
        self._items: dict[str, WorkItem] = {item.key: item for item in items}
        self._comments: dict[str, dict[str, CommentDoc]] = {}
        self._moved: dict[str, str] = {}
        self._ids = itertools.count(1)
        self._faults: dict[str, list[GoldthreadError]] = {}
        self._stats = RequestStats()
        self.writes: list[MemoryWrite] = []

    # ---------------------------------------------------------------- test controls

    def put(self, item: WorkItem) -> None:
        """Add or replace an item, as if someone edited it on the tracker."""
        self._items[item.key] = item

    def move(self, key: str, item: WorkItem) -> None:
        """Move ``key`` to ``item`` (its new key), as a transfer or a project move
        does: goldthread's comments go along, and the old key still finds it."""
        self._items.pop(key, None)
        self._items[item.key] = item
        self._comments[item.key] = self._comments.pop(key, {})
        self._moved[key] = item.key
        for old, new in list(self._moved.items()):
            if new == key:
                self._moved[old] = item.key

    def remove(self, key: str) -> None:
        """Delete an item from the tracker."""
        self._items.pop(key, None)
        self._comments.pop(key, None)

    def fail_on(self, operation: str, error: GoldthreadError, times: int = 1) -> None:
        """The next ``times`` calls of ``operation`` (a method name) raise ``error``."""
        self._faults.setdefault(operation, []).extend([error] * times)

    def stored(self, key: str) -> WorkItem | None:
        """The item as the tracker holds it now (no request counted)."""
        return self._items.get(key)

    def comments(self, key: str) -> dict[str, CommentDoc]:
        """goldthread's comments on an item, by comment id."""
        return dict(self._comments.get(key, {}))

    # ---------------------------------------------------------------- reading

    @property
    def name(self) -> str:
        return self._name

    @property
    def stats(self) -> RequestStats:
        return self._stats

    def check(self) -> str:
        self._request("check")
        return self._identity

    @property
    def old_keys_resolve(self) -> bool:
        """Like Jira: a moved item's old key reaches it, writes included."""
        return True

    def scopes(self) -> list[str]:
        self._request("scopes")
        if self._watched is not None:
            return list(self._watched)
        return sorted({scope_of(key) for key in self._items})

    def scope(self) -> SourceScope:
        """The ``watched`` repositories and projects; without them, every one it holds."""
        names = self._watched
        if names is None:
            names = tuple(sorted({scope_of(key) for key in self._items}))
        return SourceScope(
            self._name,
            repos=tuple(n for n in names if "/" in n),
            projects=tuple(n for n in names if "/" not in n),
        )

    def read(self, scope: str, cursor: str | None) -> MemoryRead:
        self._request("read")
        since = None if cursor is None else datetime.fromisoformat(cursor)
        chosen = [
            item
            for key, item in self._items.items()
            if scope_of(key) == scope and (since is None or item.updated_at >= since)
        ]
        chosen.sort(key=lambda item: (item.updated_at, item.key))
        return MemoryRead(chosen, cursor)

    def get(self, keys: Sequence[str]) -> list[WorkItem]:
        """The items, a moved one under its new key (any scope: the caller admits)."""
        self._request("get")
        found = [self._items.get(self._moved.get(key, key)) for key in keys]
        return list({item.key: item for item in found if item is not None}.values())

    def budget(self) -> RateBudget | None:
        return None

    # ---------------------------------------------------------------- writes

    def add_label(self, item: WorkItem, label: str) -> None:
        current = self._write("add_label", item, label)
        if label not in current.labels:
            self._change(current, labels=(*current.labels, label))

    def remove_label(self, item: WorkItem, label: str) -> None:
        current = self._write("remove_label", item, label)
        if label in current.labels:
            self._change(current, labels=tuple(x for x in current.labels if x != label))

    def find_own_comment(self, item: WorkItem, *, fresh: bool = False) -> OwnComment | None:
        self._request("find_own_comment")
        for comment_id, doc in self._comments.get(self._key(item), {}).items():
            return OwnComment(comment_id=comment_id, fingerprint=doc.fingerprint)
        return None

    def create_comment(self, item: WorkItem, doc: CommentDoc) -> OwnComment:
        current = self._write("create_comment", item, doc.fingerprint)
        comment_id = str(next(self._ids))
        self._comments.setdefault(self._key(item), {})[comment_id] = doc
        self._change(current)
        return OwnComment(comment_id=comment_id, fingerprint=doc.fingerprint)

    def update_comment(self, item: WorkItem, comment_id: str, doc: CommentDoc) -> OwnComment:
        current = self._write("update_comment", item, f"{comment_id} {doc.fingerprint}")
        comments = self._comments.get(self._key(item), {})
        if comment_id not in comments:
            raise SkippableError(
                f"comment {comment_id} on {item.key} not found", source=self._name, status=404
            )
        comments[comment_id] = doc
        self._change(current)
        return OwnComment(comment_id=comment_id, fingerprint=doc.fingerprint)

    def delete_comment(self, item: WorkItem, comment_id: str) -> None:
        current = self._write("delete_comment", item, comment_id)
        if self._comments.get(self._key(item), {}).pop(comment_id, None) is not None:
            self._change(current)

    # ---------------------------------------------------------------- plumbing

    def _request(self, operation: str) -> None:
        """Count a request; raise a planted fault first, like a failing call."""
        self._stats.requests += 1
        planted = self._faults.get(operation)
        if planted:
            raise planted.pop(0)
        self._stats.by_status[200] = self._stats.by_status.get(200, 0) + 1

    def _key(self, item: WorkItem) -> str:
        return self._moved.get(item.key, item.key)

    def _write(self, action: str, item: WorkItem, detail: str) -> WorkItem:
        """Log a write; an old key reaches the moved item, as the trackers resolve it."""
        self._request(action)
        current = self._items.get(self._key(item))
        if current is None:
            self._stats.by_status[200] -= 1
            self._stats.by_status[404] = self._stats.by_status.get(404, 0) + 1
            raise SkippableError(f"{item.key} not found", source=self._name, status=404)
        self._stats.writes += 1
        self.writes.append(MemoryWrite(action=action, key=current.key, detail=detail))
        return current

    def _change(self, current: WorkItem, **fields: object) -> None:
        if self._clock is not None:
            fields["updated_at"] = self._clock()
        self._items[current.key] = replace(current, **fields)  # type: ignore[arg-type]
