"""The verdict walk (docs/behaviour.md#verdicts): does each item trace back to a vision?

The walk runs over the whole graph at once, every source together, so that a
GitHub issue under a Jira epic is judged by the epic's own standing. It works
in two passes over integer indices, without recursion:

1. **Structure.** Each item's *structural* outcome (traced, or the reason it
   is not) is decided from its parents' outcomes alone, never from exemption:
   a closed or exempt parent still carries, or breaks, the chain. Parents are
   decided before children by visiting the strongly connected components of
   the walkable edges (up to a parent of the same or a higher layer) in
   Tarjan's order; inside a loop an item is traced when some path leaves the
   loop towards a vision, and otherwise it is a ``cycle``.
2. **Verdicts.** Exemptions are applied on top, and each item's chain is
   spelled out by following the link each item was judged by.

Every item is resolved once: O(items + links).
"""

from __future__ import annotations

from collections import deque
from collections.abc import Iterable, Mapping
from datetime import datetime

from goldthread.core.chains import spell_chains
from goldthread.core.graph import collector_paused, components
from goldthread.core.model import (
    Classification,
    Layer,
    LinkKind,
    ParentLink,
    Reason,
    TracePolicy,
    Verdict,
    VerdictKind,
    WorkItem,
)
from goldthread.core.rules import compile_policy
from goldthread.core.verdicts import Structure, build_verdicts

_PREFERENCE = {kind: kind.preference for kind in LinkKind}
_RANK = {layer: layer.rank for layer in Layer}
_VISION = Layer.VISION.rank
_EXECUTION = Layer.EXECUTION.rank


def ordered_links(item: WorkItem) -> tuple[ParentLink, ...]:
    """The item's parent links in the order they are tried (stable per level)."""
    parents = item.parents
    if len(parents) < 2:
        return parents
    return tuple(sorted(parents, key=lambda link: _PREFERENCE[link.kind]))


def trace(items: Mapping[str, WorkItem], policy: TracePolicy, now: datetime) -> dict[str, Verdict]:
    """Judge every item of ``items`` (keyed by ref) under ``policy`` at ``now``.

    Parent targets that are ``None`` or not in ``items`` are missing parents.
    """
    with collector_paused():
        return _trace(items, policy, now)


def _trace(items: Mapping[str, WorkItem], policy: TracePolicy, now: datetime) -> dict[str, Verdict]:
    """Classify once into integer-indexed lists, walk, spell chains, judge."""
    compiled = compile_policy(policy)
    refs = list(items)
    records = list(items.values())
    position = {ref: i for i, ref in enumerate(refs)}.get
    assess = compiled.assess
    classes: list[Classification] = []
    exempt: list[int] = []
    links: list[tuple[ParentLink, ...]] = []
    targets: list[list[int]] = []
    for item in records:
        classification, flags = assess(item)
        classes.append(classification)
        exempt.append(flags)
        parents = item.parents if len(item.parents) < 2 else ordered_links(item)
        links.append(parents)
        targets.append([position(link.target, -1) for link in parents])  # type: ignore[arg-type]
    ranks = [_RANK[c.layer] for c in classes]
    structure = _walk(ranks, targets, allow_skip=policy.allow_layer_skip)
    chains = spell_chains(refs, structure.up, structure.walks_on)
    return build_verdicts(
        refs,
        records,
        classes=classes,
        exempt=exempt,
        links=links,
        structure=structure,
        chains=chains,
        compiled=compiled,
        now=now,
    )


def _walkable(ranks: list[int], targets: list[list[int]]) -> list[list[int]]:
    """Edges the walk may climb: to an existing parent of the same or a higher layer.

    Vision items and items with no layer do not climb: their outcome is fixed.
    """
    walk: list[list[int]] = []
    append = walk.append
    none: list[int] = []  # shared: nobody appends to a successor list
    for rank, ts in zip(ranks, targets, strict=True):
        if not ts or rank in (0, _VISION):
            append(none)
        elif len(ts) == 1:
            t = ts[0]
            append([t] if t >= 0 and ranks[t] >= rank else none)
        else:
            append([t for t in ts if t >= 0 and ranks[t] >= rank])
    return walk


class _Walker:
    """Decides structural outcomes, component by component."""

    def __init__(self, ranks: list[int], targets: list[list[int]], *, allow_skip: bool) -> None:
        self.ranks = ranks
        self.targets = targets
        self.allow_skip = allow_skip
        self.s = Structure.sized(len(ranks))
        self.component = [-1] * len(ranks)

    def link_failure(self, n: int, t: int) -> tuple[Reason | None, bool]:
        """Why the link from ``n`` to a decided (or absent) ``t`` does not trace.

        ``(None, True)`` when it does; otherwise the reason and whether the chain
        walks on past ``t``.
        """
        if t < 0:
            return Reason.PARENT_MISSING, False
        rank_t = self.ranks[t]
        rank_n = self.ranks[n]
        if rank_t == 0:
            return Reason.PARENT_UNTRACED, False
        if rank_t < rank_n:
            return Reason.WRONG_LAYER, False
        s = self.s
        if s.traced[t]:
            if rank_n == _EXECUTION and rank_t == _VISION and not self.allow_skip:
                return Reason.SKIPS_LAYER, True
            return None, True
        if rank_n == _EXECUTION and rank_t == _EXECUTION and s.reason[t] is Reason.SKIPS_LAYER:
            return Reason.SKIPS_LAYER, True
        return Reason.PARENT_UNTRACED, True

    def settle(self, n: int, k: int, reason: Reason, *, traced: bool, walks_on: bool) -> None:
        s = self.s
        s.traced[n] = traced
        s.reason[n] = reason
        s.via[n] = k
        s.up[n] = self.targets[n][k] if k >= 0 else -1
        s.walks_on[n] = walks_on

    def fixed(self, n: int) -> bool:
        """Settle an item whose outcome needs no parent: vision, no layer, no links."""
        rank = self.ranks[n]
        if rank == _VISION:
            self.settle(n, -1, Reason.VISION, traced=True, walks_on=False)
        elif rank == 0:
            self.settle(n, -1, Reason.NO_LAYER, traced=False, walks_on=False)
        elif not self.targets[n]:
            self.settle(n, -1, Reason.NO_PARENT, traced=False, walks_on=False)
        else:
            return False
        return True

    def single(self, n: int) -> None:
        """Settle an item on no loop: its parents are all decided."""
        if self.fixed(n):
            return
        first: tuple[Reason, bool] | None = None
        for k, t in enumerate(self.targets[n]):
            reason, walks_on = self.link_failure(n, t)
            if reason is None:
                self.settle(n, k, Reason.LINKED, traced=True, walks_on=True)
                return
            if first is None:
                first = (reason, walks_on)
        assert first is not None
        self.settle(n, 0, first[0], traced=False, walks_on=first[1])

    def loop(self, members: list[int], cid: int) -> None:
        """Settle the items of one loop: traced if a way out leads to vision."""
        component = self.component
        level: dict[int, int] = {}
        below: dict[int, list[int]] = {m: [] for m in members}
        for m in members:
            for k, t in enumerate(self.targets[m]):
                if t >= 0 and component[t] == cid and self.ranks[t] >= self.ranks[m]:
                    below[t].append(m)
                elif m not in level and self.link_failure(m, t)[0] is None:
                    level[m] = 0
                    self.settle(m, k, Reason.LINKED, traced=True, walks_on=True)
        queue = deque(sorted(level))
        while queue:
            t = queue.popleft()
            for m in below[t]:
                if m not in level:
                    level[m] = level[t] + 1
                    queue.append(m)
        untraced = []
        for m in members:
            if level.get(m, 0) > 0:
                self._climb_towards_exit(m, cid, level)
            elif m not in level:
                untraced.append(m)
        self._fail_in_loop(untraced, cid)

    def _climb_towards_exit(self, m: int, cid: int, level: dict[int, int]) -> None:
        """Trace ``m`` through its most preferred parent nearer the way out."""
        for k, t in enumerate(self.targets[m]):
            if t >= 0 and self.component[t] == cid and level.get(t, level[m]) < level[m]:
                self.settle(m, k, Reason.LINKED, traced=True, walks_on=True)
                return

    def _fail_in_loop(self, untraced: list[int], cid: int) -> None:
        """Untraced items of a loop: each most preferred link gives the reason.

        Following most preferred links from item to item, those that come back
        round are ``cycle``; those that lead into such a round, or out of the
        loop, are judged by the parent they lead to.
        """
        inward: dict[int, int] = {}
        done: set[int] = set()
        for m in untraced:
            t = self.targets[m][0]
            if t >= 0 and self.component[t] == cid and self.ranks[t] >= self.ranks[m]:
                inward[m] = t
            else:
                self._fail_by(m, t)
                done.add(m)
        for start in inward:
            path: list[int] = []
            on_path: dict[int, int] = {}
            v = start
            while v not in done and v not in on_path:
                on_path[v] = len(path)
                path.append(v)
                v = inward[v]
            if v in on_path:
                for m in path[on_path[v] :]:
                    self.settle(m, 0, Reason.CYCLE, traced=False, walks_on=True)
                    done.add(m)
                del path[on_path[v] :]
            for m in reversed(path):
                self._fail_by(m, inward[m])
                done.add(m)

    def _fail_by(self, m: int, t: int) -> None:
        """Settle ``m`` as untraced by its most preferred link, to decided ``t``."""
        reason, walks_on = self.link_failure(m, t)
        assert reason is not None
        self.settle(m, 0, reason, traced=False, walks_on=walks_on)


def _walk(ranks: list[int], targets: list[list[int]], *, allow_skip: bool) -> Structure:
    """Every item's structural outcome, parents decided before children."""
    walker = _Walker(ranks, targets, allow_skip=allow_skip)
    walk = _walkable(ranks, targets)
    component = walker.component
    for cid, members in enumerate(components(walk)):
        if len(members) == 1:
            n = members[0]
            component[n] = cid
            if n not in walk[n]:
                walker.single(n)
                continue
        for m in members:
            component[m] = cid
        walker.loop(members, cid)
    return walker.s


# ---------------------------------------------------------------- around the walk


def descendants(items: Mapping[str, WorkItem], refs: Iterable[str]) -> set[str]:
    """Every item whose chain may pass through one of ``refs``, those included.

    After ``refs`` change, these are the items whose verdicts may change.
    """
    children: dict[str, list[str]] = {}
    for ref, item in items.items():
        for link in item.parents:
            if link.target is not None:
                children.setdefault(link.target, []).append(ref)
    start = set(refs)
    found = {ref for ref in start if ref in items}
    queue = deque(start)
    while queue:
        for child in children.get(queue.popleft(), ()):
            if child not in found:
                found.add(child)
                queue.append(child)
    return found


def coverage(verdicts: Mapping[str, Verdict] | Iterable[Verdict]) -> float | None:
    """traced ÷ (traced + orphan + broken); ``None`` when nothing is judged."""
    values = verdicts.values() if isinstance(verdicts, Mapping) else verdicts
    traced = judged = 0
    for verdict in values:
        if verdict.kind is VerdictKind.EXEMPT:
            continue
        judged += 1
        if verdict.kind is VerdictKind.TRACED:
            traced += 1
    return traced / judged if judged else None
