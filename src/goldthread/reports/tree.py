"""The vision → strategy → execution tree a report draws.

Each item hangs under one parent (the one its chain went through, else its
first known parent link), so the tree is a forest: vision items at the top,
then everything that hangs under no vision (orphans, and subtrees such as an
orphan strategy with work beneath it). Items on a loop reach no root and are
left to the orphan/broken lists.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass

from goldthread.core.model import Layer


@dataclass(frozen=True, slots=True)
class TreeNode:
    """One item and the items hanging beneath it."""

    ref: str
    layer: Layer
    children: tuple[TreeNode, ...] = ()

    def walk(self) -> Iterator[TreeNode]:
        """This node and every node beneath it, depth first (no recursion, so
        a chain thousands of items deep is fine)."""
        stack: list[TreeNode] = [self]
        while stack:
            node = stack.pop()
            yield node
            stack.extend(reversed(node.children))


def build_tree(entries: Iterable[tuple[str, Layer, str | None]]) -> tuple[TreeNode, ...]:
    """Forest from ``(ref, layer, parent ref or None)`` triples.

    Roots are items without a known parent: vision items first, then every
    other root (detached subtrees and lone items), higher layers first.
    """
    listed = list(entries)
    layers = {ref: layer for ref, layer, _ in listed}
    children: dict[str, list[str]] = {}
    roots: list[str] = []
    for ref, _, parent in listed:
        if parent is None or parent not in layers:
            roots.append(ref)
        elif parent != ref:
            children.setdefault(parent, []).append(ref)
    order = sorted(roots, key=lambda r: (-layers[r].rank, r))
    return tuple(_node(ref, layers, children) for ref in order)


def _node(root: str, layers: Mapping[str, Layer], children: Mapping[str, list[str]]) -> TreeNode:
    """The subtree under ``root``, built children-first without recursion."""
    built: dict[str, TreeNode] = {}
    stack = [(root, False)]
    while stack:
        ref, kids_built = stack.pop()
        kids = sorted(children.get(ref, ()), key=lambda c: (-layers[c].rank, c))
        if kids_built:
            built[ref] = TreeNode(ref, layers[ref], tuple(built.pop(k) for k in kids))
        else:
            stack.append((ref, True))
            stack.extend((k, False) for k in kids)
    return built[root]
