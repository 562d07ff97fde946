"""What the store keeps of the graph for incremental evaluation, backend-neutral.

Each stored item's parent links are kept as edges (child, parent ref), so
the items beneath a change (its descendants) and above it (its ancestors)
are found by indexed look-ups instead of by loading the organisation. Every
write of items logs what changed (:class:`Changes`): the items stored or
forgotten, and the parents an item left, whose descendants' layers changed.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from typing import TypeVar

from goldthread.core.model import WorkItem

T = TypeVar("T")


@dataclass(frozen=True, slots=True)
class Changes:
    """The change log up to ``upto``: ``items`` stored or forgotten since the
    last evaluation, and ``left`` the parents some item no longer has."""

    upto: int
    items: frozenset[str]
    left: frozenset[str]

    @property
    def empty(self) -> bool:
        return not self.items and not self.left


def edges_of(items: Iterable[WorkItem]) -> list[tuple[str, str]]:
    """``(child, parent)`` for every parent link with a known target, once each."""
    return list(
        dict.fromkeys(
            (item.ref, link.target) for item in items for link in item.parents if link.target
        )
    )


def left_parents(old: Iterable[tuple[str, str]], new: Iterable[tuple[str, str]]) -> set[str]:
    """The parents of the old edges that the new edges no longer have."""
    return {parent for child, parent in set(old) - set(new)}


def tally_delta(
    old: Iterable[tuple[str, str, str]], new: Iterable[tuple[str, str, str]]
) -> list[tuple[str, str, str, int]]:
    """``(source, layer, kind, change)`` of the counts, from the ``(ref, layer,
    kind)`` of the verdicts replaced and of those that replace them."""
    delta: Counter[tuple[str, str, str]] = Counter()
    for ref, layer, kind in old:
        delta[ref.partition(":")[0], layer, kind] -= 1
    for ref, layer, kind in new:
        delta[ref.partition(":")[0], layer, kind] += 1
    return [(source, layer, kind, n) for (source, layer, kind), n in delta.items() if n]


def chunked(values: Sequence[T], size: int) -> Iterator[Sequence[T]]:
    """``values`` in slices of at most ``size``."""
    for start in range(0, len(values), size):
        yield values[start : start + size]
