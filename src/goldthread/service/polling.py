"""The poller: repairs whatever webhooks missed.

Each source is synced incrementally every ``poll_interval`` (from its stored
cursors; a source with none is read whole) and fully reconciled every
``full_resync_interval`` (a full read also notices deleted items). Both are
jittered by ±10 % so several replicas, or several sources, do not poll in
lockstep. A poll is one :func:`goldthread.sync.cycle.run_cycle` over that one
source, run under the same lock as webhook work.

Replicas on a shared store poll each source under its lease
(:mod:`~goldthread.service.leasing`): a replica polls a source only while it
holds ``poll:<source>``, and one that does not tries again every
:attr:`Sharing.retry` seconds, so a survivor takes over within one lease
period of a holder's death. A poll that finds its lease lost ends quietly
(outcome ``lost``): it stopped writing and left the cursors alone, and the
new holder carries on.

A poll running when the service is told to stop (SIGTERM) stops before its
next page or its next write (outcome ``stopped``): a source read only in
part keeps its cursors, so the next start reads on from where the last
complete read ended, and nothing waits for the whole poll.

When a source's rate budget runs low while webhook work is waiting, its
poll is put off: live events are worth more than a repair pass.
:class:`Schedule` and :func:`should_yield` are the pure decisions.

A poll first proves the store takes writes (:meth:`Store.probe`), so a
store that is down or full costs no tracker request. The store failing
during a poll is not the source's fault: the poll is not counted against the
source's readiness, stays due, and the round ends with the error, for the
service's supervisor to retry after a short back-off; so the first poll
after an outage runs within seconds of the store's return and finds what
changed meanwhile.
"""

from __future__ import annotations

import random
import threading
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Literal

from goldthread.clock import Clock
from goldthread.config import Settings
from goldthread.connectors.base import Connector
from goldthread.core.model import RateBudget
from goldthread.errors import LeaseLostError, StoreError
from goldthread.logs import get_logger
from goldthread.service.coordinating import fenced
from goldthread.service.leasing import Leases, poll_lease
from goldthread.service.supervising import Heartbeat, holding
from goldthread.store.base import Store
from goldthread.sync.cycle import CycleOptions, CycleResult, run_cycle

log = get_logger("goldthread.service.polling")

PollKind = Literal["sync", "full"]
LOW_BUDGET = 0.1
"""Below this share of its rate budget, a source's poll yields to waiting webhook work."""
JITTER = 0.1


def jittered(seconds: float, rng: random.Random, jitter: float = JITTER) -> float:
    return seconds * rng.uniform(1 - jitter, 1 + jitter)


def should_yield(budget: RateBudget | None, inbox_depth: int, floor: float = LOW_BUDGET) -> bool:
    """Whether to put a poll off: webhook work waits and the budget is nearly spent."""
    if inbox_depth <= 0 or budget is None or budget.remaining is None or not budget.limit:
        return False
    return budget.remaining < budget.limit * floor


Guard = Callable[[Connector, Callable[[], None]], Connector]
"""A source's connector whose writes pass the given fence first."""


@dataclass(frozen=True, slots=True)
class Sharing:
    """How a replica on a shared store polls: under a lease per source."""

    leases: Leases
    guard: Guard
    retry: float
    """Seconds between attempts to take a lease another replica holds."""


@dataclass(frozen=True, slots=True)
class PollOutcome:
    """One poll as it ended: ``outcome`` is ``ok``, ``errors``, ``crashed``,
    ``yielded``, ``lost`` (another replica took the source's lease over) or
    ``stopped`` (the service is stopping)."""

    source: str
    kind: PollKind
    outcome: str
    seconds: float = 0.0
    result: CycleResult | None = None

    @property
    def failed(self) -> bool:
        """Whether this poll counts against the source's readiness."""
        if self.outcome == "crashed":
            return True
        return self.result is not None and self.source in self.result.failed_sources


@dataclass(slots=True)
class _Next:
    sync: float
    full: float


class Schedule:
    """When each source polls next, on the monotonic clock."""

    def __init__(
        self,
        sources: list[str],
        now: float,
        poll_interval: float,
        full_interval: float,
        rng: random.Random,
    ) -> None:
        self._poll = poll_interval
        self._full = full_interval
        self._rng = rng
        self._next = {name: _Next(now, now + jittered(full_interval, rng)) for name in sources}

    def due(self, now: float) -> list[tuple[str, PollKind]]:
        """Sources due now; a due full reconciliation replaces the incremental sync."""
        found: list[tuple[str, PollKind]] = []
        for name, when in self._next.items():
            if when.full <= now:
                found.append((name, "full"))
            elif when.sync <= now:
                found.append((name, "sync"))
        return found

    def done(self, source: str, kind: PollKind, now: float) -> None:
        when = self._next[source]
        when.sync = now + jittered(self._poll, self._rng)
        if kind == "full":
            when.full = now + jittered(self._full, self._rng)

    def hasten(self, source: str, seconds: float, now: float) -> None:
        """Sync ``source`` again within ``seconds`` (writes are waiting for it)."""
        when = self._next[source]
        when.sync = min(when.sync, now + max(seconds, 0.0))

    def postpone(self, source: str, seconds: float, now: float) -> None:
        when = self._next[source]
        when.sync = max(when.sync, now + seconds)
        when.full = max(when.full, now + seconds)

    def wait(self, now: float) -> float:
        """Seconds until the next poll is due (0 when one is)."""
        soonest = min((min(w.sync, w.full) for w in self._next.values()), default=now + 60)
        return max(0.0, soonest - now)


class Poller:
    """Runs due polls until ``stop`` is set."""

    def __init__(
        self,
        settings: Settings,
        store: Store,
        connectors: Mapping[str, Connector],
        clock: Clock,
        *,
        lock: threading.Lock,
        stop: threading.Event,
        confirmed: bool,
        on_result: Callable[[PollOutcome], None],
        rng: random.Random | None = None,
        sharing: Sharing | None = None,
        heartbeat: Heartbeat | None = None,
        max_wait: float = 1.0,
    ) -> None:
        self._settings = settings
        self._sharing = sharing
        self._store = store
        self._connectors = connectors
        self._clock = clock
        self._lock = lock
        self._stop = stop
        self._confirmed = confirmed
        self._on_result = on_result
        self._heartbeat = heartbeat
        self._max_wait = max_wait
        daemon = settings.daemon
        self.poll_interval = daemon.poll_interval.total_seconds()
        self.schedule = Schedule(
            list(connectors),
            clock.monotonic(),
            self.poll_interval,
            daemon.full_resync_interval.total_seconds(),
            rng or random.Random(),  # noqa: S311 - jitter, not security
        )

    def step(self) -> float:
        """One round for the supervisor: the due polls; then seconds to wait.
        Raises :class:`StoreError` when the store fails."""
        self.poll_due()
        return min(self._max_wait, self.schedule.wait(self._clock.monotonic()))

    def poll_due(self) -> int:
        """Run every poll due now; returns how many ran."""
        ran = 0
        for source, kind in self.schedule.due(self._clock.monotonic()):
            if self._stop.is_set():
                break
            connector = self._connectors[source]
            if not self._leased(source):
                continue
            if should_yield(connector.budget(), self._store.inbox_depth()):
                delay = min(self.poll_interval, 60.0)
                self.schedule.postpone(source, delay, self._clock.monotonic())
                log.info("poll.yielded", source=source, kind=kind, seconds=delay)
                self._on_result(PollOutcome(source, kind, "yielded"))
                continue
            self._poll(source, kind, connector)
            ran += 1
        return ran

    def _leased(self, source: str) -> bool:
        """Whether this replica may poll ``source`` now (always, unshared)."""
        if self._sharing is None or self._sharing.leases.take(poll_lease(source)) is not None:
            return True
        self.schedule.postpone(source, self._sharing.retry, self._clock.monotonic())
        return False

    def _poll(self, source: str, kind: PollKind, connector: Connector) -> None:
        self._store.probe()
        started = self._clock.monotonic()
        store = self._store
        if self._sharing is not None:
            leases, name = self._sharing.leases, poll_lease(source)

            def fence() -> None:
                leases.check(name)

            connector = self._sharing.guard(connector, fence)
            store = fenced(store, fence)
        options = CycleOptions(
            kind="backfill" if kind == "full" else "sync",
            writeback=self._settings.writeback.enabled,
            apply=not self._settings.writeback.dry_run,
            confirmed=self._confirmed,
            patience=self._settings.daemon.poll_interval,
        )
        result: CycleResult | None = None
        lost = False
        try:
            with holding(self._lock, self._heartbeat):
                result = run_cycle(
                    self._settings,
                    store,
                    {source: connector},
                    options,
                    clock=self._clock,
                    stop=self._stop.is_set,
                )
        except LeaseLostError:
            lost = True
        except StoreError:
            raise  # not the source's fault: the poll stays due, the round retries
        except Exception as error:  # a poll must never end the poller
            text = f"{type(error).__name__}: {error}"
            log.exception("poll.crashed", source=source, kind=kind, error=text)
        seconds = self._clock.monotonic() - started
        self.schedule.done(source, kind, self._clock.monotonic())
        resume = result.resume_at.get(source) if result is not None else None
        if resume is not None:  # comments left for later: go on when their slot comes
            wait = (resume - self._clock.now()).total_seconds()
            self.schedule.hasten(source, wait, self._clock.monotonic())
        if lost or (
            self._sharing is not None and not self._sharing.leases.holds(poll_lease(source))
        ):
            log.warning(
                "poll.lease_lost", source=source, kind=kind, hint="another replica polls it"
            )
            self._on_result(PollOutcome(source, kind, "lost", seconds))
            return
        if result is not None and result.stopped:
            log.info("poll.stopped", source=source, kind=kind, seconds=round(seconds, 3))
            self._on_result(PollOutcome(source, kind, "stopped", seconds, result))
            return
        outcome = "crashed" if result is None else "ok" if result.ok else "errors"
        self._on_result(PollOutcome(source, kind, outcome, seconds, result))
