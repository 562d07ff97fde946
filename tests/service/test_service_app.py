"""The webhook listener's routes, over real HTTP to uvicorn on a loopback port,
against a real store."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

from service_harness import (
    JIRA_SECRET,
    JIRA_TOKEN,
    MAX_BODY,
    OLD_SECRET,
    Harness,
    app,
    body_of,
    sign,
)
from service_helpers import fixture, metric

from goldthread.service.app import WebhookSecrets
from goldthread.store import InboxStatus

__all__ = ["app"]  # the fixture


def test_a_signed_event_is_stored_before_the_202_and_wakes_the_worker(app: Harness) -> None:
    answer = app.github(body_of())

    assert answer.status_code == 202
    [entry] = app.store.inbox(InboxStatus.PENDING)
    assert (entry.source, entry.event, entry.item_hint) == (
        "gh",
        "issues.opened",
        "gh:Codertocat/Hello-World#1",
    )
    assert entry.payload == body_of()
    assert app.wake.is_set()


def test_a_redelivery_is_acknowledged_without_a_second_entry(app: Harness) -> None:
    assert app.github(body_of(), delivery="same").status_code == 202
    again = app.github(body_of(), delivery="same")

    assert (again.status_code, again.json()) == (200, {"status": "duplicate"})
    assert len(app.store.inbox()) == 1


def test_an_event_signed_with_the_previous_secret_is_still_accepted(app: Harness) -> None:
    body = body_of()
    headers = {
        "X-GitHub-Event": "issues",
        "X-GitHub-Delivery": "r",
        "X-Hub-Signature-256": sign(OLD_SECRET, body),
    }
    assert app.client.post("/webhooks/github", content=body, headers=headers).status_code == 202


def test_a_bad_or_missing_signature_is_refused_with_401_and_nothing_stored(app: Harness) -> None:
    body = body_of()
    wrong = app.client.post(
        "/webhooks/github",
        content=body,
        headers={"X-GitHub-Event": "issues", "X-Hub-Signature-256": sign("guess", body)},
    )
    missing = app.client.post(
        "/webhooks/github", content=body, headers={"X-GitHub-Event": "issues"}
    )

    assert (wrong.status_code, missing.status_code) == (401, 401)
    assert app.store.inbox() == []
    assert app.outcome("github", "bad-signature") == 2


def test_a_signed_body_that_is_not_json_is_refused_with_400(app: Harness) -> None:
    assert app.github(b"<xml/>").status_code == 400
    assert app.outcome("github", "malformed") == 1


def test_an_oversized_body_is_refused_with_413_from_its_declared_length(app: Harness) -> None:
    assert app.github(b" " * (MAX_BODY + 1)).status_code == 413
    assert app.store.inbox() == []


def test_an_oversized_body_without_a_declared_length_is_cut_off_while_streaming(
    app: Harness,
) -> None:
    sent: list[int] = []

    def chunks() -> Iterator[bytes]:
        for _ in range(64):
            sent.append(1024)
            yield b" " * 1024

    answer = app.client.post(
        "/webhooks/github",
        content=chunks(),
        headers={"X-GitHub-Event": "issues", "X-Hub-Signature-256": "sha256=00"},
    )
    assert answer.status_code == 413


def test_a_ping_answers_200_and_is_not_stored(app: Harness) -> None:
    answer = app.github(body_of("ping.json"), event="ping")
    assert (answer.status_code, answer.json()) == (200, {"status": "ping"})
    assert app.store.inbox() == []


def test_goldthreads_own_label_event_is_acknowledged_and_dropped(app: Harness) -> None:
    payload = fixture("github", "issues.labeled.json")
    payload["label"]["name"] = "goldthread:untraced"
    answer = app.github(json.dumps(payload).encode())

    assert (answer.status_code, answer.json()) == (200, {"status": "own-event"})
    assert app.store.inbox() == []
    assert not app.wake.is_set()


def test_a_jira_event_verifies_by_signature_or_by_url_token(app: Harness) -> None:
    payload = fixture("jira", "dc.issue.created.json")
    body = json.dumps(payload).encode()
    later = json.dumps({**payload, "timestamp": "2018-1-11 13:08:05,001"}).encode()
    by_signature = app.client.post(
        "/webhooks/jira",
        content=body,
        headers={"X-Hub-Signature": sign(JIRA_SECRET, body), "X-Atlassian-Webhook-Identifier": "a"},
    )
    by_token = app.client.post(
        f"/webhooks/jira?token={JIRA_TOKEN}",
        content=later,
        headers={"X-Atlassian-Webhook-Identifier": "b"},
    )
    wrong_token = app.client.post("/webhooks/jira?token=nope", content=body)

    assert (by_signature.status_code, by_token.status_code, wrong_token.status_code) == (
        202,
        202,
        401,
    )


def test_a_jira_retry_of_the_same_event_is_a_duplicate(app: Harness) -> None:
    body = json.dumps(fixture("jira", "dc.issue.created.json")).encode()
    headers = {"X-Hub-Signature": sign(JIRA_SECRET, body), "X-Atlassian-Webhook-Identifier": "w"}
    first = app.client.post("/webhooks/jira", content=body, headers=headers)
    retry = app.client.post(
        "/webhooks/jira", content=body, headers={**headers, "X-Atlassian-Webhook-Retry": "1"}
    )
    assert (first.status_code, retry.status_code) == (202, 200)


def test_webhook_routes_without_a_configured_secret_answer_404(tmp_path: Path) -> None:
    with Harness(tmp_path, WebhookSecrets()) as harness:
        assert harness.github(body_of()).status_code == 404
        assert harness.client.post("/webhooks/jira", content=b"{}").status_code == 404


def test_health_is_always_ok_and_readiness_follows_failed_polls(app: Harness) -> None:
    assert app.client.get("/healthz").json() == {"status": "ok"}
    assert app.client.get("/readyz").status_code == 200

    app.health.poll_finished("jira", ok=False)
    assert app.client.get("/readyz").status_code == 200
    app.health.poll_finished("jira", ok=False)
    not_ready = app.client.get("/readyz")
    assert not_ready.status_code == 503
    assert not_ready.json()["problems"] == ["source jira: its last 2 polls failed"]

    app.health.poll_finished("jira", ok=True)
    assert app.client.get("/readyz").status_code == 200


def test_readiness_fails_while_the_store_cannot_be_reached(app: Harness) -> None:
    app.store.close()
    answer = app.client.get("/readyz")
    assert answer.status_code == 503
    assert answer.json()["problems"][0].startswith("store:")


def test_metrics_export_inbox_depth_and_age_in_prometheus_text(app: Harness) -> None:
    app.github(body_of())
    app.clock.advance(42)

    answer = app.admin.get("/metrics")

    assert answer.headers["content-type"].startswith("text/plain")
    assert metric(answer.text, "goldthread_inbox_depth") == 1
    assert metric(answer.text, "goldthread_inbox_entries", status="pending") == 1
    assert metric(answer.text, "goldthread_inbox_oldest_age_seconds") == 42
    assert (
        metric(
            answer.text, "goldthread_webhook_deliveries_total", tracker="github", outcome="queued"
        )
        == 1
    )
