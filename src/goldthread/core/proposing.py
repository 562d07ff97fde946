"""Layer rules proposed from what a tracker shows, each with the reasons why. Pure.

``goldthread init --online`` gathers facts (issue types with their hierarchy
levels, labels in use with their counts) and asks :func:`propose_rules` for
rules a person can read and adjust:

* **vision**: the issue types at the top of a Jira hierarchy that goes above
  Epic (Premium's Initiative, Theme…), types named like a vision, and
  vision- or OKR-like labels;
* **strategy**: Epics, types between Epic and the top, types named like an
  epic or initiative, and strategy-like labels;
* everything else is execution (``trace.default_layer``), so it needs no rule.

Where nothing in use looks like a vision, the proposal keeps the default
``vision`` / ``okr-*`` labels and says that nothing carries them yet.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field

from goldthread.core.model import Layer, LinkKind, WorkItem

EPIC_LEVEL = 1
_VISION_WORDS = re.compile(
    r"^(?:vision|visions|okr|okrs|okr[-_:/ ].*|objective|objectives|goal|goals|mission|"
    r"north[-_ ]?star|company[-_ ]goal.*|theme|themes)$",
    re.IGNORECASE,
)
_STRATEGY_WORDS = re.compile(
    r"^(?:strategy|strategic|epic|epics|initiative|initiatives|program|programme|"
    r"key[-_ ]result|kr|roadmap|bet|bets)$",
    re.IGNORECASE,
)


@dataclass(frozen=True, slots=True)
class TypeFact:
    """An issue type a source has: its hierarchy level when known (Jira Cloud's
    ``hierarchyLevel``, or inferred from the links issues use), and how many
    issues read carry it."""

    source: str
    name: str
    level: int | None = None
    count: int = 0
    subtask: bool = False
    origin: str = ""  # where the level came from, for the explanation


@dataclass(frozen=True, slots=True)
class LabelFact:
    name: str
    count: int
    sources: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class ProposedRule:
    """A ``[[rules]]`` entry and the comment lines that say why it is proposed."""

    layer: Layer
    labels: tuple[str, ...] = ()
    types: tuple[str, ...] = ()
    sources: tuple[str, ...] = ()
    why: tuple[str, ...] = field(default=())


def propose_rules(
    types: Sequence[TypeFact], labels: Sequence[LabelFact]
) -> tuple[ProposedRule, ...]:
    """Vision rules first (labels, then types per source), then strategy ones."""
    vision_labels = [fact for fact in labels if _VISION_WORDS.match(_plain(fact.name))]
    strategy_labels = [fact for fact in labels if _STRATEGY_WORDS.match(_plain(fact.name))]
    placed = _place_types(types)
    rules: list[ProposedRule] = []
    if vision_labels:
        rules.append(_label_rule(Layer.VISION, vision_labels, "vision- or OKR-like"))
    rules += _type_rules(Layer.VISION, placed)
    if not rules:
        rules.append(
            ProposedRule(
                Layer.VISION,
                labels=("vision", "okr-*"),
                why=(
                    "No issue type sits above Epic and no label in use looks like a vision,",
                    "so visions are the items you label `vision` (or `okr-...`).",
                ),
            )
        )
    if strategy_labels:
        rules.append(_label_rule(Layer.STRATEGY, strategy_labels, "strategy-like"))
    rules += _type_rules(Layer.STRATEGY, placed)
    return tuple(rules)


def _plain(name: str) -> str:
    return name.strip().casefold()


def _label_rule(layer: Layer, facts: Sequence[LabelFact], like: str) -> ProposedRule:
    ordered = sorted(facts, key=lambda f: (-f.count, f.name.casefold()))
    counted = ", ".join(
        f"`{f.name}` on {f.count} item{'s' if f.count != 1 else ''}" for f in ordered
    )
    return ProposedRule(
        layer,
        labels=tuple(f.name for f in ordered),
        why=(f"Labels in use that look {like}: {counted}.",),
    )


def _place_types(types: Sequence[TypeFact]) -> dict[Layer, list[tuple[TypeFact, str]]]:
    """Each type with a layer above execution, and why, per layer."""
    tops = _top_levels(types)
    placed: dict[Layer, list[tuple[TypeFact, str]]] = {Layer.VISION: [], Layer.STRATEGY: []}
    for fact in types:
        top = tops.get(fact.source)
        if fact.subtask:
            continue
        if fact.level is not None and top is not None and top > EPIC_LEVEL:
            if fact.level == top:
                placed[Layer.VISION].append(
                    (fact, f"hierarchy level {fact.level}, the top (above Epic){_from(fact)}")
                )
                continue
            if fact.level >= EPIC_LEVEL:
                placed[Layer.STRATEGY].append(
                    (fact, f"hierarchy level {fact.level}, below the top{_from(fact)}")
                )
                continue
        elif fact.level is not None and fact.level >= EPIC_LEVEL:
            placed[Layer.STRATEGY].append(
                (fact, f"hierarchy level {fact.level} (Epic){_from(fact)}")
            )
            continue
        if fact.level is not None and fact.level < EPIC_LEVEL:
            continue
        if _VISION_WORDS.match(_plain(fact.name)):
            placed[Layer.VISION].append((fact, "named like a vision"))
        elif _STRATEGY_WORDS.match(_plain(fact.name)):
            placed[Layer.STRATEGY].append((fact, "named like an epic or initiative"))
    return placed


def _from(fact: TypeFact) -> str:
    return f", {fact.origin}" if fact.origin else ""


def _top_levels(types: Iterable[TypeFact]) -> dict[str, int]:
    tops: dict[str, int] = {}
    for fact in types:
        if fact.level is not None:
            tops[fact.source] = max(tops.get(fact.source, fact.level), fact.level)
    return tops


def _type_rules(
    layer: Layer, placed: Mapping[Layer, list[tuple[TypeFact, str]]]
) -> list[ProposedRule]:
    """One rule per source, so a type name means the same only where it was found."""
    by_source: dict[str, list[tuple[TypeFact, str]]] = {}
    for fact, reason in placed[layer]:
        by_source.setdefault(fact.source, []).append((fact, reason))
    rules = []
    for source, found in sorted(by_source.items()):
        names = tuple(dict.fromkeys(fact.name for fact, _ in found))
        why = tuple(
            f"{fact.name} ({source}): {reason}; {fact.count} item{'s' if fact.count != 1 else ''} read."
            for fact, reason in found
        )
        rules.append(ProposedRule(layer, types=names, sources=(source,), why=why))
    return rules


def count_labels(items: Iterable[WorkItem], own_label: str) -> list[LabelFact]:
    """Labels in use (goldthread's own left out), most used first."""
    counts: dict[str, int] = {}
    names: dict[str, str] = {}
    where: dict[str, set[str]] = {}
    own = own_label.casefold()
    for item in items:
        for label in dict.fromkeys(item.labels):
            key = label.casefold()
            if key == own:
                continue
            names.setdefault(key, label)
            counts[key] = counts.get(key, 0) + 1
            where.setdefault(key, set()).add(item.source)
    return sorted(
        (LabelFact(names[k], counts[k], tuple(sorted(where[k]))) for k in counts),
        key=lambda f: (-f.count, f.name.casefold()),
    )


def count_types(items: Iterable[WorkItem]) -> dict[tuple[str, str], int]:
    """Items per (source, type name)."""
    counts: dict[tuple[str, str], int] = {}
    for item in items:
        if item.type:
            key = (item.source, item.type)
            counts[key] = counts.get(key, 0) + 1
    return counts


def count_links(items: Iterable[WorkItem]) -> dict[str, dict[LinkKind, int]]:
    """Per source, how many items have a parent link of each kind."""
    found: dict[str, dict[LinkKind, int]] = {}
    for item in items:
        kinds = {link.kind for link in item.parents}
        counts = found.setdefault(item.source, {})
        for kind in kinds:
            counts[kind] = counts.get(kind, 0) + 1
    return found


def inferred_levels(items: Mapping[str, WorkItem]) -> dict[tuple[str, str], int]:
    """Hierarchy levels of types where the site does not say them (Data Center):
    a type Epic Link points at is an epic (1); a type Parent Link points at sits
    one above its children (an Initiative above Epics is 2)."""
    levels: dict[tuple[str, str], int] = {}
    for item in items.values():
        for link in item.parents:
            parent = items.get(link.target or "")
            if parent is None or parent.type is None:
                continue
            if link.kind is LinkKind.EPIC_LINK:
                levels[(parent.source, parent.type)] = max(
                    levels.get((parent.source, parent.type), EPIC_LEVEL), EPIC_LEVEL
                )
    for _ in range(4):  # Parent Link chains: at most a few levels above Epic
        for item in items.values():
            for link in item.parents:
                parent = items.get(link.target or "")
                if link.kind is not LinkKind.PARENT_LINK or parent is None or not parent.type:
                    continue
                below = levels.get((item.source, item.type or ""), EPIC_LEVEL)
                key = (parent.source, parent.type)
                levels[key] = max(levels.get(key, below + 1), below + 1)
    return levels
