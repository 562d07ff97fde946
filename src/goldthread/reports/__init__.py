"""Reports: what the store knows, for people and for scripts.

:func:`~goldthread.reports.data.build_report` joins stored items, verdicts and
the write-back ledger into one frozen :class:`~goldthread.reports.data.ReportData`;
each format only renders that value. Nothing here reads a tracker or the store.
"""

from __future__ import annotations

from collections.abc import Callable

from goldthread.reports.data import ReportData, ReportRow, build_report
from goldthread.reports.exports import render_csv, render_json, render_markdown
from goldthread.reports.page import render_html
from goldthread.reports.stored import report_from
from goldthread.reports.table import render_table

FORMATS: dict[str, Callable[[ReportData], str]] = {
    "table": render_table,
    "json": render_json,
    "csv": render_csv,
    "markdown": render_markdown,
    "html": render_html,
}


def render(data: ReportData, fmt: str) -> str:
    """The report in one of :data:`FORMATS`."""
    return FORMATS[fmt](data)


__all__ = [
    "FORMATS",
    "ReportData",
    "ReportRow",
    "build_report",
    "render",
    "render_csv",
    "render_html",
    "render_json",
    "render_markdown",
    "render_table",
    "report_from",
]
