"""Conversions between goldthread's frozen data and what a database column holds.

Backend-neutral: timestamps as fixed-width UTC text (so they sort and compare
as text), nested values (parent links, chains, classifications) as JSON.
Nothing is dropped: every field of :class:`WorkItem` and :class:`Verdict`
comes back equal to what went in.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

from goldthread.core.model import (
    Classification,
    Layer,
    LayerRule,
    LinkKind,
    ParentLink,
    Reason,
    Verdict,
    VerdictKind,
    WorkItem,
)

_TS_FORMAT = "%Y-%m-%dT%H:%M:%S.%fZ"


def ts(value: datetime) -> str:
    """An aware datetime as fixed-width UTC text (``2026-01-02T03:04:05.000000Z``).

    Naive datetimes are refused: their zone would be a guess.
    """
    if value.tzinfo is None or value.utcoffset() is None:
        raise ValueError(f"naive datetime {value!r}: the store keeps aware UTC times only")
    return value.astimezone(UTC).strftime(_TS_FORMAT)


def ts_or_none(value: datetime | None) -> str | None:
    return None if value is None else ts(value)


def parse_ts(text: str) -> datetime:
    """Text written by :func:`ts` back to an aware UTC datetime."""
    parsed = datetime.fromisoformat(text)
    return parsed.replace(tzinfo=UTC) if parsed.tzinfo is None else parsed.astimezone(UTC)


def parse_ts_or_none(text: str | None) -> datetime | None:
    return None if text is None else parse_ts(text)


def dumps(value: Any) -> str:
    """Compact, stable JSON."""
    return json.dumps(value, separators=(",", ":"), ensure_ascii=False)


# ---------------------------------------------------------------- parent links


def link_to_json(link: ParentLink) -> dict[str, Any]:
    return {
        "kind": link.kind.value,
        "target": link.target,
        "raw": link.raw,
        "evidence": link.evidence,
    }


def link_from_json(data: dict[str, Any]) -> ParentLink:
    return ParentLink(
        kind=LinkKind(data["kind"]),
        target=data["target"],
        raw=data["raw"],
        evidence=data.get("evidence", ""),
    )


def links_dump(links: tuple[ParentLink, ...]) -> str:
    return dumps([link_to_json(link) for link in links])


def links_load(text: str) -> tuple[ParentLink, ...]:
    return tuple(link_from_json(entry) for entry in json.loads(text))


# ---------------------------------------------------------------- verdict parts


def rule_to_json(rule: LayerRule) -> dict[str, Any]:
    return {
        "layer": rule.layer.value,
        "labels": list(rule.labels),
        "types": list(rule.types),
        "sources": list(rule.sources),
        "index": rule.index,
    }


def rule_from_json(data: dict[str, Any]) -> LayerRule:
    return LayerRule(
        layer=Layer(data["layer"]),
        labels=tuple(data["labels"]),
        types=tuple(data["types"]),
        sources=tuple(data["sources"]),
        index=data["index"],
    )


def classification_dump(value: Classification | None) -> str | None:
    if value is None:
        return None
    rule = None if value.rule is None else rule_to_json(value.rule)
    return dumps({"layer": value.layer.value, "rule": rule, "explanation": value.explanation})


def classification_load(text: str | None) -> Classification | None:
    if text is None:
        return None
    data = json.loads(text)
    rule = None if data["rule"] is None else rule_from_json(data["rule"])
    return Classification(layer=Layer(data["layer"]), rule=rule, explanation=data["explanation"])


def via_dump(link: ParentLink | None) -> str | None:
    return None if link is None else dumps(link_to_json(link))


def via_load(text: str | None) -> ParentLink | None:
    return None if text is None else link_from_json(json.loads(text))


def verdict_row(verdict: Verdict) -> tuple[str, str, str, str, str, str | None, str, str | None]:
    """(ref, layer, kind, reason, chain, via, detail, classification) column values."""
    return (
        verdict.ref,
        verdict.layer.value,
        verdict.kind.value,
        verdict.reason.value,
        dumps(list(verdict.chain)),
        via_dump(verdict.via),
        verdict.detail,
        classification_dump(verdict.classification),
    )


def verdict_from_row(row: tuple[Any, ...]) -> Verdict:
    """The inverse of :func:`verdict_row`."""
    ref, layer, kind, reason, chain, via, detail, classification = row
    return Verdict(
        ref=ref,
        layer=Layer(layer),
        kind=VerdictKind(kind),
        reason=Reason(reason),
        chain=tuple(json.loads(chain)),
        via=via_load(via),
        detail=detail,
        classification=classification_load(classification),
    )


# ---------------------------------------------------------------- items

ITEM_COLUMNS = (
    "ref",
    "source",
    "key",
    "url",
    "title",
    "body",
    "type",
    "labels",
    "state",
    "created_at",
    "updated_at",
    "parents",
    "status",
    "external_id",
    "is_pull_request",
    "comment_count",
    "components",
)


def item_row(item: WorkItem) -> tuple[Any, ...]:
    """Column values of an item, in :data:`ITEM_COLUMNS` order."""
    return (
        item.ref,
        item.source,
        item.key,
        item.url,
        item.title,
        item.body,
        item.type,
        dumps(list(item.labels)),
        item.state,
        ts(item.created_at),
        ts(item.updated_at),
        links_dump(item.parents),
        item.status,
        item.external_id,
        1 if item.is_pull_request else 0,
        item.comment_count,
        dumps(list(item.components)),
    )


def item_from_row(row: tuple[Any, ...]) -> WorkItem:
    """The inverse of :func:`item_row`."""
    (
        ref,
        source,
        key,
        url,
        title,
        body,
        type_,
        labels,
        state,
        created_at,
        updated_at,
        parents,
        status,
        external_id,
        is_pull_request,
        comment_count,
        components,
    ) = row
    return WorkItem(
        ref=ref,
        source=source,
        key=key,
        url=url,
        title=title,
        body=body,
        type=type_,
        labels=tuple(json.loads(labels)),
        state=state,
        created_at=parse_ts(created_at),
        updated_at=parse_ts(updated_at),
        parents=links_load(parents),
        status=status,
        external_id=external_id,
        is_pull_request=bool(is_pull_request),
        comment_count=comment_count,
        components=tuple(json.loads(components)),
    )
