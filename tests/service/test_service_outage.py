"""The service through a store outage, in process: its loops outlive it,
requests fail fast instead of hanging, readiness names the store and every
stalled loop while it lasts, and within seconds of its end the service is
ready again and the next poll finds what changed meanwhile."""

from __future__ import annotations

import hashlib
import hmac
import json
from pathlib import Path

import pytest
from pydantic import SecretStr
from service_helpers import (
    ServedApp,
    comments_created,
    enqueue,
    labelled,
    memory_settings,
    memory_trackers,
    metric,
    wait_for,
    work_item,
)
from support_outage import Outage

from goldthread.clock import FakeClock
from goldthread.config import ResolvedSecrets
from goldthread.connectors.memory import MemoryConnector
from goldthread.errors import StoreError
from goldthread.service.running import Service, ServiceOptions
from goldthread.store import InboxStatus, open_store

POLL = 300.0
HOOK_SECRET = "outage-test-hook-secret"


def _service(
    tmp_path: Path, clock: FakeClock
) -> tuple[Service, Outage, dict[str, MemoryConnector]]:
    settings = memory_settings(tmp_path / "goldthread.db")
    outage = Outage(open_store(settings.store.url))
    trackers = memory_trackers(clock)
    secrets = ResolvedSecrets(github_webhook_secrets=(SecretStr(HOOK_SECRET),))
    options = ServiceOptions(confirmed=True)
    service = Service(settings, secrets, outage.as_store(), dict(trackers), clock, options)
    return service, outage, trackers


def _polled_both(service: Service) -> bool:
    text = service.metrics.render().decode()
    return all(
        metric(text, "goldthread_polls_total", source=name, kind="sync", outcome="ok") >= 1
        for name in ("gh", "jira")
    )


def _problems(service: Service) -> tuple[str, ...]:
    return service.health.check().problems


def test_every_loop_outlives_a_store_outage_and_the_next_poll_finds_what_changed_meanwhile(
    tmp_path: Path,
) -> None:
    clock = FakeClock()
    service, outage, trackers = _service(tmp_path, clock)
    service.start_threads()
    try:
        wait_for(lambda: _polled_both(service), 20, "the first polls")
        outage.down.set()
        clock.advance(POLL * 1.2)  # a poll is due, and every loop's last beat is long past
        trackers["gh"].put(work_item("gh", "acme/web#9"))  # an orphan made during the outage

        def named_all() -> bool:
            problems = _problems(service)
            return (
                problems[0].startswith("store: ")
                and any(p.startswith("loop worker: no progress") for p in problems)
                and any(p.startswith("loop poller: no progress") for p in problems)
            )

        wait_for(named_all, 15, "readiness to name the store and both stalled loops")

        def failed_rounds(loop: str) -> float:
            text = service.metrics.render().decode()
            return metric(text, "goldthread_loop_failed_rounds_total", loop=loop)

        wait_for(lambda: failed_rounds("worker") and failed_rounds("poller"), 10, "failed rounds")
        stalled = service.metrics.render().decode()
        assert metric(stalled, "goldthread_store_up") == 0
        assert metric(stalled, "goldthread_loop_stalled", loop="poller") == 1

        outage.down.clear()
        wait_for(lambda: service.health.check().ready, 10, "ready again after the outage")
        wait_for(lambda: "gh:acme/web#9" in labelled(trackers), 10, "the next poll to flag #9")
        assert all(thread.is_alive() for thread in service._threads)
        text = service.metrics.render().decode()
        assert metric(text, "goldthread_store_up") == 1
        assert metric(text, "goldthread_loop_stalled", loop="worker") == 0
    finally:
        assert service.stop_threads(10)
    assert comments_created(trackers).count("gh:acme/web#9") == 1


def test_a_batch_the_store_failed_under_is_handed_back_and_done_once_it_answers(
    tmp_path: Path,
) -> None:
    clock = FakeClock()
    service, outage, trackers = _service(tmp_path, clock)
    service.poller.poll_due()  # both trackers read whole: webhook work may write
    trackers["gh"].put(work_item("gh", "acme/web#9"))
    enqueue(service.store, "gh", "acme/web#9", "d-9", clock.now())
    outage.trip("complete")  # the work is done, recording it fails

    with pytest.raises(StoreError):
        service.worker.drain_once()
    outage.down.clear()
    assert [entry.status for entry in service.store.inbox()] == [InboxStatus.PROCESSING]

    assert service.worker.drain_once() == 1
    [entry] = service.store.inbox()
    assert (entry.status, entry.last_error) == (InboxStatus.DONE, None)
    assert comments_created(trackers).count("gh:acme/web#9") == 1


def _signed(body: bytes, delivery: str) -> dict[str, str]:
    digest = hmac.new(HOOK_SECRET.encode(), body, hashlib.sha256).hexdigest()
    return {
        "X-GitHub-Event": "issues",
        "X-GitHub-Delivery": delivery,
        "X-Hub-Signature-256": f"sha256={digest}",
    }


BODY = json.dumps(
    {
        "action": "edited",
        "issue": {"number": 3, "repository_url": "https://api.github.com/repos/acme/web"},
        "repository": {"full_name": "acme/web"},
    }
).encode()


def test_a_delivery_the_store_cannot_take_is_answered_503_with_retry_after_and_not_stored(
    tmp_path: Path,
) -> None:
    service, outage, _ = _service(tmp_path, FakeClock())
    with ServedApp(service.app) as client:
        outage.down.set()
        refused = client.post("/webhooks/github", content=BODY, headers=_signed(BODY, "d-1"))
        not_ready = client.get("/readyz")
        outage.down.clear()
        accepted = client.post("/webhooks/github", content=BODY, headers=_signed(BODY, "d-2"))

    assert refused.status_code == 503
    assert refused.headers["retry-after"] == "5"
    assert not_ready.status_code == 503
    assert not_ready.json()["problems"][0].startswith("store: ")
    assert accepted.status_code == 202
    assert [entry.delivery_key for entry in service.store.inbox()] == ["d-2"]


def test_a_store_that_stops_answering_gets_503s_at_the_deadline_not_a_hang(
    tmp_path: Path,
) -> None:
    service, outage, _ = _service(tmp_path, FakeClock())
    with ServedApp(service.app) as client, ServedApp(service.admin_app) as admin:
        outage.hang()
        try:
            refused = client.post("/webhooks/github", content=BODY, headers=_signed(BODY, "d-1"))
            not_ready = client.get("/readyz")
            metrics = admin.get("/metrics")
            answered_while_stuck = outage.stuck.is_set()
        finally:
            outage.release()

    assert answered_while_stuck
    assert refused.status_code == 503
    assert refused.headers["retry-after"] == "5"
    assert not_ready.status_code == 503
    assert "no answer within 2s" in not_ready.json()["problems"][0]
    assert metrics.status_code == 200
    assert metric(metrics.text, "goldthread_store_up") == 0
