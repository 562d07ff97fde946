"""Reading Jira Cloud and Data Center stand-ins over real HTTP with the real ``jira`` client."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from urllib.parse import parse_qs

import pytest
from jira_sandbox_helpers import T0, connect, fake_clock, seed, stand_in

from goldthread.clock import FakeClock
from goldthread.connectors.jira.reading import Cursor, to_millis
from goldthread.core.model import LinkKind
from goldthread.errors import SkippableError
from goldthread.sandbox.jira import JiraStandIn
from goldthread.sandbox.seeds import JiraLinkSeed


@pytest.fixture(params=["cloud", "dc"])
def mode(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@pytest.fixture
def clock() -> FakeClock:
    return fake_clock()


@pytest.fixture
def site(mode: str, clock: FakeClock) -> Iterator[JiraStandIn]:
    server = stand_in(mode, clock)
    yield server
    server.stop()


def searches(site: JiraStandIn) -> list[dict[str, list[str]]]:
    return [parse_qs(r.query) for r in site.requests("GET", "/search")]


def test_every_kind_of_parent_link_is_read(site, clock):
    cloud = site.cloud
    site.load(
        [
            seed("PLAT-1", "Initiative", labels=["vision"]),
            seed(
                "PLAT-2",
                "Epic",
                **({"parent_key": "PLAT-1"} if cloud else {"parent_link": "PLAT-1"}),
            ),
            seed(
                "PLAT-3",
                "Story",
                **({"parent_key": "PLAT-2"} if cloud else {"epic_link": "PLAT-2"}),
            ),
            seed("PLAT-4", "Sub-task", parent_key="PLAT-3"),
            seed("PLAT-5", "Story"),
            seed("PLAT-6", "Story", description="Some context\nPart of PLAT-2"),
            seed("PLAT-7", "Story"),
        ],
        [
            JiraLinkSeed("Implements", "PLAT-5", "PLAT-2"),
            JiraLinkSeed("Implements", "PLAT-2", "PLAT-7"),
        ],
    )
    items = {item.key: item for item in connect(site, clock).read("PLAT", None)}

    def kinds(key: str) -> list[tuple[LinkKind, str | None]]:
        return [(p.kind, p.target) for p in items[key].parents]

    assert kinds("PLAT-1") == []
    assert kinds("PLAT-2")[0] == (
        LinkKind.JIRA_PARENT if cloud else LinkKind.PARENT_LINK,
        "jira:PLAT-1",
    )
    assert kinds("PLAT-3") == [
        (LinkKind.JIRA_PARENT if cloud else LinkKind.EPIC_LINK, "jira:PLAT-2")
    ]
    assert kinds("PLAT-4") == [(LinkKind.JIRA_PARENT, "jira:PLAT-3")]
    assert kinds("PLAT-5") == [
        (LinkKind.ISSUE_LINK, "jira:PLAT-2")
    ]  # the outward side is the child
    assert kinds("PLAT-6") == [(LinkKind.BODY_REFERENCE, "jira:PLAT-2")]
    assert kinds("PLAT-7") == []  # the inward side of "implements" is the parent
    assert items["PLAT-2"].parents[1:] == tuple(
        p for p in items["PLAT-2"].parents if p.kind is LinkKind.ISSUE_LINK
    )


def test_a_full_read_pages_a_hundred_at_a_time_in_the_deployment_s_style(site, clock):
    site.load([seed(f"PLAT-{n}") for n in range(1, 251)])
    keys = [item.key for item in connect(site, clock).read("PLAT", None)]

    assert sorted(keys) == sorted(f"PLAT-{n}" for n in range(1, 251))
    pages = searches(site)
    assert len(pages) == 3
    assert all(p["maxResults"] == ["100"] for p in pages)
    if site.cloud:
        assert all(
            r.path.endswith("/rest/api/3/search/jql") for r in site.requests("GET", "/search")
        )
        assert "nextPageToken" not in pages[0]
        assert all("nextPageToken" in p for p in pages[1:])
    else:
        assert [p["startAt"] for p in pages] == [["0"], ["100"], ["200"]]


def test_data_center_pages_by_what_the_server_returns():
    clock = fake_clock()
    site = stand_in("dc", clock, dc_max_results=40)
    try:
        site.load([seed(f"PLAT-{n}") for n in range(1, 101)])
        items = list(connect(site, clock).read("PLAT", None))
        assert len(items) == 100
        assert [p["startAt"] for p in searches(site)] == [["0"], ["40"], ["80"]]
    finally:
        site.stop()


def test_a_full_read_costs_one_search_per_hundred_issues_plus_set_up(site, clock):
    site.load(
        [seed(f"PLAT-{n}") for n in range(1, 301)] + [seed(f"WEB-{n}") for n in range(1, 201)]
    )
    source = connect(site, clock)
    for project in source.scopes():
        list(source.read(project, None))
    assert len(searches(site)) == 5
    assert source.stats.requests == 5 + 2  # serverInfo and the field list, once


@pytest.mark.parametrize("zone", ["America/Los_Angeles", "Asia/Tokyo", "Europe/Berlin"])
@pytest.mark.parametrize("mode_", ["cloud", "dc"])
def test_the_cursor_means_the_same_instant_whatever_the_account_s_zone(zone, mode_):
    clock = fake_clock()
    site = stand_in(mode_, clock, time_zone=zone)
    try:
        site.load(
            [
                seed("PLAT-1", at=T0 - timedelta(minutes=10)),
                seed("PLAT-2", at=T0 + timedelta(minutes=1)),
                seed("PLAT-3", at=T0 + timedelta(hours=5)),
            ]
        )
        source = connect(site, clock, overlap=timedelta(0))
        read = source.read("PLAT", Cursor(bookmark=to_millis(T0)).encode())
        assert sorted(item.key for item in read) == ["PLAT-2", "PLAT-3"]
    finally:
        site.stop()


def test_a_poll_with_no_change_costs_one_search_and_yields_nothing(site, clock):
    site.load([seed(f"PLAT-{n}", at=T0 + timedelta(minutes=n)) for n in range(1, 151)])
    source = connect(site, clock)
    first = source.read("PLAT", None)
    assert len(list(first)) == 150
    site.clear_log()

    second = source.read("PLAT", first.cursor)
    assert list(second) == []
    assert len(site.requests()) == 1
    assert second.cursor is not None


def test_a_change_after_the_poll_is_seen_by_the_next_one(site, clock):
    site.load([seed("PLAT-1"), seed("PLAT-2")])
    source = connect(site, clock)
    first = source.read("PLAT", None)
    list(first)
    clock.advance(60)
    site.set_labels("PLAT-2", ["strategy"])

    changed = list(source.read("PLAT", first.cursor))
    assert [(i.key, i.labels) for i in changed] == [("PLAT-2", ("strategy",))]


def test_the_extra_jql_narrows_every_project(site, clock):
    site.load([seed("PLAT-1", labels=["keep"]), seed("PLAT-2", labels=["archived"])])
    source = connect(site, clock, jql="labels = keep")
    assert [i.key for i in source.read("PLAT", None)] == ["PLAT-1"]


def test_a_project_that_does_not_exist_fails_alone(site, clock):
    site.load([seed("PLAT-1")])
    source = connect(site, clock, projects=("NOPE", "PLAT"))
    with pytest.raises(SkippableError):
        list(source.read("NOPE", None))
    assert [i.key for i in source.read("PLAT", None)] == ["PLAT-1"]


def test_get_reads_fresh_copies_and_leaves_out_unknown_keys(site, clock):
    site.load([seed("PLAT-1"), seed("WEB-2")])
    source = connect(site, clock)
    assert sorted(i.key for i in source.get(["PLAT-1", "WEB-2", "PLAT-999"])) == ["PLAT-1", "WEB-2"]


def test_check_names_the_account_and_the_deployment(site, clock):
    said = connect(site, clock).check()
    assert ("Jira Cloud" if site.cloud else "Jira Data Center") in said
    assert "Europe/Berlin" in said


def test_closed_items_and_types_come_through(site, clock):
    site.load([seed("PLAT-1", "Bug", status="Done", status_category="done")])
    [item] = list(connect(site, clock).read("PLAT", None))
    assert (item.type, item.state, item.status) == ("Bug", "closed", "Done")
