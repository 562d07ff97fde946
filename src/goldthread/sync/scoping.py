"""Where items enter the store: only those in scope, moves followed (docs/behaviour.md#scope).

Every route that brings items in — a poll's read, a webhook's re-read of
the items it names (an issue link, a transfer, a move) — passes through
:func:`admit`: an item outside its source's scope (the rule is
:func:`goldthread.core.scope.in_scope`) is never stored, so it is never
judged, shown or written to. The write-back planner checks the same rule
again before it plans a write.

An issue seen under a new ref (the same source and tracker id: a GitHub
transfer, a Jira move, a renamed repository) is followed by
:func:`follow_moves`: the old ref is forgotten, what goldthread wrote there
(its ledger entry) is carried to the new ref so its label and comment are
recognised, and stored links to the old ref now point at the new one.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field

from goldthread.connectors.base import Connector
from goldthread.core.model import WorkItem
from goldthread.core.scope import moved_refs, split_in_scope
from goldthread.store.base import Store


@dataclass(slots=True)
class Admission:
    """What one batch left in the store: the items stored, and the refs refused
    (outside the source's scope)."""

    kept: list[WorkItem] = field(default_factory=list)
    refused: list[str] = field(default_factory=list)


def admit(store: Store, connector: Connector, items: Sequence[WorkItem]) -> Admission:
    """Store the items of ``connector`` that are in its scope; refuse the others."""
    kept, refused = split_in_scope(connector.scope(), items)
    if kept:
        store.upsert_items(kept)
    return Admission(kept, [item.ref for item in refused])


def moves_among(store: Store, fresh: Mapping[str, Sequence[WorkItem]]) -> dict[str, str]:
    """``{old ref: new ref}`` of stored items that ``fresh`` (per source) shows moved."""
    moves: dict[str, str] = {}
    for source, items in fresh.items():
        ids = [item.external_id for item in items if item.external_id]
        if ids:
            moves.update(moved_refs(store.refs_by_external_id(source, ids), items))
    return moves


def moves_after_read(store: Store, read: Mapping[str, Mapping[str, str]]) -> dict[str, str]:
    """Moves among the stored items of each source, given what was read now
    (``{source: {ref: tracker id}}``).

    Two stored refs of one source with the same tracker id are one issue:
    the one read now is where it lives, the other is where it was. Only the
    tracker ids read are looked up, so the cost follows what was read.
    """
    moves: dict[str, str] = {}
    for source, refs in read.items():
        ids = {external_id for external_id in refs.values() if external_id}
        if not ids:
            continue
        by_id: dict[str, list[str]] = {}
        for external_id, ref in store.refs_by_external_id(source, ids):
            by_id.setdefault(external_id, []).append(ref)
        for same in by_id.values():
            current = [ref for ref in same if ref in refs]
            if len(same) > 1 and len(current) == 1:
                moves.update({ref: current[0] for ref in same if ref != current[0]})
    return moves


def follow_moves(store: Store, moves: Mapping[str, str]) -> None:
    """Forget each old ref, carry its ledger entry over, and re-point links to it."""
    if not moves:
        return
    carry_over(store, moves)
    linking = {child for children in store.children_of(moves).values() for child in children}
    retarget(store, lambda ref: moves.get(ref, ref), store.items_of(linking).values())


def carry_over(store: Store, moves: Mapping[str, str]) -> None:
    """Forget each old ref, its ledger entry going to the new one (unless it has one)."""
    for old, new in moves.items():
        entry = store.ledger(old)
        if entry is not None and store.ledger(new) is None:
            store.record_ledger(dataclasses.replace(entry, ref=new))
        if entry is not None:
            store.forget_ledger(old)
    store.move_flags(moves)
    store.delete_items(moves)


def retarget(
    store: Store, current: Callable[[str], str], items: Iterable[WorkItem] | None = None
) -> None:
    """Rewrite the parent links whose target ``current`` renames, of ``items``
    (``None``: every stored item)."""
    changed: list[WorkItem] = []
    for item in store.items() if items is None else items:
        links = tuple(
            dataclasses.replace(link, target=current(link.target))
            if link.target is not None and current(link.target) != link.target
            else link
            for link in item.parents
        )
        if links != item.parents:
            changed.append(dataclasses.replace(item, parents=links))
    if changed:
        store.upsert_items(changed)


@dataclass(slots=True)
class Reread:
    """What reading some items again found: the fresh copies stored (``kept``),
    those outside scope (``refused``), the moves followed and the refs
    forgotten (deleted, or gone from the scope)."""

    kept: list[WorkItem] = field(default_factory=list)
    refused: list[str] = field(default_factory=list)
    moved: dict[str, str] = field(default_factory=dict)
    forgotten: list[str] = field(default_factory=list)


def reread(
    store: Store, connectors: Mapping[str, Connector], targets: Mapping[str, Sequence[str]]
) -> Reread:
    """Read ``targets`` (``{source: keys}``) again and bring the store up to date.

    What comes back in scope is stored; a key that comes back under another
    ref is followed there; a stored key that does not come back (deleted, or
    moved or changed out of the scope) is forgotten. Raises the tracker's
    :class:`~goldthread.errors.SourceError` when it cannot be read.
    """
    found = Reread()
    for source, keys in targets.items():
        connector = connectors.get(source)
        if connector is None or not keys:
            continue
        admitted = admit(store, connector, connector.get(list(keys)))
        found.refused += admitted.refused
        moves = moves_among(store, {source: admitted.kept})
        follow_moves(store, moves)
        found.moved.update(moves)
        found.kept += admitted.kept
        found.forgotten += _gone(store, source, keys, admitted.kept)
    if found.forgotten:
        forget(store, found.forgotten)
    return found


def _gone(store: Store, source: str, keys: Sequence[str], got: Sequence[WorkItem]) -> list[str]:
    """Stored refs among ``keys`` that the tracker did not return: deleted or moved.

    Numeric keys (Jira issue ids from link events) name no ref and are never
    forgotten; keys are compared without case, as the trackers do.
    """
    seen = {item.key.casefold() for item in got}
    gone: list[str] = []
    for key in keys:
        if key.isdigit() or key.casefold() in seen:
            continue
        ref = f"{source}:{key}"
        if store.item(ref) is not None:
            gone.append(ref)
    return gone


def forget(store: Store, refs: Sequence[str]) -> int:
    """Forget items gone from their tracker or their scope, with the ledger of each."""
    for ref in refs:
        if store.ledger(ref) is not None:
            store.forget_ledger(ref)
    return store.delete_items(refs) if refs else 0
