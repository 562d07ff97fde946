"""The store's contract: what goldthread keeps between runs, backend-neutral.

The store is a cache and a ledger, never the truth about the trackers (the
label and the marker comment on each item are): it holds the last items read,
their verdicts, the barren list, per-scope cursors, a ledger of what
goldthread last wrote on each item, the webhook inbox, and run/coverage
history for trends.

:class:`Store` is satisfied by :class:`goldthread.store.sqlite.SqliteStore`
(embedded default) and :class:`goldthread.store.postgres.PostgresStore` (shared by
several replicas); :func:`goldthread.store.open_store` picks one from the ``[store] url``. Implementations are safe to share between
threads (the service's worker and HTTP threads). Every datetime going in must be aware;
every datetime coming out is aware UTC. Failures surface as
:class:`~goldthread.errors.StoreError`.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping, Sequence
from contextlib import AbstractContextManager
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum
from types import TracebackType
from typing import Protocol, Self, runtime_checkable

from goldthread.core.ageing import FlagSpan
from goldthread.core.digest import Snapshot
from goldthread.core.model import Barren, Layer, Verdict, WorkItem
from goldthread.store.graphing import Changes


@dataclass(frozen=True, slots=True)
class LedgerEntry:
    """What goldthread last wrote on one item: whether its label is on, and
    which marker comment (id and text fingerprint) it left there."""

    ref: str
    label_applied: bool
    comment_id: str | None
    comment_fingerprint: str | None
    updated_at: datetime


class InboxStatus(StrEnum):
    """Life of a webhook delivery.

    ``pending`` waits to be claimed; ``processing`` is claimed by a worker;
    ``failed`` waits for a retry at ``next_attempt_at`` (claimable again then);
    ``dead`` is parked until ``goldthread inbox retry``; ``done`` is kept (for
    ``daemon.inbox_retention``) so a redelivery of the same key, or a replay
    of the same body, is still recognised.
    """

    PENDING = "pending"
    PROCESSING = "processing"
    DONE = "done"
    FAILED = "failed"
    DEAD = "dead"


@dataclass(frozen=True, slots=True)
class InboxEntry:
    """One webhook delivery, stored durably before it is answered with 202.

    ``delivery_key`` deduplicates (GitHub ``X-GitHub-Delivery``; Jira webhook
    identifier plus timestamp). ``item_hint`` names the item the event is
    about (a ref, when known) so two events of one item never run at once.
    """

    id: int
    source: str
    delivery_key: str
    event: str
    item_hint: str | None
    payload: bytes
    received_at: datetime
    status: InboxStatus
    attempts: int
    last_error: str | None
    next_attempt_at: datetime | None
    targets: Mapping[str, tuple[str, ...]] | None = None
    """The items the event is about, per source, as derived when it was
    accepted; ``None`` when they were not (derive them from the payload)."""


@dataclass(frozen=True, slots=True)
class CoverageRow:
    """Verdict counts of one source and layer at one evaluation."""

    source: str
    layer: Layer
    traced: int
    orphan: int
    broken: int
    exempt: int

    @property
    def coverage(self) -> float | None:
        """traced ÷ (traced + orphan + broken); ``None`` when nothing counts."""
        counted = self.traced + self.orphan + self.broken
        return self.traced / counted if counted else None


@dataclass(frozen=True, slots=True)
class CoveragePoint(CoverageRow):
    """A :class:`CoverageRow` as recorded by one run, for trend charts."""

    run_id: int
    at: datetime


@dataclass(frozen=True, slots=True)
class RunRecord:
    """One backfill, sync, poll cycle or webhook batch.

    ``outcome`` is free text the caller chooses (``ok``, ``errors``,
    ``failed``); ``None`` while the run is still going (or was cut short).
    ``stats_json`` is a JSON document of the caller's counters.
    """

    id: int
    kind: str
    started_at: datetime
    finished_at: datetime | None
    outcome: str | None
    stats_json: str | None


class DeliveryStatus(StrEnum):
    """Life of one digest message to one target.

    ``pending`` waits for its first attempt; ``failed`` waits for a retry at
    ``next_attempt_at``; ``sent`` is done; ``dead`` was given up.
    """

    PENDING = "pending"
    FAILED = "failed"
    SENT = "sent"
    DEAD = "dead"


@dataclass(frozen=True, slots=True)
class Delivery:
    """One owner's digest of one period, to one target. ``document`` is the
    digest as JSON, so every retry sends the same message."""

    id: int
    period: datetime
    team: str
    target: str
    document: str
    status: DeliveryStatus
    attempts: int
    next_attempt_at: datetime
    last_error: str | None
    sent_at: datetime | None


class ItemStore(Protocol):
    """Items as last read, their verdicts, the barren list and flag history."""

    def upsert_items(self, items: Iterable[WorkItem]) -> int:
        """Insert or replace items by ref, in one transaction; returns the count."""
        ...

    def delete_items(self, refs: Iterable[str]) -> int:
        """Forget items (and their verdicts); returns how many existed."""
        ...

    def item(self, ref: str) -> WorkItem | None: ...

    def items(self, source: str | None = None) -> Iterator[WorkItem]:
        """All items, or those of one source, ordered by ref."""
        ...

    def refs_by_external_id(
        self, source: str, external_ids: Iterable[str]
    ) -> list[tuple[str, str]]:
        """``(external id, ref)`` of the stored items of ``source`` with any of
        ``external_ids`` (an issue stored under two refs, moved, shows twice)."""
        ...

    def count_items(self) -> int: ...

    # ---- verdicts and barren items

    def save_verdicts(self, verdicts: Iterable[Verdict], evaluated_at: datetime) -> None:
        """Replace the stored verdict of each given ref."""
        ...

    def verdicts(self) -> dict[str, Verdict]: ...

    def last_evaluated_at(self) -> datetime | None:
        """When verdicts were last saved; ``None`` before the first evaluation."""
        ...

    def save_barren(self, barren: list[Barren]) -> None:
        """Replace the whole barren list."""
        ...

    def barren(self) -> list[Barren]: ...

    # ---- flag history (kept by save_verdicts)

    def flags(self) -> dict[str, FlagSpan]:
        """Each item's latest untraced stretch, by ref. :meth:`save_verdicts`
        opens one when an item is judged orphan or broken and none is open,
        and closes the open one when it is judged anything else."""
        ...

    def move_flags(self, moves: Mapping[str, str]) -> None:
        """Carry the flag history of each old ref to its new one (a moved
        item), unless the new ref has one already."""
        ...


class GraphStore(Protocol):
    """What judging only a change needs: the parent edges and the change log
    (``goldthread.store.graphing``), the items and verdicts of given refs,
    what lies beneath each item, the verdict tallies, and which items still
    have writes to make."""

    def items_of(self, refs: Iterable[str]) -> dict[str, WorkItem]:
        """The stored items among ``refs``, by ref."""
        ...

    def verdicts_of(self, refs: Iterable[str]) -> dict[str, Verdict]:
        """The stored verdicts of ``refs``, by ref."""
        ...

    def tags(self) -> list[tuple[tuple[str, ...], tuple[str, ...]]]:
        """Every stored item's labels and components, and nothing else of it."""
        ...

    def traced_in(self, layers: Iterable[str]) -> list[str]:
        """The items judged traced in any of ``layers`` (layer names), in ref
        order: the parents an untraced item may be offered."""
        ...

    def children_of(self, refs: Iterable[str]) -> dict[str, list[str]]:
        """Each of ``refs`` that stored items name as a parent, with those items."""
        ...

    def parents_of(self, refs: Iterable[str]) -> dict[str, list[str]]:
        """Each stored item of ``refs`` with the parent refs its links name."""
        ...

    def created_after(self, since: datetime) -> list[str]:
        """The refs of the items created after ``since``."""
        ...

    def changes(self) -> Changes:
        """What :meth:`upsert_items` and :meth:`delete_items` logged since the
        last :meth:`clear_changes`."""
        ...

    def clear_changes(self, upto: int) -> None:
        """Forget the logged changes up to ``upto`` (they were evaluated)."""
        ...

    def rebuild_graph(self) -> None:
        """Every edge again from the stored items; the change log emptied."""
        ...

    def beneath_of(self, refs: Iterable[str]) -> dict[str, int]:
        """Each item's layer bits of everything beneath it, as last saved."""
        ...

    def save_beneath(self, masks: Mapping[str, int], *, whole: bool = False) -> None:
        """Store layer bits beneath items (``whole``: these are all there are)."""
        ...

    def tally(self) -> list[tuple[str, str, str, int]]:
        """``(source, layer, verdict kind, count)`` over every stored verdict."""
        ...

    def evaluation_state(self) -> tuple[str, datetime] | None:
        """The fingerprint of the policy the verdicts were judged under, and
        when; ``None`` until a whole evaluation recorded it."""
        ...

    def record_evaluation(self, fingerprint: str, at: datetime) -> None: ...

    def unsettled(self) -> set[str]:
        """The items whose last plan still had writes to make."""
        ...

    def settle(self, considered: Iterable[str], unsettled: Iterable[str]) -> None:
        """Of the ``considered`` items, only ``unsettled`` still have writes to make."""
        ...

    def evaluating(self) -> AbstractContextManager[None]:
        """Held while an evaluation reads and saves: one at a time on this store
        (across every replica on a shared one)."""
        ...


class CursorStore(Protocol):
    """Where each source's next incremental read starts, per scope."""

    def cursors(self, source: str) -> dict[str, str]: ...

    def commit_cursors(self, source: str, mapping: Mapping[str, str]) -> None:
        """Store the cursors of a succeeded cycle, all or none."""
        ...

    def clear_cursors(self, source: str) -> None:
        """Forget a source's cursors, so the next read is a full one."""
        ...


class LedgerStore(Protocol):
    """What goldthread wrote on each item: its label and its comment."""

    def ledger(self, ref: str) -> LedgerEntry | None: ...

    def ledger_all(self) -> dict[str, LedgerEntry]: ...

    def ledger_of(self, refs: Iterable[str]) -> dict[str, LedgerEntry]:
        """The ledger entries of ``refs``, by ref."""
        ...

    def ledger_since(self, since: datetime, limit: int) -> list[LedgerEntry]:
        """Up to ``limit`` entries written at ``since`` or later, newest first."""
        ...

    def record_ledger(self, entry: LedgerEntry) -> None: ...

    def forget_ledger(self, ref: str) -> None: ...


class InboxStore(Protocol):
    """Webhook deliveries, durable until worked on, claimed by one replica at a time."""

    def enqueue(
        self,
        *,
        source: str,
        delivery_key: str,
        event: str,
        item_hint: str | None,
        payload: bytes | str,
        received_at: datetime,
        body_sha256: str | None = None,
        targets: Mapping[str, Sequence[str]] | None = None,
    ) -> bool:
        """Store a delivery durably; ``False`` when its key was seen before,
        or ``body_sha256`` (the digest of the signed body) is that of an entry
        still kept: a replay under a new delivery id."""
        ...

    def claim(
        self, now: datetime, limit: int, *, stale_after: timedelta | None = None
    ) -> list[InboxEntry]:
        """Mark up to ``limit`` ready entries ``processing`` and return them.

        Ready: ``pending``, or ``failed`` with ``next_attempt_at <= now``;
        oldest first. An entry whose ``item_hint`` is already being processed
        (or already taken by this claim) waits for a later claim. Each claim
        counts one attempt. On a store shared by replicas, an entry whose
        claim was last stamped more than ``stale_after`` ago (default: the
        backend's claim timeout) belonged to a replica that died and is ready
        again; a store one process holds ignores ``stale_after``.
        """
        ...

    def extend_claims(self, entry_ids: Sequence[int], now: datetime) -> int:
        """Stamp the claims of entries still being worked on with ``now``, so
        other replicas do not take them for a dead replica's; returns how many
        are still ``processing``."""
        ...

    def complete(self, entry_id: int) -> None: ...

    def fail(self, entry_id: int, error: str, retry_at: datetime | None) -> None:
        """Count a failed attempt: retry at ``retry_at``, or park it (``dead``)
        when that is ``None``."""
        ...

    def inbox(self, status: InboxStatus | None = None) -> list[InboxEntry]: ...

    def retry(self, entry_id: int) -> bool:
        """Make a failed or dead entry pending again now; ``False`` if there is
        no such entry or it is not failed or dead."""
        ...

    def drop(self, entry_id: int) -> bool:
        """Delete an entry; ``False`` if unknown."""
        ...

    def inbox_depth(self) -> int:
        """Entries still to be worked on (pending, processing, failed)."""
        ...

    def inbox_counts(self) -> dict[InboxStatus, int]:
        """Entries by status (every status present, zero included)."""
        ...

    def oldest_waiting(self) -> datetime | None:
        """When the oldest pending, processing or failed entry arrived; None if none waits."""
        ...

    def prune_inbox(self, before: datetime) -> int:
        """Delete the ``done`` entries that arrived before ``before``; returns how many."""
        ...


class RunHistory(Protocol):
    """Each run's outcome and the coverage it measured, for the trend."""

    def start_run(self, kind: str, started_at: datetime) -> int: ...

    def finish_run(
        self, run_id: int, finished_at: datetime, outcome: str, stats_json: str
    ) -> None: ...

    def runs(self, limit: int = 50) -> list[RunRecord]:
        """The latest runs, newest first."""
        ...

    def record_coverage(self, run_id: int, at: datetime, rows: list[CoverageRow]) -> None: ...

    def coverage_history(self) -> list[CoveragePoint]:
        """Every recorded row, oldest run first, then by source, then layer from
        vision down."""
        ...


class DigestStore(Protocol):
    """Digest periods, each team's snapshot and the deliveries to send."""

    def prepare_digest(
        self,
        period: datetime,
        now: datetime,
        snapshots: Sequence[Snapshot],
        messages: Sequence[tuple[str, str, str]],
        *,
        baseline: bool = False,
    ) -> bool:
        """Prepare ``period`` once: record it, replace the teams' snapshots and
        queue ``messages`` (``(team, target, document)``) for delivery, all in
        one transaction; ``False`` (nothing changed) when the period was
        prepared already, by this process or another replica. A ``baseline``
        period sends nothing: it is where the first digest counts from."""
        ...

    def digest_prepared(self, period: datetime) -> bool:
        """Whether ``period`` was prepared (by any process on this store)."""
        ...

    def digest_started(self) -> bool:
        """Whether any digest period was ever prepared."""
        ...

    def snapshots(self) -> dict[str, Snapshot]:
        """Each team's last snapshot."""
        ...

    def save_snapshots(self, snapshots: Sequence[Snapshot]) -> None:
        """Replace the given teams' snapshots (a digest sent outside the schedule)."""
        ...

    def due_deliveries(self, now: datetime, limit: int = 50) -> list[Delivery]:
        """Pending deliveries, and failed ones whose retry time has come, oldest first."""
        ...

    def deliveries(self, period: datetime | None = None) -> list[Delivery]:
        """Every delivery (of one period), oldest first."""
        ...

    def finish_delivery(
        self,
        delivery_id: int,
        now: datetime,
        *,
        error: str | None = None,
        retry_at: datetime | None = None,
    ) -> None:
        """Count an attempt: sent (no ``error``), failed until ``retry_at``, or
        given up (an ``error`` and no ``retry_at``)."""
        ...

    def delivery_counts(self) -> dict[DeliveryStatus, int]:
        """Deliveries by status (every status present, zero included)."""
        ...


class LeaseStore(Protocol):
    """Coordination between replicas: leases with fencing tokens, and pacing lines."""

    def acquire_lease(self, name: str, holder: str, ttl: timedelta, now: datetime) -> int | None:
        """Hold the lease ``name`` until ``now + ttl``; returns its fencing token,
        or ``None`` while another holder's lease has not expired.

        The token grows by one each time the lease changes hands (or is taken
        again after it expired or was released), so a holder that stalled past
        its expiry can tell, by a higher token elsewhere, that it lost the
        lease. Acquiring a lease one already holds extends it and keeps the token.
        """
        ...

    def renew_lease(
        self, name: str, holder: str, token: int, ttl: timedelta, now: datetime
    ) -> bool:
        """Extend a held lease to ``now + ttl``; ``False`` when ``holder`` no
        longer holds it under ``token`` (someone took it over, or it was released)."""
        ...

    def release_lease(self, name: str, holder: str, token: int) -> bool:
        """Give the lease up at once so another holder need not wait for expiry;
        ``False`` when it was no longer held under ``token``."""
        ...

    def reserve_slot(self, key: str, interval: timedelta, now: datetime) -> datetime:
        """Reserve the next free slot of the pacing line ``key`` (slots are
        ``interval`` apart) and return when it starts: ``now`` when the line
        is idle, later while earlier slots are taken. Shared by every replica
        on the store, so paced writes under one credential stay ``interval``
        apart across them."""
        ...


@runtime_checkable
class Store(
    ItemStore,
    GraphStore,
    CursorStore,
    LedgerStore,
    InboxStore,
    RunHistory,
    DigestStore,
    LeaseStore,
    Protocol,
):
    """Everything goldthread persists, as one backend implements it (SQLite or
    PostgreSQL). Safe to share between threads. Code that needs one part of it
    asks for that role (:class:`InboxStore`, :class:`LeaseStore`, ...)."""

    # ---- health

    def probe(self) -> None:
        """Raise :class:`~goldthread.errors.StoreError` unless the store can
        take a write now (it answers, and neither a full disk, lost
        permissions nor a read-only server refuses writes); changes nothing a
        caller can see. Readiness asks this."""
        ...

    def bounded(self, seconds: float) -> Self:
        """This store for request paths: every call gives up with
        :class:`~goldthread.errors.StoreError` after about ``seconds``
        (waiting for its turn or a connection, and running its statements),
        instead of the longer waits background work may afford. The two
        share their connections; closing either closes both."""
        ...

    # ---- lifetime

    def schema_version(self) -> int:
        """The latest migration applied (migrations run when the store opens)."""
        ...

    def close(self) -> None: ...

    def __enter__(self) -> Self: ...

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None: ...
