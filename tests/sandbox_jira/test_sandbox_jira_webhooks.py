"""Every change reaches the webhook target signed, shaped like Jira's deliveries."""

from __future__ import annotations

import hashlib
import hmac
import json
from typing import Any

from sandbox_jira_helpers import FakeClock, HookReceiver, cloud_client, dc_client, story

from goldthread.sandbox.jira import JiraStandIn

SECRET = "s3cret"


def deliveries(site: JiraStandIn, hook: HookReceiver) -> list[dict[str, Any]]:
    assert site.flush_webhooks(5)
    return hook.bodies()


def test_the_signature_verifies_against_the_raw_body(
    cloud: JiraStandIn, receiver: HookReceiver
) -> None:
    cloud.load([story("PLAT-1")])
    cloud.set_webhook(receiver.url, SECRET)
    cloud.set_labels("PLAT-1", ["vision"])
    assert cloud.flush_webhooks(5)
    headers, body = receiver.received[0]
    expected = "sha256=" + hmac.new(SECRET.encode(), body, hashlib.sha256).hexdigest()
    assert hmac.compare_digest(headers["x-hub-signature"], expected)
    assert headers["content-type"] == "application/json"
    assert headers["x-atlassian-webhook-identifier"]


def test_each_delivery_has_its_own_identifier(cloud: JiraStandIn, receiver: HookReceiver) -> None:
    cloud.load([story("PLAT-1")])
    cloud.set_webhook(receiver.url, SECRET)
    cloud.set_labels("PLAT-1", ["a"])
    cloud.set_labels("PLAT-1", ["b"])
    assert cloud.flush_webhooks(5)
    identifiers = [h["x-atlassian-webhook-identifier"] for h, _ in receiver.received]
    assert len(set(identifiers)) == 2
    assert [d.identifier for d in cloud.deliveries] == identifiers


def test_a_label_change_carries_a_space_separated_changelog(
    cloud: JiraStandIn, receiver: HookReceiver, clock: FakeClock
) -> None:
    cloud.load([story("PLAT-1", labels=["a"])])
    cloud.set_webhook(receiver.url, SECRET)
    cloud.set_labels("PLAT-1", ["a", "b"])
    event = deliveries(cloud, receiver)[0]
    assert event["webhookEvent"] == "jira:issue_updated"
    assert event["timestamp"] == int(clock().timestamp() * 1000)
    assert event["changelog"]["items"] == [
        {
            "field": "labels",
            "fieldtype": "jira",
            "fieldId": "labels",
            "from": None,
            "fromString": "a",
            "to": None,
            "toString": "a b",
        }
    ]
    assert event["user"]["displayName"] == "sandbox-admin"
    assert event["issue"]["fields"]["labels"] == ["a", "b"]


def test_goldthreads_own_api_writes_fire_webhooks_naming_the_bot(
    cloud: JiraStandIn, receiver: HookReceiver
) -> None:
    cloud.load([story("PLAT-1")])
    cloud.set_webhook(receiver.url, SECRET)
    cloud_client(cloud).issue("PLAT-1").update(update={"labels": [{"add": "goldthread:untraced"}]})
    event = deliveries(cloud, receiver)[0]
    assert event["user"]["accountId"] == cloud.renderer.user(cloud.bot, "2")["accountId"]


def test_a_comment_fires_comment_created_and_issue_commented(
    dc: JiraStandIn, receiver: HookReceiver
) -> None:
    dc.load([story("PLAT-1")])
    dc.set_webhook(receiver.url, SECRET)
    dc_client(dc).add_comment("PLAT-1", "hello")
    events = deliveries(dc, receiver)
    assert [(e["webhookEvent"], e.get("issue_event_type_name")) for e in events] == [
        ("comment_created", None),
        ("jira:issue_updated", "issue_commented"),
    ]
    assert events[0]["comment"]["body"] == "hello"
    assert events[1]["comment"]["body"] == "hello"


def test_link_events_carry_numeric_ids_only(cloud: JiraStandIn, receiver: HookReceiver) -> None:
    cloud.load([story("PLAT-1"), story("PLAT-2")])
    cloud.set_webhook(receiver.url, SECRET)
    link_id = cloud.add_link("Implements", "PLAT-2", "PLAT-1")
    cloud.remove_link(link_id)
    created, deleted = deliveries(cloud, receiver)
    assert created["webhookEvent"] == "issuelink_created"
    assert deleted["webhookEvent"] == "issuelink_deleted"
    link = created["issueLink"]
    assert link["sourceIssueId"] == cloud.state.issues["PLAT-2"].id
    assert link["issueLinkType"]["outwardName"] == "implements"


def test_created_parented_and_deleted_issues_are_announced(
    cloud: JiraStandIn, receiver: HookReceiver
) -> None:
    cloud.load([story("PLAT-1", type="Epic")])
    cloud.set_webhook(receiver.url, SECRET)
    cloud.create_issue(story("PLAT-2"))
    cloud.set_parent("PLAT-2", "PLAT-1")
    cloud.delete_issue("PLAT-2")
    events = deliveries(cloud, receiver)
    assert [e["webhookEvent"] for e in events] == [
        "jira:issue_created",
        "jira:issue_updated",
        "jira:issue_deleted",
    ]
    item = events[1]["changelog"]["items"][0]
    assert (item["field"], item["toString"]) == ("IssueParentAssociation", "PLAT-1")


def test_no_target_means_no_delivery(cloud: JiraStandIn) -> None:
    cloud.load([story("PLAT-1")])
    cloud.set_labels("PLAT-1", ["x"])
    assert cloud.flush_webhooks(1)
    assert cloud.deliveries == []


def test_an_unreachable_target_is_recorded_not_retried(cloud: JiraStandIn) -> None:
    cloud.load([story("PLAT-1")])
    cloud.set_webhook("http://127.0.0.1:9/hook", SECRET)
    cloud.set_labels("PLAT-1", ["x"])
    assert cloud.flush_webhooks(5)
    assert [d.status for d in cloud.deliveries] == [0]
    assert json.loads(cloud.deliveries[0].body)["webhookEvent"] == "jira:issue_updated"
