"""The verdict walk over random graphs: cycles, diamonds, several parents,
cross-source edges and missing parents, checked against a plain
reachability oracle and the invariants docs/behaviour.md#verdicts promises."""

from __future__ import annotations

import dataclasses
import itertools
import random

from core_graphs import NOW, POLICY, item, link, org
from hypothesis import given, settings
from hypothesis import strategies as st

from goldthread.core.chains import CHAIN_LIMIT
from goldthread.core.model import Layer, LinkKind, Reason, VerdictKind, WorkItem
from goldthread.core.rules import classify
from goldthread.core.tracing import trace

STRUCTURE = dataclasses.replace(POLICY, skip_closed=False, exempt_labels=())
MISSING = ("gh:acme/web#999", "jira:GONE-1", None)
FEW = settings(max_examples=150, deadline=None)


@st.composite
def organisations(draw: st.DrawFn, max_items: int = 9) -> dict[str, WorkItem]:
    """A random organisation over two trackers, layers and links at random."""
    n = draw(st.integers(1, max_items))
    refs = [f"gh:acme/web#{i}" if i % 2 else f"jira:PLAT-{i}" for i in range(n)]
    items = []
    for ref in refs:
        layer = draw(st.sampled_from(list(Layer)))
        targets = draw(st.lists(st.sampled_from(refs + list(MISSING)), max_size=3))
        kinds = [draw(st.sampled_from(list(LinkKind))) for _ in targets]
        links = [link(t, k) for t, k in zip(targets, kinds, strict=True)]
        labels = ("no-trace",) if draw(st.integers(0, 5)) == 0 else ()
        state = draw(st.sampled_from(["open", "closed"]))
        items.append(item(ref, layer, *links, labels=labels, state=state))
    return org(*items)


def ranks(items: dict[str, WorkItem]) -> dict[str, int]:
    return {ref: classify(i, STRUCTURE).layer.rank for ref, i in items.items()}


def climbable(items: dict[str, WorkItem], rank: dict[str, int], ref: str) -> set[str]:
    """Every item reachable from ``ref`` by climbing to the same or a higher layer."""
    seen: set[str] = set()
    todo = [ref]
    while todo:
        here = todo.pop()
        if rank[here] in (0, 3):
            continue
        for lk in items[here].parents:
            t = lk.target
            if t in items and rank[t] >= rank[here] and t not in seen:
                seen.add(t)
                todo.append(t)
    return seen


def oracle_traced(items: dict[str, WorkItem], *, allow_skip: bool = False) -> set[str]:
    """Traced by the documented words: a chain to vision never going down, through
    a strategy item when execution may not skip a layer."""
    rank = ranks(items)
    reach = {ref: climbable(items, rank, ref) for ref in items}
    sees_vision = {ref: any(rank[x] == 3 for x in reach[ref]) for ref in items}
    traced = set()
    for ref, r in rank.items():
        if (
            r == 3
            or (r == 2 and sees_vision[ref])
            or (r == 1 and allow_skip and sees_vision[ref])
            or (r == 1 and any(rank[s] == 2 and sees_vision[s] for s in reach[ref]))
        ):
            traced.add(ref)
    return traced


@FEW
@given(organisations(), st.booleans())
def test_an_item_is_traced_exactly_when_a_valid_chain_to_vision_exists(
    items: dict[str, WorkItem], allow_skip: bool
) -> None:
    policy = dataclasses.replace(STRUCTURE, allow_layer_skip=allow_skip)
    verdicts = trace(items, policy, NOW)
    traced = {ref for ref, v in verdicts.items() if v.kind is VerdictKind.TRACED}
    assert traced == oracle_traced(items, allow_skip=allow_skip)


@FEW
@given(organisations())
def test_exemption_never_changes_what_other_items_trace_to(items: dict[str, WorkItem]) -> None:
    exempting = trace(items, POLICY, NOW)
    structural = trace(items, STRUCTURE, NOW)
    for ref, verdict in exempting.items():
        if verdict.kind is not VerdictKind.EXEMPT:
            assert verdict == structural[ref]


@FEW
@given(organisations())
def test_a_traced_chain_climbs_real_links_to_a_vision_item(items: dict[str, WorkItem]) -> None:
    rank = ranks(items)
    for ref, verdict in trace(items, STRUCTURE, NOW).items():
        if verdict.kind is not VerdictKind.TRACED:
            continue
        chain = verdict.chain
        assert chain[0] == ref
        assert rank[chain[-1]] == 3
        assert len(set(chain)) == len(chain)
        for child, parent in itertools.pairwise(chain):
            assert parent in {lk.target for lk in items[child].parents}
            assert rank[child] <= rank[parent]
        if rank[ref] == 1:
            assert any(rank[x] == 2 for x in chain)


@FEW
@given(organisations())
def test_orphans_are_exactly_the_judged_items_without_links(items: dict[str, WorkItem]) -> None:
    rank = ranks(items)
    for ref, verdict in trace(items, STRUCTURE, NOW).items():
        if rank[ref] in (1, 2):
            assert (verdict.kind is VerdictKind.ORPHAN) == (not items[ref].parents)


@FEW
@given(organisations())
def test_only_items_on_a_loop_are_cycle(items: dict[str, WorkItem]) -> None:
    rank = ranks(items)
    for ref, verdict in trace(items, STRUCTURE, NOW).items():
        if verdict.reason is Reason.CYCLE:
            assert ref in climbable(items, rank, ref)
            assert verdict.chain[-1] in verdict.chain[:-1]


@FEW
@given(organisations())
def test_a_broken_item_reports_its_most_preferred_link(items: dict[str, WorkItem]) -> None:
    for ref, verdict in trace(items, STRUCTURE, NOW).items():
        if verdict.kind is not VerdictKind.BROKEN:
            continue
        preferred = min(items[ref].parents, key=lambda lk: lk.kind.preference)
        assert verdict.via == preferred
        if preferred.target not in items:
            assert verdict.reason is Reason.PARENT_MISSING


@FEW
@given(organisations(), st.data())
def test_adding_a_link_never_untraces_an_item(
    items: dict[str, WorkItem], data: st.DataObject
) -> None:
    refs = sorted(items)
    child = data.draw(st.sampled_from(refs))
    parent = data.draw(st.sampled_from(refs))
    kind = data.draw(st.sampled_from(list(LinkKind)))
    before = trace(items, STRUCTURE, NOW)
    grown = dict(items)
    grown[child] = dataclasses.replace(
        items[child], parents=(*items[child].parents, link(parent, kind))
    )
    after = trace(grown, STRUCTURE, NOW)
    for ref, verdict in before.items():
        if verdict.kind is VerdictKind.TRACED:
            assert after[ref].kind is VerdictKind.TRACED


@FEW
@given(organisations(), st.randoms(use_true_random=False))
def test_verdicts_do_not_depend_on_the_order_items_come_in(
    items: dict[str, WorkItem], shuffler: random.Random
) -> None:
    refs = list(items)
    shuffler.shuffle(refs)
    shuffled = {ref: items[ref] for ref in refs}
    assert trace(shuffled, POLICY, NOW) == trace(items, POLICY, NOW)


# ---------------------------------------------------------------- depth and size


def test_a_ten_thousand_deep_chain_is_traced_without_recursion() -> None:
    chain = [item("jira:P-0", Layer.VISION), item("jira:P-1", Layer.STRATEGY, "jira:P-0")]
    chain += [item(f"gh:a/b#{i}", Layer.EXECUTION, f"gh:a/b#{i - 1}") for i in range(3, 10_003)]
    chain.append(item("gh:a/b#2", Layer.EXECUTION, "jira:P-1"))
    verdicts = trace(org(*chain), POLICY, NOW)
    deepest = verdicts["gh:a/b#10002"]
    assert deepest.kind is VerdictKind.TRACED
    assert len(deepest.chain) == CHAIN_LIMIT
    assert deepest.chain[:2] == ("gh:a/b#10002", "gh:a/b#10001")
    assert deepest.chain[-1] == "jira:P-0"


def test_a_ten_thousand_item_loop_is_a_cycle_all_round() -> None:
    n = 10_000
    loop = [item(f"gh:a/b#{i}", Layer.EXECUTION, f"gh:a/b#{(i + 1) % n}") for i in range(n)]
    verdicts = trace(org(*loop, item("gh:a/b#x", Layer.EXECUTION, "gh:a/b#0")), POLICY, NOW)
    assert {v.reason for ref, v in verdicts.items() if ref != "gh:a/b#x"} == {Reason.CYCLE}
    assert verdicts["gh:a/b#x"].reason is Reason.PARENT_UNTRACED
    assert len(verdicts["gh:a/b#5"].chain) == CHAIN_LIMIT
    assert verdicts["gh:a/b#5"].chain[-1] == "gh:a/b#5"


def test_a_diamond_traces_both_ways_down() -> None:
    verdicts = trace(
        org(
            item("jira:P-1", Layer.VISION),
            item("jira:P-2", Layer.STRATEGY, "jira:P-1"),
            item("gh:a/b#3", Layer.EXECUTION, "jira:P-2"),
            item("gh:a/b#4", Layer.EXECUTION, "jira:P-2"),
            item("gh:a/b#5", Layer.EXECUTION, "gh:a/b#3", "gh:a/b#4"),
        ),
        POLICY,
        NOW,
    )
    assert all(v.kind is VerdictKind.TRACED for v in verdicts.values())
