"""Proposed layer rules: the top of a hierarchy above Epic and vision-like labels
are vision, Epics and their like are strategy, the rest is left to execution."""

from __future__ import annotations

from goldthread.core.model import Layer
from goldthread.core.proposing import LabelFact, TypeFact, propose_rules


def shape(rules: tuple[object, ...]) -> list[tuple[str, tuple[str, ...], tuple[str, ...]]]:
    return [(r.layer.value, r.labels, r.types) for r in rules]  # type: ignore[attr-defined]


def test_a_premium_hierarchy_puts_its_top_level_in_vision_and_the_levels_below_in_strategy() -> (
    None
):
    types = [
        TypeFact("jira", "Theme", 3, 2),
        TypeFact("jira", "Initiative", 2, 5),
        TypeFact("jira", "Epic", 1, 20),
        TypeFact("jira", "Story", 0, 90),
        TypeFact("jira", "Sub-task", -1, 30, subtask=True),
    ]
    rules = propose_rules(types, [])
    assert shape(rules) == [
        ("vision", (), ("Theme",)),
        ("strategy", (), ("Initiative", "Epic")),
    ]
    assert all(rule.sources == ("jira",) for rule in rules)
    assert "hierarchy level 3, the top (above Epic)" in rules[0].why[0]


def test_without_levels_above_epic_visions_come_from_labels() -> None:
    types = [TypeFact("jira", "Epic", 1, 4), TypeFact("jira", "Story", 0, 9)]
    labels = [LabelFact("OKR-2026", 3), LabelFact("vision", 5), LabelFact("frontend", 40)]
    rules = propose_rules(types, labels)
    assert shape(rules) == [
        ("vision", ("vision", "OKR-2026"), ()),
        ("strategy", (), ("Epic",)),
    ]
    assert rules[0].why == (
        "Labels in use that look vision- or OKR-like: `vision` on 5 items, `OKR-2026` on 3 items.",
    )


def test_github_issue_types_without_levels_are_placed_by_name() -> None:
    types = [TypeFact("gh", "Initiative", None, 2), TypeFact("gh", "Task", None, 30)]
    assert shape(propose_rules(types, [LabelFact("strategy", 4)])) == [
        ("vision", ("vision", "okr-*"), ()),
        ("strategy", ("strategy",), ()),
        ("strategy", (), ("Initiative",)),
    ]


def test_when_nothing_looks_like_a_vision_the_default_labels_are_kept_and_said_so() -> None:
    [vision] = [r for r in propose_rules([], [LabelFact("bug", 3)]) if r.layer is Layer.VISION]
    assert vision.labels == ("vision", "okr-*")
    assert "no label in use looks like a vision" in " ".join(vision.why)
