"""Spelling out chains: the refs walked from each item upward.

After the walk, each item points at the one parent it was judged by (``up``)
and says whether the chain walks on past that parent (``walks_on``). Those
pointers form a graph where every item has at most one successor, so each
chain is the item followed by its successor's chain, except on a loop, where
the chain goes round once and names the first item again (``A, B, A``).

Chains are capped at :data:`CHAIN_LIMIT` refs (the first ``CHAIN_LIMIT - 1``
and the last), so a ten-thousand-deep hierarchy costs linear memory and a
chain still ends where the walk ended: at the vision item, or where it broke.
"""

from __future__ import annotations

from collections.abc import Sequence

CHAIN_LIMIT = 50

Chain = tuple[str, ...]


def extend(ref: str, chain: Chain) -> Chain:
    """``ref`` followed by ``chain``, capped at :data:`CHAIN_LIMIT`."""
    if len(chain) < CHAIN_LIMIT:
        return (ref, *chain)
    return (ref, *chain[: CHAIN_LIMIT - 2], chain[-1])


def spell_chains(refs: Sequence[str], up: Sequence[int], walks_on: Sequence[bool]) -> list[Chain]:
    """Every item's chain, each built once from its successor's."""
    n = len(refs)
    chains: list[Chain | None] = [None] * n
    on_path = [-1] * n  # position on the current path, -1 when not on it
    for start in range(n):
        if chains[start] is not None:
            continue
        path: list[int] = []
        v = start
        while chains[v] is None:
            nxt = up[v]
            if nxt < 0 or not walks_on[v]:
                chains[v] = (refs[v],) if nxt < 0 else (refs[v], refs[nxt])
                break
            if on_path[v] >= 0:
                loop = path[on_path[v] :]
                del path[on_path[v] :]
                _spell_loop(refs, loop, chains, on_path)
                break
            on_path[v] = len(path)
            path.append(v)
            v = nxt
        for u in reversed(path):
            on_path[u] = -1
            below = chains[up[u]]
            assert below is not None
            chains[u] = extend(refs[u], below)
    return [c if c is not None else (refs[i],) for i, c in enumerate(chains)]


def _spell_loop(
    refs: Sequence[str], loop: list[int], chains: list[Chain | None], on_path: list[int]
) -> None:
    """Chains of the items on one loop: once round, back to the start."""
    size = len(loop)
    steps = min(size, CHAIN_LIMIT - 1)
    for i, v in enumerate(loop):
        on_path[v] = -1
        chains[v] = (*(refs[loop[(i + j) % size]] for j in range(steps)), refs[v])
