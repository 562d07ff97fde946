"""The one retry policy: exact Retry-After waits, back-off, and a hook before re-sending."""

from __future__ import annotations

import random

import pytest

from goldthread.clock import FakeClock
from goldthread.connectors.retrying import RetrySettings, backoff_delay, call_with_retry
from goldthread.errors import FatalSourceError, RateLimitedError, RetriableError


def _flaky(errors: list[Exception], result: str = "ok"):
    calls = {"n": 0}

    def fn() -> str:
        calls["n"] += 1
        if errors:
            raise errors.pop(0)
        return result

    return fn, calls


def test_a_retry_after_is_waited_exactly_never_less() -> None:
    clock = FakeClock()
    fn, calls = _flaky([RateLimitedError("slow down", retry_after=37.0)])
    assert call_with_retry(fn, clock=clock) == "ok"
    assert clock.sleeps == [37.0]
    assert calls["n"] == 2


def test_a_rate_limit_without_a_hint_backs_off_from_a_minute() -> None:
    delay = backoff_delay(RateLimitedError("limited"), 1, RetrySettings(jitter=0), random.Random(1))
    assert delay == 60.0


def test_plain_retriable_errors_back_off_exponentially_and_capped() -> None:
    cfg = RetrySettings(base_delay=1.0, max_delay=5.0, jitter=0)
    rng = random.Random(1)
    delays = [backoff_delay(RetriableError("5xx"), n, cfg, rng) for n in (1, 2, 3, 4)]
    assert delays == [1.0, 2.0, 4.0, 5.0]


def test_attempts_are_bounded_and_the_last_error_is_raised() -> None:
    clock = FakeClock()
    fn, calls = _flaky([RetriableError(f"e{i}") for i in range(10)])
    with pytest.raises(RetriableError, match="e2"):
        call_with_retry(fn, clock=clock, settings=RetrySettings(attempts=3))
    assert calls["n"] == 3


def test_errors_that_are_not_retriable_are_raised_at_once() -> None:
    clock = FakeClock()
    fn, calls = _flaky([FatalSourceError("bad credentials")])
    with pytest.raises(FatalSourceError):
        call_with_retry(fn, clock=clock)
    assert calls["n"] == 1
    assert clock.sleeps == []
