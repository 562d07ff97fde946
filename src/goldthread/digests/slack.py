"""A digest as a Slack incoming-webhook body: ``text`` (the notification and
the fallback) and ``blocks`` for the layout (Block Kit: ``header``,
``section`` with ``mrkdwn`` text, ``context``, ``divider``).

Tracker text is escaped as Slack asks (``&``, ``<``, ``>``), so a title can
neither mention ``@channel`` nor forge a link; links are ``<url|ref>`` with
the URL's ``|`` and ``>`` percent-encoded. Slack takes at most 50 blocks and
3,000 characters of section text, so long lists go into several sections.
"""

from __future__ import annotations

from typing import Any

from goldthread.core.digest import Digest
from goldthread.digests.text import Line, coverage_line, flat, heading, sections, subject

SECTION_LIMIT = 3000
HEADER_LIMIT = 150


def escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _link(line: Line) -> str:
    if line.url.startswith(("https://", "http://")):
        url = line.url.replace("|", "%7C").replace(">", "%3E").replace("<", "%3C")
        return f"<{url}|{escape(line.ref)}>"
    return escape(line.ref)


def _item(line: Line) -> str:
    title = f" {escape(line.title)}" if line.title else ""
    return f"• {_link(line)}{title} _({escape(line.note)})_"


def _mrkdwn(text: str) -> dict[str, Any]:
    return {"type": "section", "text": {"type": "mrkdwn", "text": text}}


def _chunks(lines: list[str]) -> list[str]:
    """Lines joined into texts of at most :data:`SECTION_LIMIT` characters."""
    chunks: list[str] = []
    current = ""
    for whole in lines:
        line = whole[: SECTION_LIMIT - 1]
        if current and len(current) + 1 + len(line) > SECTION_LIMIT:
            chunks.append(current)
            current = line
        else:
            current = f"{current}\n{line}" if current else line
    if current:
        chunks.append(current)
    return chunks


def slack_body(digest: Digest) -> dict[str, Any]:
    """The JSON body for a Slack incoming webhook."""
    blocks: list[dict[str, Any]] = [
        {"type": "header", "text": {"type": "plain_text", "text": heading(digest)[:HEADER_LIMIT]}},
        _mrkdwn(f"*{escape(coverage_line(digest))}*"),
    ]
    for section in sections(digest):
        blocks.append({"type": "divider"})
        title = f"*{escape(section.title)}* ({len(section.lines) + section.more})"
        lines = [title, *(_item(line) for line in section.lines)]
        if section.more:
            lines.append(f"… and {section.more} more")
        blocks += [_mrkdwn(chunk) for chunk in _chunks(lines)]
    blocks.append(
        {
            "type": "context",
            "elements": [
                {
                    "type": "mrkdwn",
                    "text": escape(f"Team {flat(digest.team)} · goldthread report --owner for all"),
                }
            ],
        }
    )
    return {"text": escape(subject(digest)), "blocks": blocks[:50]}
