"""Evaluation: the stored items to verdicts, saved back to the store.

The shell around the pure walk in :mod:`goldthread.core.tracing`. An item's
verdict depends on the item and its ancestors only, and whether an item is
barren on the layers beneath it only, so an evaluation judges what the
store's change log (:mod:`goldthread.store.graphing`) says can have changed:

* the items stored or forgotten since the last evaluation, and every item
  beneath them (found through the stored edges), are traced again, on the
  sub-graph of them and their ancestors; items still in their grace period
  are judged again too (their exemption ends by the clock alone);
* whether an item is barren is decided again for the changed items, the
  parents an item left, and their ancestors, from their children's layers
  and the layer bits kept beneath each item;
* coverage counts come from an aggregate over the stored verdicts.

A store that has never been judged whole, or was judged under another
policy, is judged whole once (a backfill asks for that too). Either way the
judged items are marked unsettled: the write-back plans them next
(:mod:`goldthread.sync.writing`).
"""

from __future__ import annotations

import hashlib
from collections import Counter
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta

from goldthread.core.barren import barren_among, find_barren_and_masks, layer_bit, masks_beneath
from goldthread.core.model import Barren, Layer, TracePolicy, Verdict, VerdictKind, WorkItem
from goldthread.core.tracing import trace
from goldthread.store.base import CoverageRow, Store

Counts = Mapping[tuple[Layer, VerdictKind], int]


@dataclass(frozen=True, slots=True)
class EvaluationResult:
    """What one evaluation found.

    ``verdicts`` are the verdicts judged now (every item's on a ``whole``
    evaluation); ``changed`` the refs among them whose verdict differs from
    the one stored before (new items included); ``counts`` every stored
    verdict by layer and kind after it, and ``rows`` the same per source for
    the trend. ``barren`` are the barren items among those it looked at.
    """

    verdicts: Mapping[str, Verdict]
    barren: tuple[Barren, ...]
    counts: Counts
    rows: tuple[CoverageRow, ...]
    changed: frozenset[str]
    evaluated_at: datetime
    whole: bool = False

    @classmethod
    def nothing(cls, now: datetime) -> EvaluationResult:
        """No evaluation (a cycle stopped before it got there)."""
        return cls({}, (), {}, (), frozenset(), now)

    @property
    def items(self) -> int:
        return sum(self.counts.values())

    @property
    def by_layer(self) -> dict[Layer, int]:
        """Items per layer, every layer present (zero included)."""
        found = dict.fromkeys(Layer, 0)
        for (layer, _), count in self.counts.items():
            found[layer] += count
        return found

    @property
    def by_verdict(self) -> dict[VerdictKind, int]:
        """Items per verdict, every kind present (zero included)."""
        found = dict.fromkeys(VerdictKind, 0)
        for (_, kind), count in self.counts.items():
            found[kind] += count
        return found

    @property
    def untraced(self) -> int:
        """Items judged orphan or broken."""
        return sum(count for (_, kind), count in self.counts.items() if kind.flaggable)

    @property
    def coverage(self) -> float | None:
        """traced ÷ (traced + orphan + broken) over all items; ``None`` when none count."""
        by_verdict = self.by_verdict
        traced = by_verdict[VerdictKind.TRACED]
        judged = traced + by_verdict[VerdictKind.ORPHAN] + by_verdict[VerdictKind.BROKEN]
        return traced / judged if judged else None


def fingerprint(policy: TracePolicy, extra: str = "") -> str:
    """What the stored verdicts depend on besides the items (``extra``: what
    the plans made from them depend on)."""
    return hashlib.sha256(f"{policy!r}\n{extra}".encode()).hexdigest()


def evaluate(
    store: Store,
    policy: TracePolicy,
    now: datetime,
    run_id: int | None = None,
    *,
    whole: bool = False,
    extra: str = "",
) -> EvaluationResult:
    """Judge what changed in the store under ``policy`` at ``now``, and save it.

    ``whole``: judge every item (a backfill). With ``run_id``, the
    per-source, per-layer counts are recorded against that run for the
    coverage history.
    """
    key = fingerprint(policy, extra)
    with store.evaluating():
        state = store.evaluation_state()
        if whole or state is None or state[0] != key:
            verdicts, barren, before = _whole(store, policy, now)
            judged_whole = True
        else:
            verdicts, barren, before = _partial(store, policy, now, since=state[1])
            judged_whole = False
        store.record_evaluation(key, now)
    tally = store.tally()
    rows = coverage_rows(tally)
    if run_id is not None:
        store.record_coverage(run_id, now, list(rows))
    return EvaluationResult(
        verdicts=verdicts,
        barren=tuple(barren),
        counts=counts_of(tally),
        rows=rows,
        changed=frozenset(ref for ref, v in verdicts.items() if before.get(ref) != v),
        evaluated_at=now,
        whole=judged_whole,
    )


def _whole(
    store: Store, policy: TracePolicy, now: datetime
) -> tuple[dict[str, Verdict], list[Barren], Mapping[str, Verdict]]:
    """Every item traced; the edges, barren list and masks rebuilt."""
    store.rebuild_graph()
    items = {item.ref: item for item in store.items()}
    before = store.verdicts()
    stale = before.keys() - items.keys()
    if stale:  # verdicts of items no longer stored are counted by nobody
        store.delete_items(stale)
    verdicts = trace(items, policy, now)
    barren, masks = find_barren_and_masks(items, verdicts)
    store.save_verdicts(verdicts.values(), now)
    store.save_barren(barren)
    store.save_beneath(masks, whole=True)
    store.settle((), verdicts)
    return verdicts, barren, before


def _partial(
    store: Store, policy: TracePolicy, now: datetime, *, since: datetime
) -> tuple[dict[str, Verdict], list[Barren], Mapping[str, Verdict]]:
    """Only what the change log (and the clock, for grace periods) can have changed."""
    changes = store.changes()
    grace = policy.grace_period
    young = set(store.created_after(since - grace)) if grace > timedelta(0) else set()
    if changes.empty and not young:
        return {}, [], {}
    judged = reach(store.children_of, changes.items) | young
    items = store.items_of(reach(store.parents_of, judged))
    traced = trace(items, policy, now)
    verdicts = {ref: traced[ref] for ref in sorted(judged) if ref in traced}
    before = store.verdicts_of(verdicts)
    store.save_verdicts(verdicts.values(), now)
    barren = _rebarren(store, changes.items | changes.left, items, verdicts)
    store.settle((), verdicts)
    store.clear_changes(changes.upto)
    return verdicts, barren, before


def _rebarren(
    store: Store,
    seeds: Iterable[str],
    known: Mapping[str, WorkItem],
    verdicts: Mapping[str, Verdict],
) -> list[Barren]:
    """Barren status and masks again for ``seeds`` and their ancestors."""
    above = reach(store.parents_of, seeds)
    items = {ref: known[ref] for ref in above if ref in known}
    items |= store.items_of(above - items.keys())
    kids = store.children_of(items)
    outside = {child for children in kids.values() for child in children} - items.keys()
    stored = store.verdicts_of((items.keys() | outside) - verdicts.keys())
    layers = {ref: v.layer for ref, v in stored.items()} | {
        ref: v.layer for ref, v in verdicts.items()
    }
    bits = {ref: layer_bit(layer) for ref, layer in layers.items()}
    masks = masks_beneath(
        {ref: kids.get(ref, []) for ref in items}, bits, store.beneath_of(outside)
    )
    closed = {ref: item.closed for ref, item in items.items()}
    barren = barren_among(items, layers, closed, masks)
    kept = [b for b in store.barren() if b.ref not in above]
    store.save_barren(sorted([*kept, *barren], key=lambda b: b.ref))
    store.save_beneath(masks)
    return barren


def reach(
    step: Callable[[Iterable[str]], Mapping[str, list[str]]], start: Iterable[str]
) -> set[str]:
    """``start`` and every ref reached from it by repeating ``step`` (one query per level)."""
    found = set(start)
    frontier = set(found)
    while frontier:
        nxt = {ref for refs in step(frontier).values() for ref in refs} - found
        found |= nxt
        frontier = nxt
    return found


def counts_of(tally: Iterable[tuple[str, str, str, int]]) -> dict[tuple[Layer, VerdictKind], int]:
    """Stored verdicts by layer and kind, from :meth:`Store.tally`."""
    counts: Counter[tuple[Layer, VerdictKind]] = Counter()
    for _, layer, kind, count in tally:
        counts[Layer(layer), VerdictKind(kind)] += count
    return dict(counts)


def coverage_rows(tally: Iterable[tuple[str, str, str, int]]) -> tuple[CoverageRow, ...]:
    """Verdict counts per (source, layer), sorted, one row per pair present."""
    counts: Counter[tuple[str, Layer, VerdictKind]] = Counter()
    for source, layer, kind, count in tally:
        counts[source, Layer(layer), VerdictKind(kind)] += count
    pairs = sorted(
        {(source, layer) for source, layer, _ in counts}, key=lambda p: (p[0], -p[1].rank)
    )
    return tuple(
        CoverageRow(
            source=source,
            layer=layer,
            traced=counts[source, layer, VerdictKind.TRACED],
            orphan=counts[source, layer, VerdictKind.ORPHAN],
            broken=counts[source, layer, VerdictKind.BROKEN],
            exempt=counts[source, layer, VerdictKind.EXEMPT],
        )
        for source, layer in pairs
    )
