"""Request forms and limits the Jira stand-in honours beyond the happy path."""

from __future__ import annotations

import pytest
from jira import JIRAError
from sandbox_jira_helpers import FakeClock, cloud_client, dc_client, many, raw, story

from goldthread.sandbox.faults import FaultPlan
from goldthread.sandbox.jira import JiraStandIn


def test_search_by_post_reads_the_same_as_by_get(cloud: JiraStandIn, dc: JiraStandIn) -> None:
    for site, client in ((cloud, cloud_client(cloud)), (dc, dc_client(dc))):
        site.load(many(3))
        if site.cloud:
            found = client.enhanced_search_issues(
                "project = PLAT ORDER BY key ASC", fields=["labels"], use_post=True
            )
        else:
            found = client.search_issues(
                "project = PLAT ORDER BY key ASC", fields=["labels"], use_post=True
            )
        assert [i.key for i in found] == ["PLAT-1", "PLAT-2", "PLAT-3"]
        assert found[0].fields.labels == ["team-a"]


def test_cloud_pages_are_capped_at_100_with_fields_and_default_to_50(cloud: JiraStandIn) -> None:
    cloud.load(many(120))
    jql = "project = PLAT"
    capped = raw(
        cloud,
        "GET",
        "/rest/api/3/search/jql",
        params={"jql": jql, "maxResults": 500, "fields": "summary"},
    ).json()
    default = raw(cloud, "GET", "/rest/api/3/search/jql", params={"jql": jql}).json()
    ids_only = raw(
        cloud, "GET", "/rest/api/3/search/jql", params={"jql": jql, "maxResults": 500}
    ).json()
    assert (len(capped["issues"]), len(default["issues"]), len(ids_only["issues"])) == (
        100,
        50,
        120,
    )
    assert ids_only["isLast"] is True


def test_a_page_token_of_another_query_is_refused(cloud: JiraStandIn) -> None:
    cloud.load(many(3))
    first = raw(
        cloud, "GET", "/rest/api/3/search/jql", params={"jql": "project = PLAT", "maxResults": 1}
    ).json()
    again = raw(
        cloud,
        "GET",
        "/rest/api/3/search/jql",
        params={"jql": "project = PLAT ORDER BY key ASC", "nextPageToken": first["nextPageToken"]},
    )
    assert again.status_code == 400


def test_comments_page_and_bump_the_issue(cloud: JiraStandIn, clock: FakeClock) -> None:
    cloud.load([story("PLAT-1")])
    for n in range(3):
        clock.advance(minutes=1)
        raw(cloud, "POST", "/rest/api/2/issue/PLAT-1/comment", json={"body": f"c{n}"})
    page = raw(
        cloud, "GET", "/rest/api/2/issue/PLAT-1/comment", params={"startAt": 1, "maxResults": 1}
    ).json()
    assert (page["total"], [c["body"] for c in page["comments"]]) == (3, ["c1"])
    updated = cloud.issue("PLAT-1")["fields"]["updated"]
    assert updated == "2025-06-01T14:03:00.000+0200"


def test_deleting_an_issue_with_subtasks_needs_consent(dc: JiraStandIn) -> None:
    dc.load([story("PLAT-1"), story("PLAT-2", type="Sub-task", parent_key="PLAT-1")])
    assert raw(dc, "DELETE", "/rest/api/2/issue/PLAT-1").status_code == 400
    assert (
        raw(dc, "DELETE", "/rest/api/2/issue/PLAT-1", params={"deleteSubtasks": "true"}).status_code
        == 204
    )
    assert dc.state.issues == {}


def test_a_503_fault_carries_retry_after_and_reaches_the_client(cloud: JiraStandIn) -> None:
    cloud.faults = FaultPlan(fail_next=1, statuses=[503], retry_after=3, path_contains="/myself")
    client = cloud_client(cloud)
    with pytest.raises(JIRAError) as caught:
        client.myself()
    assert caught.value.status_code == 503
    assert caught.value.response is not None
    assert caught.value.response.headers["Retry-After"] == "3"
    assert client.myself()["emailAddress"] == cloud.email


def test_unknown_fields_cannot_be_set(cloud: JiraStandIn) -> None:
    cloud.load([story("PLAT-1")])
    answer = raw(cloud, "PUT", "/rest/api/3/issue/PLAT-1", json={"fields": {"assignee": None}})
    assert answer.status_code == 400
    assert "assignee" in answer.json()["errors"]


def test_fields_labels_replace_and_parent_can_be_set_on_cloud(cloud: JiraStandIn) -> None:
    cloud.load([story("PLAT-1", type="Epic"), story("PLAT-2", labels=["a", "b"])])
    body = {"fields": {"labels": ["c"], "parent": {"key": "PLAT-1"}}}
    assert raw(cloud, "PUT", "/rest/api/3/issue/PLAT-2", json=body).status_code == 204
    fields = cloud.issue("PLAT-2")["fields"]
    assert (fields["labels"], fields["parent"]["key"]) == (["c"], "PLAT-1")
