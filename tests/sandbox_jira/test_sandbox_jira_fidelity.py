"""The Jira stand-in is as strict as Jira: properties only where documented, edit
screens that refuse labels, a Cloud search that lags behind writes."""

from __future__ import annotations

import json
from datetime import timedelta

from sandbox_jira_helpers import FakeClock, raw, story

from goldthread.sandbox.jira import JiraStandIn

MARKER = {"key": "goldthread.marker", "value": {"v": 1, "fingerprint": "fp"}}
TEXT = {"type": "paragraph", "content": [{"type": "text", "text": "untraced"}]}


def test_comment_properties_come_only_from_the_documented_calls(cloud: JiraStandIn) -> None:
    cloud.load([story("PLAT-1")])
    comment = raw(
        cloud,
        "POST",
        "/rest/api/3/issue/PLAT-1/comment",
        data=json.dumps(
            {"body": {"type": "doc", "version": 1, "content": [TEXT]}, "properties": [MARKER]}
        ),
    ).json()
    one = raw(cloud, "GET", f"/rest/api/3/issue/PLAT-1/comment/{comment['id']}?expand=properties")
    by_id = raw(
        cloud,
        "POST",
        "/rest/api/3/comment/list?expand=properties",
        data=json.dumps({"ids": [int(comment["id"])]}),
    )
    assert "properties" not in one.json()
    assert by_id.json()["values"][0]["properties"] == [MARKER]


def test_a_project_without_labels_on_its_edit_screen_refuses_the_whole_edit(
    cloud: JiraStandIn,
) -> None:
    cloud.load([story("WEB-1", labels=["keep"])])
    cloud.lock_labels("WEB")
    edit = {"update": {"labels": [{"add": "x"}]}, "properties": [MARKER]}

    answer = raw(cloud, "PUT", "/rest/api/3/issue/WEB-1", data=json.dumps(edit))
    meta = raw(cloud, "GET", "/rest/api/3/issue/WEB-1/editmeta").json()

    assert answer.status_code == 400
    assert "labels" in answer.json()["errors"]
    assert cloud.labels("WEB-1") == ["keep"]
    assert cloud.state.find("WEB-1").properties == {}  # lost with the refused edit
    assert "labels" not in meta["fields"]
    assert "summary" in meta["fields"]


def test_cloud_search_lags_behind_writes_unless_reconciled(
    cloud: JiraStandIn, clock: FakeClock
) -> None:
    cloud.search_lag = 30.0
    cloud.load([story("PLAT-1", labels=[])])
    issue_id = cloud.state.find("PLAT-1").id
    raw(
        cloud,
        "PUT",
        "/rest/api/3/issue/PLAT-1",
        data=json.dumps({"update": {"labels": [{"add": "x"}]}}),
    )

    def labels(query: str) -> list[str]:
        found = raw(
            cloud, "GET", f"/rest/api/3/search/jql?jql=project%20%3D%20PLAT&fields=labels{query}"
        )
        return found.json()["issues"][0]["fields"]["labels"]

    assert labels("") == []  # as before the write
    assert labels(f"&reconcileIssues={issue_id}") == ["x"]
    clock.moment += timedelta(seconds=31)
    assert labels("") == ["x"]
