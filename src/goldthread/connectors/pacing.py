"""Pacing of requests so goldthread never bursts into a tracker's limits.

:class:`WritePacer` spaces mutating requests to ``writes_per_minute`` (and at
least ``min_interval`` apart: GitHub asks for a second between content
writes). :class:`BudgetThrottle` slows reads down *before* the primary budget
runs out, spreading what is left over the time until the reset.
:class:`SharedPacer` spaces writes across several processes that share one
credential: each write reserves the next slot of a line kept elsewhere (the
store, for replicas of ``goldthread run``), passed in as a function.

Reads need no shared line: the trackers count the budget per credential and
report what is left in every answer, so each process's
:class:`BudgetThrottle` already sees what the others spent.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from goldthread.clock import Clock


class WritePacer:
    def __init__(self, writes_per_minute: int, clock: Clock, *, min_interval: float = 0.0) -> None:
        if writes_per_minute <= 0:
            raise ValueError("writes_per_minute must be positive")
        self.interval = max(60.0 / writes_per_minute, min_interval)
        self._clock = clock
        self._next = 0.0
        self._lock = threading.Lock()

    def wait(self) -> float:
        """Block until the next write may go; return the seconds waited."""
        with self._lock:
            now = self._clock.monotonic()
            delay = max(self._next - now, 0.0)
            self._next = max(now, self._next) + self.interval
        if delay:
            self._clock.sleep(delay)
        return delay


Reserve = Callable[[timedelta, datetime], datetime]
"""Reserve the next slot of a line whose slots are the given interval apart;
returns when the slot starts (the time passed in when the line is idle)."""


class SharedPacer:
    """Spaces writes ``interval`` apart across every process reserving from one line."""

    def __init__(
        self, writes_per_minute: int, clock: Clock, reserve: Reserve, *, min_interval: float = 0.0
    ) -> None:
        if writes_per_minute <= 0:
            raise ValueError("writes_per_minute must be positive")
        self.interval = timedelta(seconds=max(60.0 / writes_per_minute, min_interval))
        self._clock = clock
        self._reserve = reserve

    def wait(self) -> float:
        """Block until this process's reserved slot starts; return the seconds waited."""
        now = self._clock.now()
        delay = max((self._reserve(self.interval, now) - now).total_seconds(), 0.0)
        if delay:
            self._clock.sleep(delay)
        return delay


class BudgetThrottle:
    """Spread the remaining request budget until its reset.

    Below ``reserve`` remaining requests, each request waits
    ``(reset - now) / remaining`` seconds, so the budget lasts until it
    refills instead of running dry and failing in a burst. ``reserve``
    keeps headroom for live work (webhooks) while a poll or backfill runs.
    """

    def __init__(self, clock: Clock, *, reserve: int = 200) -> None:
        self._clock = clock
        self.reserve = reserve
        self.remaining: int | None = None
        self.limit: int | None = None
        self.reset_at: datetime | None = None

    def observe(self, remaining: int | None, limit: int | None, reset_at: datetime | None) -> None:
        if remaining is not None:
            self.remaining = remaining
        if limit is not None:
            self.limit = limit
        if reset_at is not None:
            self.reset_at = reset_at

    def delay(self) -> float:
        if self.remaining is None or self.reset_at is None or self.remaining >= self.reserve:
            return 0.0
        seconds_left = (self.reset_at - self._clock.now()).total_seconds()
        if seconds_left <= 0:
            return 0.0
        if self.remaining <= 0:
            return seconds_left
        return seconds_left / self.remaining

    def wait(self) -> float:
        delay = self.delay()
        if delay:
            self._clock.sleep(delay)
        return delay


@dataclass(frozen=True, slots=True)
class ContentLimits:
    """A tracker's documented limit on content-creating requests (GitHub.com:
    about 80 a minute and 500 an hour), and the credential's line in the store."""

    line: str
    per_hour: int = 500
    per_minute: int = 80
    floor: float = 1.0  # seconds between any two writes of one process

    @property
    def burst(self) -> int:
        """Writes that may go back to back. A window of ``w`` seconds holds at most
        ``burst + w / interval`` of them, so the burst is the largest one that
        keeps a minute within ``per_minute`` even without the floor (several
        replicas on one line): 72 for GitHub.com's 80 and 500."""
        per_hour, per_minute = self.per_hour, self.per_minute
        return max((3600 * per_minute - 60 * per_hour) // 3540, 1)

    @property
    def interval(self) -> float:
        """Steady spacing: a full burst plus an hour of steady writes stays below
        ``per_hour`` (the extra second keeps the edge of the hour outside)."""
        return 3601.0 / (self.per_hour - self.burst)

    @property
    def tolerance(self) -> float:
        """How far ahead of the steady schedule a burst may run."""
        return (self.burst - 1) * self.interval


class ContentPacer:
    """Content-creating requests on one credential, by the generic cell rate
    algorithm over one line of the store (:data:`Reserve`).

    The line holds one time, the theoretical start of the next slot; a write
    may go ``tolerance`` ahead of it. So up to ``burst`` writes go at once
    (each still ``floor`` apart), then one every ``interval``, and no hour
    ever holds more than ``per_hour`` — across runs and replicas alike, since
    the line lives in the store. :meth:`next_slot` only looks.
    """

    def __init__(self, limits: ContentLimits, clock: Clock, reserve: Reserve) -> None:
        self.limits = limits
        self._clock = clock
        self._reserve = reserve

    def _shifted(self, now: datetime) -> datetime:
        return now - timedelta(seconds=self.limits.tolerance)

    def line_value(self, now: datetime) -> datetime:
        """The line as it stands at ``now`` (reserving nothing; the write could go at
        ``max(value, now)``)."""
        return self._reserve(timedelta(0), self._shifted(now))

    def next_slot(self, now: datetime) -> datetime:
        """When the next content write could go (reserving nothing)."""
        return max(self.line_value(now), now)

    def wait(self) -> float:
        """Take the next slot and wait for it; return the seconds waited."""
        now = self._clock.now()
        interval = timedelta(seconds=self.limits.interval)
        slot = max(self._reserve(interval, self._shifted(now)), now)
        delay = (slot - now).total_seconds()
        if delay > 0:
            self._clock.sleep(delay)
        return max(delay, 0.0)


def finish_time(
    limits: ContentLimits, start: datetime, line: datetime, writes: int, comments: int
) -> datetime:
    """When ``writes`` plain writes, then ``comments`` content writes, would be done:
    starting at ``start``, the content line standing at ``line`` (:meth:`ContentPacer.line_value`).
    Pure; it replays what :meth:`ContentPacer.wait` and the write floor do."""
    floor = timedelta(seconds=limits.floor)
    interval = timedelta(seconds=limits.interval)
    tolerance = timedelta(seconds=limits.tolerance)
    last: datetime | None = start + floor * (writes - 1) if writes else None
    for _ in range(comments):
        arrive = start if last is None else last + floor
        slot = max(line, arrive - tolerance)
        line = slot + interval
        last = max(slot, arrive)
    return last if last is not None else start
