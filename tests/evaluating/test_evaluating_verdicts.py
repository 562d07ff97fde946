"""Evaluating the stored items gives each one its docs/behaviour.md#verdicts verdict and keeps it."""

from __future__ import annotations

from dataclasses import replace

import pytest
from evaluating_builders import NOW, POLICY, load, up

from goldthread.connectors.memory import MemoryConnector
from goldthread.core.model import Barren, Layer, LinkKind, Reason, VerdictKind
from goldthread.store import Store
from goldthread.sync.evaluating import evaluate

EXPECTED = {
    "jira:PLAT-1": (VerdictKind.TRACED, Reason.VISION),
    "jira:PLAT-2": (VerdictKind.TRACED, Reason.LINKED),
    "jira:PLAT-3": (VerdictKind.BROKEN, Reason.WRONG_LAYER),
    "jira:PLAT-4": (VerdictKind.EXEMPT, Reason.EXEMPT_TYPE),
    "jira:PLAT-5": (VerdictKind.TRACED, Reason.VISION),
    "jira:PLAT-6": (VerdictKind.TRACED, Reason.LINKED),
    "gh:acme/web#1": (VerdictKind.TRACED, Reason.LINKED),
    "gh:acme/web#2": (VerdictKind.TRACED, Reason.LINKED),
    "gh:acme/web#3": (VerdictKind.ORPHAN, Reason.NO_PARENT),
    "gh:acme/web#4": (VerdictKind.BROKEN, Reason.PARENT_MISSING),
    "gh:acme/web#5": (VerdictKind.BROKEN, Reason.PARENT_UNTRACED),
    "gh:acme/web#6": (VerdictKind.BROKEN, Reason.CYCLE),
    "gh:acme/web#7": (VerdictKind.BROKEN, Reason.CYCLE),
    "gh:acme/web#8": (VerdictKind.BROKEN, Reason.PARENT_UNTRACED),
    "gh:acme/web#9": (VerdictKind.BROKEN, Reason.SKIPS_LAYER),
    "gh:acme/web#10": (VerdictKind.EXEMPT, Reason.EXEMPT_LABEL),
    "gh:acme/api#1": (VerdictKind.EXEMPT, Reason.CLOSED),
    "gh:acme/api#2": (VerdictKind.EXEMPT, Reason.GRACE_PERIOD),
    "gh:acme/api#3": (VerdictKind.EXEMPT, Reason.NO_LAYER),
}


@pytest.fixture
def loaded(store: Store, connectors: list[MemoryConnector]) -> Store:
    for connector in connectors:
        load(store, connector)
    return store


def test_every_item_gets_the_verdict_and_reason_spec_section_4_gives_it(loaded: Store) -> None:
    result = evaluate(loaded, POLICY, NOW)
    assert {ref: (v.kind, v.reason) for ref, v in result.verdicts.items()} == EXPECTED
    assert set(Reason) == {reason for _, reason in EXPECTED.values()}


def test_a_traced_chain_crosses_from_github_to_jira(loaded: Store) -> None:
    result = evaluate(loaded, POLICY, NOW)
    assert result.verdicts["gh:acme/web#2"].chain == (
        "gh:acme/web#2",
        "gh:acme/web#1",
        "jira:PLAT-2",
        "jira:PLAT-1",
    )


def test_verdicts_and_barren_items_are_saved_in_the_store(loaded: Store) -> None:
    result = evaluate(loaded, POLICY, NOW)
    assert loaded.verdicts() == dict(result.verdicts)
    assert loaded.last_evaluated_at() == NOW
    assert loaded.barren() == [
        Barren("jira:PLAT-3", Layer.STRATEGY, Layer.EXECUTION),
        Barren("jira:PLAT-5", Layer.VISION, Layer.STRATEGY),
        Barren("jira:PLAT-6", Layer.STRATEGY, Layer.EXECUTION),
    ]
    assert list(result.barren) == loaded.barren()


def test_counts_by_layer_and_verdict_and_overall_coverage_are_returned(loaded: Store) -> None:
    result = evaluate(loaded, POLICY, NOW)
    assert result.items == 19
    assert result.by_verdict == {
        VerdictKind.TRACED: 6,
        VerdictKind.ORPHAN: 1,
        VerdictKind.BROKEN: 7,
        VerdictKind.EXEMPT: 5,
    }
    assert result.by_layer == {
        Layer.VISION: 2,
        Layer.STRATEGY: 3,
        Layer.EXECUTION: 13,
        Layer.NONE: 1,
    }
    assert result.coverage == pytest.approx(6 / 14)


def test_coverage_rows_are_recorded_per_source_and_layer_for_the_run(loaded: Store) -> None:
    run_id = loaded.start_run("backfill", NOW)
    result = evaluate(loaded, POLICY, NOW, run_id=run_id)
    history = loaded.coverage_history()
    assert [(p.source, p.layer, p.traced, p.orphan, p.broken, p.exempt) for p in history] == [
        ("gh", Layer.EXECUTION, 2, 1, 6, 3),
        ("gh", Layer.NONE, 0, 0, 0, 1),
        ("jira", Layer.VISION, 2, 0, 0, 0),
        ("jira", Layer.STRATEGY, 2, 0, 1, 0),
        ("jira", Layer.EXECUTION, 0, 0, 0, 1),
    ]
    assert {p.run_id for p in history} == {run_id}
    assert [(p.source, p.layer) for p in history] == [(r.source, r.layer) for r in result.rows]


def test_without_a_run_nothing_is_added_to_the_history(loaded: Store) -> None:
    evaluate(loaded, POLICY, NOW)
    assert loaded.coverage_history() == []


def test_a_second_evaluation_with_nothing_changed_reports_no_changed_verdicts(
    loaded: Store,
) -> None:
    first = evaluate(loaded, POLICY, NOW)
    second = evaluate(loaded, POLICY, NOW)
    assert first.changed == frozenset(EXPECTED)
    assert second.changed == frozenset()


def test_linking_an_orphan_traces_it_and_everything_beneath_it(
    loaded: Store, connectors: list[MemoryConnector]
) -> None:
    evaluate(loaded, POLICY, NOW)
    github = connectors[1]
    orphan = github.stored("acme/web#3")
    assert orphan is not None
    github.put(
        replace(orphan, parents=(up(LinkKind.BODY_REFERENCE, "jira:PLAT-2"),), updated_at=NOW)
    )
    load(loaded, github)
    result = evaluate(loaded, POLICY, NOW)
    assert result.changed == {"gh:acme/web#3", "gh:acme/web#5"}
    assert result.verdicts["gh:acme/web#5"].kind is VerdictKind.TRACED


def test_an_empty_store_evaluates_to_nothing_without_a_coverage_figure(store: Store) -> None:
    result = evaluate(store, POLICY, NOW)
    assert (result.items, result.coverage, result.barren, result.rows) == (0, None, (), ())
