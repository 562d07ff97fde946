"""The machine- and diff-friendly formats: JSON (the docs/behaviour.md#commands contract), CSV,
and Markdown (for pull-request comments and wikis).

Tracker text goes through :mod:`goldthread.core.neutral`: every CSV cell
through :func:`~goldthread.core.neutral.csv_cell` (no formulas), every piece of
Markdown through :func:`~goldthread.core.neutral.inert_markdown` (no mentions,
no closing keywords, no markup).
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Mapping
from datetime import datetime
from typing import Any

from goldthread.core.model import Barren, VerdictKind
from goldthread.core.neutral import csv_cell, inert_markdown, one_line
from goldthread.reports.data import ReportData, ReportRow, Tally, percent

ITEM_KEYS: tuple[str, ...] = (
    "ref",
    "source",
    "key",
    "url",
    "title",
    "layer",
    "verdict",
    "reason",
    "parents",
    "chain",
    "flagged",
    "flagged_since",
    "owner",
)


def render_json(data: ReportData) -> str:
    """One object, exactly the shape docs/behaviour.md#commands promises to scripts."""
    summary = data.summary
    index = data.index()
    document = {
        "generated_at": data.generated_at.isoformat(),
        "summary": {
            "items": summary.total.items,
            "by_layer": {t.name: t.items for t in summary.by_layer},
            "by_verdict": {kind.value: summary.total.count(kind) for kind in VerdictKind},
            "coverage": _ratio(summary.coverage),
            "by_source": {
                t.name: {"items": t.items, "coverage": _ratio(t.coverage)}
                for t in summary.by_source
            },
            "by_owner": {
                o.owner: {
                    "items": o.tally.items,
                    "untraced": o.tally.untraced,
                    "coverage": _ratio(o.tally.coverage),
                    "ages": dict(o.ages),
                    "oldest_since": _iso(o.oldest_since),
                }
                for o in data.by_owner
            },
        },
        "items": [item_dict(row) for row in data.rows],
        "barren": [_barren_dict(index, b) for b in data.barren],
    }
    return json.dumps(document, indent=2, ensure_ascii=False) + "\n"


def item_dict(row: ReportRow) -> dict[str, Any]:
    """One item with exactly the keys of docs/behaviour.md#commands."""
    return {
        "ref": row.ref,
        "source": row.source,
        "key": row.key,
        "url": row.url,
        "title": row.title,
        "layer": row.layer.value,
        "verdict": row.verdict.value,
        "reason": row.reason,
        "parents": list(row.parents),
        "chain": list(row.chain),
        "flagged": row.flagged,
        "flagged_since": _iso(row.flagged_since),
        "owner": row.owner,
        "suggestions": [{"ref": s.ref, "score": s.score, "why": s.why} for s in row.suggestions],
    }


def render_csv(data: ReportData) -> str:
    """One row per listed item; parents and chain are space-separated refs."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(ITEM_KEYS)
    for row in data.rows:
        values = item_dict(row)
        values["parents"] = " ".join(row.parents)
        values["chain"] = " ".join(row.chain)
        values["flagged"] = "true" if row.flagged else "false"
        values["flagged_since"] = values["flagged_since"] or ""
        values["owner"] = values["owner"] or ""
        writer.writerow([csv_cell(str(values[k])) for k in ITEM_KEYS])
    return out.getvalue()


def render_markdown(data: ReportData) -> str:
    """Summary tables, then the orphan, broken and barren lists with links."""
    summary = data.summary
    lines = [
        "# Golden thread report",
        "",
        f"Coverage **{percent(summary.coverage)}** of {summary.total.items} items "
        f"({summary.total.untraced} untraced) — generated {data.generated_at:%Y-%m-%d %H:%M} UTC.",
        "",
        *_tally_table("Layer", summary.by_layer),
        "",
        *_tally_table("Source", summary.by_source),
        *_owner_lines(data),
    ]
    for kind, heading in ((VerdictKind.ORPHAN, "Orphans"), (VerdictKind.BROKEN, "Broken")):
        rows = data.with_verdict(kind)
        if rows:
            lines += ["", f"## {heading} ({len(rows)})", "", *(_md_item(row) for row in rows)]
    if data.barren:
        lines += ["", f"## Barren ({len(data.barren)})", ""]
        index = data.index()
        lines += [_md_barren(index, b) for b in data.barren]
    return "\n".join(lines) + "\n"


def _tally_table(heading: str, tallies: tuple[Tally, ...]) -> list[str]:
    lines = [
        f"| {heading} | Items | Traced | Orphan | Broken | Exempt | Coverage |",
        "|---|---:|---:|---:|---:|---:|---:|",
    ]
    lines += [
        f"| {inert_markdown(t.name)} | {t.items} | {t.traced} | {t.orphan} | {t.broken} "
        f"| {t.exempt} | {percent(t.coverage)} |"
        for t in tallies
    ]
    return lines


def _owner_lines(data: ReportData) -> list[str]:
    """Untraced items per owner, by how long they have been untraced."""
    if not data.by_owner:
        return []
    names = [name for name, _ in data.by_owner[0].ages]
    lines = [
        "",
        f"| Owner | Items | Untraced | {' | '.join(names)} | Coverage |",
        "|---|---:|---:|" + "---:|" * len(names) + "---:|",
    ]
    lines += [
        f"| {inert_markdown(o.owner)} | {o.tally.items} | {o.tally.untraced} | "
        + " | ".join(str(n) for _, n in o.ages)
        + f" | {percent(o.tally.coverage)} |"
        for o in data.by_owner
    ]
    return lines


def _md_item(row: ReportRow) -> str:
    link = _md_link(row.ref, row.url)
    title = f" — {inert_markdown(row.title)}" if row.title else ""
    detail = f": {inert_markdown(row.detail)}" if row.detail else ""
    owner = f" · {inert_markdown(row.owner)}" if row.owner else ""
    return f"- {link}{title} (`{row.reason}`{owner}){detail}"


def _md_barren(index: Mapping[str, ReportRow], barren: Barren) -> str:
    row = index.get(barren.ref)
    link = _md_link(barren.ref, row.url if row else "")
    title = f" — {inert_markdown(row.title)}" if row and row.title else ""
    return f"- {link}{title}: {barren.layer.value} with no {barren.missing.value} beneath it"


def _md_link(text: str, url: str) -> str:
    if url.startswith(("https://", "http://")):
        target = one_line(url).replace(" ", "%20").replace("<", "%3C").replace(">", "%3E")
        return f"[{inert_markdown(text)}](<{target}>)"
    return inert_markdown(text)


def _iso(value: datetime | None) -> str | None:
    return None if value is None else value.isoformat()


def _ratio(value: float | None) -> float | None:
    return None if value is None else round(value, 4)


def _barren_dict(index: Mapping[str, ReportRow], barren: Barren) -> dict[str, Any]:
    row = index.get(barren.ref)
    return {
        "ref": barren.ref,
        "layer": barren.layer.value,
        "missing": barren.missing.value,
        "title": row.title if row else "",
        "url": row.url if row else "",
    }
