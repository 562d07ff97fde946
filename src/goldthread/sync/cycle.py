"""One cycle, one shape: fetch → store → evaluate → plan → apply → commit cursors.

``backfill`` and ``sync`` (and the service's polls) are this cycle with
different options. Every source is read concurrently; one that fails is
reported and skipped while the others complete, and its cursors stay where
they were so the next run repairs it. Evaluation judges what the store's
change log says can have changed, across trackers (a backfill: everything),
so every item whose verdict can have changed (descendants of a changed item
included) is judged again (:mod:`goldthread.sync.evaluating`). The
write-back plan compares the desired state with what is observed on every
unsettled item — judged since it was last planned, or with writes its last
plan did not finish (killed, stopped by ``max_writes_per_run``) — so those
are picked up again (:mod:`goldthread.sync.writing`). Before the plan is applied, the
items it writes to that this cycle did not read are confirmed where they are
(:mod:`goldthread.sync.confirming`), so a stored copy of an issue that has
left the scope is never written through its old key. Cursors are committed
last, per source, only for sources whose reads and writes succeeded.

A cycle asked to stop (``stop``: the service received SIGTERM) stops
reading before the next page and writing before the next write. A cycle
stopped while reading neither evaluates nor writes: it commits the cursors
of the sources it read to the end and leaves the others where they were, so
the next cycle reads on from there; what it read is stored and judged then.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Literal

import structlog

from goldthread.clock import Clock
from goldthread.config import Settings
from goldthread.connectors.base import Connector, LinkAware, LinkKinds, Reconciling
from goldthread.core.model import RateBudget
from goldthread.core.scope import scope_of
from goldthread.errors import SourceError
from goldthread.store.base import Store
from goldthread.sync.applying import ApplyResult
from goldthread.sync.budgeting import (
    Outlook,
    content_pacers,
    duration_text,
    outlook,
)
from goldthread.sync.certainty import unsure_sources
from goldthread.sync.connecting import since_cursor
from goldthread.sync.evaluating import EvaluationResult
from goldthread.sync.fetching import CursorFor, SourceRead, StopAsked, fetch_all, never
from goldthread.sync.planning import Action, newly_flagged
from goldthread.sync.progress import Progress, QuietProgress
from goldthread.sync.renaming import follow_renames, renames_of
from goldthread.sync.scoping import follow_moves, forget, moves_after_read
from goldthread.sync.writing import (  # noqa: F401 - found here too
    Planned,
    apply_round,
    confirm_round,
    judge,
    plan_round,
    scopes_of,
    writeback_policy,
)

log = structlog.get_logger("goldthread.sync")

CycleKind = Literal["backfill", "sync"]
RECENT = timedelta(hours=1)  # ledger entries this new are handed to Reconciling connectors
RECENT_LIMIT = 500
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


@dataclass(frozen=True, slots=True)
class CycleOptions:
    """How one cycle runs.

    ``kind``: ``backfill`` reads everything (or from ``since``), ``sync``
    reads from the stored cursors. ``writeback``: plan at all; ``apply``:
    carry the plan out (a dry run plans without applying); ``confirmed``:
    ``--yes`` to a first run that would flag over half of all items.
    """

    kind: CycleKind = "sync"
    since: datetime | None = None
    writeback: bool = True
    apply: bool = True
    confirmed: bool = False
    patience: timedelta = timedelta(hours=1)
    """How long the run waits for content slots (GitHub.com's comment limits);
    comments that would start later are left to the next run or the service."""


@dataclass(slots=True)
class CycleResult:
    """Everything a cycle did, for the summary and the exit status."""

    kind: CycleKind
    run_id: int
    reads: dict[str, SourceRead]
    evaluation: EvaluationResult
    plan: list[Action] = field(default_factory=list)
    applied: ApplyResult | None = None
    needs_confirmation: bool = False
    outlooks: dict[str, Outlook] = field(default_factory=dict)
    link_kinds: dict[str, LinkKinds] = field(default_factory=dict)
    resume_at: dict[str, datetime] = field(default_factory=dict)  # deferred sources' next slot
    newly_flagged: int = 0
    deleted: int = 0
    moved: dict[str, str] = field(default_factory=dict)
    renamed: list[tuple[str, str, str]] = field(default_factory=list)
    held: int = 0
    unconfirmed: int = 0
    unconfirmable: dict[str, str] = field(default_factory=dict)
    unsure: set[str] = field(default_factory=set)
    stopped_reading: bool = False
    requests: dict[str, int] = field(default_factory=dict)
    budgets: dict[str, RateBudget | None] = field(default_factory=dict)
    seconds: float = 0.0
    ended_at: datetime | None = None

    @property
    def failed_sources(self) -> list[str]:
        failed = {name for name, read in self.reads.items() if not read.ok}
        failed |= set(self.unconfirmable)
        if self.applied is not None:
            failed |= self.applied.failed_sources
        return sorted(failed)

    @property
    def errors(self) -> list[str]:
        found = [line for read in self.reads.values() for line in read.errors()]
        found += [f"{name}: confirming items: {why}" for name, why in self.unconfirmable.items()]
        if self.applied is not None:
            found += self.applied.errors
        return found

    @property
    def warnings(self) -> list[str]:
        return list(self.applied.warnings) if self.applied is not None else []

    @property
    def deferred(self) -> dict[str, int]:
        """Comments left for the next run or the service, by source."""
        applied = self.applied
        return {k: v for k, v in applied.deferred.items() if v} if applied is not None else {}

    @property
    def write_limit_reached(self) -> bool:
        return self.applied is not None and self.applied.stopped

    @property
    def stopped(self) -> bool:
        """Asked to stop, it left reads or writes for the next cycle."""
        return self.stopped_reading or (self.applied is not None and self.applied.interrupted)

    @property
    def ok(self) -> bool:
        return not self.errors and not self.write_limit_reached and not self.needs_confirmation

    @property
    def untraced(self) -> int:
        return self.evaluation.untraced


def renamed_repos(connectors: Mapping[str, Connector]) -> list[tuple[str, str, str]]:
    """``(source, configured name, current name)`` of every repository found renamed."""
    return [
        (name, old, new)
        for name, connector in connectors.items()
        for old, new in connector.scope().renamed
    ]


def link_kinds_of(connectors: Mapping[str, Connector]) -> dict[str, LinkKinds]:
    """What each source's server offers, for those that can say (and can be reached)."""
    found: dict[str, LinkKinds] = {}
    for name, connector in connectors.items():
        if isinstance(connector, LinkAware):
            try:
                found[name] = connector.link_kinds()
            except SourceError:
                continue
    return found


def run_cycle(
    settings: Settings,
    store: Store,
    connectors: Mapping[str, Connector],
    options: CycleOptions,
    *,
    clock: Clock,
    progress: Progress | None = None,
    stop: StopAsked = never,
) -> CycleResult:
    """Run one cycle against ``connectors`` (a subset of the sources, or all);
    ``stop`` is asked between pages and between writes. Every line logged
    meanwhile carries the run's id as ``cycle``."""
    started = clock.monotonic()
    run_id = store.start_run(options.kind, clock.now())
    with structlog.contextvars.bound_contextvars(cycle=run_id):
        return _run(
            settings,
            store,
            connectors,
            options,
            clock=clock,
            progress=progress,
            stop=stop,
            started=started,
            run_id=run_id,
        )


def _run(
    settings: Settings,
    store: Store,
    connectors: Mapping[str, Connector],
    options: CycleOptions,
    *,
    clock: Clock,
    progress: Progress | None,
    stop: StopAsked,
    started: float,
    run_id: int,
) -> CycleResult:
    before = {name: c.stats.requests for name, c in connectors.items()}
    configured = {source.name for source in settings.sources} | set(connectors)
    complete_before = {name for name in configured if store.cursors(name)}
    remind_writes(store, connectors, clock.now())
    known = renames_of(scopes_of(connectors))
    reads = fetch_all(
        connectors,
        store,
        _cursor_source(store, connectors, options),
        progress or QuietProgress(),
        keep_seen=options.kind == "backfill" and options.since is None,
        stop=stop,
    )
    moves = moves_after_read(store, {name: read.stored for name, read in reads.items()})
    follow_moves(store, moves)
    read = [ref for source_read in reads.values() for ref in source_read.stored]
    follow_renames(store, scopes_of(connectors), known=known, read=read)
    if any(source_read.stopped for source_read in reads.values()):  # judged next cycle
        stopped = CycleResult(
            kind=options.kind,
            run_id=run_id,
            reads=reads,
            evaluation=EvaluationResult.nothing(clock.now()),
            moved=moves,
            stopped_reading=True,
        )
        _commit_cursors(store, stopped)
        return _finish(store, stopped, connectors, before, clock=clock, started=started)
    deleted = _forget_deleted(store, reads)
    kinds = link_kinds_of({n: c for n, c in connectors.items() if n in reads and reads[n].ok})
    evaluation = judge(settings, store, clock.now(), run_id, whole=options.kind == "backfill")
    result = CycleResult(
        kind=options.kind,
        run_id=run_id,
        reads=reads,
        evaluation=evaluation,
        deleted=deleted,
        moved=moves,
        renamed=renamed_repos(connectors),
        link_kinds=kinds,
    )
    full = options.kind == "sync" or options.since is None  # sync: a never-read source in full
    result.unsure = unsure_sources(
        configured, reads, complete_before=complete_before, full_read=full
    )
    if options.writeback and settings.writeback.enabled:
        _write_back(settings, store, connectors, options, clock=clock, result=result, stop=stop)
    _commit_cursors(store, result)
    return _finish(store, result, connectors, before, clock=clock, started=started)


def _finish(
    store: Store,
    result: CycleResult,
    connectors: Mapping[str, Connector],
    before: Mapping[str, int],
    *,
    clock: Clock,
    started: float,
) -> CycleResult:
    result.requests = {n: c.stats.requests - before.get(n, 0) for n, c in connectors.items()}
    result.budgets = {name: connector.budget() for name, connector in connectors.items()}
    result.seconds = clock.monotonic() - started
    result.ended_at = clock.now()
    store.finish_run(result.run_id, clock.now(), _outcome(result), json.dumps(stats_of(result)))
    return result


def remind_writes(store: Store, connectors: Mapping[str, Connector], now: datetime) -> None:
    """Tell connectors whose search lags behind writes what goldthread wrote lately."""
    aware = {name: c for name, c in connectors.items() if isinstance(c, Reconciling)}
    if not aware:
        return
    recent = store.ledger_since(now - RECENT, RECENT_LIMIT)
    when = {entry.ref: entry.updated_at for entry in recent}
    found = store.items_of(when)
    items = [found[ref] for ref in when if ref in found]
    for name, connector in aware.items():
        connector.written_lately([i for i in items if i.source == name], when)


def _cursor_source(
    store: Store, connectors: Mapping[str, Connector], options: CycleOptions
) -> CursorFor:
    if options.kind == "sync":
        stored = {name: store.cursors(name) for name in connectors}
        return lambda source, scope: stored.get(source, {}).get(scope)
    since = options.since
    if since is None:
        return lambda source, scope: None
    return lambda source, scope: since_cursor(connectors[source], since)


def _forget_deleted(store: Store, reads: Mapping[str, SourceRead]) -> int:
    """After a full read of a scope, items stored for it but not read are gone."""
    gone: list[str] = []
    for name, read in reads.items():
        if not read.seen:
            continue
        for item in store.items(name):
            scope = scope_of(item.key)
            if scope in read.seen and item.ref not in read.seen[scope]:
                gone.append(item.ref)
    return forget(store, gone)


def _plan(
    settings: Settings, store: Store, connectors: Mapping[str, Connector], result: CycleResult
) -> Planned:
    """The writes the unsettled items need, but none on what depends on a source in doubt."""
    planned = plan_round(
        settings,
        store,
        connectors,
        unsure=result.unsure,
        reads=result.reads,
        kinds=result.link_kinds,
    )
    result.held = planned.held
    return planned


def _write_back(
    settings: Settings,
    store: Store,
    connectors: Mapping[str, Connector],
    options: CycleOptions,
    *,
    clock: Clock,
    result: CycleResult,
    stop: StopAsked,
) -> None:
    planned = _plan(settings, store, connectors, result)
    result.plan = planned.actions
    result.newly_flagged = newly_flagged(planned.actions)
    if (
        settings.writeback.confirm_large
        and not options.confirmed
        and result.newly_flagged * 2 > store.count_items()
        and not store.ledger_since(_EPOCH, 1)  # a first run: nothing written yet
    ):
        result.needs_confirmation = True
        return
    planned = _confirmed(settings, store, connectors, clock=clock, result=result, planned=planned)
    result.plan = planned.actions
    result.newly_flagged = newly_flagged(planned.actions)
    pacers = content_pacers(store, connectors, clock)
    start = clock.now()
    result.outlooks = outlook(planned.actions, pacers, start)
    if not options.apply or not planned.actions:
        return
    for line in outlook_lines(result.outlooks, options.patience):
        log.info("write-back outlasts this run", detail=line)
    result.applied, moved, forgotten = apply_round(
        store,
        connectors,
        planned,
        clock=clock,
        max_writes=settings.writeback.max_writes_per_run,
        pacers=pacers,
        deadline=start + options.patience,
        stop=stop,
    )
    result.moved.update(moved)
    result.deleted += len(forgotten)
    result.resume_at = {
        source: pacers[source].next_slot(clock.now())
        for source, count in result.applied.deferred.items()
        if count and source in pacers
    }


def outlook_lines(outlooks: Mapping[str, Outlook], patience: timedelta) -> list[str]:
    """One line per source whose write-back outlasts this run's patience."""
    return [
        f"{name}: {ahead.comments} comment(s) to write; GitHub allows about 500 an hour, so "
        f"write-back takes about {duration_text(ahead.duration)}: labels first, then the "
        "comments in a fixed order, the rest by the next runs or the service"
        for name, ahead in sorted(outlooks.items())
        if ahead.duration > patience
    ]


def _confirmed(
    settings: Settings,
    store: Store,
    connectors: Mapping[str, Connector],
    *,
    clock: Clock,
    result: CycleResult,
    planned: Planned,
) -> Planned:
    """The plan, writing only to items read now or confirmed where they are."""
    read = {ref for source_read in result.reads.values() for ref in source_read.stored}
    found = confirm_round(
        settings,
        store,
        connectors,
        planned,
        read=read,
        now=clock.now(),
        run_id=result.run_id,
        replan=lambda _: _plan(settings, store, connectors, result),
    )
    result.moved.update(found.moved)
    result.deleted += len(found.forgotten)
    if found.evaluation is not None:
        result.evaluation = _merged(result.evaluation, found.evaluation)
    result.unconfirmed = found.waiting
    result.unconfirmable = {name: str(error) for name, error in found.failed.items()}
    return found.planned


def _merged(first: EvaluationResult, then: EvaluationResult) -> EvaluationResult:
    """Two evaluations of one cycle as one: the later counts, every verdict judged."""
    verdicts = {**first.verdicts, **then.verdicts}
    return EvaluationResult(
        verdicts=verdicts,
        barren=then.barren or first.barren,
        counts=then.counts,
        rows=then.rows,
        changed=first.changed | then.changed,
        evaluated_at=then.evaluated_at,
        whole=first.whole or then.whole,
    )


def _commit_cursors(store: Store, result: CycleResult) -> None:
    failed = set(result.failed_sources)
    for name, read in result.reads.items():
        if name not in failed and not read.stopped and read.cursors:
            store.commit_cursors(name, read.cursors)


def _outcome(result: CycleResult) -> str:
    if result.errors:
        return "errors"
    if result.stopped:
        return "stopped"
    if result.write_limit_reached:
        return "write-limit"
    if result.needs_confirmation:
        return "needs-confirmation"
    return "ok"


def stats_of(result: CycleResult) -> dict[str, object]:
    """The run's counters, as recorded with the run in the store."""
    evaluation = result.evaluation
    return {
        "items": evaluation.items,
        "read": {name: read.items for name, read in result.reads.items()},
        "by_layer": {k.value: v for k, v in evaluation.by_layer.items()},
        "by_verdict": {k.value: v for k, v in evaluation.by_verdict.items()},
        "coverage": evaluation.coverage,
        "planned": len(result.plan),
        "writes": {
            f"{source}:{kind.value}": count
            for (source, kind), count in sorted(
                (result.applied.writes if result.applied else {}).items()
            )
        },
        "requests": result.requests,
        "failed_sources": result.failed_sources,
        "deferred": result.deferred,
        "link_kinds": {name: kinds.as_json() for name, kinds in result.link_kinds.items()},
        "warnings": result.warnings,
        "seconds": round(result.seconds, 3),
    }
