"""Likely parents for untraced items: the hint beside every flag (docs/behaviour.md#commands).

Pure: items and verdicts in, for each orphan or broken item up to three
:class:`Suggestion` values out, best first. Candidates are the open, traced
items of the layer the item needs (:func:`needed_layer`). Each piece of
evidence is a chance that the pair belongs together, and the chances combine
as independent ones (``1 - Π(1 - p)``):

1. the candidate's description names the item (:data:`P_NAMED`);
2. the item's own text mentions the candidate without linking it
   (:data:`P_MENTIONS`);
3. shared labels and components, each worth more the fewer candidates carry
   it (:data:`P_TAG` at most);
4. text similarity of titles and descriptions: TF-IDF cosine (scikit-learn),
   its vocabulary and weights learned from the candidates alone;
5. the same repository or Jira project, and how recently the candidate moved
   compared with the newest candidate — both too weak to suggest alone.

Nothing under :data:`THRESHOLD` is suggested: silence beats a wrong hint. The
weights and the threshold are calibrated on the sandbox organisation's
recorded true parents (``benchmarks/bench_suggestions.py``).

What a suggestion says depends only on the pair (the item and the
candidate), never on the rest of the store, and the scores depend only on the
item and the candidates: so the same suggestions give the same comment on
every run, whichever round (a poll, a webhook) computes them.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from enum import IntEnum

from goldthread.core.model import Layer, Verdict, VerdictKind, WorkItem

MAX_SUGGESTIONS = 3
THRESHOLD = 0.5
P_NAMED = 0.9
P_MENTIONS = 0.8
P_TAG = 0.45
TAG_SPREAD = 20.0  # a tag on 5% of all items is worth e^-1 of P_TAG
P_TEXT_MAX = 0.85
P_SAME_PLACE = 0.1
P_RECENT = 0.05
RECENCY_DAYS = 180.0
TEXT_CHARS = 4_000  # of a description, for similarity
CHUNK = 1_024  # untraced items scored at a time (bounds memory)
SHARED_WORDS = 3  # words named in a text-similarity reason

_JIRA_KEY = re.compile(r"\b([A-Z][A-Z0-9_]+-[0-9]{1,12})\b")
_REPO_NUMBER = re.compile(r"\b([A-Za-z0-9][A-Za-z0-9-]*/[A-Za-z0-9_.-]+)#([0-9]{1,12})\b")
_GITHUB_URL = re.compile(
    r"https?://[^/\s]+/([A-Za-z0-9][A-Za-z0-9-]*/[A-Za-z0-9_.-]+)/(?:issues|pull)/([0-9]{1,12})"
)
_HASH_NUMBER = re.compile(r"(?<![\w/])#([0-9]{1,12})\b")


class Evidence(IntEnum):
    """The kinds of evidence, strongest first."""

    NAMED_BY_CANDIDATE = 0
    MENTIONS_CANDIDATE = 1
    SHARED_TAGS = 2
    TEXT = 3
    NEARBY = 4


@dataclass(frozen=True, slots=True)
class Suggestion:
    """A likely parent: its ref, a score in [0, 1], and one line a person can
    check. ``evidence`` is the strongest kind behind it (orders the comment)."""

    ref: str
    score: float
    why: str
    evidence: Evidence = Evidence.TEXT


def needed_layer(layer: Layer) -> Layer | None:
    """The layer an untraced item of ``layer`` needs a parent in."""
    if layer is Layer.STRATEGY:
        return Layer.VISION
    if layer is Layer.EXECUTION:
        return Layer.STRATEGY
    return None


def identity(item: WorkItem) -> str:
    """How text names an item: ``PLAT-7``, ``acme/web#12`` (case-folded)."""
    return item.key.casefold()


def mentions(item: WorkItem) -> frozenset[str]:
    """The items ``item``'s title and description name, as :func:`identity` values."""
    text = f"{item.title}\n{item.body[:TEXT_CHARS]}"
    found = {key.casefold() for key in _JIRA_KEY.findall(text)}
    found |= {f"{repo}#{n}".casefold() for repo, n in _REPO_NUMBER.findall(text)}
    found |= {f"{repo}#{n}".casefold() for repo, n in _GITHUB_URL.findall(text)}
    if "#" in item.key:
        repo = item.key.rpartition("#")[0]
        found |= {f"{repo}#{n}".casefold() for n in _HASH_NUMBER.findall(text)}
    found.discard(identity(item))
    return frozenset(found)


def place(item: WorkItem) -> str:
    """The repository or Jira project an item lives in."""
    if "#" in item.key:
        return f"{item.source}:{item.key.rpartition('#')[0]}".casefold()
    return f"{item.source}:{item.key.rpartition('-')[0]}".casefold()


_URL = re.compile(r"https?://\S+")


def text_of(item: WorkItem) -> str:
    """Title and description for similarity, without the keys and links in
    them (those are mentions, weighed on their own)."""
    text = f"{item.title}\n{item.body[:TEXT_CHARS]}"
    for pattern in (_URL, _REPO_NUMBER, _JIRA_KEY):
        text = pattern.sub(" ", text)
    return text


def tags_of(item: WorkItem, ignored: frozenset[str]) -> dict[str, str]:
    """Labels and components by a case-folded key, as written."""
    return tag_keys(item.labels, item.components, ignored)


def tag_keys(
    labels: Sequence[str], components: Sequence[str], ignored: frozenset[str]
) -> dict[str, str]:
    """:func:`tags_of` from labels and components alone."""
    tags = {f"l:{label.casefold()}": label for label in labels}
    tags.update({f"c:{name.casefold()}": name for name in components})
    return {key: value for key, value in tags.items() if key[2:] not in ignored}


def suggest_parents(
    items: Mapping[str, WorkItem],
    verdicts: Mapping[str, Verdict],
    *,
    only: Iterable[str] | None = None,
    ignore_labels: Iterable[str] = (),
    threshold: float = THRESHOLD,
    spread: Mapping[str, float] | None = None,
) -> dict[str, tuple[Suggestion, ...]]:
    """Up to :data:`MAX_SUGGESTIONS` likely parents per untraced item, best first.

    ``only`` limits which untraced items are asked about (the candidates are
    always all of them); ``ignore_labels`` are labels that say nothing about
    a pair (goldthread's own). ``spread`` is :func:`tag_spread` over the
    whole organisation, for a caller that holds only part of it (default:
    over ``items``). Items with no suggestion are left out.
    """
    wanted = set(only) if only is not None else None
    ignored = frozenset(label.casefold() for label in ignore_labels)
    asked: dict[Layer, list[WorkItem]] = {}
    for ref in sorted(verdicts):
        verdict = verdicts[ref]
        item = items.get(ref)
        layer = needed_layer(verdict.layer)
        if item is None or layer is None or not verdict.flaggable:
            continue
        if wanted is None or ref in wanted:
            asked.setdefault(layer, []).append(item)
    found: dict[str, tuple[Suggestion, ...]] = {}
    if spread is None:
        spread = tag_spread(items.values(), ignored) if asked else {}
    for layer, queries in asked.items():
        pool = candidates(items, verdicts, layer)
        if pool:
            from goldthread.core.ranking import Ranker

            found.update(Ranker(pool, ignored, threshold, spread).rank(queries))
    return found


def tag_spread(items: Iterable[WorkItem], ignored: frozenset[str]) -> dict[str, float]:
    """The share of all items that carry each label and component: a tag on
    many items (``bug``) says little about a pair, a rare one a lot."""
    return spread_of(((item.labels, item.components) for item in items), ignored)


def spread_of(
    tags: Iterable[tuple[Sequence[str], Sequence[str]]], ignored: frozenset[str]
) -> dict[str, float]:
    """:func:`tag_spread` from each item's labels and components alone."""
    counts: dict[str, int] = {}
    total = 0
    for labels, components in tags:
        total += 1
        for key in tag_keys(labels, components, ignored):
            counts[key] = counts.get(key, 0) + 1
    return {key: count / total for key, count in counts.items()}


def candidates(
    items: Mapping[str, WorkItem], verdicts: Mapping[str, Verdict], layer: Layer
) -> list[WorkItem]:
    """The open, traced items of ``layer``, in ref order."""
    return [
        items[ref]
        for ref in sorted(verdicts)
        if ref in items
        and verdicts[ref].layer is layer
        and verdicts[ref].kind is VerdictKind.TRACED
        and not items[ref].closed
    ]


def shared_tags(tags: Mapping[str, str], shared: Iterable[str]) -> str:
    labels = sorted(tags[key] for key in shared if key.startswith("l:"))
    components = sorted(tags[key] for key in shared if key.startswith("c:"))
    parts = []
    if labels:
        parts.append(f"label{'s' if len(labels) > 1 else ''} {', '.join(labels)}")
    if components:
        parts.append(f"component{'s' if len(components) > 1 else ''} {', '.join(components)}")
    return "shares " + " and ".join(parts)
