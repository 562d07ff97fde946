"""Cursors are kept per source and scope, and committed all or nothing."""

from __future__ import annotations

from typing import Any, cast

import pytest

from goldthread.errors import StoreError
from goldthread.store import Store


def test_committed_cursors_are_read_back_per_source_and_scope(store: Store) -> None:
    store.commit_cursors("gh", {"acme/web": "2026-03-01T09:00:00Z", "acme/api": "c2"})
    store.commit_cursors("jira", {"PLAT": "j1"})
    assert store.cursors("gh").get("acme/web") == "2026-03-01T09:00:00Z"
    assert store.cursors("gh") == {"acme/web": "2026-03-01T09:00:00Z", "acme/api": "c2"}
    assert store.cursors("jira") == {"PLAT": "j1"}
    assert store.cursors("jira").get("acme/web") is None


def test_a_later_commit_moves_only_the_scopes_it_names(store: Store) -> None:
    store.commit_cursors("gh", {"acme/web": "c1", "acme/api": "c1"})
    store.commit_cursors("gh", {"acme/web": "c2"})
    assert store.cursors("gh") == {"acme/web": "c2", "acme/api": "c1"}


def test_a_commit_that_fails_midway_leaves_every_cursor_where_it_was(store: Store) -> None:
    store.commit_cursors("gh", {"acme/web": "c1", "acme/api": "c1"})
    bad = cast(Any, {"acme/web": "c2", "acme/api": object()})
    with pytest.raises(StoreError, match="committing cursors"):
        store.commit_cursors("gh", bad)
    assert store.cursors("gh") == {"acme/web": "c1", "acme/api": "c1"}


def test_clearing_a_sources_cursors_makes_the_next_read_a_full_one(store: Store) -> None:
    store.commit_cursors("gh", {"acme/web": "c1"})
    store.commit_cursors("jira", {"PLAT": "j1"})
    store.clear_cursors("gh")
    assert store.cursors("gh") == {}
    assert store.cursors("jira") == {"PLAT": "j1"}
