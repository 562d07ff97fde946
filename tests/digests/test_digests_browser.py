"""The HTML part of a digest email as a real browser shows it: headless
Chromium renders it with no console message, every section there, every
item a link, and nothing a tracker wrote turned into markup."""

from __future__ import annotations

from html.parser import HTMLParser
from pathlib import Path

import pytest
from digests_helpers import full_digest
from support_browser import browse, chromium

from goldthread.digests.mail import render_html


class _Links(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.ids: set[str] = set()
        self.hrefs: list[str] = []
        self.tags: set[str] = set()

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.add(tag)
        self.ids |= {value for name, value in attrs if name == "id" and value}
        self.hrefs += [value for name, value in attrs if name == "href" and value]


@pytest.mark.browser
def test_the_html_digest_renders_in_chromium_with_every_item_linked(tmp_path: Path) -> None:
    browser = chromium()
    page = tmp_path / "digest.html"
    page.write_text(render_html(full_digest()), encoding="utf-8")
    dumped = browse(
        browser,
        tmp_path / "profile",
        "--enable-logging=stderr",
        "--v=0",
        "--dump-dom",
        page.as_uri(),
    )
    assert [line for line in dumped.stderr.splitlines() if ":CONSOLE" in line] == []
    dom = _Links()
    dom.feed(dumped.stdout)
    assert {"coverage", "newly-untraced", "fixed", "oldest-untraced", "barren"} <= dom.ids
    assert {f"https://github.com/acme/web/issues/{n}" for n in (1, 2, 3, 9)} <= set(dom.hrefs)
    assert "https://evil.example" not in dom.hrefs  # a title's markdown link stays text
    assert "script" not in dom.tags
    screenshot = tmp_path / "digest.png"
    browse(
        browser,
        tmp_path / "profile",
        f"--screenshot={screenshot}",
        "--window-size=900,900",
        page.as_uri(),
    )
    assert screenshot.stat().st_size > 10_000  # a blank page compresses to a few kilobytes
