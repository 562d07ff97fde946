"""The in-memory tracker behaves like a connector at goldthread's seam."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest
from evaluating_builders import LONG_AGO, NOW, item

from goldthread.connectors.base import Connector
from goldthread.connectors.memory import MemoryConnector, MemoryWrite
from goldthread.core.model import CommentDoc
from goldthread.core.scope import scope_of
from goldthread.errors import RetriableError, SkippableError

DOC = CommentDoc(blocks=(), fingerprint="f1")


class Clock:
    def __init__(self) -> None:
        self.now = NOW

    def __call__(self) -> datetime:
        return self.now


def _github(clock: Clock | None = None) -> MemoryConnector:
    items = [
        item("gh", "acme/web#1", updated_at=LONG_AGO),
        item("gh", "acme/web#2", updated_at=LONG_AGO + timedelta(days=1)),
        item("gh", "acme/api#1", updated_at=LONG_AGO),
    ]
    return MemoryConnector("gh", items, clock=clock)


def test_it_satisfies_the_connector_protocol() -> None:
    assert isinstance(_github(), Connector)


def test_scopes_are_repositories_and_projects_taken_from_item_keys() -> None:
    assert scope_of("acme/web#12") == "acme/web"
    assert scope_of("PLAT-7") == "PLAT"
    assert _github().scopes() == ["acme/api", "acme/web"]


def test_a_read_without_cursor_returns_the_whole_scope_oldest_first_and_then_a_cursor() -> None:
    read = _github().read("acme/web", None)
    assert read.cursor is None
    assert [i.key for i in read] == ["acme/web#1", "acme/web#2"]
    assert read.cursor == (LONG_AGO + timedelta(days=1)).isoformat()


def test_a_read_from_a_cursor_returns_items_updated_at_or_after_it() -> None:
    connector = _github()
    first = connector.read("acme/web", None)
    list(first)
    again = connector.read("acme/web", first.cursor)
    assert [i.key for i in again] == ["acme/web#2"]
    assert again.cursor == first.cursor


def test_get_returns_fresh_copies_and_omits_unknown_keys() -> None:
    assert [i.key for i in _github().get(["acme/web#2", "acme/web#404"])] == ["acme/web#2"]


def test_goldthreads_label_shows_on_the_next_read_and_bumps_the_update_time() -> None:
    clock = Clock()
    connector = _github(clock)
    target = connector.get(["acme/web#1"])[0]
    connector.add_label(target, "goldthread:untraced")
    connector.add_label(target, "goldthread:untraced")
    [fresh] = connector.get(["acme/web#1"])
    assert fresh.labels == ("goldthread:untraced",)
    assert fresh.updated_at == NOW
    clock.now = NOW + timedelta(minutes=1)
    connector.remove_label(fresh, "goldthread:untraced")
    assert connector.get(["acme/web#1"])[0].labels == ()
    assert connector.writes == [
        MemoryWrite("add_label", "acme/web#1", "goldthread:untraced"),
        MemoryWrite("add_label", "acme/web#1", "goldthread:untraced"),
        MemoryWrite("remove_label", "acme/web#1", "goldthread:untraced"),
    ]


def test_the_marker_comment_is_created_found_updated_and_deleted() -> None:
    connector = _github()
    target = connector.get(["acme/web#1"])[0]
    assert connector.find_own_comment(target) is None
    created = connector.create_comment(target, DOC)
    assert connector.find_own_comment(target) == created
    updated = connector.update_comment(target, created.comment_id, CommentDoc((), "f2"))
    assert (updated.comment_id, updated.fingerprint) == (created.comment_id, "f2")
    connector.delete_comment(target, created.comment_id)
    assert connector.find_own_comment(target) is None
    assert [w.action for w in connector.writes] == [
        "create_comment",
        "update_comment",
        "delete_comment",
    ]


def test_requests_and_writes_are_counted() -> None:
    connector = _github()
    target = connector.get(["acme/web#1"])[0]
    connector.add_label(target, "x")
    connector.find_own_comment(target)
    assert (connector.stats.requests, connector.stats.writes) == (3, 1)
    assert connector.stats.by_status == {200: 3}


def test_writing_to_an_item_deleted_on_the_tracker_is_skippable() -> None:
    connector = _github()
    target = connector.get(["acme/web#1"])[0]
    connector.remove("acme/web#1")
    with pytest.raises(SkippableError):
        connector.add_label(target, "x")
    assert connector.writes == []
    assert connector.stats.by_status == {200: 1, 404: 1}


def test_a_planted_fault_fails_the_next_call_only() -> None:
    connector = _github()
    connector.fail_on("read", RetriableError("502 from tracker", source="gh", status=502))
    with pytest.raises(RetriableError):
        connector.read("acme/web", None)
    assert len(list(connector.read("acme/web", None))) == 2
