"""The write-back plan: desired state (docs/behaviour.md#write-back) against what is observed.

Pure. For every item with a verdict it compares what should be on the item
(goldthread's label and marker comment when the item is orphan or broken;
no label, and the comment handled per ``on_resolve``, otherwise) with what is
observed (the label on the item as last read; the marker comment the ledger
knows) and emits the :class:`Action` values that close the gap. A dry run
prints this list; :mod:`goldthread.sync.applying` carries it out.

When the ledger knows no comment on an item, the plan cannot know whether
one exists (the store may have been lost): a ``create-comment`` action then
asks the applier to look for the marker first, and resolving an item that
still carries the label (evidence of an earlier flag) looks for it too.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from enum import StrEnum
from typing import Literal

from goldthread.core.labels import carries_label
from goldthread.core.model import CommentDoc, Verdict, WorkItem
from goldthread.core.scope import SourceScope, ref_in_scope
from goldthread.core.suggesting import Suggestion, suggest_parents
from goldthread.store.base import LedgerEntry
from goldthread.sync.commenting import flag_comment, plain_exempt_label, resolved_comment

OnResolve = Literal["update", "delete", "keep"]


class ActionKind(StrEnum):
    ADD_LABEL = "add-label"
    REMOVE_LABEL = "remove-label"
    CREATE_COMMENT = "create-comment"
    UPDATE_COMMENT = "update-comment"
    DELETE_COMMENT = "delete-comment"


@dataclass(frozen=True, slots=True)
class Action:
    """One write to make on one item.

    ``comment_id`` is the ledger's comment for update/delete; ``None`` means
    "the marker comment found on the item, if any". ``must_exist``: the item
    is flagged, so a comment found gone is created again. ``why`` is for people.
    """

    kind: ActionKind
    ref: str
    source: str
    label: str | None = None
    doc: CommentDoc | None = None
    comment_id: str | None = None
    must_exist: bool = False
    why: str = ""

    def __post_init__(self) -> None:
        # An action the applier could not carry out is refused where it is
        # made, not skipped in silence where it is applied.
        if self.kind in (ActionKind.ADD_LABEL, ActionKind.REMOVE_LABEL) and not self.label:
            raise ValueError(f"{self.kind.value} on {self.ref} needs a label")
        if self.kind in (ActionKind.CREATE_COMMENT, ActionKind.UPDATE_COMMENT) and self.doc is None:
            raise ValueError(f"{self.kind.value} on {self.ref} needs a comment document")


@dataclass(frozen=True, slots=True)
class WritebackPolicy:
    """The ``[writeback]`` and exemption settings the planner needs."""

    label: str = "goldthread:untraced"
    comment: bool = True
    on_resolve: OnResolve = "update"
    exempt_labels: tuple[str, ...] = ()
    no_sub_issues: frozenset[str] = frozenset()  # sources whose server has no sub-issues


def has_label(item: WorkItem, label: str) -> bool:
    return carries_label(item.labels, label)


def plan_writes(
    items: Mapping[str, WorkItem],
    verdicts: Mapping[str, Verdict],
    ledger: Mapping[str, LedgerEntry],
    policy: WritebackPolicy,
    *,
    scopes: Mapping[str, SourceScope] | None = None,
    suggestions: Mapping[str, Sequence[Suggestion]] | None = None,
) -> list[Action]:
    """Every action that brings the items to the desired state, by ref.

    ``suggestions`` (likely parents by ref) go into the flagged items' comments.

    With ``scopes`` (every caller that writes passes them), an item outside
    its source's scope gets no action, whatever its verdict: the store's
    admission already keeps such items out, and this is the second check.
    """
    exempt_label = plain_exempt_label(policy.exempt_labels)
    actions: list[Action] = []
    for ref in sorted(verdicts):
        item = items.get(ref)
        if item is None:
            continue
        if scopes is not None and not ref_in_scope(scopes, ref):
            continue
        verdict = verdicts[ref]
        entry = ledger.get(ref)
        if verdict.flaggable:
            doc = flag_comment(
                item,
                verdict,
                items,
                exempt_label=exempt_label,
                sub_issues=item.source not in policy.no_sub_issues,
                suggestions=(suggestions or {}).get(ref, ()),
            )
            actions += _flag(item, verdict, entry, doc, policy)
        else:
            actions += _unflag(item, verdict, entry, items, policy)
    return actions


def comment_suggestions(
    items: Mapping[str, WorkItem],
    verdicts: Mapping[str, Verdict],
    policy: WritebackPolicy,
    *,
    only: Sequence[str] | None = None,
    spread: Mapping[str, float] | None = None,
) -> dict[str, tuple[Suggestion, ...]]:
    """The likely parents the comments name (none when goldthread does not
    comment), judged over every item; ``only`` limits which items are asked."""
    if not policy.comment:
        return {}
    return suggest_parents(items, verdicts, only=only, ignore_labels=(policy.label,), spread=spread)


def _flag(
    item: WorkItem,
    verdict: Verdict,
    entry: LedgerEntry | None,
    doc: CommentDoc,
    policy: WritebackPolicy,
) -> list[Action]:
    why = f"{verdict.kind.value} ({verdict.reason.value})"
    actions: list[Action] = []
    if policy.label and not has_label(item, policy.label):
        actions.append(Action(ActionKind.ADD_LABEL, item.ref, item.source, policy.label, why=why))
    if not policy.comment:
        return actions
    known = entry.comment_id if entry is not None else None
    if known is None:
        actions.append(Action(ActionKind.CREATE_COMMENT, item.ref, item.source, doc=doc, why=why))
    elif entry is not None and entry.comment_fingerprint != doc.fingerprint:
        actions.append(
            Action(
                ActionKind.UPDATE_COMMENT,
                item.ref,
                item.source,
                doc=doc,
                comment_id=known,
                must_exist=True,
                why=f"{why}: the comment's text changed",
            )
        )
    return actions


def _unflag(
    item: WorkItem,
    verdict: Verdict,
    entry: LedgerEntry | None,
    items: Mapping[str, WorkItem],
    policy: WritebackPolicy,
) -> list[Action]:
    why = f"{verdict.kind.value} ({verdict.reason.value})"
    labelled = bool(policy.label) and has_label(item, policy.label)
    actions: list[Action] = []
    if labelled:
        actions.append(
            Action(ActionKind.REMOVE_LABEL, item.ref, item.source, policy.label, why=why)
        )
    known = entry.comment_id if entry is not None else None
    if policy.on_resolve == "keep" or (known is None and not labelled):
        return actions
    if policy.on_resolve == "delete":
        actions.append(
            Action(ActionKind.DELETE_COMMENT, item.ref, item.source, comment_id=known, why=why)
        )
        return actions
    doc = resolved_comment(verdict, items)
    if known is None or (entry is not None and entry.comment_fingerprint != doc.fingerprint):
        actions.append(
            Action(
                ActionKind.UPDATE_COMMENT, item.ref, item.source, doc=doc, comment_id=known, why=why
            )
        )
    return actions


def count_actions(actions: list[Action]) -> Counter[tuple[str, ActionKind]]:
    """Actions per (source, kind)."""
    return Counter((action.source, action.kind) for action in actions)


def newly_flagged(actions: list[Action]) -> int:
    """Items the plan puts goldthread's flag on for the first time."""
    first = (ActionKind.ADD_LABEL, ActionKind.CREATE_COMMENT)
    return len({a.ref for a in actions if a.kind in first})
