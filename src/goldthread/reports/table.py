"""The terminal report: rich tables, coloured on a TTY, plain otherwise.

Tracker text goes into :class:`rich.text.Text` values, never into markup
strings, so a title such as ``[bold]x[/]`` is shown as written.
"""

from __future__ import annotations

import io

from rich.console import Console, Group
from rich.table import Table
from rich.text import Text

from goldthread.core.model import VerdictKind
from goldthread.reports.data import ReportData, ReportRow, Tally, percent

_VERDICT_STYLE = {
    VerdictKind.TRACED: "green",
    VerdictKind.ORPHAN: "bold red",
    VerdictKind.BROKEN: "yellow",
    VerdictKind.EXEMPT: "dim",
}


def render_table(data: ReportData, *, width: int = 120, color: bool = False) -> str:
    """The report as text ``width`` columns wide; ANSI colours only if ``color``."""
    out = io.StringIO()
    console = Console(
        file=out,
        width=width,
        force_terminal=color,
        no_color=not color,
        color_system="standard" if color else None,
        highlight=False,
        emoji=False,
        legacy_windows=False,
    )
    console.print(_renderable(data))
    return out.getvalue()


def _renderable(data: ReportData) -> Group:
    summary = data.summary
    headline = Text.assemble(
        ("Coverage ", "bold"),
        (percent(summary.coverage), "bold green" if summary.total.untraced == 0 else "bold red"),
        f"  {summary.total.items} items, {summary.total.traced} traced, "
        f"{summary.total.orphan} orphan, {summary.total.broken} broken, "
        f"{summary.total.exempt} exempt",
    )
    parts: list[Text | Table] = [
        headline,
        _tally_table("By layer", "Layer", summary.by_layer),
        _tally_table("By source", "Source", summary.by_source),
    ]
    listed = _listed(data)
    if listed:
        parts.append(_items_table(data, listed))
    if data.barren:
        parts.append(_barren_table(data))
    if data.writeback_enabled is False:
        parts.append(Text("Write-back is off: nothing is flagged on the trackers.", style="dim"))
    return Group(*parts)


def _listed(data: ReportData) -> tuple[ReportRow, ...]:
    """Every listed item when a verdict filter was asked for; else the untraced."""
    if data.verdict_filter:
        return data.rows
    return tuple(row for row in data.rows if row.verdict.flaggable)


def _tally_table(title: str, heading: str, tallies: tuple[Tally, ...]) -> Table:
    table = Table(title=title, title_justify="left", expand=False)
    table.add_column(heading)
    for name in ("Items", "Traced", "Orphan", "Broken", "Exempt", "Coverage"):
        table.add_column(name, justify="right")
    for t in tallies:
        table.add_row(
            Text(t.name),
            str(t.items),
            str(t.traced),
            str(t.orphan),
            str(t.broken),
            str(t.exempt),
            percent(t.coverage),
        )
    return table


def _items_table(data: ReportData, rows: tuple[ReportRow, ...]) -> Table:
    title = "Items" if data.verdict_filter else "Untraced items"
    table = Table(title=f"{title} ({len(rows)})", title_justify="left", expand=True)
    table.add_column("Ref", no_wrap=True)
    table.add_column("Verdict", no_wrap=True)
    table.add_column("Reason", no_wrap=True)
    table.add_column("Title", ratio=2)
    table.add_column("URL", ratio=2, overflow="fold")
    for row in rows:
        table.add_row(
            Text(row.ref),
            Text(row.verdict.value, style=_VERDICT_STYLE[row.verdict]),
            Text(row.reason),
            Text(row.title),
            Text(row.url, style="blue"),
        )
    return table


def _barren_table(data: ReportData) -> Table:
    index = data.index()
    table = Table(title=f"Barren ({len(data.barren)})", title_justify="left", expand=True)
    table.add_column("Ref", no_wrap=True)
    table.add_column("Missing beneath", no_wrap=True)
    table.add_column("Title", ratio=2)
    for barren in data.barren:
        row = index.get(barren.ref)
        table.add_row(
            Text(barren.ref),
            Text(f"no {barren.missing.value}"),
            Text(row.title if row else ""),
        )
    return table
