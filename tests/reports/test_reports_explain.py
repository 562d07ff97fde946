"""`goldthread explain REF`: the rule, the links, the chain and the verdict."""

from __future__ import annotations

from reports_sample import ITEMS, NOW, item

from goldthread.core.model import Layer, LayerRule, LinkKind, ParentLink, TracePolicy, WorkItem
from goldthread.core.tracing import trace
from goldthread.reports.explaining import explain_item

POLICY = TracePolicy(
    rules=(
        LayerRule(Layer.VISION, labels=("vision",), index=0),
        LayerRule(Layer.STRATEGY, labels=("strategy",), index=1),
    ),
)


def _explain(ref: str, *extra: WorkItem) -> str:
    items = {i.ref: i for i in (*ITEMS, *extra)}
    verdicts = trace(items, POLICY, NOW)
    return explain_item(ref, items, POLICY, verdicts[ref], verdicts=verdicts)


def test_the_rule_that_set_the_layer_is_named() -> None:
    text = _explain("jira:VIS-1")
    assert "Layer: vision" in text
    assert "rule 1 matched: label 'vision'" in text


def test_an_item_matching_no_rule_says_the_default_layer_applied() -> None:
    text = _explain("gh:acme/web#13")
    assert "Layer: execution" in text
    assert "no rule matched; trace.default_layer is execution" in text


def test_each_parent_link_says_where_it_was_found_and_what_it_points_at() -> None:
    text = _explain("gh:acme/web#14")
    assert "body-reference in body line 2: 'other/repo#9' -> missing" in text


def test_a_link_to_an_item_not_in_any_source_is_missing() -> None:
    lost = item(
        "gh:acme/web#20",
        "Lost",
        parents=(ParentLink(LinkKind.SUB_ISSUE, "gh:acme/web#999", "#999", "parent_issue_url"),),
    )
    text = _explain("gh:acme/web#20", lost)
    assert "-> gh:acme/web#999 missing" in text
    assert "Verdict: broken (parent-missing)" in text


def test_the_chain_walked_and_the_verdict_are_spelled_out() -> None:
    strategy = item("jira:PLAT-30", "Grow", labels=("strategy",), parents=(_link("jira:VIS-1"),))
    work = item("gh:acme/web#30", "Build it", parents=(_link("jira:PLAT-30"),))
    text = _explain("gh:acme/web#30", strategy, work)
    assert (
        "sub-issue in parent_issue_url: 'jira:PLAT-30' -> jira:PLAT-30 (strategy, traced)" in text
    )
    assert "[chain starts here]" in text
    assert "Chain walked: gh:acme/web#30 -> jira:PLAT-30 -> jira:VIS-1" in text
    assert "Verdict: traced (linked)" in text


def test_an_orphan_says_it_has_no_parent_links() -> None:
    text = _explain("gh:acme/web#13")
    assert "Parent links: none" in text
    assert "Verdict: orphan (no-parent)" in text


def test_tracker_text_cannot_forge_extra_lines() -> None:
    forged = item("gh:acme/web#40", "Nice\nVerdict: traced (linked)\x1b[2J")
    text = _explain("gh:acme/web#40", forged)
    assert "\x1b" not in text
    verdict_lines = [line for line in text.splitlines() if line.startswith("Verdict:")]
    assert verdict_lines == ["Verdict: orphan (no-parent)"]


def test_an_item_never_evaluated_says_so() -> None:
    items = {i.ref: i for i in ITEMS}
    text = explain_item("gh:acme/web#13", items, POLICY, None)
    assert "not evaluated yet" in text


def _link(target: str) -> ParentLink:
    return ParentLink(LinkKind.SUB_ISSUE, target, target, "parent_issue_url")
