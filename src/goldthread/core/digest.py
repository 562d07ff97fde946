"""What one owner's digest says (docs/behaviour.md#owners-and-digests). Pure: the store's facts and "now" come in.

A digest compares now with the owner's last snapshot (taken when the last
digest was made): coverage then and now, the items untraced now that were
not then (newly untraced), those untraced then that are traced or exempt now
(fixed), the oldest untraced items with their age, and the owner's barren
items. Before an owner's first snapshot there is no "then": newly untraced
and fixed are judged by the flag history within the window instead.

An owner with nothing untraced, nothing barren and nothing changed gets no
message (:attr:`Digest.quiet`). Long lists are cut to ``limit`` items, the
totals kept, so a message always fits what the chat tools accept.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from goldthread.core.model import Layer, VerdictKind

LIST_LIMIT = 15
"""Items listed per section before "and N more"."""


@dataclass(frozen=True, slots=True)
class Entry:
    """One item of an owner, as a digest sees it."""

    ref: str
    url: str
    title: str
    layer: Layer
    verdict: VerdictKind
    reason: str
    since: datetime | None = None
    """When goldthread first judged it untraced (while it is)."""
    cleared_at: datetime | None = None
    """When its latest untraced stretch ended (while it is not untraced)."""

    @property
    def untraced(self) -> bool:
        return self.verdict.flaggable


@dataclass(frozen=True, slots=True)
class BarrenEntry:
    ref: str
    url: str
    title: str
    layer: Layer
    missing: Layer


@dataclass(frozen=True, slots=True)
class Snapshot:
    """An owner's state when a digest was made: the baseline of the next one."""

    team: str
    at: datetime
    traced: int
    untraced: int
    refs: frozenset[str] = field(default_factory=frozenset)
    """The untraced refs."""

    @property
    def coverage(self) -> float | None:
        counted = self.traced + self.untraced
        return self.traced / counted if counted else None


@dataclass(frozen=True, slots=True)
class Digest:
    """One owner's digest, ready to render."""

    team: str
    generated_at: datetime
    since: datetime | None
    """When the previous digest was made (``None``: this is the first)."""
    coverage_then: float | None
    coverage_now: float | None
    traced: int
    untraced: int
    newly: tuple[Entry, ...] = ()
    newly_total: int = 0
    fixed: tuple[Entry, ...] = ()
    fixed_total: int = 0
    oldest: tuple[Entry, ...] = ()
    barren: tuple[BarrenEntry, ...] = ()
    barren_total: int = 0

    @property
    def quiet(self) -> bool:
        """Nothing untraced, nothing barren, nothing changed: no message."""
        return not (self.untraced or self.barren_total or self.newly_total or self.fixed_total)


def snapshot(team: str, entries: Iterable[Entry], at: datetime) -> Snapshot:
    """The owner's state at ``at``, to compare the next digest with."""
    listed = list(entries)
    untraced = frozenset(e.ref for e in listed if e.untraced)
    traced = sum(1 for e in listed if e.verdict is VerdictKind.TRACED)
    return Snapshot(team=team, at=at, traced=traced, untraced=len(untraced), refs=untraced)


def compose(
    team: str,
    entries: Sequence[Entry],
    barren: Sequence[BarrenEntry],
    previous: Snapshot | None,
    *,
    now: datetime,
    window: timedelta,
    oldest: int = 5,
    limit: int = LIST_LIMIT,
) -> Digest:
    """The digest of ``team`` at ``now``: since ``previous``, or over the last
    ``window`` when there is none."""
    now_state = snapshot(team, entries, now)
    untraced = [e for e in entries if e.untraced]
    if previous is not None:
        newly = [e for e in untraced if e.ref not in previous.refs]
        fixed = [e for e in entries if e.ref in previous.refs and not e.untraced]
    else:
        start = now - window
        newly = [e for e in untraced if e.since is not None and e.since >= start]
        fixed = [
            e
            for e in entries
            if not e.untraced and e.cleared_at is not None and e.cleared_at >= start
        ]
    newly.sort(key=lambda e: (_time(e.since), e.ref), reverse=True)
    fixed.sort(key=lambda e: e.ref)
    aged = sorted((e for e in untraced if e.since is not None), key=lambda e: (e.since, e.ref))
    ranked_barren = sorted(barren, key=lambda b: (-b.layer.rank, b.ref))
    return Digest(
        team=team,
        generated_at=now,
        since=previous.at if previous is not None else None,
        coverage_then=previous.coverage if previous is not None else None,
        coverage_now=now_state.coverage,
        traced=now_state.traced,
        untraced=now_state.untraced,
        newly=tuple(newly[:limit]),
        newly_total=len(newly),
        fixed=tuple(fixed[:limit]),
        fixed_total=len(fixed),
        oldest=tuple(aged[:oldest]),
        barren=tuple(ranked_barren[:limit]),
        barren_total=len(ranked_barren),
    )


def _time(value: datetime | None) -> float:
    return value.timestamp() if value is not None else 0.0
