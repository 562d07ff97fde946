"""Tracker text made harmless for each place goldthread writes it.

Titles, keys, URLs and body text come from anyone who can write an issue.
Each output has one function here, and every writer of that output uses it:

* :func:`one_line` — terminals and plain text (the table report, ``explain``,
  ``inbox list``): no control characters (no ``ESC[2J``, no OSC title or link
  sequences, no bidirectional overrides), no line breaks.
* :func:`csv_cell` — spreadsheets: a cell that starts like a formula
  (``= + - @``, tab, carriage return) is prefixed with ``'``, so it is shown as
  text and never evaluated.
* :func:`inert_markdown` — GitHub Markdown (goldthread's comments, the
  Markdown report pasted into a pull request): no ``@mentions``, no closing
  keywords (``fixes #1``), no HTML and no markup.
"""

from __future__ import annotations

import re

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
"""What makes a spreadsheet read a cell as a formula (OWASP's list)."""

ZWJ = "\u200d"
"""Zero-width joiner: invisible, and enough to stop GitHub reading a mention or keyword."""

_MARKDOWN_SPECIALS = re.compile(r"([\\`*_{}\[\]()#+\-.!|~^])")
_CLOSING_KEYWORD = re.compile(
    r"(?i)\b(close[sd]?|fix(?:e[sd])?|resolve[sd]?)"
    r"(?=[\s:]+(?:\S*#\d|\S*/(?:issues|pull)/\d|GH-\d))",
)


def printable(text: str) -> str:
    """``text`` with every control or format character (line breaks, ``ESC``,
    bidirectional overrides) replaced by a space, its spacing otherwise kept."""
    return "".join(ch if ch.isprintable() else " " for ch in text)


def one_line(text: str) -> str:
    """``text`` on one line of printable characters, each run of whitespace
    one space, none at the ends."""
    return " ".join(printable(text).split())


def csv_cell(value: str) -> str:
    """A CSV cell a spreadsheet shows as text, never evaluates."""
    return f"'{value}" if value.startswith(FORMULA_STARTS) else value


def inert_markdown(text: str) -> str:
    """Tracker text as inert Markdown on one line: mentions and closing
    keywords broken by an invisible joiner, HTML and markup escaped. Spaces
    at the ends are kept, so pieces can be joined."""
    flat = printable(text)
    flat = _CLOSING_KEYWORD.sub(lambda m: m.group(1)[:1] + ZWJ + m.group(1)[1:], flat)
    flat = flat.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    flat = _MARKDOWN_SPECIALS.sub(r"\\\1", flat)
    return flat.replace("@", "@" + ZWJ)
