"""A run cut short at any write, then run again, ends in the same state with no duplicate."""

from __future__ import annotations

from collections.abc import Iterable

import pytest
from sync_builders import FLAGGED, LABEL, START, cycle, organisation

from goldthread.clock import FakeClock
from goldthread.connectors.memory import MemoryConnector
from goldthread.core.model import CommentDoc, OwnComment, WorkItem
from goldthread.store import open_store


class Killed(BaseException):
    """Stands for kill -9: nothing after it runs, not even cleanup in the cycle."""


class DyingConnector(MemoryConnector):
    """Dies right after its ``die_after``-th successful write (once)."""

    def __init__(self, name: str, items: Iterable[WorkItem], clock: FakeClock, die_after: int):
        super().__init__(name, items, clock=clock.now)
        self.die_after = die_after

    def _after_write(self) -> None:
        if self.die_after and len(self.writes) >= self.die_after:
            self.die_after = 0
            raise Killed

    def add_label(self, item: WorkItem, label: str) -> None:
        super().add_label(item, label)
        self._after_write()

    def create_comment(self, item: WorkItem, doc: CommentDoc) -> OwnComment:
        made = super().create_comment(item, doc)
        self._after_write()
        return made


@pytest.mark.parametrize("die_after", [1, 2, 3, 4])
def test_a_run_killed_after_any_write_and_run_again_leaves_one_comment_per_flagged_item(
    die_after: int,
) -> None:
    clock = FakeClock(START)
    jira, github = organisation()
    connectors = {
        "jira": MemoryConnector("jira", jira, clock=clock.now),
        "gh": DyingConnector("gh", github, clock, die_after),
    }
    with open_store("sqlite:///:memory:") as store:
        with pytest.raises(Killed):
            cycle(store, connectors, clock, kind="backfill")
        again = cycle(store, connectors, clock)
        assert again.ok
    for ref in FLAGGED:
        source, _, key = ref.partition(":")
        assert len(connectors[source].comments(key)) == 1, ref
        stored = connectors[source].stored(key)
        assert stored is not None
        assert stored.labels.count(LABEL) == 1
