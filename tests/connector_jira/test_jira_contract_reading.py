"""Reading projects from Jira Cloud and Data Center, as the real client sends it."""

from __future__ import annotations

import base64
import json
from datetime import UTC, datetime
from urllib.parse import parse_qs, urlsplit

import pytest
import responses
from jira_contract_helpers import CLOUD, DC, api, connector, issue, site

from goldthread.clock import FakeClock
from goldthread.connectors.jira.reading import Cursor
from goldthread.errors import SkippableError


def query(call: responses.Call) -> dict[str, list[str]]:
    return parse_qs(urlsplit(call.request.url).query)


def searches(rsps: responses.RequestsMock) -> list[responses.Call]:
    return [c for c in rsps.calls if "/search" in c.request.url]


def test_cloud_reads_every_page_of_search_jql_by_next_page_token(rsps):
    base = site(rsps, cloud=True)
    first = [issue(f"PLAT-{n}", n) for n in range(1, 101)]
    rsps.get(
        api(base, "3", "search/jql"),
        json={"issues": first, "nextPageToken": "tok-2", "isLast": False},
        match=[responses.matchers.query_param_matcher({"maxResults": "100"}, strict_match=False)],
    )
    rsps.get(
        api(base, "3", "search/jql"),
        json={"issues": [issue("PLAT-101", 101)], "isLast": True},
        match=[
            responses.matchers.query_param_matcher({"nextPageToken": "tok-2"}, strict_match=False)
        ],
    )
    keys = [item.key for item in connector(cloud=True).read("PLAT", None)]

    assert keys == [f"PLAT-{n}" for n in range(1, 102)]
    calls = searches(rsps)
    assert len(calls) == 2
    assert all("/rest/api/3/search/jql" in c.request.url for c in calls)
    assert "nextPageToken" not in query(calls[0])
    assert query(calls[1])["nextPageToken"] == ["tok-2"]


def test_cloud_search_asks_only_for_the_fields_goldthread_reads(rsps):
    base = site(rsps, cloud=True)
    rsps.get(api(base, "3", "search/jql"), json={"issues": [], "isLast": True})
    list(connector(cloud=True).read("PLAT", None))

    fields = query(searches(rsps)[0])["fields"]
    assert set(fields) == {
        "summary",
        "description",
        "labels",
        "issuetype",
        "status",
        "created",
        "updated",
        "parent",
        "issuelinks",
        "components",
        "customfield_10014",
        "customfield_10018",
    }


def test_data_center_reads_every_page_of_search_by_start_at(rsps):
    base = site(rsps, cloud=False)
    rsps.get(
        api(base, "2", "search"),
        json={
            "startAt": 0,
            "maxResults": 100,
            "total": 150,
            "issues": [issue(f"WEB-{n}", n) for n in range(100)],
        },
        match=[responses.matchers.query_param_matcher({"startAt": "0"}, strict_match=False)],
    )
    rsps.get(
        api(base, "2", "search"),
        json={
            "startAt": 100,
            "maxResults": 100,
            "total": 150,
            "issues": [issue(f"WEB-{n}", n) for n in range(100, 150)],
        },
        match=[responses.matchers.query_param_matcher({"startAt": "100"}, strict_match=False)],
    )
    items = list(connector(cloud=False).read("WEB", None))

    assert len(items) == 150
    calls = searches(rsps)
    assert [query(c)["startAt"] for c in calls] == [["0"], ["100"]]
    assert all(query(c)["maxResults"] == ["100"] for c in calls)
    assert all("/search/jql" not in c.request.url for c in calls)


def test_cloud_signs_in_with_email_and_token_and_dc_with_a_bearer_token(rsps):
    for cloud in (True, False):
        base = site(rsps, cloud=cloud)
        connector(cloud=cloud).cloud  # noqa: B018 - connects
        sent = next(c for c in rsps.calls if c.request.url.startswith(base))
        expected = (
            "Basic " + base64.b64encode(b"bot@acme.example:s3cret-token").decode()
            if cloud
            else "Bearer s3cret-token"
        )
        assert sent.request.headers["Authorization"] == expected


def test_deployment_type_comes_from_server_info(rsps):
    site(rsps, cloud=False)
    assert connector(cloud=False).cloud is False
    site(rsps, cloud=True)
    assert connector(cloud=True).cloud is True


def test_an_issue_becomes_a_work_item_with_its_status_type_and_labels(rsps):
    base = site(rsps, cloud=True)
    raw = issue(
        "PLAT-7",
        10077,
        summary="Ship the thing",
        labels=["strategy", "goldthread:untraced"],
        issuetype={"name": "Epic"},
        status={"name": "Released", "statusCategory": {"key": "done"}},
        description="plain words",
    )
    rsps.get(api(base, "3", "search/jql"), json={"issues": [raw], "isLast": True})
    [item] = list(connector(cloud=True).read("PLAT", None))

    assert item.ref == "jira:PLAT-7"
    assert item.url == f"{CLOUD}/browse/PLAT-7"
    assert item.title == "Ship the thing"
    assert item.type == "Epic"
    assert item.labels == ("strategy", "goldthread:untraced")
    assert item.state == "closed"
    assert item.status == "Released"
    assert item.external_id == "10077"
    assert item.body == "plain words"
    assert item.updated_at == datetime(2026, 3, 1, 10, 0, tzinfo=UTC)


def test_an_open_status_category_keeps_the_item_open(rsps):
    base = site(rsps, cloud=False)
    raw = issue(
        "WEB-1", 1, status={"name": "In Progress", "statusCategory": {"key": "indeterminate"}}
    )
    rsps.get(api(base, "2", "search"), json={"startAt": 0, "total": 1, "issues": [raw]})
    [item] = list(connector(cloud=False).read("WEB", None))
    assert (item.state, item.status) == ("open", "In Progress")


def test_the_extra_jql_filter_is_anded_with_the_project(rsps):
    base = site(rsps, cloud=True)
    rsps.get(api(base, "3", "search/jql"), json={"issues": [], "isLast": True})
    list(connector(cloud=True, jql="labels != archived").read("PLAT", None))

    jql = query(searches(rsps)[0])["jql"][0]
    assert jql.startswith('project = "PLAT" AND (labels != archived)')


def test_an_incremental_read_asks_from_the_bookmark_minus_the_overlap_in_epoch_ms(rsps):
    base = site(rsps, cloud=True)
    rsps.get(api(base, "3", "search/jql"), json={"issues": [], "isLast": True})
    bookmark = int(datetime(2026, 3, 1, 12, 0, tzinfo=UTC).timestamp() * 1000)
    list(connector(cloud=True).read("PLAT", Cursor(bookmark=bookmark).encode()))

    jql = query(searches(rsps)[0])["jql"][0]
    assert f"updated >= {bookmark - 120_000} " in jql  # unquoted: read the same in any zone
    assert '"2026' not in jql


def test_an_item_seen_unchanged_in_the_overlap_is_not_yielded_again(rsps):
    base = site(rsps, cloud=True)
    same = issue("PLAT-1", 1, updated="2026-03-01T10:00:00.000+0000")
    changed = issue("PLAT-2", 2, updated="2026-03-01T10:00:30.000+0000")
    rsps.get(api(base, "3", "search/jql"), json={"issues": [same, changed], "isLast": True})
    stamp = int(datetime(2026, 3, 1, 10, 0, tzinfo=UTC).timestamp() * 1000)
    cursor = Cursor(bookmark=stamp, seen={"1": stamp, "2": stamp}).encode()

    read = connector(cloud=True).read("PLAT", cursor)
    assert [item.key for item in read] == ["PLAT-2"]
    after = Cursor.decode(read.cursor)
    assert after is not None
    assert after.bookmark == stamp + 30_000
    assert after.seen == {"1": stamp, "2": stamp + 30_000}


def test_the_bookmark_never_passes_the_moment_the_poll_started(rsps):
    base = site(rsps, cloud=True)
    future = issue("PLAT-1", 1, updated="2026-03-05T00:00:00.000+0000")
    rsps.get(api(base, "3", "search/jql"), json={"issues": [future], "isLast": True})
    started = datetime(2026, 3, 2, tzinfo=UTC)

    read = connector(cloud=True, clock=FakeClock(started)).read("PLAT", None)
    list(read)
    after = Cursor.decode(read.cursor)
    assert after is not None
    assert after.bookmark == int(started.timestamp() * 1000)
    assert "1" in after.seen  # still remembered, so the next poll does not yield it again


def test_the_cursor_is_only_known_once_every_page_was_read(rsps):
    base = site(rsps, cloud=True)
    rsps.get(api(base, "3", "search/jql"), json={"issues": [issue("PLAT-1", 1)], "isLast": True})
    read = connector(cloud=True).read("PLAT", None)
    assert read.cursor is None
    list(read)
    assert read.cursor is not None


@pytest.mark.parametrize("status", [400, 403, 404])
def test_a_project_that_cannot_be_read_fails_that_project_only(rsps, status):
    base = site(rsps, cloud=True)
    rsps.get(
        api(base, "3", "search/jql"),
        status=status,
        json={"errorMessages": ["The value 'GONE' does not exist for the field 'project'."]},
    )
    source = connector(cloud=True)
    with pytest.raises(SkippableError) as caught:
        list(source.read("GONE", None))
    assert caught.value.status == status
    assert "GONE" in str(caught.value)

    rsps.replace(
        responses.GET,
        api(base, "3", "search/jql"),
        json={"issues": [issue("PLAT-1", 1)], "isLast": True},
    )
    assert [item.key for item in source.read("PLAT", None)] == ["PLAT-1"]


def test_connecting_costs_server_info_and_one_field_list_for_the_connector_s_life(rsps):
    base = site(rsps, cloud=True)
    rsps.get(api(base, "3", "search/jql"), json={"issues": [], "isLast": True})
    source = connector(cloud=True)
    for _ in range(3):
        list(source.read("PLAT", None))
    paths = [urlsplit(c.request.url).path for c in rsps.calls]
    assert paths.count("/rest/api/2/serverInfo") == 1
    assert paths.count("/rest/api/3/field") == 1
    assert source.stats.requests == 5


def test_get_returns_fresh_items_with_one_search_per_hundred_keys(rsps):
    base = site(rsps, cloud=True)
    rsps.get(
        api(base, "3", "search/jql"),
        json={"issues": [issue("PLAT-1", 1), issue("WEB-2", 2)], "isLast": True},
    )
    items = connector(cloud=True).get(["PLAT-1", "WEB-2"])

    assert [i.key for i in items] == ["PLAT-1", "WEB-2"]
    [call] = searches(rsps)
    assert query(call)["jql"] == ['key in ("PLAT-1", "WEB-2")']


def test_get_leaves_out_keys_that_do_not_exist(rsps):
    base = site(rsps, cloud=True)
    rsps.get(
        api(base, "3", "search/jql"),
        status=400,
        json={"errorMessages": ["An issue with key 'PLAT-404' does not exist for field 'key'."]},
    )
    rsps.get(api(base, "3", "issue/PLAT-1"), json=issue("PLAT-1", 1))
    rsps.get(api(base, "3", "issue/PLAT-404"), status=404, json={"errorMessages": ["gone"]})

    assert [i.key for i in connector(cloud=True).get(["PLAT-1", "PLAT-404"])] == ["PLAT-1"]


def test_the_cursor_round_trips_and_junk_means_read_everything():
    cursor = Cursor(bookmark=1_772_359_200_000, seen={"10": 1_772_359_200_000})
    assert Cursor.decode(cursor.encode()) == cursor
    assert Cursor.decode("2026-03-01T10:00:00+00:00") is None
    assert Cursor.decode(json.dumps({"v": 99, "updated_ms": 1})) is None
    assert Cursor.decode(None) is None


def test_dc_urls_stay_on_rest_v2(rsps):
    base = site(rsps, cloud=False)
    rsps.get(api(base, "2", "search"), json={"startAt": 0, "total": 0, "issues": []})
    list(connector(cloud=False).read("WEB", None))
    assert all("/rest/api/2/" in c.request.url for c in rsps.calls)
    assert base == DC
