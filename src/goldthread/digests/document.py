"""A digest as a JSON document and back: what a delivery row keeps."""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

from goldthread.core.digest import BarrenEntry, Digest, Entry
from goldthread.core.model import Layer, VerdictKind


def _time(value: datetime | None) -> str | None:
    return None if value is None else value.isoformat()


def _parse(value: Any) -> datetime | None:
    return None if value is None else datetime.fromisoformat(str(value))


def _entry(entry: Entry) -> dict[str, Any]:
    return {
        "ref": entry.ref,
        "url": entry.url,
        "title": entry.title,
        "layer": entry.layer.value,
        "verdict": entry.verdict.value,
        "reason": entry.reason,
        "since": _time(entry.since),
        "cleared_at": _time(entry.cleared_at),
    }


def _entry_from(data: dict[str, Any]) -> Entry:
    return Entry(
        ref=data["ref"],
        url=data["url"],
        title=data["title"],
        layer=Layer(data["layer"]),
        verdict=VerdictKind(data["verdict"]),
        reason=data["reason"],
        since=_parse(data.get("since")),
        cleared_at=_parse(data.get("cleared_at")),
    )


def dumps(digest: Digest) -> str:
    """The digest as compact JSON."""
    document = {
        "team": digest.team,
        "generated_at": _time(digest.generated_at),
        "since": _time(digest.since),
        "coverage_then": digest.coverage_then,
        "coverage_now": digest.coverage_now,
        "traced": digest.traced,
        "untraced": digest.untraced,
        "newly": [_entry(e) for e in digest.newly],
        "newly_total": digest.newly_total,
        "fixed": [_entry(e) for e in digest.fixed],
        "fixed_total": digest.fixed_total,
        "oldest": [_entry(e) for e in digest.oldest],
        "barren": [
            {
                "ref": b.ref,
                "url": b.url,
                "title": b.title,
                "layer": b.layer.value,
                "missing": b.missing.value,
            }
            for b in digest.barren
        ],
        "barren_total": digest.barren_total,
    }
    return json.dumps(document, separators=(",", ":"), ensure_ascii=False)


def loads(text: str) -> Digest:
    """The inverse of :func:`dumps`."""
    data = json.loads(text)
    generated = _parse(data["generated_at"])
    if generated is None:
        raise ValueError("a digest document without generated_at")
    return Digest(
        team=data["team"],
        generated_at=generated,
        since=_parse(data["since"]),
        coverage_then=data["coverage_then"],
        coverage_now=data["coverage_now"],
        traced=data["traced"],
        untraced=data["untraced"],
        newly=tuple(_entry_from(e) for e in data["newly"]),
        newly_total=data["newly_total"],
        fixed=tuple(_entry_from(e) for e in data["fixed"]),
        fixed_total=data["fixed_total"],
        oldest=tuple(_entry_from(e) for e in data["oldest"]),
        barren=tuple(
            BarrenEntry(
                ref=b["ref"],
                url=b["url"],
                title=b["title"],
                layer=Layer(b["layer"]),
                missing=Layer(b["missing"]),
            )
            for b in data["barren"]
        ),
        barren_total=data["barren_total"],
    )
