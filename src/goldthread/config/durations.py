"""Durations as people write them in config: ``90s``, ``5m``, ``1h``, ``1d``, ``1h30m``.

A plain integer would leave the unit to guesswork (seconds? minutes?), and
ISO 8601 (``PT5M``) is unfamiliar; so a duration is a string of whole
numbers each followed by its unit, largest unit first.
"""

from __future__ import annotations

import re
from datetime import timedelta
from typing import Annotated, Any

from pydantic import PlainSerializer, PlainValidator, WithJsonSchema
from pydantic_core import PydanticCustomError

_UNITS = (("d", 86400), ("h", 3600), ("m", 60), ("s", 1))
_DURATION = re.compile(r"(?:(?P<d>\d+)d)?(?:(?P<h>\d+)h)?(?:(?P<m>\d+)m)?(?:(?P<s>\d+)s)?")
HINT = "use 90s, 5m, 1h, 1d, 1h30m"


def parse_duration(text: str) -> timedelta:
    """``1h30m`` -> 90 minutes; raises ``ValueError`` naming the accepted forms."""
    match = _DURATION.fullmatch(text)
    if not text or match is None:
        raise ValueError(f"{text!r} is not a duration ({HINT})")
    seconds = sum(int(match[unit] or 0) * size for unit, size in _UNITS)
    return timedelta(seconds=seconds)


def format_duration(value: timedelta) -> str:
    """The shortest config spelling of ``value``: 5400 s -> ``1h30m``; zero -> ``0s``."""
    remaining = int(value.total_seconds())
    parts = []
    for unit, size in _UNITS:
        count, remaining = divmod(remaining, size)
        if count:
            parts.append(f"{count}{unit}")
    return "".join(parts) or "0s"


def _validate(value: Any) -> timedelta:
    if isinstance(value, timedelta):
        return value
    if not isinstance(value, str):
        raise _not_a_duration(value)
    try:
        return parse_duration(value)
    except ValueError:
        raise _not_a_duration(value) from None


def _not_a_duration(value: Any) -> PydanticCustomError:
    return PydanticCustomError("duration", f"{value!r} is not a duration ({HINT})")


def _positive(value: timedelta) -> timedelta:
    if value <= timedelta(0):
        raise PydanticCustomError("duration_positive", "must be longer than 0s")
    return value


JSON_SCHEMA = {
    "type": "string",
    "pattern": "^(?:[0-9]+d)?(?:[0-9]+h)?(?:[0-9]+m)?(?:[0-9]+s)?$",
    "minLength": 2,
    "examples": ["90s", "5m", "1h", "1d", "1h30m"],
}
"""Durations as an editor checks them (the loader's rule: units largest first)."""

Duration = Annotated[
    timedelta,
    PlainValidator(_validate),
    PlainSerializer(format_duration, return_type=str),
    WithJsonSchema(JSON_SCHEMA),
]
"""A config duration, zero allowed (``grace_period = "0s"``)."""

PositiveDuration = Annotated[
    timedelta,
    PlainValidator(lambda value: _positive(_validate(value))),
    PlainSerializer(format_duration, return_type=str),
    WithJsonSchema(JSON_SCHEMA),
]
"""A config duration that must be longer than zero (intervals, timeouts)."""
