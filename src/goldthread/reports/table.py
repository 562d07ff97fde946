"""The terminal report: rich tables, coloured on a TTY, plain otherwise.

Tracker text goes into :class:`rich.text.Text` values, never into markup
strings, so a title such as ``[bold]x[/]`` is shown as written; and through
:func:`~goldthread.core.neutral.one_line` first, on every stream, so a title
carrying ``ESC[2J``, an OSC title or an OSC 8 link cannot drive the terminal.

On a terminal (``links``) each ref is a hyperlink (OSC 8) to its item, and the
URL column is left out when the table would not fit beside it: a URL folded
over two lines can be neither read nor clicked. The escape sequences are
goldthread's own: a URL becomes a link only if it is a plain http(s) URL of
printable characters, so tracker data can never end the sequence early. Off a
terminal the URL column stays, each URL whole on its line.
"""

from __future__ import annotations

import io
import re

from rich.console import Console, Group
from rich.style import Style
from rich.table import Table
from rich.text import Text

from goldthread.core.model import VerdictKind
from goldthread.core.neutral import one_line
from goldthread.reports.data import ReportData, ReportRow, Tally, percent

_VERDICT_STYLE = {
    VerdictKind.TRACED: "green",
    VerdictKind.ORPHAN: "bold red",
    VerdictKind.BROKEN: "yellow",
    VerdictKind.EXEMPT: "dim",
}


_LINKABLE = re.compile(r"https?://[!-~]+")
_SHORTEST_TITLE = 16
_TITLE_BESIDE_URLS = 30  # a URL column is kept only with at least this much title beside it


def render_table(
    data: ReportData, *, width: int = 120, color: bool = False, links: bool = False
) -> str:
    """The report as text ``width`` columns wide; ANSI colours only if ``color``;
    refs as terminal hyperlinks (and no URL column when short of room) if ``links``.

    Without ``links`` every URL is printed whole, widening the table past
    ``width`` if it must (that output is for files and pipes, not a screen).
    """
    listed = _listed(data)
    with_urls = not links or _fits_with_urls(listed, width)
    if not links:
        width = max(width, _width_with_urls(listed))
    out = io.StringIO()
    console = Console(
        file=out,
        width=width,
        force_terminal=color or links,
        no_color=not color,
        color_system="standard" if color else None,
        highlight=False,
        emoji=False,
        legacy_windows=False,
    )
    console.print(_renderable(data, listed, links=links, with_urls=with_urls))
    return out.getvalue()


def _width_with_urls(rows: tuple[ReportRow, ...]) -> int:
    """Columns the items table needs to show every ref, reason and URL whole."""
    if not rows:
        return 0
    ref = max(len("Ref"), *(len(row.ref) for row in rows))
    reason = max(len("Reason"), *(len(row.reason) for row in rows))
    url = max(len("URL"), *(len(row.url) for row in rows))
    verdict = len("Verdict")
    cells = (ref, verdict, reason, _TITLE_BESIDE_URLS, url)
    return sum(cells) + 3 * len(cells) + 1  # "│ " + " " around each cell, one border


def _fits_with_urls(rows: tuple[ReportRow, ...], width: int) -> bool:
    return _width_with_urls(rows) <= width


def _link(url: str) -> Style:
    """A hyperlink to ``url`` if it is safe to put in an escape sequence; else none."""
    return Style(link=url) if _LINKABLE.fullmatch(url) else Style()


def _renderable(
    data: ReportData, listed: tuple[ReportRow, ...], *, links: bool, with_urls: bool
) -> Group:
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
    if data.by_owner:
        parts.append(_owner_table(data))
    if listed:
        parts.append(_items_table(data, listed, links=links, with_urls=with_urls))
    if data.barren:
        parts.append(_barren_table(data, links=links))
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
            _plain(t.name),
            str(t.items),
            str(t.traced),
            str(t.orphan),
            str(t.broken),
            str(t.exempt),
            percent(t.coverage),
        )
    return table


def _owner_table(data: ReportData) -> Table:
    """Untraced items per owner, by how long they have been untraced."""
    table = Table(title="Untraced by owner and age", title_justify="left", expand=False)
    table.add_column("Owner")
    names = [name for name, _ in data.by_owner[0].ages]
    for name in ("Untraced", *names, "Coverage"):
        table.add_column(name, justify="right")
    for owner in data.by_owner:
        table.add_row(
            Text(owner.owner),
            str(owner.tally.untraced),
            *(str(n) for _, n in owner.ages),
            percent(owner.tally.coverage),
        )
    return table


def _items_table(
    data: ReportData, rows: tuple[ReportRow, ...], *, links: bool, with_urls: bool
) -> Table:
    title = "Items" if data.verdict_filter else "Untraced items"
    table = Table(title=f"{title} ({len(rows)})", title_justify="left", expand=True)
    table.add_column("Ref", no_wrap=True)
    table.add_column("Verdict", no_wrap=True)
    table.add_column("Reason", no_wrap=True)
    title_width = _TITLE_BESIDE_URLS if with_urls else _SHORTEST_TITLE
    table.add_column("Title", ratio=1, min_width=title_width)
    if with_urls:
        table.add_column("URL", no_wrap=True, min_width=max(len(row.url) for row in rows))
    for row in rows:
        cells = [
            _plain(row.ref, style=_link(row.url) if links else ""),
            Text(row.verdict.value, style=_VERDICT_STYLE[row.verdict]),
            Text(row.reason),
            _plain(row.title),
        ]
        if with_urls:
            cells.append(_plain(row.url, style="blue"))
        table.add_row(*cells)
    return table


def _barren_table(data: ReportData, *, links: bool) -> Table:
    index = data.index()
    table = Table(title=f"Barren ({len(data.barren)})", title_justify="left", expand=True)
    table.add_column("Ref", no_wrap=True)
    table.add_column("Missing beneath", no_wrap=True)
    table.add_column("Title", ratio=2)
    for barren in data.barren:
        row = index.get(barren.ref)
        table.add_row(
            _plain(barren.ref, style=_link(row.url) if links and row else ""),
            Text(f"no {barren.missing.value}"),
            _plain(row.title if row else ""),
        )
    return table


def _plain(text: str, style: str | Style = "") -> Text:
    """Tracker text as a plain, printable cell."""
    return Text(one_line(text), style=style)
