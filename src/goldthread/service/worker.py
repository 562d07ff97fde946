"""The worker: drains the webhook inbox, oldest first, one batch at a time.

The store's ``claim`` hands out entries so that two entries of one item are
never worked on at once, and every round of work (webhook or poll) runs
under one lock, so a webhook and a poll touching the same item cannot both
decide to comment. A batch is worked as one round (one evaluation for many
events); when it fails, each entry is tried alone so one poison event cannot
hold the others back. A failing entry is retried with exponential back-off
(a tracker's ``retry_after`` honoured) and parked as ``dead`` after
``max_attempts``; ``goldthread inbox retry`` brings it back.

Events are hints to re-read an item, so once a round has re-read an item,
every delivery about only that item that arrived before the round began is
answered by it: those waiting entries are marked done with it (``coalesced``)
instead of each re-reading the same item, which keeps a burst of events on a
few items from turning into a long backlog.

Finished entries are kept for ``daemon.inbox_retention`` (a redelivery or a
replay of their body is recognised meanwhile) and then pruned, once an hour.

On start, entries left ``processing`` by a process that died are made ready
again: the work is idempotent, so doing it twice is harmless. On a store
shared by replicas that would take live replicas' work from them; there each
replica re-stamps the claims it is working on (:meth:`Worker.in_flight`,
renewed by the service's keeper thread) and an entry whose claim is older
than ``stale_after`` (one lease period) is claimed again by a survivor.

The store failing is not the entries' fault: a :class:`StoreError` while a
batch is worked is not counted against them (no retry back-off, never
parked) but ends the round, and the service's supervisor retries it. The
entries it left claimed are handed back as soon as the store answers again
(with one process per store), or their claims go stale and any replica
claims them again within one lease period (on a shared store).
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from goldthread.clock import Clock
from goldthread.errors import GoldthreadError, RetriableError, StoreError
from goldthread.logs import get_logger
from goldthread.service.supervising import Heartbeat, holding
from goldthread.store.base import InboxEntry, InboxStatus, Store

log = get_logger("goldthread.service.worker")

Process = Callable[[Sequence[InboxEntry]], None]
"""Does the work of some entries; raises when it could not."""
TargetsOf = Callable[[InboxEntry], Mapping[str, Sequence[str]]]
"""The items (``{source: keys}``) an entry asks to re-read."""

PRUNE_EVERY = 3600.0
"""Seconds between two prunings of finished inbox entries."""


@dataclass(frozen=True, slots=True)
class Backoff:
    """When to try a failed entry again."""

    base: float = 2.0
    cap: float = 300.0
    max_attempts: int = 6

    def next_attempt(
        self, attempts: int, now: datetime, retry_after: float | None = None
    ) -> datetime | None:
        """``None`` (park it) after ``max_attempts``; else now plus the back-off."""
        if attempts >= self.max_attempts:
            return None
        delay = min(self.cap, self.base * 2 ** max(0, attempts - 1))
        if retry_after is not None:
            delay = max(delay, retry_after)
        return now + timedelta(seconds=delay)


def recover(store: Store, now: datetime) -> int:
    """Make entries a dead process left ``processing`` ready again; returns how many."""
    stuck = store.inbox(InboxStatus.PROCESSING)
    for entry in stuck:
        store.fail(entry.id, "interrupted: the service stopped while working on it", now)
    return len(stuck)


class Worker:
    """Claims and works inbox entries until ``stop`` is set."""

    def __init__(
        self,
        store: Store,
        process: Process,
        clock: Clock,
        *,
        lock: threading.Lock,
        stop: threading.Event,
        backoff: Backoff | None = None,
        batch: int = 50,
        on_outcome: Callable[[str, InboxEntry], None] | None = None,
        targets_of: TargetsOf | None = None,
        stale_after: timedelta | None = None,
        heartbeat: Heartbeat | None = None,
        idle_wait: float = 0.5,
        retention: timedelta | None = None,
    ) -> None:
        self._store = store
        self._retention = retention
        self._next_prune = 0.0
        self._stale_after = stale_after
        self._in_flight: tuple[int, ...] = ()
        self._unsettled: set[int] = set()
        self._process = process
        self._clock = clock
        self._lock = lock
        self._stop = stop
        self._backoff = backoff or Backoff()
        self._batch = batch
        self._on_outcome = on_outcome or (lambda outcome, entry: None)
        self._targets_of = targets_of
        self._heartbeat = heartbeat
        self._idle_wait = idle_wait

    def step(self) -> float:
        """One round for the supervisor: seconds to wait before the next
        (none while work is waiting; intake's wake cuts the wait short).
        Finished entries past the retention are pruned first, when due."""
        self.prune_when_due()
        return 0.0 if self.drain_once() else self._idle_wait

    def prune_when_due(self) -> int:
        """Delete finished entries older than the retention, at most once per
        :data:`PRUNE_EVERY`; returns how many were deleted."""
        if self._retention is None or self._clock.monotonic() < self._next_prune:
            return 0
        self._next_prune = self._clock.monotonic() + PRUNE_EVERY
        pruned = self._store.prune_inbox(self._clock.now() - self._retention)
        if pruned:
            log.info("inbox.pruned", entries=pruned, kept_for=str(self._retention))
        return pruned

    def drain_once(self) -> int:
        """Claim one batch and work it; returns how many entries were claimed.
        Raises :class:`StoreError` when the store fails."""
        self._hand_back()
        entries = self._store.claim(self._clock.now(), self._batch, stale_after=self._stale_after)
        if not entries:
            return 0
        self._in_flight = tuple(entry.id for entry in entries)
        self._unsettled = set(self._in_flight)
        try:
            return self._work(entries)
        finally:
            self._in_flight = ()

    def _hand_back(self) -> None:
        """Make the entries a store failure left claimed ready again. On a
        shared store they are left to go stale instead: another replica may
        already have claimed them again."""
        if self._stale_after is not None:
            self._unsettled.clear()
        for entry_id in sorted(self._unsettled):
            now = self._clock.now()
            self._store.fail(entry_id, "interrupted: the store failed while it was worked on", now)
            self._unsettled.discard(entry_id)

    def in_flight(self) -> tuple[int, ...]:
        """The ids of the entries being worked on now (their claims to re-stamp)."""
        return self._in_flight

    def _work(self, entries: Sequence[InboxEntry]) -> int:
        started = time.perf_counter()
        began = self._clock.now()
        coalesced = 0
        with holding(self._lock, self._heartbeat):
            try:
                self._process(entries)
            except StoreError:
                raise  # not the entries' fault: the round ends, they are handed back
            except Exception as error:  # noqa: BLE001 - isolate, then retry or park
                if len(entries) == 1:
                    self._failed(entries[0], error)
                else:
                    self._one_by_one(entries)
            else:
                for entry in entries:
                    self._done(entry)
                coalesced = self._coalesce(entries, began)
        log.debug(
            "worker.batch",
            entries=len(entries),
            coalesced=coalesced,
            kinds=sorted({entry.event for entry in entries}),
            ms=round((time.perf_counter() - started) * 1000, 1),
        )
        return len(entries)

    def _one_by_one(self, entries: Sequence[InboxEntry]) -> None:
        for index, entry in enumerate(entries):
            if self._stop.is_set():  # hand the rest back, ready for the next start
                for left in entries[index:]:
                    self._store.fail(left.id, "interrupted by shutdown", self._clock.now())
                    self._unsettled.discard(left.id)
                return
            try:
                self._process([entry])
            except StoreError:
                raise
            except Exception as error:  # noqa: BLE001 - one poison entry
                self._failed(entry, error)
            else:
                self._done(entry)

    def _coalesce(self, entries: Sequence[InboxEntry], began: datetime) -> int:
        """Mark done the waiting entries this round already answered; returns how many."""
        if self._targets_of is None or not self._store.inbox_depth():
            return 0
        hints = {entry.item_hint for entry in entries if entry.item_hint}
        if not hints:
            return 0
        covered = {
            (source, key)
            for entry in entries
            for source, keys in self._safe_targets(entry).items()
            for key in keys
        }
        absorbed = 0
        for waiting in self._store.inbox(InboxStatus.PENDING):
            if waiting.item_hint not in hints or waiting.received_at > began:
                continue
            wanted = {(s, k) for s, keys in self._safe_targets(waiting).items() for k in keys}
            if wanted and wanted <= covered:
                self._store.complete(waiting.id)
                self._on_outcome("coalesced", waiting)
                absorbed += 1
        return absorbed

    def _safe_targets(self, entry: InboxEntry) -> Mapping[str, Sequence[str]]:
        assert self._targets_of is not None
        try:
            return self._targets_of(entry)
        except GoldthreadError:
            return {}

    def _done(self, entry: InboxEntry) -> None:
        self._store.complete(entry.id)
        self._unsettled.discard(entry.id)
        self._on_outcome("done", entry)

    def _failed(self, entry: InboxEntry, error: BaseException) -> None:
        retry_after = error.retry_after if isinstance(error, RetriableError) else None
        when = self._backoff.next_attempt(entry.attempts, self._clock.now(), retry_after)
        text = f"{type(error).__name__}: {error}"
        self._store.fail(entry.id, text, when)
        self._unsettled.discard(entry.id)
        outcome = "dead" if when is None else "retry"
        log.warning(
            "worker.entry_failed",
            entry=entry.id,
            kind=entry.event,
            ref=entry.item_hint,
            attempts=entry.attempts,
            outcome=outcome,
            error=text,
        )
        self._on_outcome(outcome, entry)


def entry_targets(
    entries: Sequence[InboxEntry],
    targets_of: Callable[[InboxEntry], Mapping[str, Sequence[str]]],
) -> dict[str, list[str]]:
    """The union of the entries' targets, per source, in order, without repeats."""
    merged: dict[str, list[str]] = {}
    for entry in entries:
        for source, keys in targets_of(entry).items():
            bucket = merged.setdefault(source, [])
            bucket += [key for key in keys if key not in bucket]
    return merged
