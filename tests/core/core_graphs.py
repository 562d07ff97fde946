"""Small builders for hand-made organisations in the core tests."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from goldthread.core.model import Layer, LayerRule, LinkKind, ParentLink, TracePolicy, WorkItem

NOW = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)

RULES = (
    LayerRule(layer=Layer.VISION, labels=("vision",), index=0),
    LayerRule(layer=Layer.STRATEGY, labels=("strategy",), index=1),
    LayerRule(layer=Layer.NONE, labels=("unsorted",), index=2),
)
POLICY = TracePolicy(rules=RULES, exempt_labels=("no-trace",))

LAYER_LABEL = {
    Layer.VISION: ("vision",),
    Layer.STRATEGY: ("strategy",),
    Layer.EXECUTION: (),
    Layer.NONE: ("unsorted",),
}


def link(
    target: str | None, kind: LinkKind = LinkKind.SUB_ISSUE, raw: str = "", evidence: str = ""
) -> ParentLink:
    """A parent link to ``target`` (None: a reference nothing owns)."""
    return ParentLink(kind=kind, target=target, raw=raw or (target or "?"), evidence=evidence)


def item(
    ref: str,
    layer: Layer = Layer.EXECUTION,
    *parents: ParentLink | str,
    labels: tuple[str, ...] = (),
    type_: str | None = None,
    state: str = "open",
    age: timedelta = timedelta(days=30),
) -> WorkItem:
    """An item in ``layer`` (by label, under :data:`POLICY`) with the given parents."""
    source, _, key = ref.partition(":")
    return WorkItem(
        ref=ref,
        source=source,
        key=key,
        url=f"https://example.test/{key}",
        title=f"item {key}",
        body="",
        type=type_,
        labels=LAYER_LABEL[layer] + labels,
        state=state,
        created_at=NOW - age,
        updated_at=NOW - age,
        parents=tuple(p if isinstance(p, ParentLink) else link(p) for p in parents),
    )


def org(*items: WorkItem) -> dict[str, WorkItem]:
    """Items keyed by ref, as the walk takes them."""
    return {i.ref: i for i in items}
