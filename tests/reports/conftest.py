"""Fixtures shared by the report tests."""

from __future__ import annotations

import pytest
from reports_sample import sample_report

from goldthread.reports.data import ReportData


@pytest.fixture
def report() -> ReportData:
    """The sample organisation's report, every verdict present."""
    return sample_report()
