"""goldthread's mark on its own GitHub comments: a hidden last line.

The line carries the comment document's fingerprint, so goldthread finds its
own comment again when the store is lost and never rewrites an unchanged
one. It is one rule for every place that writes, finds, filters or hides it
(the GitHub writer, webhook intake, the demo). A marker alone does not make
a comment goldthread's: the author must be goldthread's account too
(docs/behaviour.md#own-comments). On Jira the mark is a comment property instead
(``connectors/jira/marker.py``).
"""

from __future__ import annotations

import re

MARKER_START = "<!-- goldthread:marker"
"""How every version of the marker begins."""

MARKER_PREFIX = f"{MARKER_START} v1"
"""How the marker goldthread writes today begins."""

_MARKER_RE = re.compile(r"<!-- goldthread:marker v1 fingerprint=([A-Za-z0-9._:+/=-]*) -->")
_ANY_MARKER = re.compile(r"\s*<!-- goldthread:marker[^>]*-->\s*")
_FINGERPRINT_OK = re.compile(r"[^A-Za-z0-9._:+/=-]")


def marker(fingerprint: str) -> str:
    """The hidden line that identifies goldthread's comment."""
    return f"{MARKER_PREFIX} fingerprint={_FINGERPRINT_OK.sub('', fingerprint)} -->"


def find_marker(body: str | None) -> str | None:
    """The fingerprint in ``body``'s marker, or ``None`` if it has no marker."""
    if not body:
        return None
    # The real marker ends the body; text quoted above it (a reference in a
    # code span) may imitate one, so the last match is the one that counts.
    found = _MARKER_RE.findall(body)
    return str(found[-1]) if found else None


def has_marker(body: str | None) -> bool:
    """Whether ``body`` carries a marker of any version."""
    return bool(body) and MARKER_START in str(body)


def without_marker(body: str) -> str:
    """``body`` with every marker line taken out, for showing to a person."""
    return _ANY_MARKER.sub("\n", body).strip()
