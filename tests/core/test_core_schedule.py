"""Digest periods on the local wall clock: at the configured time through
daylight saving time, once per period."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

from goldthread.core.schedule import Schedule, next_start, period_name, period_start

BERLIN = ZoneInfo("Europe/Berlin")


def test_a_daily_digest_stays_at_nine_local_across_the_spring_change() -> None:
    daily = Schedule(every=timedelta(days=1), at=time(9, 0), zone=BERLIN)
    # 2026-03-29: clocks go from 02:00 to 03:00 in Berlin (UTC+1 -> UTC+2).
    before = period_start(daily, datetime(2026, 3, 28, 12, 0, tzinfo=UTC))
    after = period_start(daily, datetime(2026, 3, 29, 12, 0, tzinfo=UTC))
    assert before == datetime(2026, 3, 28, 8, 0, tzinfo=UTC)  # 09:00 CET
    assert after == datetime(2026, 3, 29, 7, 0, tzinfo=UTC)  # 09:00 CEST
    assert after - before == timedelta(hours=23)
    assert period_name(daily, after) == "2026-03-29 09:00 CEST"


def test_a_weekly_digest_starts_on_the_configured_weekday() -> None:
    weekly = Schedule(every=timedelta(days=7), at=time(9, 30), zone=BERLIN, weekday=4)
    start = period_start(weekly, datetime(2026, 11, 4, 12, 0, tzinfo=UTC))  # a Wednesday
    assert start.astimezone(BERLIN).strftime("%A %H:%M") == "Friday 09:30"
    assert next_start(weekly, start) - start == timedelta(days=7)


def test_a_time_in_the_skipped_hour_falls_an_hour_later_and_each_period_is_one_instant() -> None:
    daily = Schedule(every=timedelta(days=1), at=time(2, 30), zone=BERLIN)
    start = period_start(daily, datetime(2026, 3, 29, 6, 0, tzinfo=UTC))
    assert start.astimezone(BERLIN).strftime("%H:%M %Z") == "03:30 CEST"
    moments = [
        datetime(2026, 3, 29, 1, 30, tzinfo=UTC) + timedelta(minutes=m) for m in range(0, 600, 7)
    ]
    assert len({period_start(daily, m) for m in moments if m >= start}) == 1


def test_the_period_start_is_never_after_now_and_the_next_is_always_after() -> None:
    hourly = Schedule(every=timedelta(hours=6), at=time(0, 0), zone=BERLIN)
    moment = datetime(2026, 10, 25, 0, 0, tzinfo=UTC)  # autumn change: 03:00 -> 02:00
    for minutes in range(0, 24 * 60, 13):
        now = moment + timedelta(minutes=minutes)
        assert period_start(hourly, now) <= now < next_start(hourly, now)
