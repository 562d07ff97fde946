"""Verdicts and the barren list are kept as the last evaluation left them."""

from __future__ import annotations

from datetime import timedelta

from store_builders import T0

from goldthread.core.model import (
    Barren,
    Classification,
    Layer,
    LayerRule,
    LinkKind,
    ParentLink,
    Reason,
    Verdict,
    VerdictKind,
)
from goldthread.store import Store


def _verdict(ref: str = "gh:acme/web#1", **overrides: object) -> Verdict:
    rule = LayerRule(Layer.EXECUTION, labels=("exec*",), types=("Task",), sources=("gh",), index=4)
    values: dict[str, object] = {
        "ref": ref,
        "layer": Layer.EXECUTION,
        "kind": VerdictKind.BROKEN,
        "reason": Reason.PARENT_UNTRACED,
        "chain": (ref, "jira:PLAT-7", "jira:PLAT-1"),
        "via": ParentLink(LinkKind.BODY_REFERENCE, "jira:PLAT-7", "PLAT-7", "body line 1"),
        "detail": "Its parent PLAT-7 does not trace to a vision.",
        "classification": Classification(Layer.EXECUTION, rule, "label 'execution' matched rule 5"),
    }
    values.update(overrides)
    return Verdict(**values)  # type: ignore[arg-type]


def test_every_field_of_a_verdict_survives_a_round_trip(store: Store) -> None:
    verdict = _verdict()
    store.save_verdicts([verdict], T0)
    assert store.verdicts().get(verdict.ref) == verdict
    assert store.verdicts() == {verdict.ref: verdict}


def test_a_verdict_without_link_or_rule_round_trips(store: Store) -> None:
    verdict = _verdict(
        kind=VerdictKind.ORPHAN,
        reason=Reason.NO_PARENT,
        chain=("gh:acme/web#1",),
        via=None,
        classification=Classification(Layer.EXECUTION, None, "default layer"),
    )
    bare = _verdict("gh:acme/web#2", classification=None, via=None)
    store.save_verdicts([verdict, bare], T0)
    assert store.verdicts() == {verdict.ref: verdict, bare.ref: bare}


def test_saving_again_replaces_the_verdict_of_each_given_ref_only(store: Store) -> None:
    store.save_verdicts([_verdict("gh:a/b#1"), _verdict("gh:a/b#2")], T0)
    traced = _verdict("gh:a/b#1", kind=VerdictKind.TRACED, reason=Reason.LINKED)
    store.save_verdicts([traced], T0 + timedelta(minutes=5))
    assert store.verdicts().get("gh:a/b#1") == traced
    assert store.verdicts().get("gh:a/b#2") == _verdict("gh:a/b#2")
    assert store.last_evaluated_at() == T0 + timedelta(minutes=5)


def test_before_any_evaluation_there_are_no_verdicts(store: Store) -> None:
    assert store.verdicts() == {}
    assert store.verdicts().get("gh:a/b#1") is None
    assert store.last_evaluated_at() is None


def test_the_barren_list_is_replaced_whole_and_keeps_its_order(store: Store) -> None:
    first = [
        Barren("jira:PLAT-1", Layer.VISION, Layer.STRATEGY),
        Barren("gh:a/b#3", Layer.STRATEGY, Layer.EXECUTION),
    ]
    store.save_barren(first)
    assert store.barren() == first
    store.save_barren(first[1:])
    assert store.barren() == first[1:]
    store.save_barren([])
    assert store.barren() == []
