"""Barren items: open vision with no strategy beneath, open strategy with no execution."""

from __future__ import annotations

from core_graphs import NOW, POLICY, item, org

from goldthread.core.barren import find_barren
from goldthread.core.model import Barren, Layer, WorkItem
from goldthread.core.tracing import trace

V, S, E, N = Layer.VISION, Layer.STRATEGY, Layer.EXECUTION, Layer.NONE


def barren_of(*items: WorkItem) -> list[Barren]:
    graph = org(*items)
    return find_barren(graph, trace(graph, POLICY, NOW))


def test_a_fully_executed_vision_is_not_barren() -> None:
    assert (
        barren_of(
            item("jira:P-1", V), item("jira:P-2", S, "jira:P-1"), item("gh:a/b#3", E, "jira:P-2")
        )
        == []
    )


def test_a_vision_with_no_strategy_and_a_strategy_with_no_execution_are_barren() -> None:
    assert barren_of(item("jira:P-1", V), item("jira:P-2", S), item("gh:a/b#3", E)) == [
        Barren(ref="jira:P-1", layer=V, missing=S),
        Barren(ref="jira:P-2", layer=S, missing=E),
    ]


def test_beneath_is_transitive_through_any_layer() -> None:
    assert (
        barren_of(
            item("jira:P-1", V),
            item("jira:P-2", N, "jira:P-1"),
            item("jira:P-3", S, "jira:P-2"),
            item("jira:P-4", E, "jira:P-3"),
        )
        == []
    )


def test_execution_directly_under_a_vision_does_not_make_it_executed_strategy() -> None:
    assert barren_of(item("jira:P-1", V), item("jira:P-2", E, "jira:P-1")) == [
        Barren(ref="jira:P-1", layer=V, missing=S)
    ]


def test_closed_vision_and_strategy_items_are_never_barren() -> None:
    assert barren_of(item("jira:P-1", V, state="closed"), item("jira:P-2", S, state="closed")) == []


def test_a_closed_strategy_item_beneath_still_counts() -> None:
    assert (
        barren_of(
            item("jira:P-1", V),
            item("jira:P-2", S, "jira:P-1", state="closed"),
            item("jira:P-3", E, "jira:P-2", state="closed"),
        )
        == []
    )


def test_a_loop_shares_what_lies_beneath_it() -> None:
    assert (
        barren_of(
            item("jira:P-1", S, "jira:P-2"),
            item("jira:P-2", S, "jira:P-1"),
            item("gh:a/b#3", E, "jira:P-2"),
        )
        == []
    )


def test_a_ten_thousand_deep_hierarchy_is_searched_without_recursion() -> None:
    chain = [item("jira:P-0", V), item("jira:P-1", S, "jira:P-0")]
    chain += [
        item(f"gh:a/b#{i}", S, f"gh:a/b#{i - 1}" if i > 2 else "jira:P-1") for i in range(2, 10_002)
    ]
    assert barren_of(*chain, item("gh:a/b#10002", E, "gh:a/b#10001")) == []
