"""Issue entity properties on the Jira stand-in: set by an edit, read back by search and GET."""

from __future__ import annotations

from typing import Any

import pytest
from sandbox_jira_helpers import FakeClock, cloud_client, dc_client, raw, story

from goldthread.sandbox.jira import JiraStandIn

MARKER = {"key": "goldthread.marker", "value": {"v": 1, "state": "pending"}}


def edit(site: JiraStandIn, key: str, body: dict[str, Any]) -> int:
    version = "3" if site.cloud else "2"
    return raw(site, "PUT", f"/rest/api/{version}/issue/{key}", json=body).status_code


@pytest.fixture(params=["cloud", "dc"])
def site(request: pytest.FixtureRequest, cloud: JiraStandIn, dc: JiraStandIn) -> JiraStandIn:
    chosen = cloud if request.param == "cloud" else dc
    chosen.load([story("PLAT-1", labels=[]), story("PLAT-2", labels=[])])
    return chosen


def test_an_edit_sets_labels_and_a_property_in_one_request(site: JiraStandIn) -> None:
    body = {"update": {"labels": [{"add": "goldthread:untraced"}]}, "properties": [MARKER]}
    assert edit(site, "PLAT-1", body) == 204
    shown = site.issue("PLAT-1")
    assert shown["fields"]["labels"] == ["goldthread:untraced"]
    assert shown["properties"] == {"goldthread.marker": {"v": 1, "state": "pending"}}


def test_a_property_alone_changes_neither_updated_nor_labels(
    site: JiraStandIn, clock: FakeClock
) -> None:
    before = site.issue("PLAT-1")["fields"]["updated"]
    clock.advance(minutes=5)
    assert edit(site, "PLAT-1", {"properties": [MARKER]}) == 204
    after = site.issue("PLAT-1")
    assert after["fields"]["updated"] == before
    assert after["fields"]["labels"] == []


def test_search_returns_the_asked_property_and_an_empty_object_where_it_is_absent(
    site: JiraStandIn,
) -> None:
    edit(site, "PLAT-1", {"properties": [MARKER, {"key": "other.app", "value": 1}]})
    jql = "project = PLAT ORDER BY key ASC"
    if site.cloud:
        answer = cloud_client(site).enhanced_search_issues(
            jql, fields=["labels"], properties="goldthread.marker", json_result=True
        )
    else:
        answer = dc_client(site).search_issues(
            jql, fields=["labels"], properties="goldthread.marker", json_result=True
        )
    assert isinstance(answer, dict)
    assert [issue["properties"] for issue in answer["issues"]] == [
        {"goldthread.marker": MARKER["value"]},
        {},
    ]


def test_issues_carry_no_properties_object_unless_asked(site: JiraStandIn) -> None:
    edit(site, "PLAT-1", {"properties": [MARKER]})
    version = "3" if site.cloud else "2"
    plain = raw(site, "GET", f"/rest/api/{version}/issue/PLAT-1").json()
    asked = raw(
        site, "GET", f"/rest/api/{version}/issue/PLAT-1", params={"properties": "goldthread.marker"}
    ).json()
    assert "properties" not in plain
    assert asked["properties"] == {"goldthread.marker": MARKER["value"]}


def test_a_malformed_property_refuses_the_whole_edit(site: JiraStandIn) -> None:
    body = {"update": {"labels": [{"add": "x"}]}, "properties": [{"value": 1}]}
    assert edit(site, "PLAT-1", body) == 400
    shown = site.issue("PLAT-1")
    assert (shown["fields"]["labels"], shown["properties"]) == ([], {})


def test_more_than_five_property_keys_are_refused(site: JiraStandIn) -> None:
    version = "3" if site.cloud else "2"
    path = "/search/jql" if site.cloud else "/search"
    params = {"jql": "project = PLAT", "fields": "labels", "properties": "a,b,c,d,e,f"}
    assert raw(site, "GET", f"/rest/api/{version}{path}", params=params).status_code == 400
