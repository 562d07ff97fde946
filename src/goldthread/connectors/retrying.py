"""The one retry policy for tracker calls.

Connectors translate library errors into :mod:`goldthread.errors` types at
the boundary; this policy decides on those types alone. A
:class:`~goldthread.errors.RetriableError` carrying ``retry_after`` waits
exactly that long (never less); one without it backs off exponentially with
jitter. Rate-limit errors without a hint start at ``rate_limit_floor``
seconds (GitHub: a minute for secondary limits). The libraries' own retry
loops are turned off by the connectors so that retries do not multiply.

Calls that create something (a comment) must not be retried blindly: the
connector re-checks the tracker before trying again (see ``idempotent``).
"""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass
from typing import TypeVar

import tenacity

from goldthread.clock import Clock
from goldthread.errors import RateLimitedError, RetriableError

T = TypeVar("T")


@dataclass(frozen=True, slots=True)
class RetrySettings:
    attempts: int = 5
    base_delay: float = 1.0
    max_delay: float = 300.0
    rate_limit_floor: float = 60.0
    jitter: float = 0.25  # fraction of the back-off added at random (never subtracted)


def backoff_delay(
    error: BaseException, attempt: int, settings: RetrySettings, rng: random.Random
) -> float:
    """Seconds to wait before attempt ``attempt + 1`` after ``error``."""
    if isinstance(error, RetriableError) and error.retry_after is not None:
        return max(float(error.retry_after), 0.0)
    floor = (
        settings.rate_limit_floor if isinstance(error, RateLimitedError) else settings.base_delay
    )
    delay = min(floor * 2.0 ** max(attempt - 1, 0), settings.max_delay)
    return delay + delay * settings.jitter * rng.random()


def call_with_retry(
    fn: Callable[[], T],
    *,
    clock: Clock,
    settings: RetrySettings | None = None,
    rng: random.Random | None = None,
) -> T:
    """Run ``fn``, retrying retriable errors per the policy."""
    cfg = settings or RetrySettings()
    jitter_rng = rng or random.Random()  # noqa: S311 - jitter, not cryptography

    def wait(state: tenacity.RetryCallState) -> float:
        outcome = state.outcome
        error = outcome.exception() if outcome is not None else None
        if error is None:
            return 0.0
        return backoff_delay(error, state.attempt_number, cfg, jitter_rng)

    retrying = tenacity.Retrying(
        retry=tenacity.retry_if_exception_type(RetriableError),
        wait=wait,
        stop=tenacity.stop_after_attempt(cfg.attempts),
        sleep=clock.sleep,
        reraise=True,
    )
    return retrying(fn)
