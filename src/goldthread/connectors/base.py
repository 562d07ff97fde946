"""The seam between goldthread and a tracker.

A connector reads one configured source into :class:`WorkItem` and carries
out goldthread's few writes (its label, its marker comment). Everything above
this seam is tracker-neutral; the in-memory connector in
:mod:`goldthread.connectors.memory` satisfies the same protocol for tests of
the layers above.

Reading is per *scope* (a GitHub repository, a Jira project). A scope that
cannot be read raises :class:`~goldthread.errors.SkippableError`; the caller
skips it and leaves its cursor where it was. Cursors are opaque strings the
connector owns; the store keeps them per ``(source, scope)`` and commits one
only after the cycle that read it succeeded.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Protocol, runtime_checkable

from goldthread.connectors.pacing import ContentLimits
from goldthread.core.model import (
    CommentDoc,
    LinkKind,
    OwnComment,
    RateBudget,
    RequestStats,
    WorkItem,
)
from goldthread.core.scope import SourceScope


class ScopeRead(Protocol):
    """Items of one scope changed since a cursor.

    Iterate it once; afterwards ``cursor`` is the bookmark to store when the
    cycle succeeds (``None`` until iteration has finished).
    """

    def __iter__(self) -> Iterator[WorkItem]: ...

    @property
    def cursor(self) -> str | None: ...


@runtime_checkable
class Connector(Protocol):
    """One configured source."""

    @property
    def name(self) -> str:
        """The source name, the ref prefix (``gh``, ``jira``)."""
        ...

    @property
    def stats(self) -> RequestStats: ...

    def check(self) -> str:
        """Authenticate; return who goldthread is on this source."""
        ...

    def scopes(self) -> list[str]:
        """Repositories (wildcards expanded) or projects this source reads."""
        ...

    @property
    def old_keys_resolve(self) -> bool:
        """Whether the tracker answers a key an item had before it moved with the
        item where it is now, writes included (Jira does; GitHub answers ``301``
        and goldthread does not repeat a write there).

        On such a source a stored copy that an incremental read did not show
        again may be an item that has since left the scope, so writes planned
        for it are confirmed with :meth:`get` first (docs/behaviour.md#scope).
        """
        ...

    def scope(self) -> SourceScope:
        """What this source watches, repositories by their current names.

        Only items in it are stored or written to (docs/behaviour.md#scope); the connector
        keeps it current as it learns of renamed repositories.
        """
        ...

    def read(self, scope: str, cursor: str | None) -> ScopeRead:
        """Items of ``scope`` changed since ``cursor`` (``None``: all of them)."""
        ...

    def cursor_since(self, when: datetime) -> str:
        """A cursor from which :meth:`read` returns what changed at or after
        ``when`` (``--since``); cursors are otherwise opaque to the callers."""
        ...

    def close(self) -> None:
        """Release the connections this source holds; it is not used after."""
        ...

    def get(self, keys: Sequence[str]) -> list[WorkItem]:
        """Fresh copies of the given items; unknown or deleted keys are omitted.

        A moved item comes back under its new key; an item outside the
        source's scope may come back too (the tracker does not know the
        scope): callers admit only what :meth:`scope` holds.
        """
        ...

    def budget(self) -> RateBudget | None:
        """The request budget as last reported by the tracker."""
        ...

    # ---- writes: idempotent, paced, only ever on goldthread's own label/comment

    def add_label(self, item: WorkItem, label: str) -> None: ...

    def remove_label(self, item: WorkItem, label: str) -> None: ...

    def find_own_comment(self, item: WorkItem, *, fresh: bool = False) -> OwnComment | None:
        """goldthread's marker comment on the item, found from the tracker.

        The tracker is not asked when the item as read, or what this
        connector itself read and wrote since, proves there is none. ``fresh``
        asks it regardless: another process (a replica on a shared store) may
        have commented after those reads.
        """
        ...

    def create_comment(self, item: WorkItem, doc: CommentDoc) -> OwnComment: ...

    def update_comment(self, item: WorkItem, comment_id: str, doc: CommentDoc) -> OwnComment: ...

    def delete_comment(self, item: WorkItem, comment_id: str) -> None: ...


@runtime_checkable
class ParentLinking(Protocol):
    """A connector that writes parent links (``fix --apply``, docs/behaviour.md#commands).

    ``how`` is the plan's: ``sub-issue``, ``jira-parent``, ``jira-link`` or
    ``body-reference`` (a line ``Part of <reference>`` appended to the
    child's description, the text there left as it is). Paced like every
    write; the caller re-reads both items first.
    """

    def link_parent(self, child: WorkItem, parent: WorkItem, how: str, reference: str) -> None: ...


@runtime_checkable
class Reconciling(Protocol):
    """A connector whose tracker's search lags behind writes (Jira Cloud).

    Before reading, the cycle tells it which items the ledger says goldthread
    wrote lately (``when``: by ref), so its reads serve them as written.
    """

    def written_lately(self, items: Sequence[WorkItem], when: Mapping[str, datetime]) -> None: ...


@runtime_checkable
class ContentLimited(Protocol):
    """A connector whose tracker limits content-creating requests (GitHub.com).

    ``None``: no documented limit applies (GitHub Enterprise Server, where the
    administrator sets the limits and ``writes_per_minute`` paces writes).
    """

    def content_limits(self) -> ContentLimits | None: ...


@dataclass(frozen=True, slots=True)
class LinkKinds:
    """Which kinds of parent link (and issue types) a source's server offers.

    ``missing`` says, per kind not offered, why (``GitHub Enterprise Server
    3.13 has no sub-issues``); ``notes`` say what else is worth knowing.
    """

    server: str
    available: tuple[LinkKind, ...]
    missing: Mapping[str, str] = field(default_factory=dict)
    issue_types: bool = True
    notes: tuple[str, ...] = ()

    def describe(self) -> str:
        """One line for ``check --online``."""
        parts = [f"{self.server}: parent links by " + ", ".join(k.value for k in self.available)]
        parts += [f"no {kind} ({why})" for kind, why in self.missing.items()]
        if not self.issue_types:
            parts.append("no issue types (type rules never match here)")
        parts += list(self.notes)
        return "; ".join(parts)

    def as_json(self) -> dict[str, object]:
        return {
            "server": self.server,
            "available": [k.value for k in self.available],
            "missing": dict(self.missing),
            "issue_types": self.issue_types,
            "notes": list(self.notes),
        }


@runtime_checkable
class LinkAware(Protocol):
    """A connector that can say which link kinds its server offers (known after
    its first request)."""

    def link_kinds(self) -> LinkKinds: ...
