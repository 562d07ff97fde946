"""Layer rules and exemptions: which layer an item sits in, and why."""

from __future__ import annotations

from core_graphs import item

from goldthread.core.model import Layer, LayerRule, TracePolicy
from goldthread.core.rules import classify, is_exempt_label, is_exempt_type

SPEC_RULES = (
    LayerRule(layer=Layer.VISION, labels=("vision", "okr-*")),
    LayerRule(layer=Layer.STRATEGY, labels=("strategy",)),
    LayerRule(layer=Layer.STRATEGY, types=("Epic", "Initiative")),
)
SPEC_POLICY = TracePolicy(rules=SPEC_RULES)


def test_the_first_matching_rule_decides() -> None:
    got = classify(item("gh:a/b#1", labels=("strategy", "vision")), SPEC_POLICY)
    assert got.layer is Layer.VISION
    assert got.rule is SPEC_RULES[0]


def test_label_globs_match_case_insensitively() -> None:
    got = classify(item("gh:a/b#1", labels=("OKR-2026",)), SPEC_POLICY)
    assert got.layer is Layer.VISION
    assert got.explanation == "rule 1 matched: label 'OKR-2026' (layer vision)"


def test_a_glob_must_match_the_whole_label() -> None:
    got = classify(item("gh:a/b#1", labels=("not-okr-1", "strategy-ish")), SPEC_POLICY)
    assert got.layer is Layer.EXECUTION


def test_types_match_case_insensitively() -> None:
    got = classify(item("jira:P-1", type_="epic"), SPEC_POLICY)
    assert (got.layer, got.rule) == (Layer.STRATEGY, SPEC_RULES[2])
    assert got.explanation == "rule 3 matched: type 'epic' (layer strategy)"


def test_an_item_matching_no_rule_gets_the_default_layer() -> None:
    got = classify(item("jira:P-1", type_="Story", labels=("backend",)), SPEC_POLICY)
    assert (got.layer, got.rule) == (Layer.EXECUTION, None)
    assert got.explanation == "no rule matched; trace.default_layer is execution"


def test_the_default_layer_can_be_none() -> None:
    policy = TracePolicy(rules=SPEC_RULES, default_layer=Layer.NONE)
    assert classify(item("jira:P-1"), policy).layer is Layer.NONE


def test_a_sources_condition_limits_a_rule_to_those_sources() -> None:
    policy = TracePolicy(
        rules=(LayerRule(layer=Layer.STRATEGY, types=("Epic",), sources=("jira",)),)
    )
    assert classify(item("jira:P-1", type_="Epic"), policy).layer is Layer.STRATEGY
    assert classify(item("gh:a/b#1", type_="Epic"), policy).layer is Layer.EXECUTION


def test_labels_and_types_in_one_rule_must_both_match() -> None:
    policy = TracePolicy(
        rules=(LayerRule(layer=Layer.STRATEGY, labels=("strategy",), types=("Epic",)),)
    )
    both = classify(item("jira:P-1", type_="Epic", labels=("Strategy",)), policy)
    assert both.layer is Layer.STRATEGY
    assert both.explanation == "rule 1 matched: label 'Strategy', type 'Epic' (layer strategy)"
    assert classify(item("jira:P-2", type_="Epic"), policy).layer is Layer.EXECUTION
    assert classify(item("jira:P-3", labels=("strategy",)), policy).layer is Layer.EXECUTION


def test_a_type_rule_never_matches_an_item_without_a_type() -> None:
    assert classify(item("gh:a/b#1", type_=None), SPEC_POLICY).layer is Layer.EXECUTION


def test_goldthreads_own_label_never_counts_for_a_rule() -> None:
    policy = TracePolicy(
        rules=(LayerRule(layer=Layer.VISION, labels=("*untraced*",)),),
        own_label="goldthread:untraced",
    )
    got = classify(item("gh:a/b#1", labels=("GoldThread:Untraced",)), policy)
    assert got.layer is Layer.EXECUTION


def test_goldthreads_own_label_never_exempts() -> None:
    policy = TracePolicy(rules=(), exempt_labels=("goldthread:*",), own_label="goldthread:untraced")
    assert is_exempt_label(item("gh:a/b#1", labels=("goldthread:untraced",)), policy) is None
    assert (
        is_exempt_label(item("gh:a/b#2", labels=("goldthread:skip",)), policy) == "goldthread:skip"
    )


def test_exempt_labels_are_case_insensitive_globs() -> None:
    policy = TracePolicy(rules=(), exempt_labels=("no-trace", "chore-*"))
    assert is_exempt_label(item("gh:a/b#1", labels=("CHORE-deps",)), policy) == "CHORE-deps"
    assert is_exempt_label(item("gh:a/b#1", labels=("chores",)), policy) is None


def test_exempt_types_are_case_insensitive() -> None:
    policy = TracePolicy(rules=(), exempt_types=("Sub-task",))
    assert is_exempt_type(item("jira:P-1", type_="SUB-TASK"), policy)
    assert not is_exempt_type(item("jira:P-1", type_="Task"), policy)
    assert not is_exempt_type(item("jira:P-1", type_=None), policy)


def test_two_policies_never_share_answers() -> None:
    a = TracePolicy(rules=(LayerRule(layer=Layer.VISION, labels=("x",)),))
    b = TracePolicy(rules=(LayerRule(layer=Layer.STRATEGY, labels=("x",)),))
    labelled = item("gh:a/b#1", labels=("x",))
    assert (classify(labelled, a).layer, classify(labelled, b).layer) == (
        Layer.VISION,
        Layer.STRATEGY,
    )


def test_a_rule_with_no_conditions_matches_everything() -> None:
    policy = TracePolicy(rules=(LayerRule(layer=Layer.STRATEGY),))
    got = classify(item("gh:a/b#1"), policy)
    assert got.explanation == "rule 1 matched: it has no conditions (layer strategy)"
