"""One round of webhook work: re-read the named items, re-judge, write back.

Webhook payloads are hints, never truth: the items an event names are read
again through their connector and stored. The whole stored graph is then
evaluated (a verdict depends on every ancestor, across trackers), and the
write-back plan is made for the items read and everything beneath them
(:func:`goldthread.core.tracing.descendants`) with the same planner and
applier as every cycle, so a webhook and a poll write exactly the same way.
An item the tracker no longer has is forgotten, so its children are judged
against a missing parent. Items come in through the same admission as a
poll's (:mod:`goldthread.sync.scoping`): one outside its source's scope (a
link's far end in an unwatched project, an issue transferred away) is not
stored, and a requested key that comes back under another ref (a transfer, a
Jira move) is followed to it. Items whose chain leads into a source not yet read
in full (the service has just started, or that tracker is down) keep their
verdicts but get no writes: their parent there is unknown, not missing. The
next poll of that source writes them.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from goldthread.clock import Clock
from goldthread.config import Settings
from goldthread.connectors.base import Connector
from goldthread.core.model import Verdict, WorkItem
from goldthread.core.tracing import descendants
from goldthread.errors import RetriableError
from goldthread.store.base import Store
from goldthread.sync.applying import Applier, ApplyResult
from goldthread.sync.budgeting import content_pacers
from goldthread.sync.certainty import held_back
from goldthread.sync.cycle import link_kinds_of, scopes_of, writeback_policy
from goldthread.sync.evaluating import evaluate
from goldthread.sync.planning import Action, plan_writes
from goldthread.sync.scoping import admit, follow_moves, follow_renames, forget, moves_among


@dataclass(slots=True)
class RefreshResult:
    """What one round read, forgot, planned and wrote."""

    read: list[str] = field(default_factory=list)
    forgotten: list[str] = field(default_factory=list)
    refused: list[str] = field(default_factory=list)
    moved: dict[str, str] = field(default_factory=dict)
    affected: set[str] = field(default_factory=set)
    plan: list[Action] = field(default_factory=list)
    applied: ApplyResult | None = None
    verdicts: Mapping[str, Verdict] = field(default_factory=dict)


def refresh(
    settings: Settings,
    store: Store,
    connectors: Mapping[str, Connector],
    targets: Mapping[str, Sequence[str]],
    clock: Clock,
) -> RefreshResult:
    """Re-read ``targets`` (``{source: keys}``), re-evaluate, write back the affected items.

    Raises :class:`~goldthread.errors.SourceError` when a tracker cannot be
    read, and :class:`RetriableError` when writing to one failed, so the
    caller retries the whole round later (every step is idempotent).
    """
    result = RefreshResult()
    fresh: list[WorkItem] = []
    for source, keys in targets.items():
        connector = connectors.get(source)
        if connector is None or not keys:
            continue
        admitted = admit(store, connector, connector.get(list(keys)))
        kept = admitted.kept
        result.refused += admitted.refused
        moves = moves_among(store, {source: kept})
        follow_moves(store, moves)
        result.moved.update(moves)
        fresh += kept
        result.forgotten += _gone(store, source, keys, kept)
    if result.forgotten:
        forget(store, result.forgotten)
    follow_renames(store, scopes_of(connectors))
    result.read = [item.ref for item in fresh]
    evaluation = evaluate(store, settings.trace_policy(), clock.now())
    result.verdicts = evaluation.verdicts
    items = {item.ref: item for item in store.items()}
    result.affected = descendants(items, [*result.read, *result.forgotten, *result.moved])
    if not settings.writeback.enabled:
        return result
    configured = {source.name for source in settings.sources} | set(connectors)
    unread = {name for name in configured if not store.cursors(name)}
    held = held_back(items, unread, {})
    chosen = {
        ref: evaluation.verdicts[ref]
        for ref in result.affected
        if ref in evaluation.verdicts and ref not in held
    }
    result.plan = [
        action
        for action in plan_writes(
            items,
            chosen,
            store.ledger_all(),
            writeback_policy(settings, link_kinds_of(connectors)),
            scopes=scopes_of(connectors),
        )
        if action.source in connectors
    ]
    if settings.writeback.dry_run or not result.plan:
        return result
    applier = Applier(
        connectors,
        store,
        items,
        now=clock.now,
        max_writes=settings.writeback.max_writes_per_run,
        pacers=content_pacers(store, connectors, clock),
        deadline=clock.now() + settings.daemon.poll_interval,  # later: the next poll writes it
    )
    result.applied = applier.apply(result.plan)
    if result.applied.failed_sources:
        raise RetriableError("; ".join(result.applied.errors) or "writing failed")
    return result


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
