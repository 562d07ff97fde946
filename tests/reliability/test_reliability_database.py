"""Two replicas on a PostgreSQL cluster of the test's own, under webhook
load, while the database is restarted cleanly, then killed and kept down
(5 s; and 60 s in the full run) and brought back.

While it is down every delivery is answered 503 with ``Retry-After`` within
about two seconds and ``/readyz`` turns 503; once it is back both replicas
are ready within seconds, without a restart. In the end: no accepted
delivery lost, no comment twice, every flag as expected, the items created
during the outages (their webhooks never reached anyone) flagged by the next
poll, and every loop of both replicas alive. The measured times are the
suite's figures (``database_*``).
"""

from __future__ import annotations

import random
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from reliability_database import LOOPS, Load, ReadinessWatch, Replica
from reliability_helpers import (
    DEADLINE_S,
    READY_WITHIN_S,
    SLACK_S,
    Workspace,
    duplicate_comments,
    flag_state,
    flagged_once,
    make_orphans,
    pick,
    record,
    repeated_creations,
)
from reliability_service import wait_until
from support_cluster import PrivateCluster
from support_metrics import metric
from support_sandbox import expected_flags

from goldthread.sandbox.control import Sandbox
from goldthread.sandbox.org import generate
from goldthread.store import InboxStatus, open_store

SEED = 20261204
ORG_SIZE = 30
FOUND_WITHIN_S = 20.0
"""After the database is back, until the next poll flagged what changed meanwhile."""
LOADED_S = 2.0
"""Plain load before the first fault and after each recovery."""


@dataclass
class Outages:
    """What the outages left to check: the items made while the database was down."""

    made: list[str] = field(default_factory=list)
    back_at: list[float] = field(default_factory=list)


@pytest.fixture
def cluster() -> Iterator[PrivateCluster]:
    with PrivateCluster() as running:
        yield running


def _ready_after(watch: ReadinessWatch, replicas: list[Replica], back: float) -> float:
    assert wait_until(lambda: watch.all_ready_since(back), 30), "a replica never got ready again"
    times = [watch.first(r.slot, back, lambda status: status == 200) for r in replicas]
    return max(t for t in times if t is not None) - back


def _restart(
    cluster: PrivateCluster, load: Load, watch: ReadinessWatch, replicas: list[Replica]
) -> None:
    started = time.monotonic()
    cluster.restart()
    back = time.monotonic()
    ready = _ready_after(watch, replicas, back)
    refused = [a for a in load.between(started, back + ready) if a.status != 202]
    record("database_restart_seconds", round(back - started, 2))
    record("database_restart_ready_s", round(ready, 2))
    assert all(a.status == 503 and a.retry_after for a in refused), refused[:5]
    assert ready <= READY_WITHIN_S + SLACK_S


def _outage(
    down: float,
    cluster: PrivateCluster,
    load: Load,
    watch: ReadinessWatch,
    replicas: list[Replica],
    outages: Outages,
) -> None:
    label = f"down_{down:.0f}s"
    killing = time.monotonic()
    cluster.kill()
    killed = time.monotonic()
    outages.made += make_orphans(load.sandbox, 900 + len(outages.back_at))
    time.sleep(max(0.0, killed + down - time.monotonic()))
    answered = load.between(killed, time.monotonic() - DEADLINE_S - SLACK_S)
    asked = watch.between(killed, time.monotonic() - DEADLINE_S - SLACK_S)
    not_ready = [watch.first(r.slot, killing, lambda status: status == 503) for r in replicas]
    cluster.start()
    back = time.monotonic()
    outages.back_at.append(back)
    ready = _ready_after(watch, replicas, back)

    slowest = max(answer.seconds for answer in answered)
    readyz_503 = max(t - killing for t in not_ready if t is not None)
    record(f"database_{label}_webhook_503_max_s", round(slowest, 2))
    record(f"database_{label}_readyz_503_s", round(readyz_503, 2))
    record(f"database_{label}_readyz_answer_max_s", round(max(a.seconds for a in asked), 2))
    record(f"database_{label}_ready_s", round(ready, 2))
    assert answered, "deliveries were sent while the database was down"
    assert {answer.status for answer in answered} == {503}, answered[:5]
    assert all(answer.retry_after == "5" for answer in answered)
    assert slowest <= DEADLINE_S + SLACK_S
    assert None not in not_ready, "every replica answered /readyz 503 while it was down"
    assert readyz_503 <= DEADLINE_S + SLACK_S
    assert {answer.status for answer in asked} == {503}, asked[:5]
    assert max(answer.seconds for answer in asked) <= DEADLINE_S + SLACK_S
    assert ready <= READY_WITHIN_S + SLACK_S


def _unprocessed(url: str, accepted: list[str]) -> list[str]:
    with open_store(url, read_only=True) as store:
        done = {entry.delivery_key for entry in store.inbox(InboxStatus.DONE)}
    return [delivery for delivery in accepted if delivery not in done]


def _loops_alive(replica: Replica) -> list[str]:
    """What is wrong with the replica's loops now (nothing: every one beats)."""
    text = replica.metrics()
    wrong = []
    for loop in LOOPS:
        if metric(text, "goldthread_loop_stalled", loop=loop) != 0:
            wrong.append(f"replica {replica.slot}: loop {loop} stalled")
        beat = metric(text, "goldthread_loop_heartbeat_timestamp_seconds", loop=loop)
        if time.time() - beat > 15:
            wrong.append(
                f"replica {replica.slot}: loop {loop} last beat {time.time() - beat:.0f}s ago"
            )
    return wrong


@pytest.mark.parametrize("downs", pick([[5.0]], [[5.0, 60.0]]))
def test_replicas_survive_a_database_restart_and_outages_losing_and_repeating_nothing(
    tmp_path: Path, cluster: PrivateCluster, downs: list[float]
) -> None:
    rng = random.Random(SEED)
    with Sandbox() as sandbox:
        sandbox.load(generate(ORG_SIZE, seed=SEED % 991))
        org = sandbox.org
        assert org is not None
        replicas = [
            Replica(sandbox, tmp_path / f"replica-{slot}", cluster.url, slot) for slot in (0, 1)
        ]
        issues = [(seed.repo, seed.number) for seed in org.github]
        load = Load(sandbox, replicas, issues, rng)
        outages = Outages()
        try:
            for replica in replicas:
                replica.start()
            assert wait_until(lambda: all(r.ready() for r in replicas), 60), replicas[0].log()[
                -3000:
            ]
            load.start()
            with ReadinessWatch(replicas) as watch:
                time.sleep(LOADED_S)
                _restart(cluster, load, watch, replicas)
                for down in downs:
                    time.sleep(LOADED_S)
                    _outage(down, cluster, load, watch, replicas, outages)
                found = wait_until(
                    lambda: all(flagged_once(sandbox, ref) for ref in outages.made),
                    FOUND_WITHIN_S,
                )
                record(
                    "database_outage_changes_found_s",
                    round(time.monotonic() - outages.back_at[-1], 2),
                )
                assert found, [ref for ref in outages.made if not flagged_once(sandbox, ref)]
            load.stop()

            accepted = load.accepted()
            assert wait_until(lambda: not _unprocessed(cluster.url, accepted), 60)
            converged = wait_until(lambda: flag_state(sandbox) == expected_flags(sandbox), 60)
            state, wanted = flag_state(sandbox), expected_flags(sandbox)
            assert converged, {
                ref: (state[ref], wanted[ref]) for ref in state if state[ref] != wanted[ref]
            }
            lost = len(_unprocessed(cluster.url, accepted))
            duplicates = duplicate_comments(sandbox) + repeated_creations(
                Workspace(sandbox, tmp_path)
            )
            record("database_deliveries_accepted", len(accepted))
            record("lost_deliveries", lost)
            record("duplicate_comments", duplicates)
            assert lost == 0
            assert duplicates == 0
            assert all(flagged_once(sandbox, ref) for ref in outages.made)
            assert all(replica.alive() for replica in replicas), (
                "no replica exited or was restarted"
            )
            assert [problem for r in replicas for problem in _loops_alive(r)] == []
            assert all(replica.ready() for replica in replicas)
        except BaseException:
            for replica in replicas:
                print(f"--- replica {replica.slot}\n{replica.log()[-4000:]}")
            raise
        finally:
            for replica in replicas:
                replica.close()
