"""Durations are written like 90s, 5m, 1h, 1d or 1h30m."""

from __future__ import annotations

from datetime import timedelta

import pytest
from pydantic import ValidationError

from goldthread.config import Settings, format_duration, parse_duration


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("90s", timedelta(seconds=90)),
        ("5m", timedelta(minutes=5)),
        ("1h", timedelta(hours=1)),
        ("1d", timedelta(days=1)),
        ("1h30m", timedelta(hours=1, minutes=30)),
        ("2d3h4m5s", timedelta(days=2, hours=3, minutes=4, seconds=5)),
        ("0s", timedelta(0)),
    ],
)
def test_a_duration_string_becomes_a_timedelta(text: str, expected: timedelta) -> None:
    assert parse_duration(text) == expected


@pytest.mark.parametrize("text", ["5 minutes", "", "5", "1m1h", "-5m", "1.5h", "5M", "PT5M"])
def test_anything_else_is_not_a_duration_and_says_which_forms_are(text: str) -> None:
    with pytest.raises(ValueError, match=r"is not a duration \(use 90s, 5m, 1h, 1d, 1h30m\)"):
        parse_duration(text)


def test_a_duration_is_written_back_in_its_shortest_form() -> None:
    assert format_duration(timedelta(minutes=90)) == "1h30m"
    assert format_duration(timedelta(0)) == "0s"


def test_a_number_without_a_unit_is_refused_in_config() -> None:
    with pytest.raises(ValidationError) as caught:
        Settings(policy={"grace_period": 300})
    assert "300 is not a duration" in caught.value.errors()[0]["msg"]


def test_intervals_must_be_longer_than_zero_but_a_grace_period_may_be_zero() -> None:
    assert Settings(policy={"grace_period": "0s"}).policy.grace_period == timedelta(0)
    with pytest.raises(ValidationError) as caught:
        Settings(daemon={"poll_interval": "0s"})
    assert caught.value.errors()[0]["msg"] == "must be longer than 0s"


def test_braces_in_a_bad_duration_are_echoed_literally() -> None:
    with pytest.raises(ValidationError) as caught:
        Settings(daemon={"poll_interval": "{x}"})
    assert caught.value.errors()[0]["msg"].startswith("'{x}' is not a duration")
