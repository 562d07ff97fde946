"""Supervised loops: a round that raises is logged and retried after a
jittered back-off, the loop never ends but by the stop, and its heartbeat
says when it stalled."""

from __future__ import annotations

import random
import threading

import pytest
from service_helpers import wait_for

from goldthread.clock import FakeClock, SystemClock
from goldthread.errors import StoreError
from goldthread.service.supervising import (
    Heartbeat,
    Loop,
    Pulse,
    Retreat,
    holding,
    periodic,
    stalled,
    supervise,
)

QUICK = Retreat(first=0.001, cap=0.004)


def _pulse(**fields: object) -> Pulse:
    values: dict[str, object] = {
        "loop": "poller",
        "since_beat": 0.0,
        "busy": False,
        "started": True,
        "failures": 0,
        "last_error": None,
        "bound": 10.0,
        "busy_bound": 100.0,
    }
    values.update(fields)
    return Pulse(**values)  # type: ignore[arg-type]


def test_the_back_off_doubles_up_to_its_cap_with_jitter() -> None:
    retreat = Retreat(first=0.25, cap=2.0, jitter=0.25)
    rng = random.Random(3)
    delays = [retreat.delay(failures, rng) for failures in range(1, 8)]

    assert 0.1875 <= delays[0] <= 0.3125
    assert 0.375 <= delays[1] <= 0.625
    assert all(1.5 <= delay <= 2.5 for delay in delays[3:])
    assert len({round(delay, 6) for delay in delays[3:]}) > 1, "jittered, not in step"


@pytest.mark.parametrize(
    ("fields", "why"),
    [
        ({"since_beat": 9.0}, None),
        ({"since_beat": 11.0, "started": False}, None),
        ({"since_beat": 50.0, "busy": True}, None),
        ({"since_beat": 11.0}, "loop poller: no progress for 11s"),
        (
            {"since_beat": 12.0, "failures": 4, "last_error": "StoreError: down"},
            "loop poller: no progress for 12s (last error: StoreError: down)",
        ),
        ({"since_beat": 101.0, "busy": True}, "loop poller: no progress for 101s"),
    ],
)
def test_a_loop_is_stalled_past_its_bound_or_a_busy_round_past_the_longer_one(
    fields: dict[str, object], why: str | None
) -> None:
    assert stalled(_pulse(**fields)) == why


def test_a_loop_outlives_rounds_that_raise_and_beats_again_when_one_ends_well() -> None:
    failures = [StoreError("store down"), RuntimeError("a bug"), KeyError("x")]
    rounds: list[str] = []
    stop = threading.Event()

    def step() -> float:
        if failures:
            rounds.append("failed")
            raise failures.pop(0)
        rounds.append("ok")
        if rounds.count("ok") == 3:
            stop.set()
        return 0.0

    heartbeat = Heartbeat("worker", SystemClock(), bound=10, busy_bound=60)
    supervise(Loop(step, heartbeat), stop, retreat=QUICK, rng=random.Random(1))

    assert rounds == ["failed", "failed", "failed", "ok", "ok", "ok"]
    assert heartbeat.errors == 3
    assert heartbeat.pulse().failures == 0
    assert stalled(heartbeat.pulse()) is None


def test_a_loop_whose_rounds_keep_failing_is_stalled_after_its_bound_and_says_why() -> None:
    clock = FakeClock()
    heartbeat = Heartbeat("poller", clock, bound=10, busy_bound=600)
    heartbeat.started()
    for _ in range(3):
        heartbeat.round_started()
        clock.advance(4)
        heartbeat.round_failed(StoreError("store x: reading failed"))

    why = stalled(heartbeat.pulse())
    assert (
        why == "loop poller: no progress for 12s (last error: StoreError: store x: reading failed)"
    )
    heartbeat.round_started()
    heartbeat.round_ended()
    assert stalled(heartbeat.pulse()) is None


def test_a_long_round_that_shows_progress_is_not_stalled_until_its_busy_bound() -> None:
    clock = FakeClock()
    heartbeat = Heartbeat("poller", clock, bound=10, busy_bound=600)
    heartbeat.started()
    heartbeat.round_started()
    clock.advance(5)
    heartbeat.beat()  # a page read and stored
    clock.advance(300)  # the tracker asked for five minutes of quiet

    assert stalled(heartbeat.pulse()) is None
    clock.advance(301)
    assert stalled(heartbeat.pulse()) == "loop poller: no progress for 601s"


def test_a_round_stuck_before_any_progress_is_stalled_after_the_short_bound() -> None:
    clock = FakeClock()
    heartbeat = Heartbeat("worker", clock, bound=10, busy_bound=600)
    heartbeat.started()
    heartbeat.round_started()
    clock.advance(11)

    assert stalled(heartbeat.pulse()) == "loop worker: no progress for 11s"


def test_waiting_for_a_lock_another_loop_holds_is_progress() -> None:
    clock = FakeClock()
    heartbeat = Heartbeat("worker", clock, bound=10, busy_bound=600)
    lock = threading.Lock()
    lock.acquire()
    entered = threading.Event()

    def wait_for_it() -> None:
        with holding(lock, heartbeat):
            entered.set()

    waiter = threading.Thread(target=wait_for_it)
    waiter.start()
    before = heartbeat.last_beat_wall
    clock.advance(30)
    wait_for(lambda: heartbeat.last_beat_wall > before, 5, "a beat while waiting")
    lock.release()
    waiter.join(5)
    assert entered.is_set()


def test_a_periodic_loop_does_its_work_once_a_round_and_waits_its_period() -> None:
    done: list[int] = []
    step = periodic(lambda: done.append(1), 7.5)

    assert step() == 7.5
    assert done == [1]


def test_the_stop_ends_a_loop_that_is_backing_off() -> None:
    stop = threading.Event()

    def step() -> float:
        raise StoreError("down")

    heartbeat = Heartbeat("keeper", SystemClock(), bound=10, busy_bound=60)
    thread = threading.Thread(
        target=supervise, args=(Loop(step, heartbeat), stop), kwargs={"retreat": Retreat(60, 60)}
    )
    thread.start()
    wait_for(lambda: heartbeat.errors >= 1, 5, "the first failed round")
    stop.set()
    thread.join(5)
    assert not thread.is_alive()
