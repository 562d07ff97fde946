"""The JQL subset reads queries the way Jira does, time zones included."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from sandbox_jira_helpers import story

from goldthread.sandbox.jira_state import IssueRecord, JiraState
from goldthread.sandbox.jql import JqlError, Literal, compile_query, date_value, parse

BERLIN = ZoneInfo("Europe/Berlin")
NOW = datetime(2024, 1, 10, 12, 0, tzinfo=UTC)
BOUNDARY = datetime(2024, 1, 2, 3, 0, tzinfo=UTC)  # 04:00 in Berlin


def site(*seeds: object) -> JiraState:
    state = JiraState(
        lambda: NOW, cloud=True, epic_field="customfield_1", parent_field="customfield_2"
    )
    for seed in seeds:
        state.add_issue(seed)  # type: ignore[arg-type]
    return state


def keys(state: JiraState, jql: str, zone: ZoneInfo = BERLIN) -> list[str]:
    predicate, sort = compile_query(parse(jql), state, zone, NOW)
    hits = sort([i for i in state.issues.values() if predicate(i)])
    return [i.key for i in hits if isinstance(i, IssueRecord)]


@pytest.fixture
def boundary_site() -> JiraState:
    ms = timedelta(milliseconds=1)
    return site(
        story("PLAT-1", updated_at=BOUNDARY - ms),
        story("PLAT-2", updated_at=BOUNDARY),
        story("PLAT-3", updated_at=BOUNDARY + ms),
    )


def test_a_quoted_literal_is_read_in_the_account_zone(boundary_site: JiraState) -> None:
    assert keys(
        boundary_site, 'project = PLAT AND updated >= "2024-01-02 04:00" ORDER BY key ASC'
    ) == ["PLAT-2", "PLAT-3"]


def test_an_unquoted_number_is_epoch_milliseconds(boundary_site: JiraState) -> None:
    epoch = int(BOUNDARY.timestamp() * 1000)
    assert keys(boundary_site, f"project = PLAT AND updated >= {epoch} ORDER BY key ASC") == [
        "PLAT-2",
        "PLAT-3",
    ]


def test_the_same_literal_means_another_instant_in_another_zone(boundary_site: JiraState) -> None:
    jql = 'updated >= "2024-01-02 04:00" ORDER BY key ASC'
    assert keys(boundary_site, jql, ZoneInfo("UTC")) == []


def test_slashes_and_date_only_literals_are_accepted() -> None:
    zone = ZoneInfo("America/New_York")
    assert date_value(Literal("2024/01/02 04:00", True), "updated", zone, NOW) == date_value(
        Literal("2024-01-02 04:00", True), "updated", zone, NOW
    )
    midnight = datetime(2024, 1, 2, tzinfo=zone)
    assert (
        date_value(Literal("2024-01-02", True), "updated", zone, NOW)
        == int(midnight.timestamp()) * 1000
    )


def test_a_relative_period_counts_back_from_now() -> None:
    assert (
        date_value(Literal("-1d", False), "updated", BERLIN, NOW)
        == int((NOW - timedelta(days=1)).timestamp()) * 1000
    )


def test_a_quoted_number_or_seconds_are_refused_like_jira() -> None:
    for text in ("1704164400000", "2024-01-02 04:00:30"):
        with pytest.raises(JqlError, match="Valid formats include"):
            date_value(Literal(text, True), "updated", BERLIN, NOW)


def test_lower_and_upper_bounds_select_a_window(boundary_site: JiraState) -> None:
    jql = 'updated > "2024-01-02 03:59" AND updated < "2024-01-02 04:00" ORDER BY key ASC'
    assert keys(boundary_site, jql) == ["PLAT-1"]
    assert keys(boundary_site, 'updated <= "2024-01-02 04:00"  ORDER BY key ASC') == [
        "PLAT-1",
        "PLAT-2",
    ]


def test_projects_keys_labels_and_parentheses_combine() -> None:
    state = site(
        story("PLAT-1", labels=["vision"]), story("PLAT-2", labels=[]), story("WEB-1", labels=["x"])
    )
    assert keys(
        state, "project in (PLAT, WEB) AND (labels = vision OR key = WEB-1) ORDER BY key ASC"
    ) == ["PLAT-1", "WEB-1"]
    assert keys(state, "issuekey in (PLAT-2, WEB-1) ORDER BY key DESC") == ["WEB-1", "PLAT-2"]
    assert keys(state, "labels in (x, vision) and project = plat") == ["PLAT-1"]
    assert keys(state, "project = PLAT AND labels is EMPTY") == ["PLAT-2"]
    assert keys(state, "project = PLAT AND NOT labels = vision") == ["PLAT-2"]


def test_and_binds_tighter_than_or() -> None:
    state = site(story("PLAT-1", labels=["a"]), story("PLAT-2"), story("WEB-1"))
    assert keys(state, "project = WEB OR project = PLAT AND labels = a ORDER BY key ASC") == [
        "PLAT-1",
        "WEB-1",
    ]


def test_order_by_updated_then_key_is_stable() -> None:
    state = site(
        story("PLAT-10", updated_at=BOUNDARY),
        story("PLAT-9", updated_at=BOUNDARY),
        story("PLAT-1", updated_at=BOUNDARY + timedelta(seconds=1)),
    )
    assert keys(state, "project = PLAT ORDER BY updated ASC, key ASC") == [
        "PLAT-9",
        "PLAT-10",
        "PLAT-1",
    ]


@pytest.mark.parametrize(
    ("jql", "message"),
    [
        ("summary ~ foo", "Field 'summary' does not exist"),
        ("project = PLAT AND updated >= now()", "Unable to find JQL function 'now()'"),
        ("project = NOPE", "The value 'NOPE' does not exist for the field 'project'."),
        ("key = PLAT-99", "An issue with key 'PLAT-99' does not exist for field 'key'."),
        ("key = nonsense", "The issue key 'nonsense' for field 'key' is invalid."),
        ("project > PLAT", "The operator '>' is not supported by the 'project' field."),
        ("project = PLAT AND", "Expecting"),
        ("project = PLAT ORDER BY summary", "Field 'summary' does not exist"),
        ("(project = PLAT", "Expecting ')'"),
    ],
)
def test_queries_outside_the_subset_fail_with_jiras_words(jql: str, message: str) -> None:
    state = site(story("PLAT-1"))
    with pytest.raises(JqlError, match=message.replace("(", r"\(").replace(")", r"\)")):
        keys(state, jql)
