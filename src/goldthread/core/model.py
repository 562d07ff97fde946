"""goldthread's own data: frozen, tracker-neutral, built once at the edge.

Connectors turn PyGithub and jira objects into :class:`WorkItem`; everything
above them (tracing, planning, store, reports) sees only these types.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from enum import StrEnum


class Layer(StrEnum):
    VISION = "vision"
    STRATEGY = "strategy"
    EXECUTION = "execution"
    NONE = "none"

    @property
    def rank(self) -> int:
        """Height in the hierarchy: vision 3, strategy 2, execution 1, none 0."""
        return _LAYER_RANK[self]


_LAYER_RANK = {Layer.VISION: 3, Layer.STRATEGY: 2, Layer.EXECUTION: 1, Layer.NONE: 0}


class VerdictKind(StrEnum):
    TRACED = "traced"
    ORPHAN = "orphan"
    BROKEN = "broken"
    EXEMPT = "exempt"

    @property
    def flaggable(self) -> bool:
        return self in (VerdictKind.ORPHAN, VerdictKind.BROKEN)


class Reason(StrEnum):
    # traced
    VISION = "vision"
    LINKED = "linked"
    # orphan
    NO_PARENT = "no-parent"
    # broken
    PARENT_MISSING = "parent-missing"
    PARENT_UNTRACED = "parent-untraced"
    WRONG_LAYER = "wrong-layer"
    CYCLE = "cycle"
    SKIPS_LAYER = "skips-layer"
    # exempt, in the order they are checked
    EXEMPT_LABEL = "exempt-label"
    EXEMPT_TYPE = "exempt-type"
    CLOSED = "closed"
    GRACE_PERIOD = "grace-period"
    NO_LAYER = "no-layer"


class LinkKind(StrEnum):
    """How a parent link was found, in order of preference (docs/behaviour.md#parent-links)."""

    SUB_ISSUE = "sub-issue"  # GitHub parent_issue_url
    JIRA_PARENT = "parent"  # Jira `parent` field
    EPIC_LINK = "epic-link"  # Jira Epic Link custom field
    PARENT_LINK = "parent-link"  # Jira Parent Link custom field
    ISSUE_LINK = "issue-link"  # Jira issue link of a configured parent_link_type
    BODY_REFERENCE = "body-reference"  # a reference_patterns match in the body

    @property
    def preference(self) -> int:
        """0 tracker hierarchy, 1 issue links, 2 body references."""
        if self is LinkKind.ISSUE_LINK:
            return 1
        if self is LinkKind.BODY_REFERENCE:
            return 2
        return 0


@dataclass(frozen=True, slots=True)
class ParentLink:
    """An edge from an item up to the item it belongs to.

    ``target`` is the parent's ref (``gh:acme/web#12``, ``jira:PLAT-7``), or
    ``None`` when the reference names nothing goldthread is configured to read
    (a repository or project outside every source): a missing parent.
    ``raw`` is what was found (``PLAT-7``, a URL, ``#12``); ``evidence`` says
    where (``parent_issue_url``, ``link 'implements'``, ``body line 3``).
    """

    kind: LinkKind
    target: str | None
    raw: str
    evidence: str = ""


class MarkerState(StrEnum):
    """What the tracker itself says about goldthread's marker comment on an item."""

    UNKNOWN = "unknown"  # nothing read says: ask the tracker before creating one
    NONE = "none"  # the item proves goldthread never commented on it
    PENDING = "pending"  # goldthread has (or was about to have) a comment: find it first


@dataclass(frozen=True, slots=True)
class MarkerHint:
    """Read with the item, so a newly flagged item needs no comment lookup.

    GitHub: ``none`` when the issue has no comments at all. Jira: from the
    issue property goldthread writes before it ever creates a comment.
    """

    state: MarkerState = MarkerState.UNKNOWN

    @property
    def proves_none(self) -> bool:
        return self.state is MarkerState.NONE


MARKER_UNKNOWN = MarkerHint()
MARKER_NONE = MarkerHint(MarkerState.NONE)
MARKER_PENDING = MarkerHint(MarkerState.PENDING)


@dataclass(frozen=True, slots=True)
class WorkItem:
    """One issue of one source, normalised.

    ``state`` is ``open`` or ``closed`` (Jira: status category *done* is
    closed). ``labels`` are as on the tracker, goldthread's own label included;
    the rules ignore it. ``components`` are the Jira components (owner rules
    match them; a GitHub item has none).
    """

    ref: str
    source: str
    key: str
    url: str
    title: str
    body: str
    type: str | None
    labels: tuple[str, ...]
    state: str
    created_at: datetime
    updated_at: datetime
    parents: tuple[ParentLink, ...] = ()
    status: str = ""
    external_id: str = ""
    is_pull_request: bool = False
    comment_count: int | None = None
    marker: MarkerHint = MARKER_UNKNOWN
    components: tuple[str, ...] = ()

    @property
    def closed(self) -> bool:
        return self.state == "closed"

    @property
    def proves_no_marker(self) -> bool:
        """The item as read shows goldthread has no comment on it: no lookup needed.

        Either its hint says so, or it has no comments at all (a count that
        survives the store, where the hint is not kept).
        """
        return self.marker.proves_none or self.comment_count == 0


def split_ref(ref: str) -> tuple[str, str]:
    """``gh:acme/web#12`` -> (``gh``, ``acme/web#12``)."""
    source, sep, key = ref.partition(":")
    if not sep or not source or not key:
        raise ValueError(f"not a ref: {ref!r} (expected <source>:<key>)")
    return source, key


# ---------------------------------------------------------------- rules & policy


@dataclass(frozen=True, slots=True)
class LayerRule:
    """One ``[[rules]]`` entry. Every given condition must match; empty = any."""

    layer: Layer
    labels: tuple[str, ...] = ()
    types: tuple[str, ...] = ()
    sources: tuple[str, ...] = ()
    index: int = 0  # position in the config, for explanations


@dataclass(frozen=True, slots=True)
class TracePolicy:
    """Everything the verdict walk needs from the config, as plain data."""

    rules: tuple[LayerRule, ...]
    default_layer: Layer = Layer.EXECUTION
    allow_layer_skip: bool = False
    exempt_labels: tuple[str, ...] = ()
    exempt_types: tuple[str, ...] = ()
    skip_closed: bool = True
    grace_period: timedelta = timedelta(0)
    own_label: str = "goldthread:untraced"


@dataclass(frozen=True, slots=True)
class Classification:
    """Which layer an item sits in, and which rule said so."""

    layer: Layer
    rule: LayerRule | None  # None: trace.default_layer applied
    explanation: str


@dataclass(frozen=True, slots=True)
class Verdict:
    """The outcome of the walk for one item.

    ``chain`` is the refs walked from the item upward (the item first): for a
    traced item the chain to the vision item, otherwise the most preferred
    link's failed chain. ``via`` is the parent link that chain starts with.
    ``detail`` is one plain sentence for people.
    """

    ref: str
    layer: Layer
    kind: VerdictKind
    reason: Reason
    chain: tuple[str, ...]
    via: ParentLink | None = None
    detail: str = ""
    classification: Classification | None = None

    @property
    def flaggable(self) -> bool:
        return self.kind.flaggable


@dataclass(frozen=True, slots=True)
class Barren:
    """An open vision item with no strategy beneath it, or an open strategy
    item with no execution beneath it."""

    ref: str
    layer: Layer
    missing: Layer


# ---------------------------------------------------------------- comment documents


@dataclass(frozen=True, slots=True)
class Span:
    """Inline text. ``url`` makes it a link; ``code`` renders it literally.

    Text that came from a tracker (titles, keys) must be put in spans as
    data: each connector's renderer escapes it so it cannot mention people,
    close issues by keyword, or inject markup.
    """

    text: str
    url: str | None = None
    strong: bool = False
    code: bool = False


@dataclass(frozen=True, slots=True)
class Block:
    """A paragraph (``items`` empty) or a bullet list (``spans`` empty)."""

    spans: tuple[Span, ...] = ()
    items: tuple[tuple[Span, ...], ...] = ()


@dataclass(frozen=True, slots=True)
class CommentDoc:
    """goldthread's comment, tracker-neutral. ``fingerprint`` identifies the
    text so an unchanged comment is never rewritten."""

    blocks: tuple[Block, ...]
    fingerprint: str


@dataclass(frozen=True, slots=True)
class OwnComment:
    """goldthread's marker comment as found on an item."""

    comment_id: str
    fingerprint: str | None = None


@dataclass(frozen=True, slots=True)
class RateBudget:
    """What the tracker says is left of the request budget."""

    remaining: int | None
    limit: int | None
    reset_at: datetime | None


@dataclass(slots=True)
class RequestStats:
    """Counters a connector keeps of what it sent."""

    requests: int = 0
    writes: int = 0
    not_modified: int = 0
    by_status: dict[int, int] = field(default_factory=dict)
