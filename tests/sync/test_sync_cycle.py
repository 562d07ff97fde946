"""One cycle end to end over in-memory trackers: flags go up once, come down when fixed."""

from __future__ import annotations

from dataclasses import replace

from sync_builders import FLAGGED, LABEL, cycle, item, settings, trackers, up, writes

from goldthread.clock import FakeClock
from goldthread.connectors.memory import MemoryConnector
from goldthread.core.model import LinkKind, VerdictKind
from goldthread.errors import FatalSourceError, SkippableError
from goldthread.store import Store, open_store
from goldthread.sync.planning import ActionKind


def flagged_items(connectors: dict[str, MemoryConnector]) -> set[str]:
    keys = [f"PLAT-{n}" for n in range(1, 10)] + [f"acme/web#{n}" for n in range(1, 30)]
    found = set()
    for connector in connectors.values():
        for key in keys:
            stored = connector.stored(key)
            if stored is not None and LABEL in stored.labels:
                found.add(stored.ref)
    return found


def comment_counts(connectors: dict[str, MemoryConnector]) -> dict[str, int]:
    counts = {}
    for ref in FLAGGED:
        source, _, key = ref.partition(":")
        counts[ref] = len(connectors[source].comments(key))
    return counts


def test_backfill_flags_every_orphan_and_broken_item_with_one_label_and_one_comment(
    store: Store, connectors: dict[str, MemoryConnector], clock: FakeClock
) -> None:
    result = cycle(store, connectors, clock, kind="backfill")
    assert result.ok
    assert flagged_items(connectors) == FLAGGED
    assert comment_counts(connectors) == dict.fromkeys(FLAGGED, 1)
    assert result.evaluation.by_verdict[VerdictKind.TRACED] == 5


def test_a_second_run_with_no_change_sends_no_write(
    store: Store, connectors: dict[str, MemoryConnector], clock: FakeClock
) -> None:
    cycle(store, connectors, clock, kind="backfill")
    before = len(writes(connectors))
    again = cycle(store, connectors, clock)
    assert len(writes(connectors)) == before
    assert again.plan == []


def test_linking_a_parent_takes_the_flag_down_and_marks_the_comment_resolved(
    store: Store, connectors: dict[str, MemoryConnector], clock: FakeClock
) -> None:
    cycle(store, connectors, clock, kind="backfill")
    gh = connectors["gh"]
    orphan = gh.stored("acme/web#3")
    assert orphan is not None
    gh.put(
        replace(
            orphan,
            parents=(up(LinkKind.SUB_ISSUE, "gh:acme/web#1"),),
            updated_at=clock.now(),
        )
    )
    result = cycle(store, connectors, clock)
    assert "gh:acme/web#3" not in flagged_items(connectors)
    (comment,) = gh.comments("acme/web#3").values()
    assert "now traces back" in comment.blocks[0].spans[0].text
    assert result.evaluation.verdicts["gh:acme/web#3"].kind is VerdictKind.TRACED


def test_fixing_a_parent_re_evaluates_everything_beneath_it(store: Store, clock: FakeClock) -> None:
    connectors = trackers(clock)
    jira = connectors["jira"]
    child = item("jira", "PLAT-6", up(LinkKind.JIRA_PARENT, "jira:PLAT-4"))
    jira.put(child)
    cycle(store, connectors, clock, kind="backfill")
    assert "jira:PLAT-6" in flagged_items(connectors)
    epic = jira.stored("PLAT-4")
    assert epic is not None
    jira.put(
        replace(
            epic,
            type="Epic",
            parents=(up(LinkKind.JIRA_PARENT, "jira:PLAT-1"),),
            updated_at=clock.now(),
        )
    )
    cycle(store, connectors, clock)
    assert {"jira:PLAT-4", "jira:PLAT-6"}.isdisjoint(flagged_items(connectors))


def test_on_resolve_delete_removes_the_comment_once_the_item_is_traced(
    store: Store, connectors: dict[str, MemoryConnector], clock: FakeClock
) -> None:
    config = settings(on_resolve="delete")
    cycle(store, connectors, clock, config, kind="backfill")
    jira = connectors["jira"]
    orphan = jira.stored("PLAT-4")
    assert orphan is not None
    jira.put(replace(orphan, labels=(*orphan.labels, "no-trace"), updated_at=clock.now()))
    cycle(store, connectors, clock, config)
    assert jira.comments("PLAT-4") == {}
    assert LABEL not in (jira.stored("PLAT-4") or orphan).labels


def test_a_changed_reason_updates_the_comment_in_place(
    store: Store, connectors: dict[str, MemoryConnector], clock: FakeClock
) -> None:
    cycle(store, connectors, clock, kind="backfill")
    gh = connectors["gh"]
    (first_id,) = gh.comments("acme/web#3")
    orphan = gh.stored("acme/web#3")
    assert orphan is not None
    gh.put(replace(orphan, parents=(up(LinkKind.SUB_ISSUE, None, "#404"),), updated_at=clock.now()))
    cycle(store, connectors, clock)
    assert list(gh.comments("acme/web#3")) == [first_id]
    assert ("update_comment", "acme/web#3") in writes(connectors)


def test_a_failing_source_is_reported_and_skipped_while_the_other_completes(
    store: Store, connectors: dict[str, MemoryConnector], clock: FakeClock
) -> None:
    # acme/web#4 names PLAT-99: with Jira unread, it may exist, so its flag waits.
    connectors["jira"].fail_on("scopes", FatalSourceError("401 bad credentials", source="jira"))
    result = cycle(store, connectors, clock, kind="backfill")
    assert result.failed_sources == ["jira"]
    assert not result.ok
    assert store.cursors("jira") == {}
    assert store.cursors("gh") != {}
    assert flagged_items(connectors) == {"gh:acme/web#3"}
    repaired = cycle(store, connectors, clock)
    assert repaired.ok
    assert flagged_items(connectors) == FLAGGED


def test_a_deleted_store_finds_the_existing_flags_and_duplicates_nothing(
    connectors: dict[str, MemoryConnector], clock: FakeClock
) -> None:
    with open_store("sqlite:///:memory:") as first:
        cycle(first, connectors, clock, kind="backfill")
    before = len(writes(connectors))
    with open_store("sqlite:///:memory:") as fresh:
        result = cycle(fresh, connectors, clock, kind="backfill")
        assert fresh.ledger_all().keys() >= FLAGGED
    assert len(writes(connectors)) == before
    assert result.applied is not None
    assert result.applied.total == 0
    assert comment_counts(connectors) == dict.fromkeys(FLAGGED, 1)


def test_a_newly_flagged_item_costs_one_label_request_and_one_comment_request(
    store: Store, clock: FakeClock
) -> None:
    connectors = trackers(clock, comment_count=0)
    reads = cycle(store, connectors, clock, kind="backfill", writeback=False)
    before = sum(c.stats.requests for c in connectors.values())
    assert reads.plan == []
    result = cycle(store, connectors, clock, kind="backfill")
    after = sum(c.stats.requests for c in connectors.values())
    reading = sum(1 + len(c.scopes()) for c in connectors.values())  # scopes + one read each
    assert after - before - reading == 2 * len(FLAGGED)
    assert result.newly_flagged == len(FLAGGED)


def test_max_writes_per_run_stops_writing_and_says_so(
    store: Store, connectors: dict[str, MemoryConnector], clock: FakeClock
) -> None:
    result = cycle(store, connectors, clock, settings(max_writes_per_run=2), kind="backfill")
    assert len(writes(connectors)) == 2
    assert result.write_limit_reached
    assert not result.ok
    assert result.applied is not None
    assert result.applied.not_done > 0
    finished = cycle(store, connectors, clock, settings(max_writes_per_run=100))
    assert flagged_items(connectors) == FLAGGED
    assert finished.ok


def test_a_first_run_flagging_over_half_the_items_waits_for_confirmation(
    store: Store, connectors: dict[str, MemoryConnector], clock: FakeClock
) -> None:
    gh = connectors["gh"]
    for n in range(5, 20):
        gh.put(item("gh", f"acme/web#{n}"))
    result = cycle(store, connectors, clock, settings(confirm_large=True), kind="backfill")
    assert result.needs_confirmation
    assert writes(connectors) == []
    confirmed = cycle(
        store, connectors, clock, settings(confirm_large=True), kind="backfill", confirmed=True
    )
    assert confirmed.ok
    assert len(flagged_items(connectors)) > 10


def test_a_dry_run_plans_the_writes_and_sends_none(
    store: Store, connectors: dict[str, MemoryConnector], clock: FakeClock
) -> None:
    result = cycle(store, connectors, clock, kind="backfill", apply=False)
    assert writes(connectors) == []
    kinds = {(a.ref, a.kind) for a in result.plan}
    assert {(ref, ActionKind.ADD_LABEL) for ref in FLAGGED} <= kinds
    assert {(ref, ActionKind.CREATE_COMMENT) for ref in FLAGGED} <= kinds
    assert store.ledger_all() == {}


def test_a_stale_label_on_a_traced_item_comes_off(store: Store, clock: FakeClock) -> None:
    connectors = trackers(clock)
    jira = connectors["jira"]
    traced = jira.stored("PLAT-3")
    assert traced is not None
    jira.put(replace(traced, labels=(LABEL,)))
    cycle(store, connectors, clock, kind="backfill")
    assert LABEL not in (jira.stored("PLAT-3") or traced).labels
    assert jira.comments("PLAT-3") == {}


def test_an_item_deleted_on_its_tracker_is_forgotten_by_the_next_backfill(
    store: Store, connectors: dict[str, MemoryConnector], clock: FakeClock
) -> None:
    cycle(store, connectors, clock, kind="backfill")
    connectors["gh"].remove("acme/web#1")
    result = cycle(store, connectors, clock, kind="backfill")
    assert store.item("gh:acme/web#1") is None
    assert result.deleted == 1
    assert result.evaluation.verdicts["gh:acme/web#2"].kind is VerdictKind.BROKEN


def test_a_scope_that_fails_holds_back_only_the_items_that_lead_into_it(
    store: Store, connectors: dict[str, MemoryConnector], clock: FakeClock
) -> None:
    connectors["jira"].fail_on("read", SkippableError("403 on PLAT", source="jira", status=403))
    result = cycle(store, connectors, clock, kind="backfill")
    assert result.failed_sources == ["jira"]
    assert result.held >= 1
    assert flagged_items(connectors) == {"gh:acme/web#3"}
    assert cycle(store, connectors, clock).ok
    assert flagged_items(connectors) == FLAGGED


def test_every_run_is_recorded_with_its_coverage_for_the_trend(
    store: Store, connectors: dict[str, MemoryConnector], clock: FakeClock
) -> None:
    first = cycle(store, connectors, clock, kind="backfill")
    second = cycle(store, connectors, clock)
    runs = store.runs()
    assert [(r.kind, r.outcome) for r in runs] == [("sync", "ok"), ("backfill", "ok")]
    assert {point.run_id for point in store.coverage_history()} == {first.run_id, second.run_id}
