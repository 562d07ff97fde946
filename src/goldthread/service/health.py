"""Liveness and readiness.

``/healthz`` only says the process answers. ``/readyz`` says whether it can
do its job: the store answers, and no source has failed its last
``failure_threshold`` polls in a row (one bad poll is a blip the next one
repairs; several mean the tracker or its credentials are gone). The decision
is the pure :func:`readiness`; :class:`Health` keeps the counts.
"""

from __future__ import annotations

import threading
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from goldthread.errors import StoreError
from goldthread.store.base import Store

FAILURE_THRESHOLD = 3


@dataclass(frozen=True, slots=True)
class Readiness:
    ready: bool
    problems: tuple[str, ...]


def readiness(
    store_error: str | None, failures: Mapping[str, int], threshold: int = FAILURE_THRESHOLD
) -> Readiness:
    """Ready unless the store failed or a source failed ``threshold`` polls in a row."""
    problems = [f"store: {store_error}"] if store_error else []
    problems += [
        f"source {name}: its last {count} polls failed"
        for name, count in sorted(failures.items())
        if count >= threshold
    ]
    return Readiness(not problems, tuple(problems))


class Health:
    """Consecutive poll failures per source, and a probe of the store."""

    def __init__(
        self, store: Store, sources: Iterable[str], threshold: int = FAILURE_THRESHOLD
    ) -> None:
        self._store = store
        self._threshold = threshold
        self._failures = dict.fromkeys(sources, 0)
        self._lock = threading.Lock()

    def poll_finished(self, source: str, *, ok: bool) -> None:
        with self._lock:
            self._failures[source] = 0 if ok else self._failures.get(source, 0) + 1

    def failures(self) -> dict[str, int]:
        with self._lock:
            return dict(self._failures)

    def check(self) -> Readiness:
        """Probe the store now and judge readiness."""
        error: str | None = None
        try:
            self._store.inbox_depth()
        except StoreError as exc:
            error = str(exc)
        return readiness(error, self.failures(), self._threshold)
