"""The HTML report: one self-contained page a manager opens in a browser.

Inline CSS and inline SVG only — no script, no font, no image fetched — and a
Content-Security-Policy that forbids anything else, so the page works from a
file, a CI artefact or the service's dashboard alike. Every string that came
from a tracker is escaped; links are only made of ``http(s)`` URLs.
"""

from __future__ import annotations

from dataclasses import dataclass
from html import escape
from importlib.resources import files

from goldthread.core.model import Barren, Layer, VerdictKind
from goldthread.reports.chart import legend_entries, trend_svg
from goldthread.reports.data import OwnerAges, ReportData, ReportRow, Tally, percent, row_age
from goldthread.reports.tree import TreeNode

_CSP = "default-src 'none'; style-src 'unsafe-inline'; img-src data:"


def render_html(data: ReportData, *, refresh_seconds: int | None = None) -> str:
    """The whole page. ``refresh_seconds`` makes browsers reload it that often."""
    refresh = (
        f'<meta http-equiv="refresh" content="{int(refresh_seconds)}">' if refresh_seconds else ""
    )
    index = data.index()
    body = "\n".join(
        (
            _header(data),
            "<main>",
            _hero(data),
            '<div class="grid2">',
            _bars_card("layers", "Coverage by layer", data.summary.by_layer),
            _bars_card("sources", "Coverage by source", data.summary.by_source),
            "</div>",
            _owners_card(data),
            _trend_card(data),
            _tree_card(data, index),
            _items_card(
                "orphans",
                "Orphans",
                "No parent link at all.",
                data.with_verdict(VerdictKind.ORPHAN),
                data,
            ),
            _items_card(
                "broken",
                "Broken",
                "Parent links that do not lead to a vision.",
                data.with_verdict(VerdictKind.BROKEN),
                data,
            ),
            _barren_card(data.barren, index),
            f"<footer>goldthread · generated {_when(data)}</footer>",
            "</main>",
        )
    )
    return (
        "<!DOCTYPE html>\n"
        '<html lang="en">\n<head>\n<meta charset="utf-8">\n'
        f'<meta http-equiv="Content-Security-Policy" content="{_CSP}">\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        f"{refresh}\n<title>Golden thread report</title>\n"
        f"<style>\n{_css()}</style>\n</head>\n<body>\n{body}\n</body>\n</html>\n"
    )


def _css() -> str:
    return files("goldthread.reports").joinpath("templates/report.css").read_text("utf-8")


def _when(data: ReportData) -> str:
    return escape(data.generated_at.strftime("%Y-%m-%d %H:%M %Z").strip())


def _header(data: ReportData) -> str:
    teams = ", ".join(escape(team) for team in data.owner_filter)
    scope = f" · owner {teams}" if teams else ""
    return (
        '<header class="top"><h1>The <span class="thread">golden thread</span></h1>'
        f"<p>Vision → strategy → execution{scope} · generated {_when(data)}</p></header>"
    )


def _owners_card(data: ReportData) -> str:
    """Untraced items per owner, by how long they have been untraced."""
    if not data.by_owner:
        return ""
    names = [name for name, _ in data.by_owner[0].ages]
    head = "".join(f"<th>{escape(name)}</th>" for name in names)
    body = "".join(_owner_row(owner) for owner in data.by_owner)
    return (
        '<section class="card" id="owners"><h2>Untraced by owner and age</h2>'
        '<p class="empty">How long items have been untraced since goldthread first found them so.</p>'
        '<table class="items ages"><thead><tr><th>Owner</th><th>Items</th><th>Untraced</th>'
        f"{head}<th>Coverage</th></tr></thead><tbody>{body}</tbody></table></section>"
    )


def _owner_row(owner: OwnerAges) -> str:
    cells = "".join(
        f'<td class="n{" alert" if n and name == "older" else ""}">{n}</td>'
        for name, n in owner.ages
    )
    return (
        f'<tr><td>{escape(owner.owner)}</td><td class="n">{owner.tally.items}</td>'
        f'<td class="n">{owner.tally.untraced}</td>{cells}'
        f'<td class="n">{percent(owner.tally.coverage)}</td></tr>'
    )


def _hero(data: ReportData) -> str:
    total = data.summary.total
    coverage = data.summary.coverage
    grade = "good" if coverage is None or coverage >= 0.9 else "fair" if coverage >= 0.7 else "poor"
    stats = "".join(
        f'<div class="stat {cls}"><div class="n">{n}</div><div class="k">{label}</div></div>'
        for cls, n, label in (
            ("", total.items, "items"),
            ("traced", total.traced, "traced"),
            ("orphan", total.orphan, "orphan"),
            ("broken", total.broken, "broken"),
            ("exempt", total.exempt, "exempt"),
            ("barren", len(data.barren), "barren"),
        )
    )
    return (
        '<section class="card hero" id="coverage">'
        f'<div class="headline"><div class="big {grade}">{percent(coverage)}</div>'
        '<div class="label">of counted items trace back to a vision</div></div>'
        f'<div class="stats">{stats}</div></section>'
    )


def _bars_card(anchor: str, title: str, tallies: tuple[Tally, ...]) -> str:
    rows = "".join(_bar(t) for t in tallies if t.items) or '<p class="empty">No items.</p>'
    legend = "".join(
        f'<span><i style="background:{c}"></i>{name}</span>'
        for name, c in (
            ("traced", "#2f9e63"),
            ("broken", "#e39b0b"),
            ("orphan", "#d92d20"),
            ("exempt", "#d0d5dd"),
        )
    )
    return (
        f'<section class="card" id="{anchor}"><h2>{escape(title)}</h2>'
        f'<div class="bars">{rows}</div><div class="legend">{legend}</div></section>'
    )


def _bar(t: Tally) -> str:
    segments = "".join(
        f'<span class="{kind}" style="width:{100 * n / t.items:.2f}%"></span>'
        for kind, n in (
            ("traced", t.traced),
            ("broken", t.broken),
            ("orphan", t.orphan),
            ("exempt", t.exempt),
        )
        if n
    )
    sub = f"{t.items} items · {t.traced} traced · {t.untraced} untraced · {t.exempt} exempt"
    return (
        f'<div class="name" title="{escape(t.name)}">{escape(t.name)}</div>'
        f'<div class="bar">{segments}</div><div class="pct">{percent(t.coverage)}</div>'
        f'<div class="sub">{sub}</div>'
    )


def _trend_card(data: ReportData) -> str:
    svg = trend_svg(data.trend)
    if not svg:
        content = '<p class="empty">No evaluation recorded yet.</p>'
    else:
        legend = "".join(
            f'<span><i style="background:{c}"></i>{name}</span>' for name, c in legend_entries()
        )
        content = f'<div class="chart">{svg}</div><div class="legend">{legend}</div>'
    return f'<section class="card" id="trend"><h2>Coverage over time</h2>{content}</section>'


_MAX_DEPTH = 24  # deeper subtrees are summarised; `goldthread explain` shows them
_OPEN_LOOSE_UP_TO = 30  # a short list of unconnected items is shown unfolded


@dataclass(frozen=True, slots=True)
class _Facts:
    """What a tree label says about a node's subtree."""

    beneath: int  # items below it
    alert: bool  # it or something below it is flagged or untraced


def _tree_card(data: ReportData, index: dict[str, ReportRow]) -> str:
    flagged = sum(1 for row in index.values() if row.flagged)
    note = f' <span class="count">· {flagged} flagged</span>' if flagged else ""
    facts = _subtree_facts(data.tree, index)
    visions = [node for node in data.tree if node.layer is Layer.VISION]
    loose = [node for node in data.tree if node.layer is not Layer.VISION]
    parts = [_tree_node(node, index, facts, 0) for node in visions]
    if not visions:
        parts.append('<p class="empty">No vision items yet.</p>')
    if loose:
        inner = "\n".join(_tree_node(node, index, facts, 1) for node in loose)
        alerts = sum(1 for node in loose for n in node.walk() if _needs_eye(index.get(n.ref)))
        opened = " open" if len(loose) <= _OPEN_LOOSE_UP_TO else ""
        parts.append(
            f'<details class="loose"{opened}><summary><span class="node">Not connected to any vision '
            f'<span class="under">{len(loose)} top items · {alerts} untraced</span></span>'
            f"</summary>{inner}</details>"
        )
    body = "\n".join(parts)
    return (
        '<section class="card tree" id="tree">'
        f"<h2>Vision → strategy → execution{note}</h2>{body}</section>"
    )


def _subtree_facts(roots: tuple[TreeNode, ...], index: dict[str, ReportRow]) -> dict[str, _Facts]:
    """Size and alert state of every subtree, in one children-first pass."""
    facts: dict[str, _Facts] = {}
    order = [node for root in roots for node in root.walk()]
    for node in reversed(order):
        kids = [facts[child.ref] for child in node.children]
        facts[node.ref] = _Facts(
            beneath=sum(k.beneath + 1 for k in kids),
            alert=_needs_eye(index.get(node.ref)) or any(k.alert for k in kids),
        )
    return facts


def _tree_node(
    node: TreeNode, index: dict[str, ReportRow], facts: dict[str, _Facts], depth: int
) -> str:
    row = index.get(node.ref)
    label = _node_label(node, row, facts[node.ref])
    if not node.children:
        return f'<div class="leaf">{label}</div>'
    if depth >= _MAX_DEPTH:
        more = f'<span class="under">… {facts[node.ref].beneath} more beneath</span>'
        return f'<div class="leaf">{label}</div><div class="leaf">{more}</div>'
    is_open = node.layer.rank >= Layer.STRATEGY.rank or facts[node.ref].alert
    kids = "\n".join(_tree_node(child, index, facts, depth + 1) for child in node.children)
    return f"<details{' open' if is_open else ''}><summary>{label}</summary>{kids}</details>"


def _needs_eye(row: ReportRow | None) -> bool:
    return row is not None and (row.flagged or row.verdict.flaggable)


def _node_label(node: TreeNode, row: ReportRow | None, facts: _Facts) -> str:
    state = "flagged" if row and row.flagged else "untraced" if _needs_eye(row) else ""
    parts = [
        f'<span class="badge {node.layer.value}">{node.layer.value}</span>',
        _link(node.ref, row),
    ]
    if row and row.title:
        parts.append(f'<span class="title">{escape(row.title)}</span>')
    if row and row.verdict is not VerdictKind.TRACED:
        parts.append(f'<span class="badge {row.verdict.value}">{escape(row.reason)}</span>')
    if row and row.flagged:
        parts.append('<span class="badge flag">flagged</span>')
    if facts.beneath:
        parts.append(f'<span class="under">{facts.beneath} beneath</span>')
    return f'<span class="node {state}">{"".join(parts)}</span>'


def _link(ref: str, row: ReportRow | None) -> str:
    text = f'<span class="ref">{escape(ref)}</span>'
    if row and row.url.startswith(("https://", "http://")):
        return f'<a href="{escape(row.url, quote=True)}">{text}</a>'
    return text


def _items_card(
    anchor: str, title: str, blurb: str, rows: tuple[ReportRow, ...], data: ReportData
) -> str:
    index = data.index()
    if not rows:
        content = '<p class="empty">None.</p>'
    else:
        content = (
            '<table class="items"><colgroup><col class="item"><col class="layer"><col>'
            '<col class="owner"><col class="flag"></colgroup><thead><tr><th>Item</th>'
            "<th>Layer</th><th>Reason</th><th>Owner · untraced for</th>"
            "<th>Flag</th></tr></thead><tbody>"
            + "".join(_item_row(row, data, index) for row in rows)
            + "</tbody></table>"
        )
    return (
        f'<section class="card" id="{anchor}"><h2>{escape(title)} '
        f'<span class="count">({len(rows)})</span></h2>'
        f'<p class="empty">{escape(blurb)}</p>{content}</section>'
    )


def _suggested(row: ReportRow, index: dict[str, ReportRow]) -> str:
    """The likely parents beside an untraced item: links, each with its reason."""
    if not row.suggestions:
        return ""
    entries = "".join(
        f'<li>{_link(s.ref, index.get(s.ref))} <span class="score">{s.score:.2f}</span> '
        f"{escape(s.why)}</li>"
        for s in row.suggestions
    )
    return f'<div class="suggested">Likely parents:<ul>{entries}</ul></div>'


def _item_row(row: ReportRow, data: ReportData, index: dict[str, ReportRow]) -> str:
    walked = " → ".join(escape(ref) for ref in row.chain)
    chain = f'<div class="chain">{walked}</div>' if len(row.chain) > 1 else ""
    chain += _suggested(row, index)
    detail = f'<div class="why">{escape(row.detail)}</div>' if row.detail else ""
    flag = '<span class="badge flag">flagged</span>' if row.flagged else ""
    since = row.flagged_since.strftime("%Y-%m-%d") if row.flagged_since else ""
    age = (
        f'<div class="age" title="untraced since {since}">{row_age(row, data.generated_at)}</div>'
        if since
        else ""
    )
    return (
        f"<tr><td>{_link(row.ref, row)}<div>{escape(row.title)}</div></td>"
        f'<td><span class="badge {row.layer.value}">{row.layer.value}</span></td>'
        f'<td><span class="badge {row.verdict.value}">{escape(row.reason)}</span>{detail}{chain}</td>'
        f'<td><div class="owner">{escape(row.owner or "—")}</div>{age}</td>'
        f"<td>{flag}</td></tr>"
    )


def _barren_card(barren: tuple[Barren, ...], index: dict[str, ReportRow]) -> str:
    if not barren:
        content = '<p class="empty">Every open vision has strategy beneath it, and every strategy has work.</p>'
    else:
        content = (
            '<table class="items"><colgroup><col class="item"><col class="layer"><col></colgroup>'
            "<thead><tr><th>Item</th><th>Layer</th><th>Missing beneath</th>"
            "</tr></thead><tbody>"
            + "".join(_barren_row(b, index.get(b.ref)) for b in barren)
            + "</tbody></table>"
        )
    return (
        f'<section class="card" id="barren"><h2>Barren <span class="count">({len(barren)})</span></h2>'
        f"{content}</section>"
    )


def _barren_row(barren: Barren, row: ReportRow | None) -> str:
    title = escape(row.title) if row else ""
    return (
        f"<tr><td>{_link(barren.ref, row)}<div>{title}</div></td>"
        f'<td><span class="badge {barren.layer.value}">{barren.layer.value}</span></td>'
        f"<td>no {barren.missing.value} item</td></tr>"
    )
