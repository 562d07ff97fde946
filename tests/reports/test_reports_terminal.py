"""The terminal table at 80-120 columns: refs are hyperlinks on a terminal and the
URL column goes when there is no room; off a terminal every URL stays whole."""

from __future__ import annotations

import re
from dataclasses import replace

from reports_sample import sample_report

from goldthread.reports.data import ReportData
from goldthread.reports.table import render_table

OSC8 = re.compile(r"\x1b\]8;[^;]*;([^\x1b]*)\x1b\\(.*?)\x1b\]8;;\x1b\\")
SGR = re.compile(r"\x1b\[[0-9;]*m")


def visible(text: str) -> str:
    return SGR.sub("", OSC8.sub(r"\2", text))


def links(text: str) -> dict[str, str]:
    """Text shown -> where it links."""
    return {shown: url for url, shown in OSC8.findall(text)}


def with_url(data: ReportData, ref: str, url: str) -> ReportData:
    rows = tuple(replace(row, url=url) if row.ref == ref else row for row in data.rows)
    return replace(data, rows=rows)


def test_at_80_columns_on_a_terminal_each_ref_links_to_its_item_and_no_url_is_cut() -> None:
    text = render_table(sample_report(), width=80, color=True, links=True)
    shown = visible(text)
    assert max(len(line) for line in shown.splitlines()) <= 80
    assert "URL" not in shown
    assert "https://" not in shown  # no URL printed, none folded over two lines
    assert links(text)["gh:acme/web#13"] == "https://github.com/acme/web/issues/13"
    assert links(text)["jira:PLAT-8"] == "https://acme.atlassian.net/browse/PLAT-8"  # barren


def test_a_wide_terminal_keeps_the_url_column_beside_the_links() -> None:
    text = render_table(sample_report(), width=200, color=True, links=True)
    assert "https://github.com/acme/web/issues/13 │" in visible(text)
    assert "gh:acme/web#13" in links(text)


def test_off_a_terminal_every_url_is_whole_on_its_line_and_nothing_is_a_link() -> None:
    data = with_url(
        sample_report(),
        "gh:acme/web#14",
        "https://github.example.com/a-rather-long-organisation/a-long-repository/issues/14",
    )
    text = render_table(data, width=80)
    assert "\x1b" not in text
    lines = text.splitlines()
    assert any(
        "https://github.example.com/a-rather-long-organisation/a-long-repository/issues/14" in line
        for line in lines
    )
    assert any("https://github.com/acme/web/issues/13" in line for line in lines)


def test_a_url_that_could_end_the_escape_sequence_is_never_made_a_link() -> None:
    hostile = "https://evil.example/\x1b\\\x1b]8;;https://phish.example/\x1b\\x"
    data = with_url(sample_report(), "gh:acme/web#13", hostile)
    text = render_table(data, width=80, color=True, links=True)
    assert "phish.example" not in "".join(links(text).values())
    assert "gh:acme/web#13" not in links(text)
    assert "gh:acme/web#14" in links(text)
