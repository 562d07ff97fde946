"""goldthread's comment, built as a tracker-neutral :class:`CommentDoc`.

Pure: a verdict and the items it names in, a document out. The comment says,
in plain words, what is missing, why (the reason and the chain walked), and
how to fix it (which layer to link to, and how on this tracker). Everything
that came from a tracker (keys, refs, raw references) goes into a
:class:`~goldthread.core.model.Span` as data; each connector escapes it.

The fingerprint hashes the document's content, so the same verdict gives the
same fingerprint on every run and an unchanged comment is never rewritten.
Titles are left out on purpose: renaming a parent must not rewrite every
comment beneath it. Suggested parents are listed by their kind of evidence
and ref, not by score, each with a reason that depends only on the pair: the
same suggestions give the same comment, whatever else moved in the store.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping, Sequence
from dataclasses import asdict

from goldthread.core.model import (
    Block,
    CommentDoc,
    Layer,
    Reason,
    Span,
    Verdict,
    VerdictKind,
    WorkItem,
)
from goldthread.core.suggesting import MAX_SUGGESTIONS, Suggestion

HEADLINE = "goldthread: this item does not trace back to a strategy and a vision."
RESOLVED = "goldthread: this item now traces back to a vision. Nothing left to do here."
EXEMPTED = "goldthread: this item no longer needs a parent. Nothing left to do here."


def fingerprint(blocks: Sequence[Block]) -> str:
    """A short, stable hash of the document's content."""
    canonical = json.dumps([asdict(block) for block in blocks], sort_keys=True)
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()[:16]


def _doc(blocks: Sequence[Block]) -> CommentDoc:
    return CommentDoc(blocks=tuple(blocks), fingerprint=fingerprint(blocks))


def _ref_span(ref: str, items: Mapping[str, WorkItem]) -> Span:
    item = items.get(ref)
    return Span(ref, url=item.url if item is not None else None, code=item is None)


def _text(text: str) -> Span:
    return Span(text)


def wanted_layer(layer: Layer) -> Layer:
    """The layer an item of ``layer`` should link up to."""
    return Layer.VISION if layer is Layer.STRATEGY else Layer.STRATEGY


def _why(verdict: Verdict, items: Mapping[str, WorkItem]) -> tuple[Span, ...]:
    """One sentence: why the chain does not reach a vision item."""
    parent = verdict.chain[1] if len(verdict.chain) > 1 else None
    raw = verdict.via.raw if verdict.via is not None else ""
    reason = verdict.reason
    if reason is Reason.NO_PARENT:
        return (_text("It has no parent link at all."),)
    if reason is Reason.PARENT_MISSING:
        named = Span(raw or (parent or "?"), code=True)
        return (_text("Its parent "), named, _text(" does not exist or cannot be read."))
    if parent is not None and reason is Reason.PARENT_UNTRACED:
        return (
            _text("Its parent "),
            _ref_span(parent, items),
            _text(" does not trace back to a vision itself."),
        )
    if parent is not None and reason is Reason.WRONG_LAYER:
        return (
            _text("Its parent "),
            _ref_span(parent, items),
            _text(" sits in a lower layer than this item."),
        )
    if reason is Reason.CYCLE:
        return (_text("Its parent links go round in a loop and never reach a vision item."),)
    if reason is Reason.SKIPS_LAYER:
        return (
            _text("Its chain reaches a vision item without passing a strategy item on the way."),
        )
    return (_text(f"Its chain does not reach a vision item ({reason.value})."),)


def _chain(verdict: Verdict, items: Mapping[str, WorkItem]) -> Block:
    """The refs walked upward, this item first, each a link where known."""
    entries: list[tuple[Span, ...]] = [(_ref_span(verdict.chain[0], items), _text(" (this item)"))]
    entries += [
        (_ref_span(ref, items),) if ref in items else (_ref_span(ref, items), _text(" (not found)"))
        for ref in verdict.chain[1:]
    ]
    if len(verdict.chain) == 1 and verdict.via is not None:
        entries.append((Span(verdict.via.raw, code=True), _text(" (not found)")))
    return Block(items=tuple(entries))


def _how(
    item: WorkItem, verdict: Verdict, exempt_label: str | None, *, sub_issues: bool = True
) -> tuple[Span, ...]:
    target = wanted_layer(verdict.layer)
    spans: list[Span] = [
        _text("Link it to a "),
        Span(f"{target.value} item", strong=True),
        _text(": "),
    ]
    if "#" in item.key and not sub_issues:  # a GitHub server without sub-issues
        spans += [
            _text("add a line "),
            Span("Part of <reference>", code=True),
            _text(" to its description."),
        ]
    elif "#" in item.key:  # a GitHub issue
        spans += [
            _text("make it a sub-issue of that item, or add a line "),
            Span("Part of <reference>", code=True),
            _text(" to its description."),
        ]
    else:
        spans += [
            _text("set its parent (or Epic Link) to that item, or add a parent issue link, or a "),
            Span("Part of <reference>", code=True),
            _text(" line to its description."),
        ]
    if verdict.reason is Reason.PARENT_UNTRACED and len(verdict.chain) > 1:
        spans.append(_text(" Or fix the parent's own link first."))
    if exempt_label:
        spans += [
            _text(" If this item needs no parent, add the label "),
            Span(exempt_label, code=True),
            _text("."),
        ]
    return tuple(spans)


SUGGESTED = "Likely parents, from what goldthread found (a guess: check before linking):"


def _suggested(suggestions: Sequence[Suggestion], items: Mapping[str, WorkItem]) -> list[Block]:
    """The suggestions as a list of links with their reasons (none: nothing)."""
    if not suggestions:
        return []
    shown = sorted(suggestions[:MAX_SUGGESTIONS], key=lambda s: (s.evidence, s.ref))
    return [
        Block(spans=(_text(SUGGESTED),)),
        Block(items=tuple((_ref_span(s.ref, items), _text(f": {s.why}")) for s in shown)),
    ]


def flag_comment(
    item: WorkItem,
    verdict: Verdict,
    items: Mapping[str, WorkItem],
    *,
    exempt_label: str | None = None,
    sub_issues: bool = True,
    suggestions: Sequence[Suggestion] = (),
) -> CommentDoc:
    """The comment on an orphan or broken item: what, why, how to fix, and
    the likely parents when goldthread has any to suggest."""
    blocks = [
        Block(spans=(Span(HEADLINE, strong=True),)),
        Block(spans=(_text(f"Verdict: {verdict.kind.value} ({verdict.reason.value}). "),)),
        Block(spans=_why(verdict, items)),
    ]
    if len(verdict.chain) > 1 or verdict.reason is Reason.PARENT_MISSING:
        blocks.append(Block(spans=(_text("The chain goldthread walked:"),)))
        blocks.append(_chain(verdict, items))
    blocks.append(Block(spans=_how(item, verdict, exempt_label, sub_issues=sub_issues)))
    blocks += _suggested(suggestions, items)
    blocks.append(
        Block(
            spans=(
                _text(
                    "goldthread keeps this comment up to date and takes its label down"
                    " once the item traces back."
                ),
            )
        )
    )
    return _doc(blocks)


def resolved_comment(verdict: Verdict, items: Mapping[str, WorkItem]) -> CommentDoc:
    """What the comment says once the item is no longer flagged: traced, or
    exempt (closed, exempt label or type, no layer), which is not traced."""
    if verdict.kind is VerdictKind.EXEMPT:
        why = verdict.detail or f"exempt ({verdict.reason.value})"
        return _doc(
            [Block(spans=(Span(EXEMPTED, strong=True),)), Block(spans=(_text(f"It is {why}."),))]
        )
    blocks = [Block(spans=(Span(RESOLVED, strong=True),))]
    if len(verdict.chain) > 1:
        blocks.append(Block(spans=(_text("The chain:"),)))
        blocks.append(Block(items=tuple((_ref_span(ref, items),) for ref in verdict.chain)))
    else:
        blocks.append(Block(spans=(_text(f"It is no longer flagged ({verdict.reason.value})."),)))
    return _doc(blocks)


def plain_exempt_label(labels: Sequence[str]) -> str | None:
    """The first configured exempt label that is a plain name (no glob)."""
    for label in labels:
        if label and not any(ch in label for ch in "*?["):
            return label
    return None
