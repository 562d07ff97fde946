"""Applying a fix plan: re-read, re-judged, written once, and the flags come down."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta

from support_items import up, work_item
from sync_builders import LABEL, cycle, settings

from goldthread.clock import FakeClock
from goldthread.connectors.memory import MemoryConnector
from goldthread.connectors.pacing import ContentLimits, ContentPacer
from goldthread.core.fixing import PlannedLink
from goldthread.core.model import LinkKind
from goldthread.store import Store
from goldthread.sync.fixing import FixResult, References, apply_links


def apply(
    store: Store,
    connectors: dict[str, MemoryConnector],
    clock: FakeClock,
    *links: PlannedLink,
    max_writes: int = 100,
) -> FixResult:
    config = settings()
    return apply_links(
        links,
        connectors,
        {item.ref: item for item in store.items()},
        config.trace_policy(),
        References(config.reference_patterns(), config.source_index()),
        now=clock.now,
        max_writes=max_writes,
    )


def link(child: str, parent: str, how: str) -> PlannedLink:
    return PlannedLink(child, parent, how, 0.9, "test", approve=True)


def test_an_applied_link_is_written_and_the_next_sync_takes_the_flag_down(
    store: Store, connectors: dict[str, MemoryConnector], clock: FakeClock
) -> None:
    cycle(store, connectors, clock)
    assert LABEL in connectors["jira"].stored("PLAT-4").labels  # type: ignore[union-attr]
    result = apply(store, connectors, clock, link("jira:PLAT-4", "jira:PLAT-2", "jira-parent"))
    assert result.written == ["jira:PLAT-4 under jira:PLAT-2 (jira-parent)"]
    cycle(store, connectors, clock)
    assert LABEL not in connectors["jira"].stored("PLAT-4").labels  # type: ignore[union-attr]
    assert store.verdicts()["jira:PLAT-4"].kind.value == "traced"


def test_applying_the_same_plan_twice_writes_once(
    store: Store, connectors: dict[str, MemoryConnector], clock: FakeClock
) -> None:
    cycle(store, connectors, clock)
    chosen = link("jira:PLAT-4", "jira:PLAT-2", "jira-parent")
    apply(store, connectors, clock, chosen)
    again = apply(store, connectors, clock, chosen)
    assert again.written == []
    assert again.skipped == ["jira:PLAT-4: no longer untraced"]
    assert [w.action for w in connectors["jira"].writes].count("link_parent") == 1


def test_a_parent_closed_since_the_plan_was_made_is_not_linked_to(
    store: Store, connectors: dict[str, MemoryConnector], clock: FakeClock
) -> None:
    cycle(store, connectors, clock)
    epic = connectors["jira"].stored("PLAT-2")
    assert epic is not None
    connectors["jira"].put(replace(epic, state="closed"))
    result = apply(store, connectors, clock, link("jira:PLAT-4", "jira:PLAT-2", "jira-parent"))
    assert result.skipped == ["jira:PLAT-4: parent jira:PLAT-2 is gone or closed"]
    assert "link_parent" not in [w.action for w in connectors["jira"].writes]


def test_writing_stops_at_the_write_limit_and_says_how_many_are_left(
    store: Store, connectors: dict[str, MemoryConnector], clock: FakeClock
) -> None:
    cycle(store, connectors, clock)
    result = apply(
        store,
        connectors,
        clock,
        link("jira:PLAT-4", "jira:PLAT-2", "jira-parent"),
        link("gh:acme/web#3", "jira:PLAT-2", "body-reference"),
        max_writes=1,
    )
    assert len(result.written) == 1
    assert result.not_done == 1


def test_a_part_of_line_the_patterns_would_not_read_back_is_not_written(
    store: Store, connectors: dict[str, MemoryConnector], clock: FakeClock
) -> None:
    cycle(store, connectors, clock)
    result = apply(store, connectors, clock, link("gh:acme/web#3", "jira:PLAT-2", "body-reference"))
    assert result.written == []
    assert "would not read 'Part of https://jira.example.test/PLAT-2'" in result.errors[0]


def test_a_part_of_line_names_the_parent_by_its_address_and_links_across_trackers(
    store: Store, connectors: dict[str, MemoryConnector], clock: FakeClock
) -> None:
    epic = connectors["jira"].stored("PLAT-2")
    assert epic is not None
    connectors["jira"].put(replace(epic, url="https://jira.example.test/browse/PLAT-2"))
    cycle(store, connectors, clock)
    result = apply(store, connectors, clock, link("gh:acme/web#3", "jira:PLAT-2", "body-reference"))
    assert result.written == ["gh:acme/web#3 under jira:PLAT-2 (body-reference)"]
    child = connectors["gh"].stored("acme/web#3")
    assert child is not None
    assert child.body.endswith("Part of https://jira.example.test/browse/PLAT-2")


def test_a_child_already_linked_to_that_parent_is_not_linked_again(
    store: Store, connectors: dict[str, MemoryConnector], clock: FakeClock
) -> None:
    jira = connectors["jira"]
    orphan = jira.stored("PLAT-4")
    assert orphan is not None
    jira.put(work_item("jira", "PLAT-6", type="Epic"))  # an epic that lost its vision
    jira.put(replace(orphan, parents=(up(LinkKind.ISSUE_LINK, "jira:PLAT-6"),)))
    cycle(store, connectors, clock)
    result = apply(store, connectors, clock, link("jira:PLAT-4", "jira:PLAT-6", "jira-link"))
    assert result.skipped == ["jira:PLAT-4: already linked to jira:PLAT-6"]
    assert "link_parent" not in [w.action for w in jira.writes]


def test_a_sub_issue_takes_a_content_slot_where_the_tracker_limits_content(
    store: Store, connectors: dict[str, MemoryConnector], clock: FakeClock
) -> None:
    gh = connectors["gh"]
    epic = gh.stored("acme/web#1")
    assert epic is not None
    gh.put(replace(epic, type="Epic"))
    cycle(store, connectors, clock)
    limits = ContentLimits(line="gh-test", per_hour=3, per_minute=1)
    pacer = ContentPacer(limits, clock, lambda step, now: store.reserve_slot("gh-test", step, now))
    started = clock.now()
    config = settings()
    result = apply_links(
        (link("gh:acme/web#3", "gh:acme/web#1", "sub-issue"),),
        connectors,
        {item.ref: item for item in store.items()},
        config.trace_policy(),
        References(config.reference_patterns(), config.source_index()),
        now=clock.now,
        max_writes=10,
        pacers={"gh": pacer},
    )
    assert result.written == ["gh:acme/web#3 under gh:acme/web#1 (sub-issue)"]
    assert store.reserve_slot("gh-test", timedelta(0), clock.now()) > started
