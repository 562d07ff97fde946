"""A digest's sections, shared by every renderer, and its plain-text form
(the email's text part, the Slack notification line, ``--dry-run``)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from goldthread.core.ageing import age, age_text
from goldthread.core.digest import Digest

BRAND = "goldthread"


@dataclass(frozen=True, slots=True)
class Line:
    """One listed item: its ref (linked to ``url``), title and a note."""

    ref: str
    url: str
    title: str
    note: str


@dataclass(frozen=True, slots=True)
class Section:
    title: str
    lines: tuple[Line, ...]
    more: int = 0
    """How many were left out of the list."""


def flat(text: str) -> str:
    """Tracker text on one line, without control characters."""
    return " ".join("".join(ch if ch.isprintable() else " " for ch in text).split())


def pct(value: float | None) -> str:
    return "—" if value is None else f"{value * 100:.1f}%"


def coverage_line(digest: Digest) -> str:
    """``Coverage 82.0% (was 78.5% on 2026-03-02) · 12 untraced``."""
    now = f"Coverage {pct(digest.coverage_now)}"
    if digest.since is None:
        then = " (first digest)"
    else:
        change = ""
        if digest.coverage_now is not None and digest.coverage_then is not None:
            points = (digest.coverage_now - digest.coverage_then) * 100
            change = f", {points:+.1f} points"
        then = f" (was {pct(digest.coverage_then)} on {digest.since:%Y-%m-%d}{change})"
    return f"{now}{then} · {digest.untraced} untraced"


def subject(digest: Digest) -> str:
    """One line: the email subject and the chat notification text."""
    return (
        f"{BRAND} digest for {flat(digest.team)}: coverage {pct(digest.coverage_now)}, "
        f"{digest.newly_total} newly untraced, {digest.fixed_total} fixed, "
        f"{digest.untraced} untraced"
    )


def sections(digest: Digest) -> list[Section]:
    """The digest's lists, in the order every renderer shows them (empty ones left out)."""
    found = [
        Section(
            "Newly untraced",
            tuple(
                Line(e.ref, e.url, flat(e.title), f"{e.verdict.value}: {e.reason}")
                for e in digest.newly
            ),
            digest.newly_total - len(digest.newly),
        ),
        Section(
            "Fixed",
            tuple(
                Line(e.ref, e.url, flat(e.title), f"now {e.verdict.value}") for e in digest.fixed
            ),
            digest.fixed_total - len(digest.fixed),
        ),
        Section(
            "Oldest untraced",
            tuple(
                Line(e.ref, e.url, flat(e.title), f"untraced {_age(e.since, digest.generated_at)}")
                for e in digest.oldest
            ),
        ),
        Section(
            "Barren",
            tuple(
                Line(b.ref, b.url, flat(b.title), f"{b.layer.value} with no {b.missing.value}")
                for b in digest.barren
            ),
            digest.barren_total - len(digest.barren),
        ),
    ]
    return [section for section in found if section.lines]


def _age(since: datetime | None, now: datetime) -> str:
    return f"for {age_text(age(since, now))}"


def heading(digest: Digest) -> str:
    return f"{BRAND} digest · {flat(digest.team)} · {digest.generated_at:%Y-%m-%d %H:%M} UTC"


def render_text(digest: Digest) -> str:
    """The digest as plain text: every item by ref, with its link."""
    lines = [heading(digest), coverage_line(digest)]
    for section in sections(digest):
        lines += ["", f"{section.title} ({len(section.lines) + section.more})"]
        for line in section.lines:
            title = f"  {line.title}" if line.title else ""
            lines.append(f"  - {line.ref}{title} ({line.note})")
            if line.url:
                lines.append(f"    {line.url}")
        if section.more:
            lines.append(f"  … and {section.more} more (goldthread report --owner)")
    if not sections(digest):
        lines += ["", "Nothing untraced and nothing changed."]
    return "\n".join(lines) + "\n"
