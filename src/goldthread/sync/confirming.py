"""Write only to items confirmed where they are (docs/behaviour.md#scope).

An incremental read (a ``sync``, a poll, a webhook round) reads what changed
*in* each watched repository or project. An issue moved out of it, or
deleted, is simply no longer listed there, so its stored copy lingers until
the next full read; and Jira still answers a moved issue's old key, writes
included. A write planned for that stale copy — its parent changed, say —
would land on an issue in a project goldthread does not watch.

So before a plan is applied, the items it writes to on such a source
(:attr:`~goldthread.connectors.base.Connector.old_keys_resolve`) that were
not read in the same cycle or round are read again: on Jira one search per
100 keys, which answers a moved issue under its current key and project
(:func:`~goldthread.sync.scoping.reread`). Moves within scope are followed,
items deleted or gone from the scope are forgotten, and when that changed
anything the caller judges and plans again. Only items read now or
confirmed so are written to; an action on any other item waits for the
next cycle, which confirms it in turn.

GitHub refuses a write under a transferred or deleted issue's old URL
(``301``, ``404``, ``410``). :func:`settle` reads those items again after the
plan was applied (one request each, only for them): a move or deletion is
followed or forgotten and is no error; anything else stays one, naming the item.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass, field

from goldthread.connectors.base import Connector
from goldthread.core.model import WorkItem, split_ref
from goldthread.errors import SourceError
from goldthread.store.base import Store
from goldthread.sync.applying import ApplyResult
from goldthread.sync.planning import Action
from goldthread.sync.scoping import Reread, reread


@dataclass(slots=True)
class Confirmation:
    """What confirming a plan found.

    ``sure``: refs read now or confirmed; ``changed``: the store changed under
    the plan (a move, a forgotten item, a newer copy), so it must be made again;
    ``failed``: sources that could not be read (their unread items wait).
    """

    sure: set[str] = field(default_factory=set)
    moved: dict[str, str] = field(default_factory=dict)
    forgotten: list[str] = field(default_factory=list)
    changed: bool = False
    failed: dict[str, SourceError] = field(default_factory=dict)

    def only_confirmed(
        self, plan: Sequence[Action], connectors: Mapping[str, Connector]
    ) -> tuple[list[Action], set[str]]:
        """``(the actions on confirmed items, the refs whose actions wait)``."""
        kept: list[Action] = []
        waiting: set[str] = set()
        for action in plan:
            if _needs_confirming(action, self.sure, connectors):
                waiting.add(action.ref)
            else:
                kept.append(action)
        return kept, waiting


def confirm(
    store: Store,
    connectors: Mapping[str, Connector],
    plan: Sequence[Action],
    read: Collection[str],
) -> Confirmation:
    """Read again the items ``plan`` writes to that were not ``read`` now.

    A tracker that cannot be read is noted in ``failed``; its items stay
    unconfirmed, so their actions wait.
    """
    result = Confirmation(sure=set(read))
    stale: dict[str, list[str]] = {}
    for action in plan:
        if _needs_confirming(action, result.sure, connectors):
            keys = stale.setdefault(action.source, [])
            key = split_ref(action.ref)[1]
            if key not in keys:
                keys.append(key)
    if not stale:
        return result
    before = {
        ref: _as_judged(item)
        for source, keys in stale.items()
        for key in keys
        if (item := store.item(ref := f"{source}:{key}")) is not None
    }
    for source, keys in stale.items():
        try:
            found = reread(store, connectors, {source: keys})
        except SourceError as error:
            result.failed[source] = error
            continue
        result.sure |= {item.ref for item in found.kept}
        result.moved.update(found.moved)
        result.forgotten += found.forgotten
        result.changed |= bool(
            found.moved
            or found.forgotten
            or any(before.get(item.ref) != _as_judged(item) for item in found.kept)
        )
    return result


def _as_judged(item: WorkItem) -> tuple[object, ...]:
    """What a verdict and its comment depend on (not ``updated_at``, which
    goldthread's own writes move on)."""
    labels = frozenset(label.casefold() for label in item.labels)
    return (item.parents, labels, item.type, item.state, item.status, item.title)


def _needs_confirming(
    action: Action, sure: Collection[str], connectors: Mapping[str, Connector]
) -> bool:
    connector = connectors.get(action.source)
    return connector is not None and connector.old_keys_resolve and action.ref not in sure


def settle(store: Store, connectors: Mapping[str, Connector], applied: ApplyResult) -> Reread:
    """Read again the items whose writes the tracker refused as moved or gone,
    follow or forget them, and drop those refusals from the errors."""
    settled = Reread()
    by_source: dict[str, list[str]] = {}
    for ref in applied.unreachable:
        source, key = split_ref(ref)
        by_source.setdefault(source, []).append(key)
    for source, keys in by_source.items():
        try:
            found = reread(store, connectors, {source: keys})
        except SourceError:
            continue  # the refusals stand, as errors naming their items
        settled.moved.update(found.moved)
        settled.forgotten += found.forgotten
    for ref in [*settled.moved, *settled.forgotten]:
        lines = applied.unreachable.pop(ref, [])
        applied.errors = [line for line in applied.errors if line not in lines]
    return settled
