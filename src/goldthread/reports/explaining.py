"""``goldthread explain REF``: why an item got its verdict, in plain text.

Shows the rule that set the layer, every parent link with where it was found
and what it points at, the chain walked and the verdict with its reason, so a
person can fix the item (or the config) without reading goldthread's code.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

from goldthread.core.ageing import FlagSpan, age, age_text
from goldthread.core.model import Classification, ParentLink, TracePolicy, Verdict, WorkItem
from goldthread.core.neutral import one_line
from goldthread.core.owners import OwnerMatch
from goldthread.core.rules import classify


def explain_item(
    ref: str,
    items: Mapping[str, WorkItem],
    policy: TracePolicy,
    verdict: Verdict | None,
    *,
    verdicts: Mapping[str, Verdict] | None = None,
    link_kinds: Mapping[str, Any] | None = None,
) -> str:
    """The explanation of ``ref``; ``verdicts`` (all items') annotates parents;
    ``link_kinds`` is what the item's server offered when last read (as the
    run recorded it), so a link kind it lacks is not looked for in vain.

    Raises :class:`KeyError` when ``ref`` is not among ``items``.
    """
    item = items[ref]
    known = verdicts or {}
    classification = (verdict.classification if verdict else None) or classify(item, policy)
    lines = [
        f"{item.ref}  {one_line(item.title)}",
        *([item.url] if item.url else []),
        _facts(item),
        "",
        *_layer_lines(classification),
        "",
        *_link_lines(item, items, known, verdict),
        *_kinds_lines(item, link_kinds),
        "",
        *_verdict_lines(verdict),
    ]
    return "\n".join(lines) + "\n"


def _facts(item: WorkItem) -> str:
    labels = ", ".join(one_line(label) for label in item.labels) or "none"
    kind = f" · type {one_line(item.type)}" if item.type else ""
    return f"{item.state}{kind} · labels: {labels}"


def _layer_lines(classification: Classification) -> list[str]:
    return [f"Layer: {classification.layer.value}", f"  {classification.explanation}"]


def _link_lines(
    item: WorkItem,
    items: Mapping[str, WorkItem],
    verdicts: Mapping[str, Verdict],
    verdict: Verdict | None,
) -> list[str]:
    if not item.parents:
        return ["Parent links: none"]
    ordered = sorted(item.parents, key=lambda link: link.kind.preference)
    lines = ["Parent links, in the order they are tried:"]
    for number, link in enumerate(ordered, start=1):
        followed = " [chain starts here]" if verdict and verdict.via == link else ""
        lines.append(f"  {number}. {_link(link, items, verdicts)}{followed}")
    return lines


def _link(link: ParentLink, items: Mapping[str, WorkItem], verdicts: Mapping[str, Verdict]) -> str:
    where = f" in {one_line(link.evidence)}" if link.evidence else ""
    found = f"{link.kind.value}{where}: {one_line(link.raw)!r}"
    if link.target is None:
        return f"{found} -> missing (names nothing goldthread reads)"
    if link.target not in items:
        return f"{found} -> {link.target} missing (not found in any configured source)"
    parent = verdicts.get(link.target)
    state = f" ({parent.layer.value}, {parent.kind.value})" if parent else ""
    return f"{found} -> {link.target}{state}"


def _kinds_lines(item: WorkItem, kinds: Mapping[str, Any] | None) -> list[str]:
    if not kinds:
        return []
    available = ", ".join(str(kind) for kind in kinds.get("available") or ()) or "none"
    lines = [
        f"Link kinds on {item.source} ({one_line(str(kinds.get('server') or '?'))}): {available}"
    ]
    missing = kinds.get("missing") or {}
    lines += [f"  not available: {kind} ({one_line(str(why))})" for kind, why in missing.items()]
    if kinds.get("issue_types") is False:
        lines.append("  not available: issue types (type rules never match its items)")
    lines += [f"  {one_line(str(note))}" for note in kinds.get("notes") or ()]
    return lines


def _verdict_lines(verdict: Verdict | None) -> list[str]:
    if verdict is None:
        return ["Verdict: not evaluated yet (run `goldthread backfill`)"]
    lines = [
        f"Chain walked: {' -> '.join(verdict.chain) if verdict.chain else verdict.ref}",
        f"Verdict: {verdict.kind.value} ({verdict.reason.value})",
    ]
    if verdict.detail:
        lines.append(f"  {one_line(verdict.detail)}")
    return lines


def owner_lines(match: OwnerMatch, span: FlagSpan | None, now: datetime) -> str:
    """Who owns the item and which owner rule said so; how long it has been
    untraced, or when it last was."""
    team = one_line(match.team) if match.team else "none"
    lines = ["", f"Owner: {team}", f"  {match.explanation}"]
    if span is not None and span.open:
        since = f"{span.since:%Y-%m-%d %H:%M} UTC"
        lines.append(f"Untraced since {since} ({age_text(age(span.since, now))})")
    elif span is not None and span.cleared_at is not None:
        lines.append(
            f"Untraced from {span.since:%Y-%m-%d} until {span.cleared_at:%Y-%m-%d %H:%M} UTC"
        )
    return "\n".join(lines) + "\n"
