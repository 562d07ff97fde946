"""The digest loop of ``goldthread run``: one more supervised loop.

Each round prepares the period the clock is in, once (see
:mod:`goldthread.digests.periods`), and sends the messages that are due. On
a shared store the round runs only under the lease ``digest``: one replica
sends at a time, and proves it still holds the lease before each message,
so a replica that stalled never sends what its successor sends. The loop
never takes the lock the worker and poller share, so a slow or failing
target never holds write-back up.
"""

from __future__ import annotations

from collections.abc import Callable

from goldthread.clock import Clock
from goldthread.config import ResolvedSecrets, Settings
from goldthread.digests.delivering import QueueOutcome, work_queue
from goldthread.digests.periods import prepare_due, seconds_to_next
from goldthread.service.leasing import Leases
from goldthread.store.base import Store

DIGEST_LEASE = "digest"
TICK_SECONDS = 60.0
"""The longest the loop sleeps between rounds: how soon a retry that came
due, or a period that began, is seen."""


class DigestLoop:
    """Prepares periods and works the delivery queue, round after round."""

    def __init__(  # noqa: PLR0917 - the loop's parts, each named once
        self,
        settings: Settings,
        store: Store,
        secrets: ResolvedSecrets,
        clock: Clock,
        leases: Leases | None,
        on_outcome: Callable[[QueueOutcome], None] = lambda outcome: None,
        *,
        tick: float = TICK_SECONDS,
    ) -> None:
        self.settings = settings
        self.store = store
        self.secrets = secrets
        self.clock = clock
        self.leases = leases
        self.on_outcome = on_outcome
        self.tick = tick

    def step(self) -> float:
        """One round; the seconds to wait before the next."""
        if self.leases is not None and self.leases.take(DIGEST_LEASE) is None:
            return self.tick  # another replica sends
        prepare_due(self.settings, self.store, self.clock.now())
        outcome = work_queue(
            self.settings, self.store, self.secrets.notify, self.clock, fence=self._fence
        )
        self.on_outcome(outcome)
        return min(self.tick, max(0.5, seconds_to_next(self.settings, self.clock.now())))

    def _fence(self) -> None:
        if self.leases is not None:
            self.leases.check(DIGEST_LEASE)
