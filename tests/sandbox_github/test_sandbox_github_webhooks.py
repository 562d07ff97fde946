"""Webhook deliveries: signed, shaped like GitHub's, fired by people and by goldthread alike."""

from __future__ import annotations

import hashlib
import hmac
import json
from pathlib import Path
from typing import Any

import github
import pytest
from sandbox_github_helpers import HookReceiver, seed

from goldthread.sandbox.github import GitHubStandIn
from goldthread.sandbox.github_webhooks import sign

FIXTURES = Path(__file__).resolve().parents[3] / "shared" / "fixtures" / "github" / "webhooks"
SECRET = "It's a Secret to Everybody"


@pytest.fixture
def hooked(stand_in: GitHubStandIn, receiver: HookReceiver) -> GitHubStandIn:
    stand_in.load([seed(1, type="Epic"), seed(2), seed(3, labels=["old"])])
    stand_in.set_webhook(receiver.url, SECRET)
    return stand_in


def bodies(receiver: HookReceiver) -> list[dict[str, Any]]:
    return [json.loads(r.body) for r in receiver.received]


def test_signature_matches_github_published_test_vector() -> None:
    assert sign(SECRET, b"Hello, World!") == (
        "sha256=757107ea0eb2509fc211221cce984b8a37570b6d7586c22c46f4379c8b043e17"
    )


def test_delivery_is_signed_over_the_raw_body_with_github_headers(
    hooked: GitHubStandIn, receiver: HookReceiver
) -> None:
    hooked.set_labels("acme/web", 2, ["layer/vision"])
    assert hooked.flush_webhooks(5)
    (delivery,) = receiver.received
    expected = hmac.new(SECRET.encode(), delivery.body, hashlib.sha256).hexdigest()
    assert hmac.compare_digest(delivery.headers["X-Hub-Signature-256"], f"sha256={expected}")
    assert delivery.headers["X-GitHub-Event"] == "issues"
    assert delivery.headers["User-Agent"].startswith("GitHub-Hookshot/")
    assert delivery.headers["Content-Type"] == "application/json"
    assert len(delivery.headers["X-GitHub-Delivery"]) == 36


def test_labeled_payload_has_the_top_level_keys_of_the_real_one(
    hooked: GitHubStandIn, receiver: HookReceiver
) -> None:
    hooked.set_labels("acme/web", 2, ["layer/vision"])
    hooked.flush_webhooks(5)
    real = json.loads(FIXTURES.joinpath("issues.labeled.json").read_text())
    (body,) = bodies(receiver)
    assert body.keys() == real.keys()
    assert body["label"]["name"] == "layer/vision"
    assert body["sender"]["login"] == "sandbox-user"
    assert body["issue"]["labels"][0]["name"] == "layer/vision"


def test_people_edits_fire_the_matching_issue_actions(
    hooked: GitHubStandIn, receiver: HookReceiver
) -> None:
    hooked.set_labels("acme/web", 3, ["new"])
    hooked.set_body("acme/web", 2, "Part of PLAT-7")
    hooked.set_state("acme/web", 2, "closed")
    hooked.set_state("acme/web", 2, "open")
    hooked.set_type("acme/web", 1, None)
    hooked.set_type("acme/web", 2, "Feature")
    hooked.create_issue(seed(4))
    hooked.flush_webhooks(5)
    assert receiver.events() == [
        ("issues", "unlabeled"),
        ("issues", "labeled"),
        ("issues", "edited"),
        ("issues", "closed"),
        ("issues", "reopened"),
        ("issues", "untyped"),
        ("issues", "typed"),
        ("issues", "opened"),
    ]
    payloads = bodies(receiver)
    assert payloads[2]["changes"] == {"body": {"from": "Body of 2"}}
    assert payloads[5]["type"]["name"] == "Epic"
    assert payloads[5]["issue"]["type"] is None


def test_parent_changes_fire_both_sub_issue_views(
    hooked: GitHubStandIn, receiver: HookReceiver
) -> None:
    hooked.set_parent("acme/web", 2, ("acme/web", 1))
    hooked.set_parent("acme/web", 2, None)
    hooked.flush_webhooks(5)
    assert receiver.events() == [
        ("sub_issues", "parent_issue_added"),
        ("sub_issues", "sub_issue_added"),
        ("sub_issues", "parent_issue_removed"),
        ("sub_issues", "sub_issue_removed"),
    ]
    as_child, as_parent = bodies(receiver)[:2]
    assert (as_child["sub_issue"]["number"], as_child["parent_issue"]["number"]) == (2, 1)
    assert as_child["sub_issue"]["parent_issue_url"].endswith("/issues/1")
    assert {"parent_issue_id", "parent_issue_repo", "sub_issue_id"} <= as_child.keys()
    assert {"sub_issue_id", "sub_issue_repo", "parent_issue_id"} <= as_parent.keys()
    assert as_parent["parent_issue"]["sub_issues_summary"]["total"] == 1


def test_goldthread_api_writes_fire_webhooks_sent_by_the_bot(
    hooked: GitHubStandIn, receiver: HookReceiver, gh_client: github.Github
) -> None:
    issue = gh_client.get_repo("acme/web").get_issue(2)
    issue.add_to_labels("gt:orphan")
    issue.create_comment("no parent")
    hooked.flush_webhooks(5)
    assert receiver.events() == [("issues", "labeled"), ("issue_comment", "created")]
    assert {body["sender"]["login"] for body in bodies(receiver)} == {"goldthread-bot"}
    assert bodies(receiver)[1]["comment"]["body"] == "no parent"


def test_no_target_means_no_delivery_and_an_unreachable_one_is_recorded(
    hooked: GitHubStandIn, receiver: HookReceiver
) -> None:
    hooked.set_webhook(None, None)
    hooked.set_body("acme/web", 1, "quiet")
    hooked.set_webhook("http://127.0.0.1:9/unreachable", SECRET)
    hooked.set_body("acme/web", 1, "loud")
    assert hooked.flush_webhooks(5)
    assert receiver.received == []
    assert [(d.event, d.action, d.status) for d in hooked.deliveries] == [("issues", "edited", 0)]


def test_enterprise_deliveries_name_the_enterprise_host(receiver: HookReceiver) -> None:
    gh = GitHubStandIn(enterprise=True, web_host="ghe.example.test")
    gh.load([seed(1)])
    gh.set_webhook(receiver.url, SECRET)
    gh.set_state("acme/web", 1, "closed")
    gh.flush_webhooks(5)
    (delivery,) = receiver.received
    assert delivery.headers["X-GitHub-Enterprise-Host"] == "ghe.example.test"
    assert json.loads(delivery.body)["issue"]["state_reason"] == "completed"
