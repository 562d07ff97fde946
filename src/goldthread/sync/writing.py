"""The one write-back path of polls, syncs and webhook rounds.

Re-judge what changed (:mod:`goldthread.sync.evaluating`), plan the writes
of the items still unsettled — those judged since they were last planned,
and those whose last plan still had writes to make; a webhook round only
those among the items it read and beneath them — hold back what leads
into a source not read in full, confirm where they are the stored items the
plan writes to that were not read now, and apply. Only the items the plan
is about (and the items their chains name), their verdicts and their ledger
entries are read from the store; the applier is handed them. The poll cycle
(:mod:`goldthread.sync.cycle`) and the webhook round
(:mod:`goldthread.service.refreshing`) both go through :func:`plan_round`,
:func:`confirm_round` and :func:`apply_round`.
"""

from __future__ import annotations

import threading
import time
import weakref
from collections import deque
from collections.abc import Callable, Collection, Iterable, Mapping
from dataclasses import dataclass, field, replace
from datetime import datetime

from goldthread.clock import Clock
from goldthread.config import Settings
from goldthread.connectors.base import Connector, LinkKinds
from goldthread.connectors.pacing import ContentPacer
from goldthread.core.model import LinkKind, Verdict, WorkItem
from goldthread.core.scope import SourceScope, scope_of
from goldthread.core.suggesting import Suggestion, needed_layer, spread_of
from goldthread.errors import SourceError
from goldthread.store.base import LedgerEntry, Store
from goldthread.sync.applying import Applier, ApplyResult
from goldthread.sync.budgeting import labels_first
from goldthread.sync.confirming import confirm, settle
from goldthread.sync.evaluating import EvaluationResult, evaluate
from goldthread.sync.fetching import SourceRead, StopAsked, never
from goldthread.sync.planning import Action, WritebackPolicy, comment_suggestions, plan_writes


@dataclass(slots=True)
class Planned:
    """A plan with the items and ledger entries it was made from.

    ``held``: items with writes that wait for a source in doubt.
    """

    items: dict[str, WorkItem]
    ledger: dict[str, LedgerEntry]
    actions: list[Action]
    held: int = 0


@dataclass(slots=True)
class Confirmed:
    """What confirming a plan's stored items did."""

    planned: Planned
    evaluation: EvaluationResult | None = None
    moved: dict[str, str] = field(default_factory=dict)
    forgotten: list[str] = field(default_factory=list)
    waiting: int = 0
    failed: dict[str, SourceError] = field(default_factory=dict)


def scopes_of(connectors: Mapping[str, Connector]) -> dict[str, SourceScope]:
    """Each source's scope as its connector knows it now."""
    return {name: connector.scope() for name, connector in connectors.items()}


def writeback_policy(
    settings: Settings, kinds: Mapping[str, LinkKinds] | None = None
) -> WritebackPolicy:
    wb = settings.writeback
    gaps = {name for name, k in (kinds or {}).items() if LinkKind.SUB_ISSUE.value in k.missing}
    return WritebackPolicy(
        label=wb.label,
        comment=wb.comment,
        on_resolve=wb.on_resolve,
        exempt_labels=tuple(settings.policy.exempt_labels),
        no_sub_issues=frozenset(gaps),
    )


def judge(
    settings: Settings,
    store: Store,
    now: datetime,
    run_id: int | None = None,
    *,
    whole: bool = False,
) -> EvaluationResult:
    """Re-judge what changed in the store (everything, ``whole``).

    The write-back settings are part of what the verdicts were judged
    under: when they change, every item is judged and planned again.
    """
    extra = repr(writeback_policy(settings))
    return evaluate(store, settings.trace_policy(), now, run_id, whole=whole, extra=extra)


def plan_round(
    settings: Settings,
    store: Store,
    connectors: Mapping[str, Connector],
    *,
    unsure: Collection[str],
    reads: Mapping[str, SourceRead],
    kinds: Mapping[str, LinkKinds],
    ordered: bool = True,
    only: Collection[str] | None = None,
) -> Planned:
    """The writes the unsettled items of ``connectors``' sources need, but
    none on what depends on a source in doubt (``unsure`` sources, scopes that failed to read in
    ``reads``) or on a source that failed to read. ``only``: of these items
    alone (a webhook round plans the items its deliveries are about, and what
    lies beneath them: deliveries about one item are worked one at a time,
    across replicas too, so two rounds never write to one item at once)."""
    policy = writeback_policy(settings, kinds)
    scopes = scopes_of(connectors)
    with store.evaluating():  # no evaluation marks an item unsettled in between
        # the items of the sources this round writes to: the others wait for theirs
        targets = {ref for ref in store.unsettled() if ref.partition(":")[0] in connectors}
        if only is not None:
            targets &= set(only)
        items = store.items_of(targets)
        verdicts = store.verdicts_of(items)
        named = {ref for verdict in verdicts.values() for ref in verdict.chain} - items.keys()
        items |= store.items_of(named)
        ledger = store.ledger_of(verdicts)
        offered = suggestions_for(store, items, verdicts, policy)
        # the comments link the parents they suggest, as the chain's items
        items |= store.items_of({s.ref for found in offered.values() for s in found} - items.keys())
        planned = plan_writes(items, verdicts, ledger, policy, scopes=scopes, suggestions=offered)
        store.settle(targets, {action.ref for action in planned})
    held = held_among(store, {action.ref for action in planned}, unsure, reads)
    unreadable = {name for name, read in reads.items() if read.fatal}
    actions = [
        action
        for action in planned
        if action.source in connectors
        and action.source not in unreadable
        and action.ref not in held
    ]
    return Planned(
        items=items,
        ledger=ledger,
        actions=labels_first(actions) if ordered else actions,
        held=len({action.ref for action in planned if action.ref in held}),
    )


class LabelRarity:
    """How rare each label and component is across the organisation, per
    store, read again at most every ``ttl`` seconds.

    Reading every stored item's labels costs about a second at 100,000
    items, too much for each webhook round, and the shares barely move from
    one round to the next: so a process reads them once in a while, and all
    its rounds in between weigh labels alike.
    """

    def __init__(self, ttl: float = 600.0) -> None:
        self._ttl = ttl
        self._lock = threading.Lock()
        self._read: weakref.WeakKeyDictionary[Store, tuple[float, str, dict[str, float]]] = (
            weakref.WeakKeyDictionary()
        )

    def spread(self, store: Store, own_label: str) -> dict[str, float]:
        """:func:`~goldthread.core.suggesting.tag_spread` over every stored item,
        leaving goldthread's own label out."""
        now = time.monotonic()
        with self._lock:
            kept = self._read.get(store)
            if kept is not None and kept[1] == own_label and now - kept[0] < self._ttl:
                return kept[2]
        spread = spread_of(store.tags(), frozenset({own_label.casefold()}))
        with self._lock:
            self._read[store] = (now, own_label, spread)
        return spread


RARITY = LabelRarity()
"""The one a process's rounds share."""


def suggestions_for(
    store: Store,
    items: Mapping[str, WorkItem],
    verdicts: Mapping[str, Verdict],
    policy: WritebackPolicy,
) -> dict[str, tuple[Suggestion, ...]]:
    """The likely parents the comments of the flagged items among ``verdicts``
    name, chosen from every open, traced item of the layers they need: read
    from the store by layer, so the cost follows those layers' size, not the
    organisation's. How rare each label is comes from every stored item's
    labels (:class:`LabelRarity`), not from the items the round holds, so an
    item's suggestions, and so its comment, are the same whichever round
    plans it."""
    flagged = sorted(ref for ref, verdict in verdicts.items() if verdict.flaggable)
    if not policy.comment or not flagged:
        return {}
    layers = {needed_layer(verdicts[ref].layer) for ref in flagged}
    refs = store.traced_in(sorted(layer.value for layer in layers if layer is not None))
    pool = store.items_of(refs)
    judged = store.verdicts_of(pool)
    spread = RARITY.spread(store, policy.label)
    return comment_suggestions(
        {**pool, **items}, {**judged, **verdicts}, policy, only=flagged, spread=spread
    )


def confirm_round(
    settings: Settings,
    store: Store,
    connectors: Mapping[str, Connector],
    planned: Planned,
    *,
    read: Collection[str],
    now: datetime,
    run_id: int | None,
    replan: Callable[[Confirmed], Planned],
) -> Confirmed:
    """The plan, writing only to items read now or confirmed where they are;
    judged and planned again (``replan``, told what moved and went) when
    confirming moved or forgot any."""
    check = confirm(store, connectors, planned.actions, read)
    found = Confirmed(planned, moved=dict(check.moved), forgotten=list(check.forgotten))
    found.failed = dict(check.failed)
    if check.changed:
        found.evaluation = judge(settings, store, now, run_id)
        planned = replan(found)
    actions, waiting = check.only_confirmed(planned.actions, connectors)
    found.planned = replace(planned, actions=actions)
    found.waiting = len(waiting)
    return found


def apply_round(
    store: Store,
    connectors: Mapping[str, Connector],
    planned: Planned,
    *,
    clock: Clock,
    max_writes: int,
    pacers: Mapping[str, ContentPacer] | None,
    deadline: datetime,
    stop: StopAsked = never,
) -> tuple[ApplyResult, dict[str, str], list[str]]:
    """Carry the plan out with the items it was made from and the ledger
    entries of the items it writes to, read again now (another replica may
    have written since the plan was made); then follow or forget what the
    trackers said moved or went."""
    ledger = store.ledger_of({action.ref for action in planned.actions})
    applier = Applier(
        connectors,
        store,
        planned.items,
        now=clock.now,
        max_writes=max_writes,
        pacers=pacers,
        deadline=deadline,
        stop=stop,
        ledger=ledger,
    )
    applied = applier.apply(planned.actions)
    settled = settle(store, connectors, applied)
    return applied, dict(settled.moved), list(settled.forgotten)


def held_among(
    store: Store, refs: Iterable[str], unsure: Collection[str], reads: Mapping[str, SourceRead]
) -> set[str]:
    """The ``refs`` in, or leading up into, an unsure source or a scope that failed."""
    scopes = {(name, scope) for name, read in reads.items() for scope in read.failed_scopes}
    wanted = set(refs)
    if not (unsure or scopes) or not wanted:
        return set()

    def doubtful(ref: str) -> bool:
        source, _, key = ref.partition(":")
        return source in unsure or (source, scope_of(key)) in scopes

    below: dict[str, list[str]] = {}
    seen = set(wanted)
    frontier = set(wanted)
    while frontier:
        parents = store.parents_of(frontier)
        for child, targets in parents.items():
            for parent in targets:
                below.setdefault(parent, []).append(child)
        frontier = {p for targets in parents.values() for p in targets} - seen
        seen |= frontier
    held = {ref for ref in seen if doubtful(ref)}
    queue = deque(held)
    while queue:
        for child in below.get(queue.popleft(), ()):
            if child not in held:
                held.add(child)
                queue.append(child)
    return held & wanted
