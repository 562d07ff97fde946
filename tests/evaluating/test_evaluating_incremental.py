"""Judging only what changed gives exactly what judging everything gives."""

from __future__ import annotations

from hypothesis import HealthCheck, settings
from support_incremental import IncrementalMatchesWhole

IncrementalMatchesWhole.TestCase.settings = settings(
    max_examples=40,
    stateful_step_count=30,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
)
TestIncrementalMatchesWhole = IncrementalMatchesWhole.TestCase
