"""The HTML page: self-contained, escaped, and showing every section."""

from __future__ import annotations

import re
from dataclasses import replace
from html.parser import HTMLParser

from reports_sample import HOSTILE, sample_report

from goldthread.core.model import Layer
from goldthread.reports.data import ReportData
from goldthread.reports.page import render_html
from goldthread.reports.tree import build_tree


class _Collector(HTMLParser):
    """Tags, attributes and text of a page, as a browser's parser sees them."""

    def __init__(self) -> None:
        super().__init__()
        self.tags: list[tuple[str, dict[str, str | None]]] = []
        self.text: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, dict(attrs)))

    def handle_data(self, data: str) -> None:
        self.text.append(data)


def _parse(page: str) -> _Collector:
    collector = _Collector()
    collector.feed(page)
    return collector


def test_a_hostile_title_is_shown_as_text_never_run(report: ReportData) -> None:
    page = render_html(report)
    parsed = _parse(page)
    assert HOSTILE not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert "script" not in {tag for tag, _ in parsed.tags}
    assert HOSTILE in "".join(parsed.text)


def test_only_web_urls_become_links(report: ReportData) -> None:
    sneaky = replace(report.rows[0], url="javascript:alert(1)")
    page = render_html(replace(report, rows=(sneaky,), all_rows=(sneaky,)))
    hrefs = [attrs.get("href") for tag, attrs in _parse(page).tags if tag == "a"]
    assert "javascript:alert(1)" not in hrefs
    assert all(h and h.startswith("https://") for h in hrefs)


def test_the_page_fetches_nothing(report: ReportData) -> None:
    page = render_html(report)
    for tag, attrs in _parse(page).tags:
        assert tag not in {"script", "link", "img", "iframe"}, tag
        assert "src" not in attrs
    assert "default-src 'none'" in page
    assert "@import" not in page
    assert not re.search(r"url\(", page)


def test_the_page_has_every_section(report: ReportData) -> None:
    ids = {attrs.get("id") for _, attrs in _parse(render_html(report)).tags}
    assert {"coverage", "layers", "sources", "trend", "tree", "orphans", "broken", "barren"} <= ids


def test_the_headline_is_the_overall_coverage(report: ReportData) -> None:
    assert '<div class="big poor">66.7%</div>' in render_html(report)


def test_flagged_items_stand_out_in_the_tree(report: ReportData) -> None:
    page = render_html(report)
    tree = page[page.index('id="tree"') : page.index('id="orphans"')]
    assert tree.count('class="node flagged"') == 2
    assert 'class="node untraced"' in tree  # untraced, not yet flagged
    assert "jira:VIS-1" in tree


def test_the_trend_chart_draws_one_dot_per_evaluation_per_line(report: ReportData) -> None:
    page = render_html(report)
    chart = page[page.index("<svg") : page.index("</svg>")]
    assert chart.count("<polyline") == 4
    assert chart.count("<circle") == 4 * len(report.trend)


def test_a_page_without_history_says_so() -> None:
    page = render_html(replace(sample_report(), trend=()))
    assert "No evaluation recorded yet." in page
    assert "<svg" not in page


def test_refresh_seconds_makes_the_page_reload_itself(report: ReportData) -> None:
    assert '<meta http-equiv="refresh" content="30">' in render_html(report, refresh_seconds=30)
    assert 'http-equiv="refresh"' not in render_html(report)


def test_a_very_deep_chain_is_summarised_rather_than_nested_forever() -> None:
    entries = [("n0", Layer.VISION, None)]
    entries += [(f"n{i}", Layer.EXECUTION, f"n{i - 1}") for i in range(1, 300)]
    data = replace(sample_report(), tree=build_tree(entries))
    page = render_html(data)
    assert page.count("<details") < 40
    assert "more beneath" in page


def test_an_untraced_item_shows_its_likely_parent_as_a_link_with_the_reason(
    report: ReportData,
) -> None:
    page = render_html(report)
    broken = page[page.index('id="broken"') : page.index('id="barren"')]
    assert "Likely parents:" in broken
    assert 'href="https://acme.atlassian.net/browse/PLAT-8"' in broken
    assert "this item mentions PLAT-8" in broken
    orphans = page[page.index('id="orphans"') : page.index('id="broken"')]
    assert "Likely parents:" not in orphans
