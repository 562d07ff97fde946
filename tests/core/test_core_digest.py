"""A digest says what changed for one owner since the last one."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from goldthread.core.ageing import age_text, distribution
from goldthread.core.digest import BarrenEntry, Entry, Snapshot, compose, snapshot
from goldthread.core.model import Layer, VerdictKind

NOW = datetime(2026, 3, 9, 8, 0, tzinfo=UTC)
WEEK = timedelta(days=7)


def entry(
    ref: str, kind: VerdictKind, *, since: datetime | None = None, cleared: datetime | None = None
) -> Entry:
    reason = "no-parent" if kind is VerdictKind.ORPHAN else "linked"
    return Entry(
        ref,
        f"https://x.example/{ref}",
        f"title {ref}",
        Layer.EXECUTION,
        kind,
        reason,
        since,
        cleared,
    )


def test_newly_untraced_and_fixed_are_judged_against_the_last_snapshot() -> None:
    previous = Snapshot("web", NOW - WEEK, traced=2, untraced=2, refs=frozenset({"a", "b"}))
    entries = [
        entry("a", VerdictKind.ORPHAN, since=NOW - 3 * WEEK),
        entry("b", VerdictKind.TRACED),
        entry("c", VerdictKind.ORPHAN, since=NOW - timedelta(days=1)),
        entry("d", VerdictKind.TRACED),
        entry("e", VerdictKind.TRACED),
    ]
    digest = compose("web", entries, [], previous, now=NOW, window=WEEK)
    assert [e.ref for e in digest.newly] == ["c"]
    assert [e.ref for e in digest.fixed] == ["b"]
    assert [e.ref for e in digest.oldest] == ["a", "c"]
    assert digest.coverage_then == 0.5
    assert digest.coverage_now == 0.6
    assert digest.since == NOW - WEEK
    assert not digest.quiet


def test_without_a_snapshot_the_window_and_the_flag_history_decide() -> None:
    entries = [
        entry("old", VerdictKind.ORPHAN, since=NOW - 5 * WEEK),
        entry("new", VerdictKind.ORPHAN, since=NOW - timedelta(days=2)),
        entry("mended", VerdictKind.TRACED, cleared=NOW - timedelta(days=3)),
        entry("long-mended", VerdictKind.TRACED, cleared=NOW - 3 * WEEK),
    ]
    digest = compose("web", entries, [], None, now=NOW, window=WEEK)
    assert [e.ref for e in digest.newly] == ["new"]
    assert [e.ref for e in digest.fixed] == ["mended"]
    assert digest.coverage_then is None


def test_an_owner_with_nothing_untraced_barren_or_changed_is_quiet() -> None:
    entries = [entry("a", VerdictKind.TRACED)]
    previous = snapshot("web", entries, NOW - WEEK)
    assert compose("web", entries, [], previous, now=NOW, window=WEEK).quiet
    barren = [BarrenEntry("v", "", "A vision", Layer.VISION, Layer.STRATEGY)]
    assert not compose("web", entries, barren, previous, now=NOW, window=WEEK).quiet


def test_long_lists_are_cut_with_their_totals_kept() -> None:
    entries = [
        entry(f"x{i:02}", VerdictKind.ORPHAN, since=NOW - timedelta(hours=i)) for i in range(40)
    ]
    digest = compose("web", entries, [], None, now=NOW, window=WEEK, limit=15, oldest=3)
    assert len(digest.newly) == 15
    assert digest.newly_total == 40
    assert [e.ref for e in digest.oldest] == ["x39", "x38", "x37"]


def test_ages_fall_into_week_month_and_older_buckets() -> None:
    sinces = [NOW - timedelta(days=d) for d in (1, 6, 8, 29, 31, 400)]
    assert distribution(sinces, NOW) == {"< 1 week": 2, "< 1 month": 2, "older": 2}
    assert age_text(timedelta(hours=5)) == "5 hours"
    assert age_text(timedelta(days=12)) == "12 days"
    assert age_text(timedelta(days=90)) == "12 weeks"
