"""The leases one replica holds on a shared store, kept alive and checked.

Several replicas of ``goldthread run`` on one PostgreSQL store must not poll
one source at once, so each source is polled under the lease
``poll:<source>`` (full resyncs too: they are polls). A replica that takes a
lease keeps it while it lives: a keeper thread renews every held lease each
third of ``daemon.lease_ttl``, and the other replicas keep trying to take it,
so when the holder dies a survivor takes over within one lease period of the
holder's last renewal.

A holder that stalled (a long pause, a lost network) may find its lease taken
over. Before each write and before committing cursors it proves it still
holds the lease (:meth:`Leases.check`, one atomic renewal at the store that
fails under a newer fencing token) and stops with
:class:`~goldthread.errors.LeaseLostError` when it does not.
"""

from __future__ import annotations

import os
import secrets
import socket
import threading
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta

from goldthread.clock import Clock
from goldthread.errors import LeaseLostError, StoreError
from goldthread.logs import get_logger
from goldthread.store.base import LeaseStore

log = get_logger("goldthread.service.leasing")

RENEWALS_PER_TTL = 3


def replica_name() -> str:
    """A name for this process among the replicas: host, pid and a random tail
    (a restarted pod may reuse both host name and pid)."""
    return f"{socket.gethostname()}:{os.getpid()}:{secrets.token_hex(3)}"


def poll_lease(source: str) -> str:
    return f"poll:{source}"


@dataclass(slots=True)
class _Held:
    token: int
    valid_until: float
    """Monotonic time the lease surely still runs to, as last confirmed."""


class Leases:
    """The leases this replica holds; thread-safe."""

    def __init__(
        self,
        store: LeaseStore,
        holder: str,
        ttl: timedelta,
        clock: Clock,
        *,
        on_change: Callable[[str, bool], None] | None = None,
    ) -> None:
        self.holder = holder
        self.ttl = ttl
        self._store = store
        self._clock = clock
        self._held: dict[str, _Held] = {}
        self._lock = threading.Lock()
        self._on_change = on_change or (lambda name, held: None)

    @property
    def renew_every(self) -> float:
        """Seconds between renewals of the held leases."""
        return self.ttl.total_seconds() / RENEWALS_PER_TTL

    def take(self, name: str) -> int | None:
        """Hold ``name`` from now on; its fencing token, or ``None`` while
        another replica holds it."""
        held = self._get(name)
        if held is not None:
            return held.token
        started = self._clock.monotonic()
        token = self._store.acquire_lease(name, self.holder, self.ttl, self._clock.now())
        if token is None:
            return None
        with self._lock:
            self._held[name] = _Held(token, started + self.ttl.total_seconds())
        log.info("lease.taken", lease=name, fencing=token)
        self._on_change(name, True)
        return token

    def holds(self, name: str) -> bool:
        """Whether ``name`` is held and not past its last confirmed expiry."""
        return self._get(name) is not None

    def check(self, name: str) -> None:
        """The fence: prove at the store that this replica still holds ``name``
        (extending it); raise :class:`LeaseLostError` when it does not."""
        with self._lock:
            held = self._held.get(name)
        if held is None or not self._renew(name, held):
            raise LeaseLostError(f"lease {name} is held by another replica now")

    def renew_all(self) -> None:
        """Extend every held lease; one another replica took over is dropped.
        Raises the first :class:`StoreError` once every lease was tried: a
        store that cannot be reached leaves the leases to run out."""
        with self._lock:
            held = list(self._held.items())
        failed: StoreError | None = None
        for name, lease in held:
            try:
                self._renew(name, lease)
            except StoreError as error:
                failed = failed or error
        if failed is not None:
            raise failed

    def release_all(self) -> None:
        """Give every held lease up, so another replica need not wait for expiry."""
        with self._lock:
            held, self._held = self._held, {}
        for name, lease in held.items():
            try:
                self._store.release_lease(name, self.holder, lease.token)
            except StoreError as error:
                log.warning("lease.release_failed", lease=name, error=str(error))
            self._on_change(name, False)

    def _get(self, name: str) -> _Held | None:
        with self._lock:
            held = self._held.get(name)
            if held is not None and held.valid_until <= self._clock.monotonic():
                del self._held[name]
                expired = True
            else:
                expired = False
        if expired:
            log.warning("lease.expired", lease=name, hint="renewals did not reach the store")
            self._on_change(name, False)
            return None
        return held

    def _renew(self, name: str, held: _Held) -> bool:
        started = self._clock.monotonic()
        if self._store.renew_lease(name, self.holder, held.token, self.ttl, self._clock.now()):
            with self._lock:
                held.valid_until = started + self.ttl.total_seconds()
            return True
        with self._lock:
            if self._held.get(name) is held:
                del self._held[name]
        log.warning("lease.lost", lease=name, fencing=held.token)
        self._on_change(name, False)
        return False
