"""Carrying out a write-back plan through the connectors.

Each action goes to its source's connector (which paces and retries), and
each write is recorded in the store's ledger right after it succeeded. A
process killed between a write and its ledger entry is repaired by the next
run: the item is read again (its cursor was not committed) and, before a
comment is created where the ledger knows none, the tracker is asked for
goldthread's marker comment. That lookup is skipped when the item as read
proves goldthread never commented on it (:class:`MarkerHint` ``none``: a
GitHub issue without comments, a Jira issue without goldthread's marker
property), and connectors skip it themselves on the same evidence when the
item came back from the store without its hint; so flagging a new item
costs exactly two requests: the label and the comment.

A write the tracker refuses because the item is not where it was (``301``,
``404``, ``410``: transferred or deleted since it was read) is an error, noted
in :attr:`ApplyResult.unreachable` so the caller can read the item again and
settle it; the item's later actions are skipped.

``max_writes`` is a safety valve: the applier stops before the write that
would exceed it and says so, rather than flooding a tracker after a bad
config change. ``stop`` is asked before each action: a service told to stop
leaves the rest of the plan for the next cycle, which plans it again.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field, replace
from datetime import datetime

import structlog

from goldthread.connectors.base import Connector
from goldthread.connectors.pacing import ContentPacer
from goldthread.core.labels import without_label
from goldthread.core.model import CommentDoc, OwnComment, WorkItem
from goldthread.errors import (
    FatalSourceError,
    LabelRefusedError,
    RetriableError,
    SkippableError,
)
from goldthread.store.base import LedgerEntry, Store
from goldthread.sync.planning import Action, ActionKind

MOVED_OR_GONE = frozenset({301, 404, 410})
"""Statuses of a refused write that mean the item moved or was deleted."""


class WriteLimitReached(Exception):  # noqa: N818 - a signal inside this module, never raised out
    """The next write would exceed ``max_writes``."""


class Deferred(Exception):  # noqa: N818 - a signal inside this module, never raised out
    """The next comment's content slot starts after this run's patience."""


@dataclass(slots=True)
class ApplyResult:
    """What applying a plan did: writes sent by (source, kind), problems met.

    ``unreachable``: items whose write was refused as moved or gone, with the
    lines of ``errors`` that say so.
    """

    writes: Counter[tuple[str, ActionKind]] = field(default_factory=Counter)
    lookups: int = 0
    errors: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    unreachable: dict[str, list[str]] = field(default_factory=dict)
    failed_sources: set[str] = field(default_factory=set)
    stopped: bool = False
    """The write limit was reached."""
    interrupted: bool = False
    """Asked to stop, it left the rest of the plan."""
    not_done: int = 0
    deferred: Counter[str] = field(default_factory=Counter)  # comments left for later, by source

    @property
    def total(self) -> int:
        return sum(self.writes.values())


class Applier:
    """Applies actions, keeping items and ledger entries up to date as it goes."""

    def __init__(
        self,
        connectors: Mapping[str, Connector],
        store: Store,
        items: Mapping[str, WorkItem],
        *,
        now: Callable[[], datetime],
        max_writes: int,
        pacers: Mapping[str, ContentPacer] | None = None,
        deadline: datetime | None = None,
        stop: Callable[[], bool] = lambda: False,
        ledger: Mapping[str, LedgerEntry] | None = None,
    ) -> None:
        self._connectors = connectors
        self._stop = stop
        self._store = store
        self._items = dict(items)
        self._ledger = dict(ledger) if ledger is not None else store.ledger_all()
        self._now = now
        self._max = max_writes
        self._changed: dict[str, WorkItem] = {}
        self._pacers = dict(pacers or {})
        self._deadline = deadline
        self._deferring: set[str] = set()
        self.result = ApplyResult()

    def apply(self, actions: Iterable[Action]) -> ApplyResult:
        """Apply ``actions`` in order; a failing source's later actions are skipped."""
        pending = list(actions)
        try:
            for index, action in enumerate(pending):
                if self._stop():
                    self.result.interrupted = True
                    self.result.not_done = len(pending) - index
                    break
                if (
                    action.source in self.result.failed_sources
                    or action.ref in self.result.unreachable
                ):
                    continue
                try:
                    with structlog.contextvars.bound_contextvars(
                        source=action.source, ref=action.ref
                    ):
                        self._one(action)
                except WriteLimitReached:
                    self.result.stopped = True
                    self.result.not_done = len(pending) - index
                    break
                except Deferred:
                    self.result.deferred[action.source] += 1
                except LabelRefusedError as refused:
                    self.result.writes[action.source, action.kind] -= 1
                    self._warn(f"{action.source}: {refused}")
                except SkippableError as error:
                    self._refused(action, error)
                except (FatalSourceError, RetriableError) as error:
                    self.result.failed_sources.add(action.source)
                    self.result.errors.append(f"{action.source}: writing stopped: {error}")
        finally:
            if self._changed:
                self._store.upsert_items(self._changed.values())
        return self.result

    def _refused(self, action: Action, error: SkippableError) -> None:
        line = f"{action.ref}: {action.kind.value}: {error}"
        self.result.errors.append(line)
        if error.status in MOVED_OR_GONE:
            self.result.unreachable.setdefault(action.ref, []).append(line)

    # ---------------------------------------------------------------- one action

    def _one(self, action: Action) -> None:
        item = self._items.get(action.ref)
        connector = self._connectors.get(action.source)
        if item is None or connector is None:
            return
        if action.kind is ActionKind.ADD_LABEL and action.label:
            self._write(action)
            connector.add_label(item, action.label)
            self._relabel(item, (*item.labels, action.label), applied=True)
        elif action.kind is ActionKind.REMOVE_LABEL and action.label:
            self._write(action)
            connector.remove_label(item, action.label)
            self._relabel(item, without_label(item.labels, action.label), applied=False)
        elif action.kind is ActionKind.CREATE_COMMENT and action.doc is not None:
            self._ensure(connector, item, action, action.doc, self._find(connector, item))
        elif action.kind is ActionKind.UPDATE_COMMENT and action.doc is not None:
            self._update(connector, item, action, action.doc)
        elif action.kind is ActionKind.DELETE_COMMENT:
            self._delete(connector, item, action)

    def _warn(self, line: str) -> None:
        if line not in self.result.warnings:
            self.result.warnings.append(line)

    def _write(self, action: Action) -> None:
        """Count one mutating request, refusing the one beyond the limit."""
        if self.result.total >= self._max:
            raise WriteLimitReached
        self.result.writes[action.source, action.kind] += 1

    def _pace_content(self, source: str) -> None:
        """Wait for the source's next content slot, or defer past the deadline."""
        pacer = self._pacers.get(source)
        if pacer is None:
            return
        if source in self._deferring or (
            self._deadline is not None and pacer.next_slot(self._now()) > self._deadline
        ):
            self._deferring.add(source)
            raise Deferred
        pacer.wait()

    def _find(
        self, connector: Connector, item: WorkItem, *, fresh: bool = False
    ) -> OwnComment | None:
        """The marker comment; ``fresh``: trust no evidence that there is none."""
        if item.proves_no_marker and not fresh:
            return None
        self.result.lookups += 1
        return connector.find_own_comment(item, fresh=fresh)

    def _ensure(
        self,
        connector: Connector,
        item: WorkItem,
        action: Action,
        doc: CommentDoc,
        found: OwnComment | None,
    ) -> None:
        """Make the item carry exactly one comment with ``doc``: reuse ``found``."""
        if found is not None and found.fingerprint == doc.fingerprint:
            self._record_comment(item, found.comment_id, doc.fingerprint)
            return
        if found is not None:
            self._write(replace(action, kind=ActionKind.UPDATE_COMMENT))
            written = connector.update_comment(item, found.comment_id, doc)
        else:
            self._pace_content(action.source)
            self._write(replace(action, kind=ActionKind.CREATE_COMMENT))
            written = connector.create_comment(item, doc)
        self._record_comment(item, written.comment_id, doc.fingerprint)

    def _update(
        self, connector: Connector, item: WorkItem, action: Action, doc: CommentDoc
    ) -> None:
        if action.comment_id is None:  # the ledger knows none: look on the item
            found = self._find(connector, item)
            if found is None and not action.must_exist:
                return
            self._ensure(connector, item, action, doc, found)
            return
        try:
            self._write(action)
            written = connector.update_comment(item, action.comment_id, doc)
        except SkippableError:
            # Gone (deleted by someone) or no longer ours: find ours, if any.
            self.result.writes[action.source, action.kind] -= 1
            found = self._find(connector, item, fresh=True)
            if found is None and not action.must_exist:
                self._record_comment(item, None, None)
                return
            self._ensure(connector, item, action, doc, found)
            return
        self._record_comment(item, written.comment_id, doc.fingerprint)

    def _delete(self, connector: Connector, item: WorkItem, action: Action) -> None:
        comment_id = action.comment_id
        if comment_id is None:
            found = self._find(connector, item)
            comment_id = found.comment_id if found is not None else None
        if comment_id is not None:
            self._write(action)
            connector.delete_comment(item, comment_id)
        self._record_comment(item, None, None)

    # ---------------------------------------------------------------- bookkeeping

    def _entry(self, ref: str) -> LedgerEntry:
        return self._ledger.get(ref) or LedgerEntry(
            ref=ref,
            label_applied=False,
            comment_id=None,
            comment_fingerprint=None,
            updated_at=self._now(),
        )

    def _save(self, entry: LedgerEntry) -> None:
        entry = replace(entry, updated_at=self._now())
        self._ledger[entry.ref] = entry
        self._store.record_ledger(entry)

    def _record_comment(self, item: WorkItem, comment_id: str | None, fp: str | None) -> None:
        self._save(replace(self._entry(item.ref), comment_id=comment_id, comment_fingerprint=fp))

    def _relabel(self, item: WorkItem, labels: tuple[str, ...], *, applied: bool) -> None:
        updated = replace(item, labels=labels)
        self._items[item.ref] = updated
        self._changed[item.ref] = updated
        self._save(replace(self._entry(item.ref), label_applied=applied))
