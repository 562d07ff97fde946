"""When digests are due (docs/behaviour.md#owners-and-digests ``[digest]``). Pure: "now" and the zone come in.

Periods are counted on the local wall clock of the configured zone, from a
fixed anchor: the configured weekday of the week of 1970-01-05 at the
configured time of day, then every ``every`` after it. Counting on the wall
clock keeps "09:00" at 09:00 through daylight saving time: a daily digest
goes out at nine in winter and in summer, a day of 23 or 25 hours apart.

A wall time that does not exist (the hour skipped in spring) is read with
the offset before the change, so it falls an hour later; one that exists
twice (the hour repeated in autumn) is its first occurrence. Each period is
named by the instant it starts, so it is sent at most once, however the
clock or the zone's rules move.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, time, timedelta, tzinfo

WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
_ANCHOR = datetime(1970, 1, 5)  # a Monday, on the local wall clock


@dataclass(frozen=True, slots=True)
class Schedule:
    """Every ``every``, at ``at`` local time in ``zone``, counted from ``weekday``."""

    every: timedelta
    at: time
    zone: tzinfo
    weekday: int = 0  # 0 = Monday

    @property
    def anchor(self) -> datetime:
        """The first period's start on the local wall clock (naive)."""
        return _ANCHOR + timedelta(days=self.weekday, hours=self.at.hour, minutes=self.at.minute)


def _instant(schedule: Schedule, wall: datetime) -> datetime:
    """A local wall time as an aware UTC instant (fold 0: see the module doc)."""
    return wall.replace(tzinfo=schedule.zone).astimezone(UTC)


def _wall(schedule: Schedule, k: int) -> datetime:
    return schedule.anchor + schedule.every * k


def period_start(schedule: Schedule, now: datetime) -> datetime:
    """The start (aware UTC) of the period ``now`` falls in: the latest
    scheduled instant at or before ``now``."""
    local = now.astimezone(schedule.zone).replace(tzinfo=None)
    k = (local - schedule.anchor) // schedule.every
    while _instant(schedule, _wall(schedule, k)) > now:
        k -= 1
    while _instant(schedule, _wall(schedule, k + 1)) <= now:
        k += 1
    return _instant(schedule, _wall(schedule, k))


def next_start(schedule: Schedule, now: datetime) -> datetime:
    """The first scheduled instant (aware UTC) after ``now``."""
    start = period_start(schedule, now)
    local = start.astimezone(schedule.zone).replace(tzinfo=None)
    k = (local - schedule.anchor) // schedule.every + 1
    while _instant(schedule, _wall(schedule, k)) <= now:
        k += 1
    return _instant(schedule, _wall(schedule, k))


def period_name(schedule: Schedule, start: datetime) -> str:
    """How people read a period's start: its local time and zone."""
    local = start.astimezone(schedule.zone)
    return f"{local:%Y-%m-%d %H:%M} {local.tzname() or ''}".strip()
