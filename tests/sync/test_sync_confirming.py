"""A sync writes only to items it read or confirmed where they are: items
beneath a change that the sync did not read are read again first; one found
deleted is forgotten, not written to, and when that read fails their writes
wait, with the source's cursors, for the next run."""

from __future__ import annotations

from dataclasses import replace

from sync_builders import LABEL, cycle

from goldthread.clock import FakeClock
from goldthread.connectors.memory import MemoryConnector
from goldthread.errors import RetriableError
from goldthread.store import Store


def _vision_lost(store: Store, connectors: dict[str, MemoryConnector], clock: FakeClock) -> None:
    """After a first full read, PLAT-1 loses its vision label: the items beneath
    it (PLAT-2, PLAT-3, and the GitHub issues under PLAT-2) are not read by the
    next sync, but are to be flagged by it."""
    cycle(store, connectors, clock, kind="backfill")
    cycle(store, connectors, clock)  # the cursors pass the items nobody changed
    jira = connectors["jira"]
    vision = jira.stored("PLAT-1")
    assert vision is not None
    jira.put(replace(vision, labels=(), updated_at=clock.now()))


def test_an_unread_item_found_deleted_is_forgotten_and_never_written_to(
    store: Store, connectors: dict[str, MemoryConnector], clock: FakeClock
) -> None:
    _vision_lost(store, connectors, clock)
    connectors["jira"].remove("PLAT-3")
    result = cycle(store, connectors, clock)
    assert result.ok
    assert store.item("jira:PLAT-3") is None
    assert not [w for w in connectors["jira"].writes if w.key == "PLAT-3"]
    plat2 = connectors["jira"].stored("PLAT-2")
    assert plat2 is not None
    assert LABEL in plat2.labels
    assert result.deleted == 1


def test_when_confirming_fails_those_writes_and_the_cursors_wait_for_the_next_run(
    store: Store, connectors: dict[str, MemoryConnector], clock: FakeClock
) -> None:
    _vision_lost(store, connectors, clock)
    jira = connectors["jira"]
    cursors = store.cursors("jira")
    jira.fail_on("get", RetriableError("Jira is down", source="jira"))
    failed = cycle(store, connectors, clock)
    assert not failed.ok
    assert any(line.startswith("jira: confirming items:") for line in failed.errors)
    assert store.cursors("jira") == cursors
    written = {w.key for w in jira.writes}
    assert "PLAT-1" in written  # read by this sync: written
    assert not written & {"PLAT-2", "PLAT-3"}
    jira.writes.clear()
    again = cycle(store, connectors, clock)
    assert again.ok
    assert {w.key for w in jira.writes} >= {"PLAT-2", "PLAT-3"}
