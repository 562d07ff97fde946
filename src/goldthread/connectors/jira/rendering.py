"""goldthread's :class:`CommentDoc` as Jira comment bodies. Pure.

Data Center (REST v2) takes wiki markup; Cloud (REST v3) takes Atlassian
Document Format. Text in spans may come from trackers (titles, keys), so it
is rendered as data: in wiki markup every character that could start markup
(``[~user]`` mentions, ``{macro}``, ``[link|…]``, ``*bold*``, ``!image!``,
line-leading ``h1.`` / ``#`` / ``*``) is escaped and newlines become spaces;
in ADF text nodes are data by construction and links are ``link`` marks.
"""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import quote

from goldthread.core.model import Block, CommentDoc, Span

# Characters that start or end wiki markup; a backslash makes each literal.
_WIKI_SPECIAL = re.compile(r"([\\\[\]{}|*_~^+\-?#!])")
_SAFE_URL = re.compile(r"^https?://", re.IGNORECASE)


# ---------------------------------------------------------------- wiki markup


def escape_wiki(text: str) -> str:
    """``text`` as literal wiki markup: special characters escaped, one line."""
    flat = re.sub(r"\s+", " ", text)
    return _WIKI_SPECIAL.sub(r"\\\1", flat)


def _wiki_url(url: str) -> str:
    """A URL that cannot end the ``[text|url]`` link early or break the line."""
    return quote(url, safe=":/?#@!$&'()*+,;=%-._~")


def _wiki_span(span: Span) -> str:
    if not span.text:
        return ""
    text = escape_wiki(span.text)
    if span.code:
        text = "{{" + text + "}}"
    elif span.strong:
        text = f"*{text}*"
    if span.url and _SAFE_URL.match(span.url):
        return f"[{text}|{_wiki_url(span.url)}]"
    return text


def _wiki_line(spans: tuple[Span, ...]) -> str:
    return "".join(_wiki_span(span) for span in spans)


def render_wiki(doc: CommentDoc) -> str:
    """Wiki markup for REST v2 (Data Center, and Cloud's v2 API)."""
    paragraphs: list[str] = []
    for block in doc.blocks:
        if block.items:
            paragraphs.append("\n".join(f"* {_wiki_line(item)}" for item in block.items))
        if block.spans:
            paragraphs.append(_wiki_line(block.spans))
    return "\n\n".join(p for p in paragraphs if p)


# ---------------------------------------------------------------- ADF


def _adf_text(span: Span) -> dict[str, Any] | None:
    text = " ".join(span.text.split("\n"))
    if not text:
        return None
    marks: list[dict[str, Any]] = []
    if span.code:
        marks.append({"type": "code"})  # ADF allows only `link` beside `code`
    elif span.strong:
        marks.append({"type": "strong"})
    if span.url and _SAFE_URL.match(span.url):
        marks.append({"type": "link", "attrs": {"href": span.url}})
    node: dict[str, Any] = {"type": "text", "text": text}
    if marks:
        node["marks"] = marks
    return node


def _adf_paragraph(spans: tuple[Span, ...]) -> dict[str, Any]:
    content = [node for span in spans if (node := _adf_text(span)) is not None]
    paragraph: dict[str, Any] = {"type": "paragraph"}
    if content:
        paragraph["content"] = content
    return paragraph


def _adf_block(block: Block) -> list[dict[str, Any]]:
    nodes: list[dict[str, Any]] = []
    if block.items:
        items = [{"type": "listItem", "content": [_adf_paragraph(item)]} for item in block.items]
        nodes.append({"type": "bulletList", "content": items})
    if block.spans:
        nodes.append(_adf_paragraph(block.spans))
    return nodes


def render_adf(doc: CommentDoc) -> dict[str, Any]:
    """An Atlassian Document Format body for REST v3 (Cloud)."""
    content = [node for block in doc.blocks for node in _adf_block(block)]
    return {"type": "doc", "version": 1, "content": content or [{"type": "paragraph"}]}


def render(doc: CommentDoc, *, cloud: bool) -> str | dict[str, Any]:
    """The body for the REST version this site is spoken to in."""
    return render_adf(doc) if cloud else render_wiki(doc)
