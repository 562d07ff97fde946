"""The HTML report as a real browser shows it: headless Chromium renders the
page from a file, with no console message and every section on screen."""

from __future__ import annotations

import struct
from html.parser import HTMLParser
from pathlib import Path

import pytest
from support_browser import browse, chromium

from goldthread.reports.data import ReportData
from goldthread.reports.page import render_html


class _Dom(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.ids: set[str] = set()
        self.tags: list[str] = []
        self.title = ""
        self._in_title = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append(tag)
        self._in_title = tag == "title" and not self.title  # the page's, not the chart's
        self.ids |= {value for name, value in attrs if name == "id" and value}

    def handle_data(self, data: str) -> None:
        if self._in_title:
            self.title += data
            self._in_title = False


def _png_size(path: Path) -> tuple[int, int]:
    header = path.read_bytes()[:24]
    assert header[:8] == b"\x89PNG\r\n\x1a\n"
    width, height = struct.unpack(">II", header[16:24])
    return width, height


@pytest.mark.browser
def test_the_report_renders_in_chromium_without_console_errors(
    report: ReportData, tmp_path: Path
) -> None:
    browser = chromium()
    page = tmp_path / "report.html"
    page.write_text(render_html(report), encoding="utf-8")
    url = page.as_uri()

    dumped = browse(
        browser, tmp_path / "profile", "--enable-logging=stderr", "--v=0", "--dump-dom", url
    )
    console = [line for line in dumped.stderr.splitlines() if ":CONSOLE" in line]
    assert console == []
    dom = _Dom()
    dom.feed(dumped.stdout)
    assert dom.title == "Golden thread report"
    assert {
        "coverage",
        "layers",
        "sources",
        "trend",
        "tree",
        "orphans",
        "broken",
        "barren",
    } <= dom.ids
    assert {"svg", "polyline", "details"} <= set(dom.tags)
    assert "script" not in dom.tags
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in dumped.stdout

    screenshot = tmp_path / "report.png"
    browse(
        browser, tmp_path / "profile", f"--screenshot={screenshot}", "--window-size=1280,2000", url
    )
    print(f"screenshot: {screenshot}")
    assert _png_size(screenshot) == (1280, 2000)
    assert screenshot.stat().st_size > 50_000  # a blank page compresses to a few kilobytes
