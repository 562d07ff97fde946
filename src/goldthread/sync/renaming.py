"""Stored items and links of a renamed GitHub repository, by its new name.

A repository renamed on GitHub keeps its issues; only their names change
(``acme/web#5`` is now ``acme/shop#5``). The connector learns the rename
from GitHub (a read's redirect, or a lookup when a webhook names the new
name) and names what it reads by the new name (docs/behaviour.md#scope). What the store
already holds is brought along here: when a rename is learned, every stored
item under the old name is re-keyed (its ledger entry too, so its label and
comment are recognised) and every stored link written with the old name is
re-pointed — one pass over the store, once per rename learned. After that,
only items read since can hold a link written with the old name (a reference
someone typed, a Jira issue naming the GitHub issue), so only they are looked
at: the cost follows what was read, not the size of the store.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Collection, Iterable, Mapping

from goldthread.core.model import WorkItem, split_ref
from goldthread.core.scope import SourceScope
from goldthread.store.base import Store
from goldthread.sync.scoping import carry_over, retarget

Rename = tuple[str, str, str]
"""``(source, old name, new name)`` of one renamed repository."""


def renames_of(scopes: Mapping[str, SourceScope]) -> set[Rename]:
    """Every rename the sources' scopes know of."""
    return {(name, old, new) for name, scope in scopes.items() for old, new in scope.renamed}


class _Renamer:
    """A ref under its repository's current name."""

    def __init__(self, renames: Iterable[Rename]) -> None:
        self._prefixes = {
            f"{source}:{old}#".casefold(): (old, f"{source}:{new}#", new)
            for source, old, new in renames
        }

    def __call__(self, ref: str) -> str:
        head, sep, number = ref.rpartition("#")
        found = self._prefixes.get(f"{head}#".casefold()) if sep else None
        return f"{found[1]}{number}" if found is not None else ref

    def item(self, item: WorkItem) -> WorkItem:
        """``item`` re-keyed under the new name, its web address too."""
        head = item.ref.rpartition("#")[0]
        old, _, new = self._prefixes[f"{head}#".casefold()]
        ref = self(item.ref)
        url = item.url.replace(f"/{old}/", f"/{new}/")
        return dataclasses.replace(item, ref=ref, key=split_ref(ref)[1], url=url)


def follow_renames(
    store: Store,
    scopes: Mapping[str, SourceScope],
    *,
    known: Collection[Rename],
    read: Iterable[str],
) -> None:
    """Bring the store up to date with every rename ``scopes`` know of.

    ``known``: the renames known before this run or round (already
    followed); ``read``: the refs read in it.
    """
    renames = renames_of(scopes)
    if not renames:
        return
    current = _Renamer(renames)
    if renames - set(known):
        _rekey_all(store, current)
        return
    fresh = [item for ref in read if (item := store.item(ref)) is not None]
    retarget(store, current, fresh)


def _rekey_all(store: Store, current: _Renamer) -> None:
    moved: dict[str, str] = {}
    copies: list[WorkItem] = []
    for item in store.items():
        new = current(item.ref)
        if new == item.ref:
            continue
        moved[item.ref] = new
        if store.item(new) is None:  # not read under the new name yet
            copies.append(current.item(item))
    if copies:
        store.upsert_items(copies)
    if moved:
        carry_over(store, moved)  # the ledger goes along, so the label and comment are known
    retarget(store, current)
