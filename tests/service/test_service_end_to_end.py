"""``goldthread run`` as users deploy it: a subprocess against the sandbox,
which sends signed webhooks for real changes; the right labels and comments
appear on the sandbox within seconds, without waiting for a poll (the poll
interval is an hour)."""

from __future__ import annotations

import hashlib
import hmac
import json
import signal
import uuid
from datetime import UTC, datetime
from pathlib import Path

import httpx
from service_helpers import (
    GITHUB_SECRET,
    JIRA_SECRET,
    LABEL,
    T0,
    ServiceProcess,
    metric,
    wait_for,
)

from goldthread.sandbox.control import Sandbox
from goldthread.sandbox.seeds import GitHubIssueSeed, JiraIssueSeed
from goldthread.store import InboxStatus, open_store

SECONDS = 10.0


def _orphan_seed(number: int) -> GitHubIssueSeed:
    return GitHubIssueSeed(
        repo="acme/web",
        number=number,
        title=f"Untraced work {number}",
        body="",
        labels=[],
        created_at=T0,
        updated_at=T0,
    )


def _flagged(sandbox: Sandbox, number: int) -> bool:
    return LABEL in sandbox.github.labels("acme/web", number)


def _comments(sandbox: Sandbox, number: int) -> list[str]:
    return [c["body"] for c in sandbox.github.comments("acme/web", number)]


def _running(service: ServiceProcess) -> ServiceProcess:
    service.start()
    service.wait_polled()
    service.hook_github()
    return service


def _sign(secret: str, body: bytes) -> str:
    return "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


def test_a_new_orphan_on_github_gets_the_label_and_one_comment_within_seconds(
    service: ServiceProcess, sandbox: Sandbox
) -> None:
    _running(service)

    sandbox.github.create_issue(_orphan_seed(10))

    wait_for(lambda: _flagged(sandbox, 10), SECONDS, "the label on acme/web#10")
    wait_for(lambda: len(_comments(sandbox, 10)) == 1, SECONDS, "goldthread's comment")
    assert "goldthread:marker" in _comments(sandbox, 10)[0]


def test_goldthreads_own_label_and_comment_start_no_second_round_of_work(
    service: ServiceProcess, sandbox: Sandbox
) -> None:
    _running(service)
    sandbox.github.create_issue(_orphan_seed(11))
    wait_for(lambda: len(_comments(sandbox, 11)) == 1, SECONDS, "goldthread's comment")

    assert sandbox.flush_webhooks()["github"]
    text = service.metrics()
    assert (
        metric(text, "goldthread_webhook_deliveries_total", tracker="github", outcome="queued") == 1
    )
    assert (
        metric(text, "goldthread_webhook_deliveries_total", tracker="github", outcome="own-event")
        == 2
    )
    assert len(_comments(sandbox, 11)) == 1


def test_linking_the_orphan_to_a_parent_takes_the_label_down_and_keeps_one_comment(
    service: ServiceProcess, sandbox: Sandbox
) -> None:
    _running(service)
    sandbox.github.create_issue(_orphan_seed(12))
    wait_for(lambda: len(_comments(sandbox, 12)) == 1, SECONDS, "goldthread's comment")

    sandbox.github.set_parent("acme/web", 12, ("acme/web", 2))

    wait_for(lambda: not _flagged(sandbox, 12), SECONDS, "the label to come off")
    wait_for(
        lambda: "now traces back to a vision" in _comments(sandbox, 12)[0],
        SECONDS,
        f"the comment to say the item is traced now: {_comments(sandbox, 12)}",
    )
    assert len(_comments(sandbox, 12)) == 1


def test_removing_the_vision_label_from_a_subtree_root_flags_every_item_beneath_it(
    service: ServiceProcess, sandbox: Sandbox
) -> None:
    _running(service)

    sandbox.github.set_labels("acme/web", 1, [])

    for number in (1, 2, 3, 4):
        wait_for(lambda n=number: _flagged(sandbox, n), SECONDS, f"the label on acme/web#{number}")
        wait_for(lambda n=number: len(_comments(sandbox, n)) == 1, SECONDS, "one comment")


def test_a_new_jira_orphan_is_flagged_and_linking_it_with_implements_clears_it(
    service: ServiceProcess, sandbox: Sandbox
) -> None:
    _running(service)
    key = sandbox.jira.create_issue(
        JiraIssueSeed(
            key="PLAT-10",
            type="Story",
            summary="Untraced story",
            description="",
            labels=[],
            created_at=T0,
            updated_at=T0,
        )
    )
    wait_for(lambda: LABEL in sandbox.jira.labels(key), SECONDS, f"the label on {key}")
    wait_for(lambda: len(sandbox.jira.comments(key)) == 1, SECONDS, f"the comment on {key}")

    sandbox.jira.add_link("Implements", key, "PLAT-2")

    wait_for(lambda: LABEL not in sandbox.jira.labels(key), SECONDS, "the label to come off")
    assert len(sandbox.jira.comments(key)) == 1


def test_deliveries_that_cannot_be_trusted_or_are_repeats_are_refused_or_ignored(
    sandbox: Sandbox, tmp_path: Path
) -> None:
    service = ServiceProcess(sandbox, tmp_path)
    service.env["GOLDTHREAD_SERVER__MAX_BODY_BYTES"] = "65536"
    try:
        _running(service)
        post = service.client.post
        body = json.dumps(
            {"action": "edited", "issue": sandbox.github.issue("acme/web", 3)}
            | {"repository": {"full_name": "acme/web"}}
        ).encode()
        headers = {"X-GitHub-Event": "issues", "X-GitHub-Delivery": str(uuid.uuid4())}

        wrong = {**headers, "X-Hub-Signature-256": _sign("not-the-secret", body)}
        assert post("/webhooks/github", content=body, headers=wrong).status_code == 401
        assert post("/webhooks/github", content=body, headers=headers).status_code == 401
        bad_json = b"{not json"
        signed_bad = {**headers, "X-Hub-Signature-256": _sign(GITHUB_SECRET, bad_json)}
        assert post("/webhooks/github", content=bad_json, headers=signed_bad).status_code == 400
        huge = b" " * 100_000
        signed_huge = {**headers, "X-Hub-Signature-256": _sign(GITHUB_SECRET, huge)}
        assert post("/webhooks/github", content=huge, headers=signed_huge).status_code == 413

        signed = {**headers, "X-Hub-Signature-256": _sign(GITHUB_SECRET, body)}
        first = post("/webhooks/github", content=body, headers=signed)
        replay = post("/webhooks/github", content=body, headers=signed)
        assert (first.status_code, replay.status_code) == (202, 200)
        assert replay.json() == {"status": "duplicate"}
        resent = {**signed, "X-GitHub-Delivery": str(uuid.uuid4())}  # the id is not signed
        replayed = post("/webhooks/github", content=body, headers=resent)
        assert (replayed.status_code, replayed.json()) == (200, {"status": "duplicate"})

        own = json.dumps(
            {
                "action": "labeled",
                "label": {"name": LABEL},
                "issue": sandbox.github.issue("acme/web", 4),
                "repository": {"full_name": "acme/web"},
            }
        ).encode()
        own_headers = {
            "X-GitHub-Event": "issues",
            "X-GitHub-Delivery": str(uuid.uuid4()),
            "X-Hub-Signature-256": _sign(GITHUB_SECRET, own),
        }
        answer = post("/webhooks/github", content=own, headers=own_headers)
        assert (answer.status_code, answer.json()) == (200, {"status": "own-event"})

        jira_body = json.dumps(
            {
                "timestamp": 1767600000000,
                "webhookEvent": "jira:issue_updated",
                "issue": sandbox.jira.issue("PLAT-3"),
                "changelog": {"items": [{"field": "summary", "toString": "x"}]},
            }
        ).encode()
        jira_headers = {
            "X-Atlassian-Webhook-Identifier": "hook-1",
            "X-Hub-Signature": _sign(JIRA_SECRET, jira_body),
        }
        jira_first = post("/webhooks/jira", content=jira_body, headers=jira_headers)
        jira_retry = post(
            "/webhooks/jira",
            content=jira_body,
            headers={**jira_headers, "X-Atlassian-Webhook-Retry": "1"},
        )
        assert (jira_first.status_code, jira_retry.status_code) == (202, 200)
        unsigned = post("/webhooks/jira", content=jira_body)
        assert unsigned.status_code == 401

        text = service.metrics()
        for outcome, count in (("bad-signature", 2), ("malformed", 1), ("too-large", 1)):
            got = metric(
                text, "goldthread_webhook_deliveries_total", tracker="github", outcome=outcome
            )
            assert got == count, outcome
    finally:
        service.close()


def test_sigterm_stops_the_service_cleanly_with_exit_status_0(
    service: ServiceProcess, sandbox: Sandbox
) -> None:
    _running(service)
    sandbox.github.create_issue(_orphan_seed(13))
    wait_for(lambda: _flagged(sandbox, 13), SECONDS, "the label on acme/web#13")

    status = service.signal(signal.SIGTERM)

    assert status == 0
    assert '"service.stopped"' in service.log()
    try:
        service.client.get("/healthz")
    except httpx.TransportError:
        pass
    else:
        raise AssertionError("the service still answers after SIGTERM")


def test_a_restart_after_kill_9_works_off_what_was_left_in_the_inbox(
    service: ServiceProcess, sandbox: Sandbox
) -> None:
    _running(service)
    assert service.signal(signal.SIGKILL) == -signal.SIGKILL
    sandbox.set_webhooks()  # nobody listens now: the changes reach goldthread only via the inbox
    sandbox.github.create_issue(_orphan_seed(14))
    sandbox.github.create_issue(_orphan_seed(15))
    url = f"sqlite:///{service.workdir / 'goldthread.db'}"
    with open_store(url) as store:
        for number in (14, 15):
            payload = {
                "action": "opened",
                "issue": sandbox.github.issue("acme/web", number),
                "repository": {"full_name": "acme/web"},
            }
            store.enqueue(
                source="gh",
                delivery_key=f"left-behind-{number}",
                event="issues.opened",
                item_hint=f"gh:acme/web#{number}",
                payload=json.dumps(payload),
                received_at=datetime.now(UTC),
            )
        in_hand = store.claim(datetime.now(UTC), 1)  # was being worked on when killed
        assert [entry.item_hint for entry in in_hand] == ["gh:acme/web#14"]

    service.start()

    for number in (14, 15):
        wait_for(lambda n=number: _flagged(sandbox, n), SECONDS, f"the label on acme/web#{number}")
        wait_for(lambda n=number: len(_comments(sandbox, n)) == 1, SECONDS, "one comment")
    assert service.signal(signal.SIGTERM) == 0
    with open_store(url) as store:
        assert {e.delivery_key for e in store.inbox(InboxStatus.DONE)} >= {
            "left-behind-14",
            "left-behind-15",
        }
        assert store.inbox_depth() == 0


def test_the_dashboard_and_metrics_are_on_the_admin_listener_behind_the_token(
    service: ServiceProcess,
) -> None:
    service.env["GT_E2E_DASHBOARD_TOKEN"] = "e2e-dashboard-token-0000000001"
    service.env["GOLDTHREAD_SERVER__DASHBOARD_TOKEN_ENV"] = "GT_E2E_DASHBOARD_TOKEN"
    _running_with_token(service)

    assert service.client.get("/").status_code == 404
    assert service.client.get("/metrics").status_code == 404
    assert service.admin.get("/").status_code == 401
    assert service.admin.get("/metrics").status_code == 401
    bearer = {"Authorization": "Bearer e2e-dashboard-token-0000000001"}
    page = wait_for(
        lambda: (answer := service.admin.get("/", headers=bearer)).status_code == 200 and answer,
        20,
        "the first rendering of the dashboard",
    )
    assert "Golden thread report" in page.text
    assert service.admin.get("/metrics", headers=bearer).status_code == 200
    assert "e2e-dashboard-token" not in service.log()


def _running_with_token(service: ServiceProcess) -> None:
    service.start()
    wait_for(
        lambda: (
            service.admin.get(
                "/metrics", headers={"Authorization": "Bearer e2e-dashboard-token-0000000001"}
            ).status_code
            == 200
        ),
        20,
        "the admin listener",
    )
