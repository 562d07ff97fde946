"""Reference patterns tried, at config load, against lines crafted to make them backtrack.

:func:`goldthread.core.references.validate_pattern` turns away the shapes that
are known to backtrack catastrophically (``(a+)+``), but no static check sees
every one (``(a|a)*$``, ``\\S*\\S*x``, ``(.*?,){11}P``). So a pattern that
passes it is also run over a few crafted lines of
:data:`~goldthread.core.references.MAX_LINE_CHARS` characters, built from its
own literal characters and words; if one takes longer than
:data:`PROBE_BUDGET`, a body line could stall every evaluation, and the
pattern is refused.

CPython's regular expression engine checks for signals while it matches, so
the budget is a ``SIGALRM`` timer. Timers exist only in the main thread on
POSIX; elsewhere the probe is skipped and the static check stands alone.
"""

from __future__ import annotations

import itertools
import re
import signal
import string
import threading
import time
from collections.abc import Iterator
from types import FrameType

from goldthread.core.references import MAX_LINE_CHARS

PROBE_BUDGET = 0.25  # seconds for one crafted line; a sound pattern needs well under 1 ms
_BASE_CHARS = "aA1 ,:-#/._"
_ENDS = ("", "\x00", "!", "\n")
_MAX_PREFIXES = 6


class _TooSlowError(Exception):
    """Raised by the timer inside a match that ran past the budget."""


def _alphabet(pattern: str) -> str:
    """The characters that make this pattern's quantifiers work hardest."""
    literal = {
        ch for ch in pattern if ch in string.ascii_letters + string.digits + string.punctuation
    }
    return "".join(sorted(set(_BASE_CHARS) | literal))


def _prefixes(pattern: str) -> list[str]:
    """The pattern's literal words (``part of``), so crafted lines get past them."""
    plain = re.sub(r"\(\?P?<\w+>|\(\?\w+\)", "", pattern)
    plain = re.sub(r"\\.", "|", plain)
    words = re.findall(r"[A-Za-z][A-Za-z ]{2,}", plain)
    return ["", *dict.fromkeys(words)][:_MAX_PREFIXES]


def crafted_lines(pattern: str) -> Iterator[str]:
    """Lines of one repeated character (or pair) after one of the pattern's
    words, each with a failing end."""
    alphabet = _alphabet(pattern)
    for prefix in _prefixes(pattern):
        room = MAX_LINE_CHARS - len(prefix)
        for ch in alphabet:
            for end in _ENDS:
                yield prefix + ch * (room - len(end)) + end
        for first, second in itertools.pairwise(alphabet):
            yield prefix + (first + second) * (room // 2 - 1) + "\x00"


def _can_time() -> bool:
    return hasattr(signal, "setitimer") and threading.current_thread() is threading.main_thread()


def _on_alarm(_signum: int, _frame: FrameType | None) -> None:
    raise _TooSlowError


def probe_pattern(pattern: str, budget: float = PROBE_BUDGET) -> str | None:
    """Why ``pattern`` is too slow on crafted lines, or ``None`` (also when it
    cannot be timed here). ``pattern`` must already compile."""
    if not _can_time():
        return None
    # A timer already running (a watchdog) is paused and re-armed afterwards;
    # one due within a second is left alone, and the probe skipped.
    pending, interval = signal.getitimer(signal.ITIMER_REAL)
    if 0 < pending <= 1.0:
        return None
    compiled = re.compile(pattern)
    previous = signal.signal(signal.SIGALRM, _on_alarm)
    started = time.monotonic()
    try:
        for line in crafted_lines(pattern):
            signal.setitimer(signal.ITIMER_REAL, budget)
            for _match in compiled.finditer(line):
                pass
    except _TooSlowError:
        return (
            f"takes over {budget:g}s on a crafted {MAX_LINE_CHARS}-character line "
            "(catastrophic backtracking); anchor it (^) and avoid repeating overlapping parts"
        )
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)
        if pending:
            left = max(pending - (time.monotonic() - started), 0.001)
            signal.setitimer(signal.ITIMER_REAL, left, interval)
    return None
