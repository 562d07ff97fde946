"""One round of webhook work: re-read the named items, re-judge, write back.

Webhook payloads are hints, never truth: the items an event names are read
again through their connector and stored. What that changed is then judged
again — the items read and everything beneath them, traced on them and their
ancestors across trackers (:mod:`goldthread.sync.evaluating`) — and the
write-back is planned, confirmed and applied through the same functions as
every cycle (:mod:`goldthread.sync.writing`), so a webhook and a poll write
exactly the same way.
An item the tracker no longer has is forgotten, so its children are judged
against a missing parent. Items come in through the same admission as a
poll's (:mod:`goldthread.sync.scoping`): one outside its source's scope (a
link's far end in an unwatched project, an issue transferred away) is not
stored, and a requested key that comes back under another ref (a transfer, a
Jira move) is followed to it. Items whose chain leads into a source not yet read
in full (the service has just started, or that tracker is down) keep their
verdicts but get no writes: their parent there is unknown, not missing. The
next poll of that source writes them. Items beneath the ones read that the
round would write to are confirmed where they are first, exactly as in a
cycle (:mod:`goldthread.sync.confirming`): a stored copy may be an issue
that has since moved out of scope.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from goldthread.clock import Clock
from goldthread.config import Settings
from goldthread.connectors.base import Connector
from goldthread.core.model import Verdict
from goldthread.errors import RetriableError
from goldthread.store.base import Store
from goldthread.sync.applying import ApplyResult
from goldthread.sync.budgeting import content_pacers
from goldthread.sync.cycle import link_kinds_of
from goldthread.sync.evaluating import EvaluationResult, reach
from goldthread.sync.planning import Action
from goldthread.sync.renaming import follow_renames, renames_of
from goldthread.sync.scoping import reread
from goldthread.sync.writing import (
    Confirmed,
    Planned,
    apply_round,
    confirm_round,
    judge,
    plan_round,
    scopes_of,
)


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
    evaluation: EvaluationResult | None = None
    unconfirmed: int = 0


def refresh(
    settings: Settings,
    store: Store,
    connectors: Mapping[str, Connector],
    targets: Mapping[str, Sequence[str]],
    clock: Clock,
) -> RefreshResult:
    """Re-read ``targets`` (``{source: keys}``), re-judge, write back the affected items.

    Raises :class:`~goldthread.errors.SourceError` when a tracker cannot be
    read, and :class:`RetriableError` when writing to one failed, so the
    caller retries the whole round later (every step is idempotent).
    """
    result = RefreshResult()
    known = renames_of(scopes_of(connectors))
    found = reread(store, connectors, targets)
    result.refused, result.moved, result.forgotten = found.refused, found.moved, found.forgotten
    result.read = [item.ref for item in found.kept]
    follow_renames(store, scopes_of(connectors), known=known, read=result.read)
    planned = _judge(settings, store, connectors, clock, result)
    if not settings.writeback.enabled or not result.plan:
        return result
    checked = confirm_round(
        settings,
        store,
        connectors,
        planned,
        read=result.read,
        now=clock.now(),
        run_id=None,
        replan=lambda found: _plan(settings, store, connectors, result, found),
    )
    if checked.failed:  # the round is tried again, as when its own reads fail
        raise next(iter(checked.failed.values()))
    result.moved.update(checked.moved)
    result.forgotten += checked.forgotten
    if checked.evaluation is not None:
        _judged(result, checked.evaluation)
    planned = checked.planned
    result.plan = planned.actions
    result.unconfirmed = checked.waiting
    if settings.writeback.dry_run or not result.plan:
        return result
    result.applied, moved, forgotten = apply_round(
        store,
        connectors,
        planned,
        clock=clock,
        max_writes=settings.writeback.max_writes_per_run,
        pacers=content_pacers(store, connectors, clock),
        deadline=clock.now() + settings.daemon.poll_interval,  # later: the next poll writes it
    )
    result.moved.update(moved)
    result.forgotten += forgotten
    if result.applied.failed_sources:
        raise RetriableError("; ".join(result.applied.errors) or "writing failed")
    return result


def _judge(
    settings: Settings,
    store: Store,
    connectors: Mapping[str, Connector],
    clock: Clock,
    result: RefreshResult,
) -> Planned:
    """Re-judge what the round changed and plan the writes it calls for."""
    _judged(result, judge(settings, store, clock.now()))
    if not settings.writeback.enabled:
        return Planned({}, {}, [])
    planned = _plan(settings, store, connectors, result)
    result.plan = planned.actions
    return planned


def _judged(result: RefreshResult, evaluation: EvaluationResult) -> None:
    result.evaluation = evaluation
    result.verdicts = {**result.verdicts, **evaluation.verdicts}


def _plan(
    settings: Settings,
    store: Store,
    connectors: Mapping[str, Connector],
    result: RefreshResult,
    confirmed: Confirmed | None = None,
) -> Planned:
    """The writes of the items the round read or confirming moved or forgot,
    and everything beneath them; those leading into a source never read in
    full wait."""
    moved = {**result.moved, **(confirmed.moved if confirmed else {})}
    forgotten = [*result.forgotten, *(confirmed.forgotten if confirmed else [])]
    named = {*result.read, *forgotten, *moved, *moved.values()}
    result.affected = reach(store.children_of, named) - set(forgotten)
    configured = {source.name for source in settings.sources} | set(connectors)
    unread = {name for name in configured if not store.cursors(name)}
    return plan_round(
        settings,
        store,
        connectors,
        unsure=unread,
        reads={},
        kinds=link_kinds_of(connectors),
        ordered=False,
        only=result.affected,
    )
