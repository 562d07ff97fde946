"""The verdict walk on small hand-built organisations: one reason per test."""

from __future__ import annotations

import dataclasses
import gc
from datetime import timedelta

from core_graphs import NOW, POLICY, item, link, org

from goldthread.core.model import (
    Layer,
    LinkKind,
    Reason,
    TracePolicy,
    Verdict,
    VerdictKind,
    WorkItem,
)
from goldthread.core.tracing import coverage, descendants, trace

V, S, E, N = Layer.VISION, Layer.STRATEGY, Layer.EXECUTION, Layer.NONE


def verdicts_of(*items: WorkItem, policy: TracePolicy = POLICY) -> dict[str, Verdict]:
    return trace(org(*items), policy, NOW)


def test_a_vision_item_is_traced_with_reason_vision() -> None:
    v = verdicts_of(item("gh:a/b#1", V))["gh:a/b#1"]
    assert (v.kind, v.reason, v.chain) == (VerdictKind.TRACED, Reason.VISION, ("gh:a/b#1",))


def test_execution_under_strategy_under_vision_is_traced_with_its_chain() -> None:
    v = verdicts_of(
        item("gh:a/b#1", V), item("gh:a/b#2", S, "gh:a/b#1"), item("gh:a/b#3", E, "gh:a/b#2")
    )["gh:a/b#3"]
    assert (v.kind, v.reason) == (VerdictKind.TRACED, Reason.LINKED)
    assert v.chain == ("gh:a/b#3", "gh:a/b#2", "gh:a/b#1")
    assert v.via is not None
    assert v.via.target == "gh:a/b#2"
    assert "gh:a/b#1" in v.detail


def test_a_sub_task_under_a_traced_story_is_traced() -> None:
    verdicts = verdicts_of(
        item("jira:P-1", V),
        item("jira:P-2", S, "jira:P-1"),
        item("jira:P-3", E, "jira:P-2"),
        item("jira:P-4", E, "jira:P-3"),
    )
    assert verdicts["jira:P-4"].chain == ("jira:P-4", "jira:P-3", "jira:P-2", "jira:P-1")
    assert verdicts["jira:P-4"].kind is VerdictKind.TRACED


def test_strategy_directly_under_vision_is_traced() -> None:
    v = verdicts_of(item("gh:a/b#1", V), item("gh:a/b#2", S, "gh:a/b#1"))["gh:a/b#2"]
    assert v.kind is VerdictKind.TRACED


def test_an_item_with_no_parent_link_is_an_orphan() -> None:
    v = verdicts_of(item("gh:a/b#1", E))["gh:a/b#1"]
    assert (v.kind, v.reason, v.chain) == (VerdictKind.ORPHAN, Reason.NO_PARENT, ("gh:a/b#1",))


def test_a_parent_that_is_not_among_the_items_is_missing() -> None:
    v = verdicts_of(item("gh:a/b#1", E, "gh:a/b#99"))["gh:a/b#1"]
    assert (v.kind, v.reason) == (VerdictKind.BROKEN, Reason.PARENT_MISSING)
    assert "gh:a/b#99" in v.detail


def test_a_reference_no_source_owns_is_a_missing_parent() -> None:
    orphan_ref = link(None, LinkKind.BODY_REFERENCE, raw="other/repo#4", evidence="body line 2")
    v = verdicts_of(item("gh:a/b#1", E, orphan_ref))["gh:a/b#1"]
    assert v.reason is Reason.PARENT_MISSING
    assert "other/repo#4" in v.detail
    assert "body line 2" in v.detail


def test_a_parent_in_a_lower_layer_is_wrong_layer() -> None:
    verdicts = verdicts_of(
        item("gh:a/b#1", V), item("gh:a/b#2", E, "gh:a/b#1"), item("gh:a/b#3", S, "gh:a/b#2")
    )
    v = verdicts["gh:a/b#3"]
    assert (v.kind, v.reason) == (VerdictKind.BROKEN, Reason.WRONG_LAYER)
    assert v.chain == ("gh:a/b#3", "gh:a/b#2")


def test_a_parent_that_is_itself_an_orphan_leaves_the_child_parent_untraced() -> None:
    v = verdicts_of(item("gh:a/b#1", S), item("gh:a/b#2", E, "gh:a/b#1"))["gh:a/b#2"]
    assert (v.kind, v.reason) == (VerdictKind.BROKEN, Reason.PARENT_UNTRACED)
    assert "orphan" in v.detail


def test_a_parent_with_no_layer_leaves_the_child_parent_untraced() -> None:
    verdicts = verdicts_of(item("gh:a/b#1", N), item("gh:a/b#2", E, "gh:a/b#1"))
    assert verdicts["gh:a/b#2"].reason is Reason.PARENT_UNTRACED
    assert "no layer" in verdicts["gh:a/b#2"].detail
    assert verdicts["gh:a/b#1"].reason is Reason.NO_LAYER


def test_items_on_a_loop_are_cycle_and_items_leading_into_it_are_parent_untraced() -> None:
    verdicts = verdicts_of(
        item("gh:a/b#1", E, "gh:a/b#2"),
        item("gh:a/b#2", E, "gh:a/b#1"),
        item("gh:a/b#3", E, "gh:a/b#1"),
    )
    assert verdicts["gh:a/b#1"].reason is Reason.CYCLE
    assert verdicts["gh:a/b#1"].chain == ("gh:a/b#1", "gh:a/b#2", "gh:a/b#1")
    assert verdicts["gh:a/b#2"].reason is Reason.CYCLE
    assert verdicts["gh:a/b#3"].reason is Reason.PARENT_UNTRACED


def test_an_item_naming_itself_as_parent_is_a_cycle() -> None:
    v = verdicts_of(item("jira:P-1", S, "jira:P-1"))["jira:P-1"]
    assert (v.reason, v.chain) == (Reason.CYCLE, ("jira:P-1", "jira:P-1"))


def test_a_loop_with_a_way_out_to_vision_is_traced_all_round() -> None:
    verdicts = verdicts_of(
        item("gh:a/b#1", V),
        item("gh:a/b#2", S, "gh:a/b#3", link("gh:a/b#1", LinkKind.BODY_REFERENCE)),
        item("gh:a/b#3", S, "gh:a/b#2"),
    )
    assert verdicts["gh:a/b#2"].kind is VerdictKind.TRACED
    assert verdicts["gh:a/b#3"].chain == ("gh:a/b#3", "gh:a/b#2", "gh:a/b#1")


def test_execution_directly_under_vision_skips_a_layer() -> None:
    v = verdicts_of(item("gh:a/b#1", V), item("gh:a/b#2", E, "gh:a/b#1"))["gh:a/b#2"]
    assert (v.kind, v.reason) == (VerdictKind.BROKEN, Reason.SKIPS_LAYER)
    assert v.chain == ("gh:a/b#2", "gh:a/b#1")


def test_execution_under_execution_under_vision_also_skips_a_layer() -> None:
    verdicts = verdicts_of(
        item("gh:a/b#1", V), item("gh:a/b#2", E, "gh:a/b#1"), item("gh:a/b#3", E, "gh:a/b#2")
    )
    assert verdicts["gh:a/b#3"].reason is Reason.SKIPS_LAYER
    assert verdicts["gh:a/b#3"].chain == ("gh:a/b#3", "gh:a/b#2", "gh:a/b#1")


def test_allow_layer_skip_lets_execution_sit_directly_under_vision() -> None:
    policy = dataclasses.replace(POLICY, allow_layer_skip=True)
    verdicts = verdicts_of(
        item("gh:a/b#1", V),
        item("gh:a/b#2", E, "gh:a/b#1"),
        item("gh:a/b#3", E, "gh:a/b#2"),
        policy=policy,
    )
    assert verdicts["gh:a/b#3"].kind is VerdictKind.TRACED


def test_one_traced_link_is_enough_even_when_the_preferred_one_fails() -> None:
    v = verdicts_of(
        item("gh:a/b#1", V),
        item("gh:a/b#2", S, "gh:a/b#99", link("gh:a/b#1", LinkKind.BODY_REFERENCE)),
    )["gh:a/b#2"]
    assert (v.kind, v.reason) == (VerdictKind.TRACED, Reason.LINKED)
    assert v.via is not None
    assert v.via.kind is LinkKind.BODY_REFERENCE


def test_when_no_link_traces_the_most_preferred_link_gives_the_reason() -> None:
    v = verdicts_of(
        item("gh:a/b#1", S),
        item(
            "gh:a/b#2",
            E,
            link("gh:a/b#1", LinkKind.BODY_REFERENCE),
            link("gh:a/b#98", LinkKind.ISSUE_LINK),
        ),
    )["gh:a/b#2"]
    assert v.reason is Reason.PARENT_MISSING
    assert v.via is not None
    assert v.via.kind is LinkKind.ISSUE_LINK


def test_a_github_issue_traces_through_a_jira_epic() -> None:
    verdicts = verdicts_of(
        item("jira:PLAT-1", V),
        item("jira:PLAT-7", S, "jira:PLAT-1"),
        item("gh:acme/web#12", E, link("jira:PLAT-7", LinkKind.BODY_REFERENCE, raw="PLAT-7")),
    )
    assert verdicts["gh:acme/web#12"].chain == ("gh:acme/web#12", "jira:PLAT-7", "jira:PLAT-1")


def test_a_closed_parent_still_carries_the_chain() -> None:
    verdicts = verdicts_of(
        item("gh:a/b#1", V),
        item("gh:a/b#2", S, "gh:a/b#1", state="closed"),
        item("gh:a/b#3", E, "gh:a/b#2"),
    )
    assert verdicts["gh:a/b#2"].reason is Reason.CLOSED
    assert verdicts["gh:a/b#3"].kind is VerdictKind.TRACED


def test_an_exempt_parent_still_breaks_the_chain() -> None:
    verdicts = verdicts_of(
        item("gh:a/b#2", S, labels=("no-trace",)), item("gh:a/b#3", E, "gh:a/b#2")
    )
    assert verdicts["gh:a/b#2"].kind is VerdictKind.EXEMPT
    assert verdicts["gh:a/b#3"].reason is Reason.PARENT_UNTRACED


def test_exemptions_are_checked_in_spec_order() -> None:
    policy = dataclasses.replace(
        POLICY, exempt_types=("Spike",), grace_period=timedelta(days=2), skip_closed=True
    )
    verdicts = verdicts_of(
        item("gh:a/b#1", labels=("NO-TRACE",), type_="spike", state="closed"),
        item("gh:a/b#2", type_="SPIKE", state="closed"),
        item("gh:a/b#3", state="closed", age=timedelta(hours=1)),
        item("gh:a/b#4", N, age=timedelta(hours=1)),
        item("gh:a/b#5", N),
        policy=policy,
    )
    assert [v.reason for v in verdicts.values()] == [
        Reason.EXEMPT_LABEL,
        Reason.EXEMPT_TYPE,
        Reason.CLOSED,
        Reason.GRACE_PERIOD,
        Reason.NO_LAYER,
    ]
    assert all(v.kind is VerdictKind.EXEMPT and not v.flaggable for v in verdicts.values())


def test_closed_items_are_judged_when_skip_closed_is_off() -> None:
    policy = dataclasses.replace(POLICY, skip_closed=False)
    v = verdicts_of(item("gh:a/b#1", state="closed"), policy=policy)["gh:a/b#1"]
    assert v.kind is VerdictKind.ORPHAN


def test_grace_period_exempts_only_young_items() -> None:
    policy = dataclasses.replace(POLICY, grace_period=timedelta(days=1))
    verdicts = verdicts_of(
        item("gh:a/b#1", age=timedelta(hours=23)),
        item("gh:a/b#2", age=timedelta(hours=25)),
        policy=policy,
    )
    assert verdicts["gh:a/b#1"].reason is Reason.GRACE_PERIOD
    assert verdicts["gh:a/b#2"].reason is Reason.NO_PARENT


def test_default_layer_none_makes_unclassified_items_exempt() -> None:
    policy = dataclasses.replace(POLICY, default_layer=N)
    v = verdicts_of(item("gh:a/b#1"), policy=policy)["gh:a/b#1"]
    assert (v.kind, v.reason, v.layer) == (VerdictKind.EXEMPT, Reason.NO_LAYER, N)


def test_a_verdict_carries_its_classification() -> None:
    v = verdicts_of(item("gh:a/b#1", S))["gh:a/b#1"]
    assert v.classification is not None
    assert v.classification.rule is not None
    assert v.classification.explanation.startswith("rule 2 matched")


def test_descendants_are_every_item_whose_chain_can_pass_through_the_refs() -> None:
    items = org(
        item("gh:a/b#1", V),
        item("gh:a/b#2", S, "gh:a/b#1"),
        item("gh:a/b#3", E, "gh:a/b#2"),
        item("gh:a/b#4", E, "gh:a/b#3", "gh:a/b#4"),
        item("gh:a/b#5", E, "jira:GONE-1"),
    )
    assert descendants(items, ["gh:a/b#2"]) == {"gh:a/b#2", "gh:a/b#3", "gh:a/b#4"}
    assert descendants(items, ["jira:GONE-1"]) == {"gh:a/b#5"}


def test_coverage_counts_traced_among_judged_items_only() -> None:
    verdicts = verdicts_of(
        item("gh:a/b#1", V),
        item("gh:a/b#2", E),
        item("gh:a/b#3", E, "gh:a/b#9"),
        item("gh:a/b#4", N),
    )
    assert coverage(verdicts) == 1 / 3
    assert coverage(list(verdicts.values())) == 1 / 3
    assert coverage({}) is None


def test_tracing_leaves_the_garbage_collector_as_it_found_it() -> None:
    assert gc.isenabled()
    verdicts_of(item("gh:a/b#1", V))
    assert gc.isenabled()
    gc.disable()
    try:
        verdicts_of(item("gh:a/b#1", V))
        assert not gc.isenabled()
    finally:
        gc.enable()
