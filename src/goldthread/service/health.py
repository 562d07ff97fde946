"""Liveness and readiness.

``/healthz`` only says the process answers. ``/readyz`` says whether it can
do its job: the store takes writes (:meth:`Store.probe`, through the
request paths' short timeout, so a store that is down answers 503 within
seconds, not after the pool's wait), every background loop is moving (see
:mod:`goldthread.service.supervising`: a stalled loop is named), and no
source has failed its last ``failure_threshold`` polls in a row (one bad poll
is a blip the next one repairs; several mean the tracker or its credentials
are gone). The decision is the pure :func:`readiness`; :class:`Health`
keeps the counts.
"""

from __future__ import annotations

import threading
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

from goldthread.errors import StoreError
from goldthread.service.supervising import Heartbeat, stalled
from goldthread.store.base import Store

FAILURE_THRESHOLD = 3


@dataclass(frozen=True, slots=True)
class Readiness:
    ready: bool
    problems: tuple[str, ...]


def readiness(
    store_error: str | None,
    failures: Mapping[str, int],
    threshold: int = FAILURE_THRESHOLD,
    stalled_loops: Sequence[str] = (),
) -> Readiness:
    """Ready unless the store failed, a loop stalled, or a source failed
    ``threshold`` polls in a row."""
    problems = [f"store: {store_error}"] if store_error else []
    problems += stalled_loops
    problems += [
        f"source {name}: its last {count} polls failed"
        for name, count in sorted(failures.items())
        if count >= threshold
    ]
    return Readiness(not problems, tuple(problems))


class Health:
    """Consecutive poll failures per source, the loops' heartbeats, and a
    probe of the store."""

    def __init__(
        self,
        store: Store,
        sources: Iterable[str],
        threshold: int = FAILURE_THRESHOLD,
        heartbeats: Sequence[Heartbeat] = (),
    ) -> None:
        self._store = store
        self._threshold = threshold
        self._failures = dict.fromkeys(sources, 0)
        self._lock = threading.Lock()
        self.heartbeats = tuple(heartbeats)

    def poll_finished(self, source: str, *, ok: bool) -> None:
        with self._lock:
            self._failures[source] = 0 if ok else self._failures.get(source, 0) + 1

    def failures(self) -> dict[str, int]:
        with self._lock:
            return dict(self._failures)

    def stalled(self) -> list[str]:
        """What is wrong with each stalled loop, in the order the loops run."""
        return [
            problem for beat in self.heartbeats if (problem := stalled(beat.pulse())) is not None
        ]

    def check(self) -> Readiness:
        """Probe the store now and judge readiness."""
        error: str | None = None
        try:
            self._store.probe()
        except StoreError as exc:
            error = str(exc)
        return self.judge(error)

    def judge(self, store_error: str | None) -> Readiness:
        """Readiness with the store's state as given (a probe that did not
        answer in time is a store error too)."""
        return readiness(store_error, self.failures(), self._threshold, self.stalled())
