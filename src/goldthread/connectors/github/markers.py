"""goldthread's GitHub comment: Markdown rendered from a :class:`CommentDoc`.

The body ends with goldthread's marker (``core/marker.py``), a hidden
HTML comment carrying the document's fingerprint, so goldthread finds its own comment on the issue again even
when the store is lost, and never rewrites an unchanged one. Text that came
from a tracker is data, not markup: it is escaped so it cannot mention
people, close issues by keyword, or inject HTML or Markdown.
"""

from __future__ import annotations

import re
from urllib.parse import quote, urlsplit

from goldthread.core.marker import marker
from goldthread.core.model import Block, CommentDoc, Span
from goldthread.core.neutral import inert_markdown


def render(doc: CommentDoc) -> str:
    """The comment body: the blocks as Markdown, then the marker."""
    parts = [_render_block(block) for block in doc.blocks]
    parts.append(marker(doc.fingerprint))
    return "\n\n".join(part for part in parts if part)


def _render_block(block: Block) -> str:
    lines: list[str] = []
    if block.spans:
        lines.append(_render_spans(block.spans))
    lines.extend(f"- {_render_spans(item)}" for item in block.items)
    return "\n".join(lines)


def _render_spans(spans: tuple[Span, ...]) -> str:
    return "".join(_render_span(span) for span in spans)


def _render_span(span: Span) -> str:
    if span.code:
        text = _code(span.text)
    else:
        text = inert_markdown(span.text)
        if span.strong and text.strip():
            text = f"**{text}**"
    url = _safe_url(span.url)
    if url is None:
        return text
    return f"[{text}]({url})"


def _code(text: str) -> str:
    """A code span that no backtick run inside ``text`` can close early."""
    flat = " ".join(text.splitlines())
    longest = max((len(run) for run in re.findall(r"`+", flat)), default=0)
    fence = "`" * (longest + 1)
    pad = " " if flat.startswith("`") or flat.endswith("`") or not flat.strip() else ""
    return f"{fence}{pad}{flat}{pad}{fence}"


def _safe_url(url: str | None) -> str | None:
    """Only http(s) links, with characters that could end the link encoded."""
    if not url:
        return None
    if urlsplit(url).scheme.lower() not in ("http", "https"):
        return None
    return quote(url, safe=":/?#&=%~+,;@!$'*._-")
