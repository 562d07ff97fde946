"""The stand-in's answers have the shapes of Jira's own payloads (shared/fixtures/jira)."""

from __future__ import annotations

import re
from typing import Any

from sandbox_jira_helpers import HookReceiver, fixture, raw, story

from goldthread.sandbox.jira import JiraStandIn
from goldthread.sandbox.seeds import JiraLinkSeed

JIRA_TIME = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}[+-]\d{4}$")


def keys(value: dict[str, Any]) -> set[str]:
    return set(value)


def linked_site(site: JiraStandIn) -> JiraStandIn:
    site.load(
        [story("PLAT-1", type="Epic"), story("PLAT-2", parent_key="PLAT-1")],
        [JiraLinkSeed("Blocks", "PLAT-2", "PLAT-1")],
    )
    return site


def test_an_issue_has_the_top_level_and_link_shape_of_issue_get(cloud: JiraStandIn) -> None:
    sample = fixture("rest/issue.get.200.json")
    issue = raw(linked_site(cloud), "GET", "/rest/api/3/issue/PLAT-2").json()
    assert keys(sample) <= keys(issue)
    ours, theirs = issue["fields"]["issuelinks"][0], sample["fields"]["issuelinks"][0]
    assert keys(theirs) <= keys(ours)
    assert keys(theirs["type"]) <= keys(ours["type"])
    assert keys(theirs["outwardIssue"]) <= keys(ours["outwardIssue"])
    assert JIRA_TIME.match(issue["fields"]["updated"])


def test_status_and_issuetype_look_like_a_real_delivery(dc: JiraStandIn) -> None:
    delivered = fixture("webhooks/dc.issue.updated.status-changed.json")["issue"]["fields"]
    fields = raw(linked_site(dc), "GET", "/rest/api/2/issue/PLAT-2").json()["fields"]
    assert keys(delivered["status"]) <= keys(fields["status"])
    assert keys(delivered["status"]["statusCategory"]) <= keys(fields["status"]["statusCategory"])
    assert keys(delivered["issuetype"]) <= keys(fields["issuetype"])
    assert JIRA_TIME.match(delivered["created"])
    assert JIRA_TIME.match(fields["created"])


def test_search_jql_has_no_total_like_the_cloud_sample(cloud: JiraStandIn) -> None:
    sample = fixture("rest/search-jql.200.json")
    page = raw(
        linked_site(cloud),
        "GET",
        "/rest/api/3/search/jql",
        params={"jql": "project = PLAT", "fields": "*all"},
    ).json()
    assert keys(page) == keys(sample)
    assert keys(sample["issues"][0]) <= keys(page["issues"][0])


def test_dc_search_has_the_classic_paged_shape(dc: JiraStandIn) -> None:
    sample = fixture("rest/search-deprecated.200.json")
    page = raw(
        linked_site(dc), "GET", "/rest/api/2/search", params={"jql": "project = PLAT"}
    ).json()
    assert keys(sample) - {"warningMessages"} == keys(page)


def test_comments_match_the_comment_samples(cloud: JiraStandIn) -> None:
    cloud.load([story("PLAT-1")])
    sample = fixture("rest/comment.post.201.json")
    created = raw(
        cloud,
        "POST",
        "/rest/api/3/issue/PLAT-1/comment",
        json={"body": fixture("rest/comment.post.request.json")["body"]},
    ).json()
    assert keys(sample) - {"visibility"} <= keys(created)
    assert created["body"] == sample["body"]
    assert keys(sample["author"]) <= keys(created["author"])
    listed = raw(cloud, "GET", "/rest/api/3/issue/PLAT-1/comment").json()
    assert keys(listed) == keys(fixture("rest/comments.list.200.json"))
    put = raw(
        cloud,
        "PUT",
        f"/rest/api/3/comment/{created['id']}/properties/issue.support",
        json=fixture("rest/comment-property.get.200.json")["value"],
    )
    assert put.status_code == 201
    prop = raw(cloud, "GET", f"/rest/api/3/comment/{created['id']}/properties/issue.support").json()
    assert prop == fixture("rest/comment-property.get.200.json")


def test_an_issue_link_matches_the_link_sample(cloud: JiraStandIn) -> None:
    sample = fixture("rest/issuelink.get.200.json")
    site = linked_site(cloud)
    link_id = next(iter(site.state.links))
    link = raw(site, "GET", f"/rest/api/3/issueLink/{link_id}").json()
    assert keys(sample) <= keys(link)
    assert keys(sample["inwardIssue"]["fields"]) <= keys(link["inwardIssue"]["fields"])
    request = fixture("rest/issuelink.post.request.json")
    site.load([story("HSP-1"), story("MKY-1")])
    assert raw(site, "POST", "/rest/api/3/issueLink", json=request).status_code == 201


def test_link_types_and_fields_match_their_samples(cloud: JiraStandIn) -> None:
    types = raw(cloud, "GET", "/rest/api/3/issueLinkType").json()
    sample_types = fixture("rest/issuelinktype.list.200.json")
    assert keys(types) == keys(sample_types)
    assert all(keys(t) == keys(sample_types["issueLinkTypes"][0]) for t in types["issueLinkTypes"])
    assert {t["name"] for t in types["issueLinkTypes"]} >= {
        "Blocks",
        "Cloners",
        "Relates",
        "Implements",
    }
    fields = raw(cloud, "GET", "/rest/api/3/field").json()
    sample_field = fixture("rest/field.list.200.json")[0]
    assert all(keys(sample_field) - {"key"} <= keys(f) for f in fields)


def test_webhooks_match_the_captured_deliveries(dc: JiraStandIn, receiver: HookReceiver) -> None:
    site = linked_site(dc)
    site.set_webhook(receiver.url, "secret")
    site.set_status("PLAT-2", "In Progress", "indeterminate")
    site.add_link("Relates", "PLAT-1", "PLAT-2")
    assert site.flush_webhooks(5)
    updated, linked = receiver.bodies()
    captured = fixture("webhooks/dc.issue.updated.status-changed.json")
    assert keys(captured) - {"label", "level", "message"} <= keys(updated)
    assert keys(captured["changelog"]["items"][0]) == keys(updated["changelog"]["items"][0])
    assert keys(fixture("webhooks/dc.issue.created.json")["user"]) <= keys(updated["user"])
    captured_link = fixture("webhooks/dc.issuelink.created.json")["issueLink"]
    assert keys(captured_link) == keys(linked["issueLink"])
    assert keys(captured_link["issueLinkType"]) == keys(linked["issueLink"]["issueLinkType"])
