"""A digest as a Microsoft Teams workflow message: an Adaptive Card (1.4)
in a ``message`` with one ``application/vnd.microsoft.card.adaptive``
attachment, the body the "When a Teams webhook request is received"
workflow posts to a channel.

Tracker text goes into ``TextRun`` elements of a ``RichTextBlock``, which
Teams shows as written (no markdown), and each ref is a ``TextRun`` whose
``selectAction`` opens the item: a title cannot forge a link or format.
"""

from __future__ import annotations

from typing import Any

from goldthread.core.digest import Digest
from goldthread.digests.text import Line, coverage_line, heading, sections, subject

CARD_VERSION = "1.4"
CARD_SCHEMA = "http://adaptivecards.io/schemas/adaptive-card.json"


def _text(text: str, **style: Any) -> dict[str, Any]:
    return {"type": "TextBlock", "text": text, "wrap": True, **style}


def _line(line: Line) -> dict[str, Any]:
    ref: dict[str, Any] = {"type": "TextRun", "text": line.ref, "color": "Accent"}
    if line.url.startswith(("https://", "http://")):
        ref["selectAction"] = {"type": "Action.OpenUrl", "url": line.url, "title": line.ref}
    runs = [{"type": "TextRun", "text": "• "}, ref]
    if line.title:
        runs.append({"type": "TextRun", "text": f" {line.title}"})
    runs.append({"type": "TextRun", "text": f" ({line.note})", "isSubtle": True, "italic": True})
    return {"type": "RichTextBlock", "inlines": runs, "spacing": "Small"}


def adaptive_card(digest: Digest) -> dict[str, Any]:
    """The Adaptive Card itself."""
    body: list[dict[str, Any]] = [
        _text(heading(digest), size="Medium", weight="Bolder"),
        _text(coverage_line(digest), spacing="Small"),
    ]
    for section in sections(digest):
        total = len(section.lines) + section.more
        body.append(_text(f"{section.title} ({total})", weight="Bolder", separator=True))
        body += [_line(line) for line in section.lines]
        if section.more:
            body.append(_text(f"… and {section.more} more", isSubtle=True, spacing="Small"))
    return {
        "$schema": CARD_SCHEMA,
        "type": "AdaptiveCard",
        "version": CARD_VERSION,
        "fallbackText": subject(digest),
        "body": body,
    }


def teams_body(digest: Digest) -> dict[str, Any]:
    """The JSON body for a Teams workflow webhook."""
    return {
        "type": "message",
        "attachments": [
            {
                "contentType": "application/vnd.microsoft.card.adaptive",
                "contentUrl": None,
                "content": adaptive_card(digest),
            }
        ],
    }
