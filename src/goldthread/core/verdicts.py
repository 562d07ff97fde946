"""From structural outcomes to verdicts: exemptions on top, and plain words.

The walk (:mod:`goldthread.core.tracing`) decides what the structure says;
this module decides what goldthread says about each item. Exemptions are
checked in the documented order (docs/behaviour.md#verdicts) (exempt-label, exempt-type, closed, grace-period,
no-layer) and never change what the item means as a parent.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from goldthread.core.model import (
    Classification,
    Layer,
    ParentLink,
    Reason,
    Verdict,
    VerdictKind,
    WorkItem,
)
from goldthread.core.rules import EXEMPT_BY_LABEL, EXEMPT_BY_TYPE, CompiledPolicy


@dataclass(slots=True)
class Structure:
    """Per item index: the walk's outcome, independent of exemption.

    ``via`` is the position of the deciding link among the item's ordered
    links (-1: none), ``up`` the index of its target (-1: none or missing),
    ``walks_on`` whether the chain continues past that target.
    """

    traced: list[bool]
    reason: list[Reason]
    via: list[int]
    up: list[int]
    walks_on: list[bool]

    @classmethod
    def sized(cls, n: int) -> Structure:
        return cls([False] * n, [Reason.NO_PARENT] * n, [-1] * n, [-1] * n, [False] * n)


def exemption(
    item: WorkItem,
    classification: Classification,
    compiled: CompiledPolicy,
    now: datetime,
    flags: int | None = None,
) -> tuple[Reason, str] | None:
    """Why ``item`` is exempt, in the documented order, with a sentence; None if it is not.

    ``flags`` are the exemption bits of :meth:`CompiledPolicy.assess`, when known.
    """
    policy = compiled.policy
    if flags is None:
        flags = compiled.assess(item)[1]
    if flags & EXEMPT_BY_LABEL and (label := compiled.exempt_label(item)) is not None:
        return Reason.EXEMPT_LABEL, f"exempt: label '{label}' is in policy.exempt_labels"
    if item.type is not None and flags & EXEMPT_BY_TYPE:
        return Reason.EXEMPT_TYPE, f"exempt: type '{item.type}' is in policy.exempt_types"
    if policy.skip_closed and item.closed:
        return Reason.CLOSED, "exempt: the item is closed and policy.skip_closed is on"
    grace = policy.grace_period
    if grace > timedelta(0) and now - item.created_at < grace:
        return Reason.GRACE_PERIOD, f"exempt: created less than {grace} ago (policy.grace_period)"
    if classification.layer is Layer.NONE:
        return Reason.NO_LAYER, f"exempt: the item has no layer ({classification.explanation})"
    return None


def build_verdicts(
    refs: Sequence[str],
    records: Sequence[WorkItem],
    *,
    classes: Sequence[Classification],
    exempt: Sequence[int],
    links: Sequence[tuple[ParentLink, ...]],
    structure: Structure,
    chains: Sequence[tuple[str, ...]],
    compiled: CompiledPolicy,
    now: datetime,
) -> dict[str, Verdict]:
    """One :class:`Verdict` per item, keyed by ref, in the order given."""
    s = structure
    words = _Words(refs, classes, s)
    verdicts: dict[str, Verdict] = {}
    policy = compiled.policy
    skip_closed = policy.skip_closed
    grace = policy.grace_period
    young = now - grace if grace > timedelta(0) else None
    for n, ref in enumerate(refs):
        classification = classes[n]
        record = records[n]
        via = links[n][s.via[n]] if s.via[n] >= 0 else None
        why = None
        if (
            exempt[n]
            or (skip_closed and record.state == "closed")
            or (young is not None and record.created_at > young)
            or classification.layer is Layer.NONE
        ):
            why = exemption(record, classification, compiled, now, exempt[n])
        if why is not None:
            kind, reason, detail = VerdictKind.EXEMPT, why[0], why[1]
        else:
            reason = s.reason[n]
            kind = _kind(s.traced[n], reason)
            detail = words.detail(n, via, chains[n])
        verdicts[ref] = Verdict(
            ref=ref,
            layer=classification.layer,
            kind=kind,
            reason=reason,
            chain=chains[n],
            via=via,
            detail=detail,
            classification=classification,
        )
    return verdicts


def _kind(traced: bool, reason: Reason) -> VerdictKind:
    if traced:
        return VerdictKind.TRACED
    if reason is Reason.NO_PARENT:
        return VerdictKind.ORPHAN
    return VerdictKind.BROKEN


class _Words:
    """Plain sentences for structural outcomes."""

    def __init__(
        self, refs: Sequence[str], classes: Sequence[Classification], s: Structure
    ) -> None:
        self.refs = refs
        self.classes = classes
        self.s = s

    def detail(self, n: int, via: ParentLink | None, chain: tuple[str, ...]) -> str:
        reason = self.s.reason[n]
        up = self.s.up[n]
        parent = self.refs[up] if up >= 0 else ""
        if reason is Reason.VISION:
            return "a vision item: the thread starts here"
        if reason is Reason.LINKED:
            return f"traced through {parent} to the vision item {chain[-1]}"
        if reason is Reason.NO_PARENT:
            return (
                "no parent link: no tracker parent, no parent issue link, no reference in the body"
            )
        if reason is Reason.PARENT_MISSING:
            return _missing(via)
        if reason is Reason.WRONG_LAYER:
            return (
                f"its parent {parent} is a {self.classes[up].layer.value} item, "
                f"below this {self.classes[n].layer.value} item"
            )
        if reason is Reason.CYCLE:
            return f"its parents go round in a loop: {' → '.join(chain)}"
        if reason is Reason.SKIPS_LAYER:
            return f"its chain reaches the vision item {chain[-1]} without passing a strategy item"
        if reason is Reason.NO_LAYER:
            return "no layer: it is not part of the thread"
        return self._untraced_parent(parent, up)

    def _untraced_parent(self, parent: str, up: int) -> str:
        if self.classes[up].layer is Layer.NONE:
            return f"its parent {parent} has no layer"
        kind = _kind(False, self.s.reason[up]).value
        return f"its parent {parent} is itself {kind} ({self.s.reason[up].value})"


def _missing(via: ParentLink | None) -> str:
    if via is None:  # pragma: no cover - a missing parent is always reached by a link
        return "its parent does not exist"
    where = f" ({via.evidence})" if via.evidence else ""
    if via.target is None:
        return (
            f"its parent '{via.raw}'{where} is not in any repository or project "
            "goldthread is configured to read"
        )
    return f"its parent {via.target}{where} does not exist or cannot be read"
