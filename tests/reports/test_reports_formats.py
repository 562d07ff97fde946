"""The CSV, Markdown and terminal table formats."""

from __future__ import annotations

import csv
import io
from dataclasses import replace

from reports_sample import HOSTILE, sample_report

from goldthread.core.neutral import inert_markdown
from goldthread.reports.data import ReportData
from goldthread.reports.exports import ITEM_KEYS, render_csv, render_markdown
from goldthread.reports.table import render_table


def test_csv_parses_back_to_one_row_per_item(report: ReportData) -> None:
    rows = list(csv.DictReader(io.StringIO(render_csv(report))))
    assert tuple(rows[0]) == ITEM_KEYS
    assert [r["ref"] for r in rows] == [row.ref for row in report.rows]
    by_ref = {r["ref"]: r for r in rows}
    assert by_ref["gh:acme/web#13"]["title"] == HOSTILE
    assert by_ref["gh:acme/web#13"]["flagged"] == "true"
    assert by_ref["gh:acme/api#3"]["chain"].split() == [
        "gh:acme/api#3",
        "gh:acme/web#12",
        "jira:PLAT-7",
        "jira:VIS-1",
    ]


def test_csv_keeps_titles_with_commas_quotes_and_newlines_intact() -> None:
    data = sample_report()
    awkward = 'Say "hi",\nthen leave'
    tricky = replace(data, rows=(replace(data.rows[0], title=awkward),))
    (parsed,) = csv.DictReader(io.StringIO(render_csv(tricky)))
    assert parsed["title"] == awkward


def test_markdown_lists_orphans_and_broken_items_with_links(report: ReportData) -> None:
    text = render_markdown(report)
    assert "Coverage **66.7%** of 10 items" in text
    assert "## Orphans (1)" in text
    assert "## Broken (2)" in text
    assert "[gh:acme/web\\#14](<https://github.com/acme/web/issues/14>)" in text
    assert "## Barren (2)" in text
    assert "vision with no strategy beneath it" in text


def test_markdown_makes_hostile_titles_inert(report: ReportData) -> None:
    text = render_markdown(report)
    assert HOSTILE not in text
    assert "&lt;script&gt;alert\\(1\\)&lt;/script&gt;" in text
    assert inert_markdown("[click](javascript:x) **bold** | cell") == (
        "\\[click\\]\\(javascript:x\\) \\*\\*bold\\*\\* \\| cell"
    )


def test_the_table_shows_the_headline_and_the_untraced_items_with_urls(report: ReportData) -> None:
    text = render_table(report, width=160)
    assert text.startswith("Coverage 66.7%")
    assert "https://github.com/acme/web/issues/13" in text
    assert "no-parent" in text
    assert "skips-layer" in text
    assert "Untraced items (3)" in text
    assert "Rate limits" not in text  # traced items are in the totals, not the list


def test_the_table_lists_every_asked_for_verdict_when_filtered() -> None:
    text = render_table(sample_report(verdict_filter=["traced"]), width=160)
    assert "Items (6)" in text
    assert "Rate limits" in text


def test_a_plain_table_has_no_terminal_escapes_and_shows_markup_literally() -> None:
    data = sample_report()
    text = render_table(data, width=100)
    assert "\x1b[" not in text
    assert HOSTILE in text
    coloured = render_table(data, width=100, color=True)
    assert "\x1b[" in coloured


def test_the_table_says_when_write_back_is_off() -> None:
    text = render_table(sample_report(writeback_enabled=False), width=120)
    assert "Write-back is off" in text
