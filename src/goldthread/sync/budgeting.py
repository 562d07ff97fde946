"""Writing back inside a tracker's content-creation limits (docs/behaviour.md#pacing).

GitHub.com allows about 80 content-creating requests (comments) a minute and
500 an hour per account, counted across everything the account does. Each
such source gets a :class:`~goldthread.connectors.pacing.ContentPacer` on its
credential's line in the store, so the limit holds across runs and replicas
without waiting for GitHub to refuse.

A plan whose comments do not fit is written in a fixed order: every label
first (cheap, and visible at once), then the comments in the plan's stable
order (by ref). A run writes the comments whose slot starts within its
patience (an hour for ``backfill`` and ``sync``, a poll interval for the
service) and leaves the rest for the next run, which finds the same items
first in the same order; nothing is written twice, because the ledger and
the item's marker say what is already there. :func:`outlook` says, before
the first write, when the whole plan will be on the trackers.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from goldthread.clock import Clock
from goldthread.connectors.base import Connector, ContentLimited
from goldthread.connectors.pacing import ContentPacer, finish_time
from goldthread.store.base import LeaseStore
from goldthread.sync.planning import Action, ActionKind

_LABELS = (ActionKind.ADD_LABEL, ActionKind.REMOVE_LABEL)


def content_pacers(
    store: LeaseStore, connectors: Mapping[str, Connector], clock: Clock
) -> dict[str, ContentPacer]:
    """A pacer for each source with documented content limits, on the store's line."""
    pacers: dict[str, ContentPacer] = {}
    for name, connector in connectors.items():
        limits = connector.content_limits() if isinstance(connector, ContentLimited) else None
        if limits is None:
            continue

        def reserve(interval: timedelta, now: datetime, line: str = limits.line) -> datetime:
            return store.reserve_slot(line, interval, now)

        pacers[name] = ContentPacer(limits, clock, reserve)
    return pacers


def labels_first(plan: Sequence[Action]) -> list[Action]:
    """Label actions first, then the rest; each group keeps the plan's order."""
    return [a for a in plan if a.kind in _LABELS] + [a for a in plan if a.kind not in _LABELS]


@dataclass(frozen=True, slots=True)
class Outlook:
    """When one source's planned writes will all be on the tracker."""

    source: str
    comments: int  # comments the plan may create
    writes: int  # other writes
    finish: datetime
    started: datetime

    @property
    def duration(self) -> timedelta:
        return self.finish - self.started


def outlook(
    plan: Sequence[Action], pacers: Mapping[str, ContentPacer], now: datetime
) -> dict[str, Outlook]:
    """Per paced source: how long writing the whole plan takes (labels first)."""
    found: dict[str, Outlook] = {}
    for source, pacer in pacers.items():
        mine = [a for a in plan if a.source == source]
        comments = sum(1 for a in mine if a.kind is ActionKind.CREATE_COMMENT)
        if not comments:
            continue
        writes = len(mine) - comments
        finish = finish_time(pacer.limits, now, pacer.line_value(now), writes, comments)
        found[source] = Outlook(source, comments, writes, finish, now)
    return found


def duration_text(duration: timedelta) -> str:
    """``4h 35m``, ``12m``, ``40s``."""
    seconds = max(int(duration.total_seconds()), 0)
    hours, rest = divmod(seconds, 3600)
    minutes, seconds = divmod(rest, 60)
    if hours:
        return f"{hours}h {minutes:02d}m"
    return f"{minutes}m" if minutes else f"{seconds}s"
