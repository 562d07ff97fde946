"""How long items have been untraced. Pure: "now" comes in.

goldthread keeps, per item, when it first judged the item untraced in the
current stretch (``flagged_since``) and when that stretch ended. The age of
an untraced item is ``now - flagged_since``; reports sort ages into a few
buckets people think in.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta

BUCKETS: tuple[tuple[str, timedelta | None], ...] = (
    ("< 1 week", timedelta(days=7)),
    ("< 1 month", timedelta(days=30)),
    ("older", None),
)
"""Age buckets, youngest first: a name and the age it stays under (``None``: any)."""
BUCKET_NAMES: tuple[str, ...] = tuple(name for name, _ in BUCKETS)

HISTOGRAM_BUCKETS: tuple[float, ...] = (
    3600.0,
    86400.0,
    3 * 86400.0,
    7 * 86400.0,
    14 * 86400.0,
    30 * 86400.0,
    90 * 86400.0,
    365 * 86400.0,
)
"""Upper bounds (seconds) of the Prometheus age histogram: an hour to a year."""


@dataclass(frozen=True, slots=True)
class FlagSpan:
    """The latest stretch an item was untraced: since when, and until when
    (``cleared_at`` is ``None`` while it lasts)."""

    ref: str
    since: datetime
    cleared_at: datetime | None = None

    @property
    def open(self) -> bool:
        return self.cleared_at is None


def age(since: datetime | None, now: datetime) -> timedelta | None:
    """How long ago ``since`` was (never negative); ``None`` without one."""
    return None if since is None else max(timedelta(0), now - since)


def bucket(since: datetime, now: datetime) -> str:
    """The name of the age bucket ``since`` falls in at ``now``."""
    elapsed = now - since
    for name, under in BUCKETS:
        if under is None or elapsed < under:
            return name
    return BUCKETS[-1][0]  # pragma: no cover - the last bucket takes any age


def distribution(sinces: Iterable[datetime], now: datetime) -> dict[str, int]:
    """How many of ``sinces`` fall in each bucket, every bucket present."""
    counts = dict.fromkeys(BUCKET_NAMES, 0)
    for since in sinces:
        counts[bucket(since, now)] += 1
    return counts


def age_text(elapsed: timedelta | None) -> str:
    """An age for people: ``3 hours``, ``12 days``, ``9 weeks``; ``—`` without one."""
    if elapsed is None:
        return "—"
    hours = int(elapsed.total_seconds() // 3600)
    if hours < 48:
        return _plural(hours, "hour")
    days = hours // 24
    if days < 70:
        return _plural(days, "day")
    return _plural(days // 7, "week")


def _plural(n: int, unit: str) -> str:
    return f"{n} {unit}" if n == 1 else f"{n} {unit}s"
