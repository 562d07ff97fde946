"""The sandbox organisation's evidence of where untraced items belong."""

from __future__ import annotations

from datetime import UTC, datetime

from goldthread.core.model import VerdictKind
from goldthread.core.suggesting import needed_layer
from goldthread.core.tracing import trace
from goldthread.sandbox.offline import POLICY, work_items
from goldthread.sandbox.org import generate

NOW = datetime(2027, 1, 1, tzinfo=UTC)


def test_evidence_changes_no_item_link_or_expected_verdict() -> None:
    plain, rich = generate(400, seed=3), generate(400, seed=3, evidence=True)
    assert rich.expected == plain.expected
    assert [(s.repo, s.number, s.parent) for s in rich.github] == [
        (s.repo, s.number, s.parent) for s in plain.github
    ]
    assert [(s.key, s.parent_key, s.summary) for s in rich.jira] == [
        (s.key, s.parent_key, s.summary) for s in plain.jira
    ]
    assert rich.jira_links == plain.jira_links


def test_the_items_as_read_trace_to_the_expected_verdicts_with_evidence() -> None:
    org = generate(400, seed=3, evidence=True)
    verdicts = trace(work_items(org), POLICY, NOW)
    found = {ref: (v.kind.value, v.reason.value) for ref, v in verdicts.items()}
    assert found == org.expected


def test_each_true_parent_is_an_open_traced_item_of_the_layer_its_child_needs() -> None:
    org = generate(400, seed=3, evidence=True)
    items = work_items(org)
    verdicts = trace(items, POLICY, NOW)
    assert org.true_parents
    for child, parent in org.true_parents.items():
        assert verdicts[child].flaggable
        assert verdicts[parent].kind is VerdictKind.TRACED
        assert not items[parent].closed
        assert verdicts[parent].layer is needed_layer(verdicts[child].layer)


def test_without_evidence_no_true_parent_is_claimed() -> None:
    assert generate(200, seed=7).true_parents == {}


def test_every_kind_of_evidence_is_written() -> None:
    kinds = set(generate(400, seed=3, evidence=True).evidence.values())
    assert kinds == {"named", "mentions", "label", "words", "none"}
