"""Deterministic fault injection for the stand-ins.

A :class:`FaultPlan` decides, per request, whether to answer with an error,
delay, or drop the connection. Decisions come from a seeded RNG, so the same
seed and the same request sequence give the same faults.
"""

from __future__ import annotations

import random
import threading
from dataclasses import dataclass, field


@dataclass(frozen=True, slots=True)
class Fault:
    """One injected misbehaviour. ``status`` 0 with ``drop`` closes the socket."""

    status: int = 0
    retry_after: float | None = None
    delay: float = 0.0
    drop: bool = False
    truncate: bool = False  # send a 200 with a cut-off JSON body
    secondary_limit: bool = False  # GitHub: 403 "You have exceeded a secondary rate limit"


@dataclass(slots=True)
class FaultPlan:
    """Error rates and kinds; ``methods``/``path_contains`` narrow what is hit.

    ``error_rate`` picks among ``statuses`` (e.g. ``[500, 502, 429, 403]``);
    429 and 403 carry ``Retry-After: retry_after``; 403 is GitHub's
    secondary-limit form. ``drop_rate`` closes the connection without an
    answer; ``truncate_rate`` sends a cut JSON body; ``latency`` delays every
    matching answer; ``fail_next`` forces the next N matching requests to fail
    with ``statuses[0]`` (handy in tests); ``slow_next`` delays the next N
    matching requests by ``slow_delay`` seconds before they are handled (a
    write that outlives the client's timeout still happens).
    """

    seed: int = 0
    error_rate: float = 0.0
    statuses: list[int] = field(default_factory=lambda: [500])
    retry_after: float = 1.0
    drop_rate: float = 0.0
    truncate_rate: float = 0.0
    latency: float = 0.0
    methods: frozenset[str] = frozenset()
    path_contains: str = ""
    fail_next: int = 0
    slow_next: int = 0
    slow_delay: float = 0.0
    _rng: random.Random = field(init=False, repr=False)
    _lock: threading.Lock = field(init=False, repr=False, default_factory=threading.Lock)

    def __post_init__(self) -> None:
        self._rng = random.Random(self.seed)

    def decide(self, method: str, path: str) -> Fault | None:
        if self.methods and method.upper() not in self.methods:
            return None
        if self.path_contains and self.path_contains not in path:
            return None
        with self._lock:
            if self.slow_next > 0:
                self.slow_next -= 1
                return Fault(delay=self.slow_delay)
            if self.fail_next > 0:
                self.fail_next -= 1
                return self._error(self.statuses[0])
            roll = self._rng.random()
            if roll < self.drop_rate:
                return Fault(drop=True, delay=self.latency)
            roll -= self.drop_rate
            if roll < self.truncate_rate:
                return Fault(truncate=True, delay=self.latency)
            roll -= self.truncate_rate
            if roll < self.error_rate:
                return self._error(self._rng.choice(self.statuses))
        if self.latency:
            return Fault(delay=self.latency)
        return None

    def _error(self, status: int) -> Fault:
        if status in (429, 403):
            return Fault(
                status=status,
                retry_after=self.retry_after,
                secondary_limit=status == 403,
                delay=self.latency,
            )
        return Fault(status=status, delay=self.latency)
