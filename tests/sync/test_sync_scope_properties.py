"""No sequence of deliveries and tracker changes makes goldthread write outside
the configured scope: links into unwatched places, transfers and moves in and
out of scope, deletions, a vision losing or regaining its label (which changes
the verdicts of everything beneath it, moved-away items' stale copies
included), webhook rounds naming anything, incremental syncs and full reads,
in any order, after a first full read. The in-memory trackers log every
mutating call; each must name an item in its source's scope at the moment it
was made (an old key reaches a moved item, as Jira resolves it, and counts as
where the item is now)."""

from __future__ import annotations

import itertools
from dataclasses import replace

from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from support_items import LONG_AGO, SOURCES, up, work_item

from goldthread.clock import FakeClock
from goldthread.config import Settings
from goldthread.connectors.memory import MemoryConnector
from goldthread.core.model import LinkKind, WorkItem
from goldthread.core.scope import in_scope
from goldthread.service.refreshing import refresh
from goldthread.store import open_store
from goldthread.sync.cycle import CycleOptions, run_cycle

GH_KEYS = ("acme/web#1", "acme/web#2", "acme/web#3", "acme/other#1", "acme/other#2")
JIRA_KEYS = ("PLAT-1", "PLAT-2", "PLAT-3", "OPS-1", "OPS-2")
KEYS = GH_KEYS + JIRA_KEYS
PLACES = {"gh": ("acme/web", "acme/other"), "jira": ("PLAT", "OPS")}
PLACE_CHOICES = (0, 1, 1)  # where a move goes: in scope, or (more often) out of it


def source_of(key: str) -> str:
    return "gh" if "#" in key else "jira"


def ref_of(key: str) -> str:
    return f"{source_of(key)}:{key}"


VISIONS = ("acme/web#1", "PLAT-1")
CHAINS = {  # child -> parent: a vision, a strategy and an execution item per tracker
    "acme/web#2": "acme/web#1",
    "acme/web#3": "acme/web#2",
    "PLAT-2": "PLAT-1",
    "PLAT-3": "PLAT-2",
}


def initial(key: str) -> WorkItem:
    labels = ("vision",) if key in VISIONS else ()
    parent = CHAINS.get(key)
    parents = (up(LinkKind.BODY_REFERENCE, ref_of(parent), parent),) if parent else ()
    return work_item(source_of(key), key, *parents, labels=labels, external_id=key, comment_count=0)


operation = st.one_of(
    st.tuples(st.just("link"), st.sampled_from(KEYS), st.sampled_from(KEYS)),
    st.tuples(st.just("move"), st.sampled_from(KEYS), st.sampled_from(PLACE_CHOICES)),
    st.tuples(st.just("remove"), st.sampled_from(KEYS)),
    st.tuples(st.just("vision"), st.sampled_from(VISIONS)),
    st.tuples(st.just("deliver"), st.lists(st.sampled_from(KEYS), min_size=1, max_size=3)),
    st.tuples(st.just("poll"), st.sampled_from(["sync", "sync", "backfill"])),
)


@settings(
    max_examples=80,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
)
@given(st.lists(operation, min_size=2, max_size=10))
@example([("move", "PLAT-3", 1), ("vision", "PLAT-1"), ("poll", "sync")])
@example([("move", "acme/web#3", 1), ("vision", "acme/web#1"), ("deliver", ["acme/web#1"])])
def test_no_sequence_of_changes_and_deliveries_writes_outside_scope(ops) -> None:
    clock = FakeClock(LONG_AGO)
    trackers = {
        "gh": MemoryConnector(
            "gh", [initial(k) for k in GH_KEYS], clock=clock.now, watched=["acme/web"]
        ),
        "jira": MemoryConnector(
            "jira", [initial(k) for k in JIRA_KEYS], clock=clock.now, watched=["PLAT"]
        ),
    }
    config = Settings(
        sources=SOURCES,
        store={"url": "sqlite:///:memory:"},
        writeback={"confirm_large": False},
    )
    numbers = itertools.count(10)
    current = {key: key for key in KEYS}  # a key as first seeded -> its key now
    with open_store("sqlite:///:memory:") as store:
        run_cycle(config, store, trackers, CycleOptions(kind="backfill"), clock=clock)
        for op in ops:
            clock.advance(60)
            _apply(op, trackers, current, numbers, clock)
            if op[0] == "deliver":
                targets: dict[str, list[str]] = {}
                for key in op[1]:
                    targets.setdefault(source_of(key), []).append(key)
                refresh(config, store, trackers, targets, clock)
            elif op[0] == "poll":
                kind = "backfill" if op[1] == "backfill" else "sync"
                run_cycle(config, store, trackers, CycleOptions(kind=kind), clock=clock)
            for name, tracker in trackers.items():
                outside = [w for w in tracker.writes if not in_scope(tracker.scope(), w.key)]
                assert outside == [], f"{name} wrote outside its scope after {op}"
                tracker.writes.clear()
            stored = {item.ref for item in store.items()}
            assert all(
                in_scope(trackers[ref.partition(":")[0]].scope(), ref.partition(":")[2])
                for ref in stored
            )


def _apply(op, trackers, current, numbers, clock) -> None:
    kind = op[0]
    if kind == "link":
        child, parent = current[op[1]], current[op[2]]
        tracker = trackers[source_of(child)]
        item = tracker.stored(child)
        if item is not None:
            link = up(LinkKind.BODY_REFERENCE, ref_of(parent), parent)
            tracker.put(replace(item, parents=(link,), updated_at=clock.now()))
    elif kind == "move":
        old = current[op[1]]
        source = source_of(old)
        tracker = trackers[source]
        item = tracker.stored(old)
        if item is None:
            return
        place = PLACES[source][op[2]]
        new = f"{place}#{next(numbers)}" if source == "gh" else f"{place}-{next(numbers)}"
        tracker.move(old, replace(item, key=new, ref=f"{source}:{new}", updated_at=clock.now()))
        current[op[1]] = new
    elif kind == "remove":
        trackers[source_of(current[op[1]])].remove(current[op[1]])
    elif kind == "vision":
        tracker = trackers[source_of(current[op[1]])]
        item = tracker.stored(current[op[1]])
        if item is not None:
            others = tuple(label for label in item.labels if label != "vision")
            labels = others if "vision" in item.labels else (*others, "vision")
            tracker.put(replace(item, labels=labels, updated_at=clock.now()))
