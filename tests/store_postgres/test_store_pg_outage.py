"""The PostgreSQL store through a server outage, on a cluster of the test's
own: a bounded call fails within its wait instead of the pool's, the same
store (no reopening) answers again as soon as the server is back, and a
clean restart that left every pooled connection dead costs no call an error.
(Outages longer than the pool's reconnection window are the reliability
suite's: ``tests/reliability/test_reliability_database.py``.)"""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator

import pytest
from support_cluster import PrivateCluster

from goldthread.errors import StoreError
from goldthread.store import Store, open_store

SLACK_S = 1.5
"""Beyond a call's own wait, for a loaded machine."""
BACK_WITHIN_S = 5.0


@pytest.fixture(scope="module")
def cluster() -> Iterator[PrivateCluster]:
    with PrivateCluster() as running:
        yield running


@pytest.fixture
def store(cluster: PrivateCluster) -> Iterator[Store]:
    if not cluster.running():
        cluster.start()
    with open_store(cluster.url) as opened:
        yield opened


def _answers_within(store: Store, seconds: float) -> float:
    """Seconds until ``store`` passes its probe; fails past ``seconds``."""
    started = time.monotonic()
    while True:
        try:
            store.probe()
        except StoreError:
            if time.monotonic() - started > seconds:
                raise
            time.sleep(0.05)
        else:
            return time.monotonic() - started


def test_a_bounded_call_fails_within_its_wait_while_the_server_is_down(
    cluster: PrivateCluster, store: Store
) -> None:
    quick = store.bounded(0.5)
    quick.probe()
    cluster.kill()

    started = time.monotonic()
    with pytest.raises(StoreError, match="cannot reach the PostgreSQL server"):
        quick.probe()
    assert time.monotonic() - started < 0.5 + SLACK_S

    cluster.start()
    _answers_within(quick, BACK_WITHIN_S)


def test_a_clean_restart_costs_no_call_a_dead_connection(
    cluster: PrivateCluster, store: Store
) -> None:
    at_once = 6
    start = threading.Barrier(at_once)
    failures: list[str] = []

    def call(rounds: int) -> None:
        start.wait()
        for _ in range(rounds):
            try:
                store.bounded(1.0).probe()
            except StoreError as error:
                failures.append(str(error))

    def together(rounds: int) -> None:
        threads = [threading.Thread(target=call, args=(rounds,)) for _ in range(at_once)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(30)

    together(20)  # the pool grows: several connections, all idle afterwards
    assert failures == []
    cluster.restart()

    together(1)
    assert failures == []
