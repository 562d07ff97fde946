"""Background loops that outlive every failure, and show whether they move.

Each loop of the service (the inbox worker, the poller, the lease keeper;
retention and digests plug in the same way) is a :class:`Loop`: a ``step``
that does one round of work and says how long to wait before the next. The
supervisor (:func:`supervise`) runs it until the service stops. A round that
raises anything is logged, the loop backs off (doubling from
``Retreat.first`` up to ``Retreat.cap`` seconds, with jitter, so replicas do
not retry in step), and it carries on; nothing but the stop ends it. A store
outage of any length therefore ends with every loop working again within
``cap`` seconds of the store coming back.

Each loop has a :class:`Heartbeat`. It beats when a round ends well, and
inside a round at every sign of progress (a store call that answered, a wait
for the lock another loop holds), so a first run that writes for an hour
still beats. A loop counts as stalled when it has not beaten for its
``bound`` seconds (its rounds keep failing, or a round is stuck before
showing any progress), or, inside a round that has shown progress, for its
longer ``busy_bound`` (a tracker may ask for minutes of quiet between two
requests). :func:`stalled` is the pure decision; ``/readyz`` names every
stalled loop and ``/metrics`` exports each heartbeat.
"""

from __future__ import annotations

import random
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any, cast

from goldthread.clock import Clock
from goldthread.errors import GoldthreadError
from goldthread.logs import get_logger
from goldthread.store.base import Store

log = get_logger("goldthread.service.supervising")

Step = Callable[[], float]
"""One round of a loop's work; returns the seconds to wait before the next."""
LOCK_BEAT_SECONDS = 1.0


@dataclass(frozen=True, slots=True)
class Retreat:
    """How long a loop waits after failed rounds: doubling, capped, jittered."""

    first: float = 0.25
    cap: float = 2.0
    jitter: float = 0.25

    def delay(self, failures: int, rng: random.Random) -> float:
        """Seconds to wait after the ``failures``-th failed round in a row."""
        base = min(self.cap, self.first * 2.0 ** max(0, failures - 1))
        return base * rng.uniform(1 - self.jitter, 1 + self.jitter)


@dataclass(frozen=True, slots=True)
class Pulse:
    """A loop's heartbeat as seen at one moment."""

    loop: str
    since_beat: float
    """Seconds since it last beat."""
    busy: bool
    """Inside a round that has shown progress since it began."""
    started: bool
    """Whether the loop runs yet (one that does not is judged from its start)."""
    failures: int
    """Rounds that failed in a row (0 once one ends well)."""
    last_error: str | None
    bound: float
    busy_bound: float


def stalled(pulse: Pulse) -> str | None:
    """Why the loop counts as stalled, or ``None`` while it moves."""
    if not pulse.started or pulse.since_beat <= (pulse.busy_bound if pulse.busy else pulse.bound):
        return None
    cause = f" (last error: {pulse.last_error})" if pulse.failures and pulse.last_error else ""
    return f"loop {pulse.loop}: no progress for {pulse.since_beat:.0f}s{cause}"


class Heartbeat:
    """When one loop last showed progress; thread-safe."""

    def __init__(self, loop: str, clock: Clock, *, bound: float, busy_bound: float) -> None:
        self.loop = loop
        self.bound = bound
        self.busy_bound = busy_bound
        self._clock = clock
        self._lock = threading.Lock()
        self._beat = clock.monotonic()
        self._beat_wall = clock.now().timestamp()
        self._round: float | None = None
        """When the round in progress began (``None`` between rounds)."""
        self._started = False
        self._failures = 0
        self._errors = 0
        self._last_error: str | None = None

    def beat(self) -> None:
        with self._lock:
            self._beat = self._clock.monotonic()
            self._beat_wall = self._clock.now().timestamp()

    def started(self) -> None:
        """The loop runs from now on: judged from here."""
        self.beat()
        with self._lock:
            self._started = True

    def round_started(self) -> None:
        with self._lock:
            self._round = self._clock.monotonic()

    def round_ended(self) -> int:
        """A round ended well; returns how many had failed in a row before it."""
        self.beat()
        with self._lock:
            failed, self._failures, self._round = self._failures, 0, None
            return failed

    def round_failed(self, error: BaseException) -> int:
        """A round raised; returns how many have failed in a row now."""
        with self._lock:
            self._round = None
            self._failures += 1
            self._errors += 1
            self._last_error = f"{type(error).__name__}: {error}"
            return self._failures

    @property
    def last_beat_wall(self) -> float:
        """The last beat as a Unix timestamp (for ``/metrics``)."""
        with self._lock:
            return self._beat_wall

    @property
    def errors(self) -> int:
        """Rounds that failed since the loop started."""
        with self._lock:
            return self._errors

    def pulse(self) -> Pulse:
        with self._lock:
            return Pulse(
                loop=self.loop,
                since_beat=max(0.0, self._clock.monotonic() - self._beat),
                busy=self._round is not None and self._beat > self._round,
                started=self._started,
                failures=self._failures,
                last_error=self._last_error,
                bound=self.bound,
                busy_bound=self.busy_bound,
            )


@dataclass(frozen=True, slots=True)
class Loop:
    """One background loop: its round, its heartbeat, and what wakes it early."""

    step: Step
    heartbeat: Heartbeat
    wake: threading.Event | None = None
    """Set to start the next round before the wait is over (cleared on waking)."""

    @property
    def name(self) -> str:
        return self.heartbeat.loop


def supervise(
    loop: Loop,
    stop: threading.Event,
    *,
    retreat: Retreat | None = None,
    rng: random.Random | None = None,
) -> None:
    """Run ``loop`` round after round until ``stop`` is set; no exception ends it."""
    retreat = retreat or Retreat()
    rng = rng or random.Random()  # noqa: S311 - jitter, not security
    beat = loop.heartbeat
    beat.started()
    while not stop.is_set():
        beat.round_started()
        try:
            wait = loop.step()
        except Exception as error:  # noqa: BLE001 - the loop must outlive anything
            failures = beat.round_failed(error)
            delay = retreat.delay(failures, rng)
            _log_failure(loop.name, failures, error, delay)
            stop.wait(delay)  # not cut short by ``wake``: a failing loop backs off
            continue
        failed = beat.round_ended()
        if failed:
            log.info("loop.recovered", loop=loop.name, failed_rounds=failed)
        _pause(loop, stop, wait)


def periodic(work: Callable[[], object], every: float) -> Step:
    """A step that does ``work`` once a round, ``every`` seconds (the shape
    of the keeper, and of retention or digests when they come)."""

    def step() -> float:
        work()
        return every

    return step


def _pause(loop: Loop, stop: threading.Event, seconds: float) -> None:
    if seconds <= 0:
        return
    if loop.wake is None:
        stop.wait(seconds)
        return
    loop.wake.wait(seconds)
    loop.wake.clear()


def _log_failure(name: str, failures: int, error: Exception, wait: float) -> None:
    """The first failure in a row (with its traceback when it is not one of
    goldthread's own errors: that is a bug); then at 2, 4, 8 … in a row, so
    an outage of an hour is a handful of lines, not thousands."""
    text = f"{type(error).__name__}: {error}"
    if failures == 1:
        trace = None if isinstance(error, GoldthreadError) else error
        log.warning(
            "loop.failed",
            loop=name,
            failures=failures,
            error=text,
            retry_in=round(wait, 2),
            exc_info=trace,
        )
    elif failures & (failures - 1) == 0:
        log.warning(
            "loop.still_failing", loop=name, failures=failures, error=text, retry_in=round(wait, 2)
        )


@contextmanager
def holding(lock: threading.Lock, heartbeat: Heartbeat | None) -> Iterator[None]:
    """Hold ``lock`` for the block, beating while waiting for it: waiting on
    another loop's round is not being stuck (that loop has its own heartbeat)."""
    while not lock.acquire(timeout=LOCK_BEAT_SECONDS):
        if heartbeat is not None:
            heartbeat.beat()
    try:
        yield
    finally:
        lock.release()


class BeatingStore:
    """``store``, beating ``heartbeat`` after every call that answered: the
    progress a long round shows."""

    def __init__(self, store: Store, heartbeat: Heartbeat) -> None:
        self._store = store
        self._heartbeat = heartbeat

    def __getattr__(self, name: str) -> Any:
        found = getattr(self._store, name)
        if not callable(found):
            return found

        def call(*args: Any, **kwargs: Any) -> Any:
            result = found(*args, **kwargs)
            self._heartbeat.beat()
            return result

        return call


def beating(store: Store, heartbeat: Heartbeat) -> Store:
    """``store`` as a :class:`Store` whose answered calls beat ``heartbeat``."""
    return cast(Store, BeatingStore(store, heartbeat))
