"""Reference patterns, compiled for RE2: matching time linear in the input.

Python's own engine backtracks, so a pattern such as
``(?i)^x (?P<ref>(?:az|a|z)+)$`` takes exponential time on a crafted line
(``x azazaz…!``), and no check of a pattern's shape or timed trial at load
finds every such pattern. RE2 (``google-re2``) has no backtracking: every
pattern it compiles matches in time linear in the line's length. What it
cannot compile — look-arounds, back-references, possessive or atomic groups,
huge counted repetitions — is refused at config load with RE2's reason, so
the operator can rewrite it.

The built-in pattern runs on RE2 too: on Python's engine its ``\\s*:?\\s*``
takes quadratic time on a line of spaces.
"""

from __future__ import annotations

from typing import Any

import re2

from goldthread.core.references import TextPattern

_HINT = (
    "RE2 (linear-time matching) has no look-arounds, back-references, "
    "possessive or atomic groups, and at most 1000 repetitions"
)


def _options() -> Any:
    options = re2.Options()
    options.log_errors = False  # the refusal is reported once, as a config error
    return options


def compile_pattern(pattern: str) -> TextPattern:
    """``pattern`` compiled for RE2; ``ValueError`` saying why it cannot be."""
    try:
        compiled: TextPattern = re2.compile(pattern, options=_options())
    except re2.error as exc:
        detail = exc.args[0] if exc.args else b"not accepted"
        reason = detail.decode("utf-8", "replace") if isinstance(detail, bytes) else str(detail)
        raise ValueError(f"RE2 cannot compile it: {reason} ({_HINT})") from None
    return compiled


def pattern_problem(pattern: str) -> str | None:
    """Why ``pattern`` cannot be a reference pattern, or ``None`` when it can:
    RE2 must compile it, and it must have a ``ref`` group."""
    try:
        compiled = compile_pattern(pattern)
    except ValueError as exc:
        return str(exc)
    if "ref" not in compiled.groupindex:
        return "has no named group 'ref' (write (?P<ref>...) around the reference)"
    return None
