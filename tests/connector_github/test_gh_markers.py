"""goldthread's comment body: Markdown with a hidden marker, tracker text made inert."""

from __future__ import annotations

from goldthread.connectors.github.markers import render
from goldthread.core.marker import find_marker
from goldthread.core.model import Block, CommentDoc, Span
from goldthread.core.neutral import inert_markdown


def _doc(*spans: Span, fingerprint: str = "fp-1") -> CommentDoc:
    return CommentDoc(blocks=(Block(spans=spans),), fingerprint=fingerprint)


def test_the_body_carries_a_hidden_marker_with_the_fingerprint():
    body = render(_doc(Span("This issue does not trace back."), fingerprint="abc123"))
    assert "<!-- goldthread:marker v1 fingerprint=abc123 -->" in body
    assert find_marker(body) == "abc123"


def test_a_body_without_the_marker_is_not_goldthreads():
    assert find_marker("Me too") is None
    assert find_marker(None) is None


def test_a_fingerprint_cannot_close_the_html_comment_early():
    body = render(_doc(Span("x"), fingerprint="a --> <b>"))
    assert body.count("-->") == 1


def test_tracker_text_cannot_mention_anyone():
    rendered = inert_markdown("ping @alice and @acme/team")
    assert "@alice" not in rendered
    assert "@acme" not in rendered


def test_tracker_text_cannot_close_issues_by_keyword():
    for text in ("fixes #12", "Closes: #3", "resolved acme/web#9"):
        rendered = inert_markdown(text).lower()
        for keyword in ("fixes", "closes", "resolved"):
            assert keyword not in rendered


def test_tracker_text_cannot_inject_html_or_markdown():
    rendered = inert_markdown(
        "<img src=x onerror=alert(1)> **bold** [link](http://evil)\n# Heading"
    )
    assert "<img" not in rendered
    assert "**bold**" not in rendered
    assert "[link](" not in rendered
    assert "\n" not in rendered


def test_links_render_only_for_web_addresses():
    body = render(_doc(Span("parent", url="https://github.com/acme/web/issues/1")))
    assert "[parent](https://github.com/acme/web/issues/1)" in body
    sneaky = render(_doc(Span("click", url="javascript:alert(1)")))
    assert "javascript:" not in sneaky


def test_code_spans_hold_backticks_literally():
    body = render(_doc(Span("a `tick` here", code=True)))
    assert "``a `tick` here``" in body


def test_blocks_render_as_paragraphs_and_bullet_lists():
    doc = CommentDoc(
        blocks=(
            Block(spans=(Span("Missing: "), Span("a strategy", strong=True))),
            Block(items=((Span("gh:acme/web#12"),), (Span("jira:PLAT-7"),))),
        ),
        fingerprint="f",
    )
    body = render(doc)
    assert body.startswith("Missing: **a strategy**\n\n- gh:acme/web\\#12\n- jira:PLAT\\-7")
