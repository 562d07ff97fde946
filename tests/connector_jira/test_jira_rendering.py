"""goldthread's comment as wiki markup (Data Center) and ADF (Cloud), tracker text kept inert."""

from __future__ import annotations

from goldthread.connectors.jira.parsing import adf_text
from goldthread.connectors.jira.rendering import escape_wiki, render_adf, render_wiki
from goldthread.core.model import Block, CommentDoc, Span

DOC = CommentDoc(
    blocks=(
        Block(spans=(Span("goldthread: ", strong=True), Span("this story has no parent."))),
        Block(
            items=(
                (
                    Span("Link it to "),
                    Span("PLAT-1", url="https://acme.atlassian.net/browse/PLAT-1"),
                ),
            )
        ),
    ),
    fingerprint="fp",
)


def test_wiki_markup_has_paragraphs_a_bullet_list_and_links():
    assert render_wiki(DOC) == (
        "*goldthread: *this story has no parent.\n\n* Link it to [PLAT\\-1|https://acme.atlassian.net/browse/PLAT-1]"
    )


def test_a_mention_in_tracker_text_cannot_ping_anyone():
    escaped = escape_wiki("[~accountid:5b10a2844c20165700ede21g] and [~admin]")
    assert "[~" not in escaped
    assert escaped.startswith("\\[\\~accountid")


def test_macros_links_and_table_pipes_are_escaped():
    escaped = escape_wiki("{code}x{code} [evil|https://x] a|b !img.png!")
    for raw in ("{code}", "[evil|", "a|b"):
        assert raw not in escaped
    assert "\\!img.png\\!" in escaped


def test_newlines_in_tracker_text_cannot_start_a_heading_or_list():
    assert "\n" not in escape_wiki("title\nh1. Big\n* item")


def test_a_link_url_cannot_close_the_link_early():
    doc = CommentDoc(blocks=(Block(spans=(Span("x", url="https://h/a|b]c d"),)),), fingerprint="f")
    assert render_wiki(doc) == "[x|https://h/a%7Cb%5Dc%20d]"


def test_only_web_links_become_links():
    doc = CommentDoc(
        blocks=(Block(spans=(Span("x", url="javascript:alert(1)"),)),), fingerprint="f"
    )
    assert render_wiki(doc) == "x"
    assert "marks" not in render_adf(doc)["content"][0]["content"][0]


def test_adf_keeps_text_as_data_with_marks_for_strong_code_and_links():
    doc = render_adf(DOC)
    assert (doc["type"], doc["version"]) == ("doc", 1)
    paragraph, bullets = doc["content"]
    assert paragraph["content"][0] == {
        "type": "text",
        "text": "goldthread: ",
        "marks": [{"type": "strong"}],
    }
    link = bullets["content"][0]["content"][0]["content"][1]
    assert link == {
        "type": "text",
        "text": "PLAT-1",
        "marks": [{"type": "link", "attrs": {"href": "https://acme.atlassian.net/browse/PLAT-1"}}],
    }


def test_adf_code_never_combines_with_strong():
    doc = render_adf(
        CommentDoc(blocks=(Block(spans=(Span("k", strong=True, code=True),)),), fingerprint="f")
    )
    assert doc["content"][0]["content"][0]["marks"] == [{"type": "code"}]


def test_rendered_adf_reads_back_as_the_same_words():
    assert adf_text(render_adf(DOC)) == "goldthread: this story has no parent.\nLink it to PLAT-1"


def test_adf_text_reads_line_breaks_mentions_and_cards():
    doc = {
        "type": "doc",
        "content": [
            {
                "type": "paragraph",
                "content": [
                    {"type": "mention", "attrs": {"id": "1", "text": "@Ana"}},
                    {"type": "text", "text": " wrote"},
                    {"type": "hardBreak"},
                    {"type": "text", "text": "Epic: "},
                    {
                        "type": "inlineCard",
                        "attrs": {"url": "https://acme.atlassian.net/browse/PLAT-1"},
                    },
                ],
            },
            {
                "type": "bulletList",
                "content": [
                    {
                        "type": "listItem",
                        "content": [
                            {"type": "paragraph", "content": [{"type": "text", "text": "item"}]}
                        ],
                    }
                ],
            },
        ],
    }
    lines = [line for line in adf_text(doc).split("\n") if line]
    assert lines == ["@Ana wrote", "Epic: https://acme.atlassian.net/browse/PLAT-1", "item"]
