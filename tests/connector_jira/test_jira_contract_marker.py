"""goldthread's issue property read with the search: the hint that spares a comment lookup."""

from __future__ import annotations

from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
from jira_contract_helpers import api, connector, issue, me, site

from goldthread.core.model import CommentDoc, MarkerState

MARKER = "goldthread.marker"
DOC = CommentDoc(blocks=(), fingerprint="fp-1")


def with_properties(raw: dict[str, Any], properties: dict[str, Any] | None) -> dict[str, Any]:
    """The spec's search issue (which has no ``properties``), with them added when given."""
    if properties is not None:
        raw["properties"] = properties
    return raw


def answer(cloud: bool, issues: list[dict[str, Any]]) -> dict[str, Any]:
    if cloud:
        return {"issues": issues, "isLast": True}
    return {"startAt": 0, "maxResults": 100, "total": len(issues), "issues": issues}


@pytest.mark.parametrize("cloud", [True, False])
def test_the_search_asks_for_the_property_and_each_item_says_what_it_proves(rsps, cloud):
    base = site(rsps, cloud=cloud)
    version, path = ("3", "search/jql") if cloud else ("2", "search")
    issues = [
        with_properties(issue("PLAT-1", 1), {MARKER: {"v": 1, "state": "pending"}}),
        with_properties(issue("PLAT-2", 2), {}),
        with_properties(issue("PLAT-3", 3), None),
    ]
    rsps.get(api(base, version, path), json=answer(cloud, issues))

    items = list(connector(cloud=cloud).read("PLAT", None))

    assert [i.marker.state for i in items] == [
        MarkerState.PENDING,  # goldthread meant to comment: look
        MarkerState.NONE,  # asked and absent: proof of no comment of ours
        MarkerState.UNKNOWN,  # not answered: no proof
    ]
    [search] = [c for c in rsps.calls if f"/{path}" in c.request.url]
    assert parse_qs(urlsplit(search.request.url).query)["properties"] == [MARKER]


def test_reading_one_issue_by_key_asks_for_the_property_too(rsps):
    base = site(rsps, cloud=True)
    rsps.get(api(base, "3", "search/jql"), status=400, json={"errorMessages": ["no such key"]})
    rsps.get(api(base, "3", "issue/PLAT-1"), json=with_properties(issue("PLAT-1", 1), {}))

    [item] = connector(cloud=True).get(["PLAT-1"])

    assert item.marker.state is MarkerState.NONE
    [one] = [c for c in rsps.calls if "/issue/PLAT-1" in c.request.url]
    assert parse_qs(urlsplit(one.request.url).query)["properties"] == [MARKER]


def test_a_stale_read_after_commenting_does_not_skip_the_lookup(rsps):
    base = site(rsps, cloud=True)
    stale = answer(True, [with_properties(issue("PLAT-1", 1), {})])  # as before goldthread wrote
    rsps.get(api(base, "3", "search/jql"), json=stale)
    rsps.put(api(base, "3", "issue/PLAT-1"), status=204)
    rsps.post(api(base, "3", "issue/PLAT-1/comment"), status=201, json={"id": "10500"})
    listing = {"startAt": 0, "maxResults": 100, "total": 0, "comments": []}
    rsps.get(api(base, "3", "issue/PLAT-1/comment"), json=listing)
    me(rsps, base, cloud=True)
    source = connector(cloud=True)
    [item] = source.get(["PLAT-1"])
    source.create_comment(item, DOC)

    [again] = source.get(["PLAT-1"])
    source.find_own_comment(again)

    last = rsps.calls[-1].request
    assert (last.method, urlsplit(last.url).path) == ("GET", "/rest/api/3/issue/PLAT-1/comment")
