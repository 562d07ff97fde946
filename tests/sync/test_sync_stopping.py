"""A cycle asked to stop (the service got SIGTERM) stops between pages and
between writes, and leaves the cursors so that the next cycle misses nothing."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import replace
from datetime import timedelta

from sync_builders import LABEL, START, item, settings

from goldthread.clock import FakeClock
from goldthread.connectors.memory import MemoryConnector, MemoryRead
from goldthread.core.model import WorkItem
from goldthread.store import Store, open_store
from goldthread.sync.cycle import CycleOptions, CycleResult, run_cycle

PAGE = 10


class PagedRead(MemoryRead):
    """Items a page at a time; ``on_page`` runs as each page arrives."""

    def __init__(self, owner: PagedConnector, items: list[WorkItem], since: str | None) -> None:
        super().__init__(items, since)
        self._owner = owner

    def __iter__(self) -> Iterator[WorkItem]:
        items = self._items
        for start in range(0, len(items), PAGE):
            self._owner.pages += 1
            self._owner.on_page(self._owner.pages)
            yield from items[start : start + PAGE]
        newest = max((i.updated_at for i in items), default=None)
        self.cursor = newest.isoformat() if newest is not None else self._since


class PagedConnector(MemoryConnector):
    """An in-memory tracker that answers reads in pages of ``PAGE`` items."""

    def __init__(self, name: str, items: list[WorkItem], clock: FakeClock) -> None:
        super().__init__(name, items, clock=clock.now)
        self.pages = 0
        self.on_page: Callable[[int], None] = lambda page: None

    def read(self, scope: str, cursor: str | None) -> MemoryRead:
        whole = super().read(scope, cursor)
        return PagedRead(self, list(whole._items), cursor)


def orphans(count: int, repo: str = "acme/web") -> list[WorkItem]:
    """``count`` untraced issues, changed one minute apart."""
    return [
        replace(item("gh", f"{repo}#{n}"), updated_at=START + timedelta(minutes=n))
        for n in range(1, count + 1)
    ]


def run(
    store: Store,
    tracker: PagedConnector,
    clock: FakeClock,
    *,
    kind: str = "sync",
    stop: Callable[[], bool] = lambda: False,
) -> CycleResult:
    clock.advance(60)
    options = CycleOptions(kind=kind)  # type: ignore[arg-type]
    return run_cycle(settings(), store, {"gh": tracker}, options, clock=clock, stop=stop)


class StopAt:
    """Asks to stop once the tracker has sent page ``page``."""

    def __init__(self, tracker: PagedConnector, page: int) -> None:
        self.asked = False
        tracker.on_page = self._seen
        self._page = page

    def _seen(self, page: int) -> None:
        if page >= self._page:
            self.asked = True

    def __call__(self) -> bool:
        return self.asked


def flagged(tracker: PagedConnector, refs: list[WorkItem]) -> int:
    return sum(1 for i in refs if LABEL in (tracker.stored(i.key) or i).labels)


def test_a_stop_during_a_read_requests_no_further_page_and_writes_nothing() -> None:
    clock = FakeClock(START + timedelta(days=1))
    items = orphans(35)
    tracker = PagedConnector("gh", items, clock)
    with open_store("sqlite:///:memory:") as store:
        result = run(store, tracker, clock, stop=StopAt(tracker, 2))

        assert tracker.pages == 2  # of 4: the stop came with page 2, page 3 was never asked for
        assert result.stopped
        assert tracker.writes == []
        assert store.cursors("gh") == {}  # the partly read repository keeps no cursor
        assert 10 < len(list(store.items("gh"))) <= 20  # what was read is kept for the next cycle
        assert store.runs(1)[0].outcome == "stopped"


def test_the_cycle_after_a_stopped_read_reads_on_and_flags_every_item_once() -> None:
    clock = FakeClock(START + timedelta(days=1))
    items = orphans(35)
    tracker = PagedConnector("gh", items, clock)
    with open_store("sqlite:///:memory:") as store:
        run(store, tracker, clock, stop=StopAt(tracker, 2))
        tracker.pages = 0
        tracker.on_page = lambda page: None

        again = run(store, tracker, clock)

        assert again.ok
        assert not again.stopped
        assert tracker.pages == 4  # read from the start: the stopped read left no cursor
        assert flagged(tracker, items) == 35
        assert all(len(tracker.comments(i.key)) == 1 for i in items)
        assert store.cursors("gh")


def test_a_stopped_read_keeps_the_cursor_of_the_last_complete_read() -> None:
    clock = FakeClock(START + timedelta(days=1))
    items = orphans(5)
    tracker = PagedConnector("gh", items, clock)
    with open_store("sqlite:///:memory:") as store:
        run(store, tracker, clock)
        complete = store.cursors("gh")
        for n in range(6, 36):  # thirty new changes: three pages since the cursor
            tracker.put(replace(item("gh", f"acme/web#{n}"), updated_at=clock.now()))
        clock.advance(60)
        tracker.pages = 0

        stopped = run(store, tracker, clock, stop=StopAt(tracker, 1))

        assert stopped.stopped
        assert tracker.pages == 1
        assert store.cursors("gh") == complete
        finished = run(store, tracker, clock)
        assert finished.ok
        assert store.cursors("gh") != complete
        assert {i.ref for i in store.items("gh")} == {f"gh:acme/web#{n}" for n in range(1, 36)}


def test_a_full_read_stopped_part_way_forgets_no_item_it_did_not_reach() -> None:
    clock = FakeClock(START + timedelta(days=1))
    items = orphans(35)
    tracker = PagedConnector("gh", items, clock)
    with open_store("sqlite:///:memory:") as store:
        run(store, tracker, clock, kind="backfill")
        tracker.pages = 0

        run(store, tracker, clock, kind="backfill", stop=StopAt(tracker, 1))

        assert tracker.pages == 1
        assert len(list(store.items("gh"))) == 35  # the 25 not read again are not taken for deleted


def test_a_stop_during_write_back_leaves_the_rest_of_the_plan_for_the_next_cycle() -> None:
    clock = FakeClock(START + timedelta(days=1))
    items = orphans(8)
    tracker = PagedConnector("gh", items, clock)

    def stop_after_three_writes() -> bool:
        return len(tracker.writes) >= 3

    with open_store("sqlite:///:memory:") as store:
        stopped = run(store, tracker, clock, stop=stop_after_three_writes)

        assert stopped.stopped
        assert len(tracker.writes) == 3
        assert stopped.applied is not None
        assert stopped.applied.interrupted
        assert stopped.applied.not_done == 16 - 3
        again = run(store, tracker, clock)
        assert again.ok
        assert flagged(tracker, items) == 8
        assert all(len(tracker.comments(i.key)) == 1 for i in items)
