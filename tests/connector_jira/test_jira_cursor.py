"""The incremental cursor of one project read: overlap, dedup, bookmark, at-least-once."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime, timedelta
from typing import Any

from goldthread.connectors.jira.reading import Cursor, ProjectRead, build_jql, cursor_since

START = datetime(2026, 3, 2, tzinfo=UTC)
MS = 1_772_359_200_000  # 2026-03-01T10:00Z


def raw(issue_id: int, stamp: int) -> dict[str, Any]:
    return {"id": str(issue_id), "key": f"PLAT-{issue_id}", "stamp": stamp}


def project_read(pages: list[list[dict[str, Any]]], cursor: str | None = None) -> ProjectRead:
    """A read over canned pages; each issue's ``stamp`` is its updated (ms)."""
    queue = list(pages)

    def fetch(
        _jql: str, _position: int | str | None
    ) -> tuple[list[Mapping[str, Any]], int | str | None]:
        page = queue.pop(0)
        return page, (len(queue) if queue else None)

    return ProjectRead(
        project="PLAT",
        extra_jql="",
        cursor=cursor,
        fetch=fetch,
        parse=lambda r: r["key"],  # type: ignore[arg-type, return-value]
        updated_ms=lambda r: int(r["stamp"]),
        started=START,
        overlap=timedelta(minutes=2),
    )


def test_an_issue_met_twice_across_pages_at_the_same_update_is_yielded_once():
    read = project_read([[raw(1, MS), raw(2, MS)], [raw(2, MS), raw(3, MS + 1)]])
    assert list(read) == ["PLAT-1", "PLAT-2", "PLAT-3"]


def test_an_issue_that_changed_while_pages_were_read_is_yielded_again():
    read = project_read([[raw(1, MS)], [raw(1, MS + 5_000)]])
    assert list(read) == ["PLAT-1", "PLAT-1"]


def test_only_issues_inside_the_overlap_are_remembered():
    read = project_read([[raw(1, MS - 600_000), raw(2, MS - 60_000), raw(3, MS)]])
    list(read)
    after = Cursor.decode(read.cursor)
    assert after == Cursor(bookmark=MS, seen={"2": MS - 60_000, "3": MS})


def test_a_read_that_finds_nothing_keeps_the_bookmark():
    read = project_read([[]], cursor=Cursor(bookmark=MS).encode())
    assert list(read) == []
    assert Cursor.decode(read.cursor) == Cursor(bookmark=MS, seen={})


def test_a_read_that_fails_midway_leaves_no_cursor_to_store():
    read = project_read([[raw(1, MS)]])
    iterator = iter(read)
    next(iterator)
    assert read.cursor is None


def test_the_query_reaches_back_by_the_overlap():
    read = project_read([[]], cursor=Cursor(bookmark=MS).encode())
    assert f"updated >= {MS - 120_000} ORDER BY updated ASC" in read.jql


def test_since_a_date_is_the_same_instant_whatever_the_offset_it_is_written_in():
    utc = cursor_since(datetime(2026, 3, 1, 10, 0, tzinfo=UTC))
    berlin = cursor_since(datetime.fromisoformat("2026-03-01T11:00:00+01:00"))
    assert utc == berlin
    assert Cursor.decode(utc) == Cursor(bookmark=MS)


def test_project_names_are_quoted_in_jql():
    assert build_jql('we"ird', "", None) == 'project = "we\\"ird" ORDER BY updated ASC, key ASC'
