"""The real jira client cannot tell the Cloud stand-in from Jira Cloud."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
import requests
from jira import JIRA, JIRAError
from sandbox_jira_helpers import T0, FakeClock, cloud_client, many, raw, story

from goldthread.sandbox.faults import FaultPlan
from goldthread.sandbox.jira import JiraStandIn
from goldthread.sandbox.seeds import JiraLinkSeed

FIELDS = ["summary", "labels", "parent", "issuelinks", "issuetype", "status", "updated"]
ADF = {
    "type": "doc",
    "version": 1,
    "content": [{"type": "paragraph", "content": [{"type": "text", "text": "No parent yet."}]}],
}


@pytest.fixture
def client(cloud: JiraStandIn) -> JIRA:
    return cloud_client(cloud)


def test_the_client_detects_cloud_and_the_account_zone(cloud: JiraStandIn, client: JIRA) -> None:
    assert client.deploymentType == "Cloud"
    assert client.myself()["timeZone"] == "Europe/Berlin"
    assert client.myself()["emailAddress"] == cloud.email


def test_a_wrong_token_is_refused_with_401(cloud: JiraStandIn) -> None:
    with pytest.raises(JIRAError) as caught:
        JIRA(server=cloud.base_url, basic_auth=(cloud.email, "wrong"), max_retries=0).myself()
    assert caught.value.status_code == 401


def test_enhanced_search_pages_250_issues_by_token(cloud: JiraStandIn, client: JIRA) -> None:
    cloud.load(many(250))
    jql = "project = PLAT ORDER BY updated ASC, key ASC"
    seen: list[str] = []
    token = None
    pages = 0
    while True:
        page = client.enhanced_search_issues(
            jql, nextPageToken=token, maxResults=100, fields=FIELDS, json_result=True
        )
        assert "total" not in page
        seen += [issue["key"] for issue in page["issues"]]
        pages += 1
        token = page.get("nextPageToken")
        if page["isLast"]:
            assert token is None
            break
    assert pages == 3
    assert seen == [f"PLAT-{n}" for n in range(1, 251)]


def test_only_the_requested_fields_come_back(cloud: JiraStandIn, client: JIRA) -> None:
    cloud.load([story("PLAT-1")])
    issue = client.enhanced_search_issues("project = PLAT", fields=["labels"], json_result=True)
    assert set(issue["issues"][0]["fields"]) == {"labels"}
    bare = client._session.get(
        f"{cloud.base_url}/rest/api/3/search/jql", params={"jql": "project = PLAT"}
    ).json()
    assert bare["issues"] == [{"id": str(cloud.state.issues["PLAT-1"].id)}]


def test_the_retired_search_answers_410(cloud: JiraStandIn, client: JIRA) -> None:
    with pytest.raises(JIRAError) as caught:
        client._get_json("search", params={"jql": "project = PLAT"})
    assert caught.value.status_code == 410
    assert "/rest/api/3/search/jql" in str(caught.value.text)


def test_unbounded_and_unsupported_queries_answer_400(cloud: JiraStandIn, client: JIRA) -> None:
    cloud.load([story("PLAT-1")])
    for jql in ("ORDER BY key DESC", "summary ~ x"):
        answer = raw(cloud, "GET", "/rest/api/3/search/jql", params={"jql": jql})
        assert answer.status_code == 400
        assert set(answer.json()) == {"errorMessages", "errors"}


def test_date_literals_select_the_same_boundary_in_a_non_utc_zone(
    cloud: JiraStandIn, client: JIRA
) -> None:
    ms = timedelta(milliseconds=1)
    cloud.load(
        [
            story("PLAT-1", updated_at=T0 - ms),
            story("PLAT-2", updated_at=T0),
            story("PLAT-3", updated_at=T0 + ms),
        ]
    )
    epoch = int(T0.timestamp() * 1000)
    quoted = client.enhanced_search_issues(
        'project = PLAT AND updated >= "2024-01-02 04:00" ORDER BY key ASC', fields=["updated"]
    )
    bare = client.enhanced_search_issues(
        f"project = PLAT AND updated >= {epoch} ORDER BY key ASC", fields=["updated"]
    )
    assert [i.key for i in quoted] == [i.key for i in bare] == ["PLAT-2", "PLAT-3"]
    assert quoted[0].fields.updated == "2024-01-02T04:00:00.000+0100"


def test_the_parent_field_names_the_parent_at_every_level(cloud: JiraStandIn, client: JIRA) -> None:
    cloud.load(
        [
            story("PLAT-1", type="Initiative"),
            story("PLAT-2", type="Epic", parent_key="PLAT-1"),
            story("PLAT-3", epic_link="PLAT-2"),
        ]
    )
    epic = client.issue("PLAT-2", fields="parent,issuetype")
    assert epic.fields.parent.key == "PLAT-1"
    assert epic.raw["fields"]["issuetype"]["hierarchyLevel"] == 1
    assert client.issue("PLAT-3", fields="parent").fields.parent.key == "PLAT-2"


def test_v3_descriptions_are_adf_and_v2_wiki(cloud: JiraStandIn, client: JIRA) -> None:
    cloud.load([story("PLAT-1", description="Part of PLAT-9\nsecond")])
    v3 = client.issue("PLAT-1", fields="description").raw["fields"]["description"]
    assert v3["type"] == "doc"
    v2 = client._session.get(f"{cloud.base_url}/rest/api/2/issue/PLAT-1?fields=description").json()
    assert v2["fields"]["description"] == "Part of PLAT-9\nsecond"


def test_labels_change_atomically_and_bump_updated(
    cloud: JiraStandIn, client: JIRA, clock: FakeClock
) -> None:
    cloud.load([story("PLAT-1", labels=["keep"])])
    clock.advance(minutes=5)
    issue = client.issue("PLAT-1")
    cloud.set_labels("PLAT-1", ["keep", "human"])  # someone edits between read and write
    issue.update(update={"labels": [{"add": "goldthread:untraced"}]}, notify=False)
    assert cloud.labels("PLAT-1") == ["goldthread:untraced", "human", "keep"]
    issue.update(update={"labels": [{"remove": "goldthread:untraced"}]})
    assert cloud.labels("PLAT-1") == ["human", "keep"]
    assert client.issue("PLAT-1").fields.updated.startswith("2025-06-01T14:05:00.000+0200")


def test_a_refused_edit_changes_nothing(cloud: JiraStandIn, client: JIRA) -> None:
    cloud.load([story("PLAT-1", labels=["keep"])])
    body = {"update": {"labels": [{"add": "fine"}, {"add": "has space"}]}}
    answer = raw(cloud, "PUT", "/rest/api/3/issue/PLAT-1", data=json.dumps(body))
    assert answer.status_code == 400
    assert "labels" in answer.json()["errors"]
    assert cloud.labels("PLAT-1") == ["keep"]


def test_comments_carry_adf_and_properties_created_together(
    cloud: JiraStandIn, client: JIRA
) -> None:
    cloud.load([story("PLAT-1")])
    url = f"{cloud.base_url}/rest/api/3/issue/PLAT-1/comment"
    marker = {"key": "goldthread", "value": {"kind": "orphan-notice", "version": 1}}
    created = client._session.post(url, data=json.dumps({"body": ADF, "properties": [marker]}))
    assert created.status_code == 201
    comment_id = created.json()["id"]
    assert created.json()["body"]["type"] == "doc"
    listed = client._session.get(url, params={"expand": "properties"}).json()
    assert listed["total"] == 1
    assert "properties" not in listed["comments"][0]  # not documented there: ignored
    by_id = client._session.post(
        f"{cloud.base_url}/rest/api/3/comment/list",
        params={"expand": "properties"},
        data=json.dumps({"ids": [int(comment_id)]}),
    ).json()
    assert by_id["values"][0]["properties"] == [marker]
    prop = client._session.get(
        f"{cloud.base_url}/rest/api/3/comment/{comment_id}/properties/goldthread"
    )
    assert prop.json() == marker
    assert cloud.comments("PLAT-1")[0]["body"] == "No parent yet."
    wiki = raw(
        cloud, "POST", "/rest/api/3/issue/PLAT-1/comment", data=json.dumps({"body": "plain string"})
    )
    assert wiki.status_code == 400


def test_links_show_on_both_issues_and_can_be_removed(cloud: JiraStandIn, client: JIRA) -> None:
    cloud.load([story("PLAT-1", type="Epic"), story("PLAT-2")])
    client.create_issue_link("Implements", "PLAT-2", "PLAT-1")
    child = client.issue("PLAT-2", fields="issuelinks").fields.issuelinks
    parent = client.issue("PLAT-1", fields="issuelinks").fields.issuelinks
    assert child[0].outwardIssue.key == "PLAT-1"
    assert child[0].type.outward == "implements"
    assert parent[0].inwardIssue.key == "PLAT-2"
    link = client.issue_link(child[0].id)
    assert (link.inwardIssue.key, link.outwardIssue.key) == ("PLAT-2", "PLAT-1")
    client.delete_issue_link(child[0].id)
    assert client.issue("PLAT-2", fields="issuelinks").fields.issuelinks == []


def test_seeded_links_read_the_same_as_created_ones(cloud: JiraStandIn, client: JIRA) -> None:
    cloud.load([story("PLAT-1"), story("PLAT-2")], [JiraLinkSeed("Implements", "PLAT-2", "PLAT-1")])
    assert (
        client.issue("PLAT-2", fields="issuelinks").fields.issuelinks[0].outwardIssue.key
        == "PLAT-1"
    )


def test_injected_rate_limits_carry_retry_after(cloud: JiraStandIn) -> None:
    cloud.faults = FaultPlan(fail_next=1, statuses=[429], retry_after=7)
    answer = requests.get(
        f"{cloud.base_url}/rest/api/3/myself", auth=(cloud.email, cloud.token), timeout=5
    )
    assert answer.status_code == 429
    assert answer.headers["Retry-After"] == "7"
    assert answer.headers["RateLimit-Reason"] == "jira-burst-based"
