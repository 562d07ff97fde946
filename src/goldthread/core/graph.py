"""Strongly connected components of an integer graph, without recursion.

The verdict walk and the barren search both need to know which items sit on
a loop, and to visit the loop-free remainder parents-before-children. Tarjan's
algorithm gives both at once: it emits each component only after every
component reachable from it. It is written with an explicit stack so that a
chain ten thousand items deep costs memory, not the interpreter's recursion
limit.
"""

from __future__ import annotations

import gc
from collections.abc import Iterator, Sequence
from contextlib import contextmanager


def components(successors: Sequence[Sequence[int]]) -> Iterator[list[int]]:
    """Yield the strongly connected components of ``0..n-1``.

    ``successors[v]`` lists the nodes ``v`` has an edge to. A component is
    yielded after every component reachable from it, so when edges point from
    child to parent, parents come first.
    """
    n = len(successors)
    index = [-1] * n
    low = [0] * n
    on_stack = [False] * n
    stack: list[int] = []
    counter = 0
    for root in range(n):
        if index[root] != -1:
            continue
        index[root] = low[root] = counter
        counter += 1
        stack.append(root)
        on_stack[root] = True
        work = [root]
        position = [0]
        while work:
            v = work[-1]
            succ = successors[v]
            i = position[-1]
            if i < len(succ):
                position[-1] = i + 1
                w = succ[i]
                if index[w] == -1:
                    index[w] = low[w] = counter
                    counter += 1
                    stack.append(w)
                    on_stack[w] = True
                    work.append(w)
                    position.append(0)
                elif on_stack[w] and index[w] < low[v]:
                    low[v] = index[w]
                continue
            work.pop()
            position.pop()
            if work and low[v] < low[work[-1]]:
                low[work[-1]] = low[v]
            if low[v] == index[v]:
                yield _pop_component(stack, on_stack, v)


def _pop_component(stack: list[int], on_stack: list[bool], root: int) -> list[int]:
    """Take ``root``'s component off the Tarjan stack."""
    if stack[-1] == root:
        stack.pop()
        on_stack[root] = False
        return [root]
    members: list[int] = []
    while True:
        w = stack.pop()
        on_stack[w] = False
        members.append(w)
        if w == root:
            return members


@contextmanager
def collector_paused() -> Iterator[None]:
    """Keep the cyclic garbage collector out of a whole-organisation pass.

    Such a pass builds a few small objects per item, all of which survive it
    and none of which form cycles; left on, the collector would rescan the
    growing heap again and again for nothing (a third of the time at 100,000
    items). Whoever had it on gets it back on.
    """
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()
