"""The real jira client cannot tell the Data Center stand-in from Jira Data Center."""

from __future__ import annotations

import json

import pytest
from jira import JIRA, JIRAError
from sandbox_jira_helpers import dc_client, many, raw, story

from goldthread.sandbox.jira import JiraStandIn

EPIC_LINK = "com.pyxis.greenhopper.jira:gh-epic-link"
PARENT_LINK = "com.atlassian.jpo:jpo-custom-field-parent"


@pytest.fixture
def client(dc: JiraStandIn) -> JIRA:
    return dc_client(dc)


def by_schema(client: JIRA, custom: str) -> str:
    return str(
        next(f["id"] for f in client.fields() if f.get("schema", {}).get("custom") == custom)
    )


def test_the_client_sees_a_server_deployment(client: JIRA) -> None:
    assert client.deploymentType == "Server"
    assert client.enhanced_search_issues("project = PLAT") is None  # Cloud-only in the client


def test_basic_credentials_are_refused_with_401(dc: JiraStandIn) -> None:
    with pytest.raises(JIRAError) as caught:
        JIRA(server=dc.base_url, basic_auth=(dc.email, dc.token), max_retries=0).myself()
    assert caught.value.status_code == 401


def test_search_pages_by_start_at_with_totals(dc: JiraStandIn, client: JIRA) -> None:
    dc.load(many(250))
    keys: list[str] = []
    start = 0
    while True:
        page = client.search_issues(
            "project = PLAT ORDER BY updated ASC, key ASC",
            startAt=start,
            maxResults=100,
            fields="summary,labels",
        )
        assert page.total == 250
        keys += [issue.key for issue in page]
        start += page.maxResults
        if start >= page.total:
            break
    assert keys == [f"PLAT-{n}" for n in range(1, 251)]


def test_a_page_larger_than_the_cap_is_cut_and_says_so(dc: JiraStandIn, client: JIRA) -> None:
    dc.load(many(150))
    page = client.search_issues("project = PLAT", maxResults=500, json_result=True)
    assert (page["maxResults"], len(page["issues"]), page["total"]) == (100, 100, 150)


def test_there_is_no_v3_and_no_search_jql(dc: JiraStandIn) -> None:
    assert raw(dc, "GET", "/rest/api/3/myself").status_code == 404
    assert (
        raw(dc, "GET", "/rest/api/2/search/jql", params={"jql": "project = PLAT"}).status_code
        == 404
    )


def test_epic_and_parent_link_are_found_by_schema_and_differ_per_site(
    dc: JiraStandIn, client: JIRA
) -> None:
    epic_field, parent_field = by_schema(client, EPIC_LINK), by_schema(client, PARENT_LINK)
    assert (epic_field, parent_field) == (dc.epic_link_field, dc.parent_link_field)
    other = JiraStandIn(mode="dc", seed=8)
    assert {other.epic_link_field, other.parent_link_field}.isdisjoint({epic_field, parent_field})


def test_hierarchy_uses_epic_link_parent_link_and_subtask_parent(
    dc: JiraStandIn, client: JIRA
) -> None:
    dc.load(
        [
            story("PLAT-1", type="Initiative"),
            story("PLAT-2", type="Epic", parent_link="PLAT-1"),
            story("PLAT-3", epic_link="PLAT-2"),
            story("PLAT-4", type="Sub-task", parent_key="PLAT-3"),
        ]
    )
    epic_field, parent_field = by_schema(client, EPIC_LINK), by_schema(client, PARENT_LINK)
    fields = f"parent,{epic_field},{parent_field}"
    epic = client.issue("PLAT-2", fields=fields).raw["fields"]
    assert (epic[parent_field]["data"]["key"], "parent" in epic) == ("PLAT-1", False)
    assert epic[parent_field]["showField"] is True  # an object, as real payloads carry it
    assert client.issue("PLAT-3", fields=fields).raw["fields"][epic_field] == "PLAT-2"
    assert client.issue("PLAT-4", fields=fields).fields.parent.key == "PLAT-3"
    assert (
        "hierarchyLevel"
        not in client.issue("PLAT-4", fields="issuetype").raw["fields"]["issuetype"]
    )


def test_set_parent_writes_the_field_of_the_level(dc: JiraStandIn, client: JIRA) -> None:
    dc.load([story("PLAT-1", type="Initiative"), story("PLAT-2", type="Epic"), story("PLAT-3")])
    dc.set_parent("PLAT-3", "PLAT-2")
    dc.set_parent("PLAT-2", "PLAT-1")
    assert dc.issue("PLAT-3")["fields"][dc.epic_link_field] == "PLAT-2"
    assert dc.issue("PLAT-2")["fields"][dc.parent_link_field]["data"]["key"] == "PLAT-1"
    dc.set_parent("PLAT-3", None)
    assert dc.issue("PLAT-3")["fields"][dc.epic_link_field] is None


def test_epic_link_can_be_written_through_the_api(dc: JiraStandIn, client: JIRA) -> None:
    dc.load([story("PLAT-1", type="Epic"), story("PLAT-2")])
    client.issue("PLAT-2").update(fields={dc.epic_link_field: "PLAT-1"})
    assert dc.issue("PLAT-2")["fields"][dc.epic_link_field] == "PLAT-1"


def test_comments_are_created_updated_and_deleted(dc: JiraStandIn, client: JIRA) -> None:
    dc.load([story("PLAT-1")])
    comment = client.add_comment("PLAT-1", "h2. Untraced\nNo parent.")
    assert comment.body == "h2. Untraced\nNo parent."
    comment.update(body="Now traced.")
    assert [c.body for c in client.comments("PLAT-1")] == ["Now traced."]
    comment.delete()
    assert client.comments("PLAT-1") == []


def test_comment_properties_live_on_their_own_endpoint(dc: JiraStandIn, client: JIRA) -> None:
    dc.load([story("PLAT-1")])
    comment = client.add_comment("PLAT-1", "note")
    url = client._get_url(f"comment/{comment.id}/properties/goldthread")
    assert client._session.put(url, data=json.dumps({"kind": "orphan"})).status_code == 201
    assert client._session.put(url, data=json.dumps({"kind": "orphan", "v": 2})).status_code == 200
    assert client._session.get(url).json() == {
        "key": "goldthread",
        "value": {"kind": "orphan", "v": 2},
    }
    listed = client._session.get(client._get_url(f"comment/{comment.id}/properties")).json()
    assert [k["key"] for k in listed["keys"]] == ["goldthread"]
    client._session.delete(url)
    assert (
        raw(dc, "GET", f"/rest/api/2/comment/{comment.id}/properties/goldthread").status_code == 404
    )


def test_a_missing_issue_is_a_404_in_jiras_shape(dc: JiraStandIn) -> None:
    answer = raw(dc, "GET", "/rest/api/2/issue/PLAT-404")
    assert answer.status_code == 404
    assert answer.json() == {
        "errorMessages": ["Issue does not exist or you do not have permission to see it."],
        "errors": {},
    }


def test_lenient_validation_lets_a_missing_key_through(dc: JiraStandIn) -> None:
    dc.load([story("PLAT-1")])
    strict = raw(dc, "GET", "/rest/api/2/search", params={"jql": "key in (PLAT-1, PLAT-2)"})
    lenient = raw(
        dc,
        "GET",
        "/rest/api/2/search",
        params={"jql": "key in (PLAT-1, PLAT-2)", "validateQuery": "warn"},
    )
    assert strict.status_code == 400
    assert lenient.json()["total"] == 1
    assert lenient.json()["warningMessages"] == [
        "An issue with key 'PLAT-2' does not exist for field 'key'."
    ]
