"""Writes wait while a verdict leans on a tracker goldthread has not read in full."""

from __future__ import annotations

from datetime import timedelta

from sync_builders import FLAGGED, LABEL, LONG_AGO, cycle

from goldthread.clock import FakeClock
from goldthread.connectors.memory import MemoryConnector
from goldthread.store import Store
from goldthread.sync.certainty import unsure_sources
from goldthread.sync.fetching import SourceRead


def flagged(connectors: dict[str, MemoryConnector]) -> set[str]:
    keys = [f"PLAT-{n}" for n in range(1, 6)] + [f"acme/web#{n}" for n in range(1, 5)]
    return {
        item.ref
        for connector in connectors.values()
        for key in keys
        if (item := connector.stored(key)) is not None and LABEL in item.labels
    }


def test_a_first_backfill_since_a_date_judges_but_writes_nothing_until_a_full_read(
    store: Store, connectors: dict[str, MemoryConnector], clock: FakeClock
) -> None:
    partial = cycle(store, connectors, clock, kind="backfill", since=LONG_AGO - timedelta(days=1))
    assert partial.held == len(FLAGGED)
    assert flagged(connectors) == set()
    full = cycle(store, connectors, clock, kind="backfill")
    assert full.held == 0
    assert flagged(connectors) == FLAGGED


def test_one_source_on_a_new_store_writes_only_where_the_other_tracker_is_not_involved(
    store: Store, connectors: dict[str, MemoryConnector], clock: FakeClock
) -> None:
    only_github = {"gh": connectors["gh"]}
    result = cycle(store, only_github, clock, kind="backfill")  # type: ignore[arg-type]
    assert result.unsure == {"jira"}
    assert flagged(connectors) == {"gh:acme/web#3"}


def test_a_source_complete_before_and_read_from_its_cursors_is_trusted() -> None:
    reads = {"gh": SourceRead("gh"), "jira": SourceRead("jira", fatal="401")}
    unsure = unsure_sources(
        ["gh", "jira", "old"], reads, complete_before={"gh", "jira", "old"}, full_read=False
    )
    assert unsure == {"jira"}
    never = unsure_sources(
        ["gh", "new"], {"gh": SourceRead("gh")}, complete_before={"gh"}, full_read=False
    )
    assert never == {"new"}
