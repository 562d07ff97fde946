"""Incremental evaluation against a whole trace, at length: thousands of random
sequences of changes (``make reliability``), a few dozen in a quick run."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, settings
from reliability_helpers import FULL
from support_incremental import IncrementalMatchesWhole

pytestmark = pytest.mark.timeout(1800 if FULL else 120)


class LongIncrementalMatchesWhole(IncrementalMatchesWhole):
    """The same machine, run longer."""


LongIncrementalMatchesWhole.TestCase.settings = settings(
    max_examples=3_000 if FULL else 30,
    stateful_step_count=80 if FULL else 30,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
)
TestLongIncrementalMatchesWhole = LongIncrementalMatchesWhole.TestCase
