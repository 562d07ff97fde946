"""/metrics shows how long untraced items have been untraced (a histogram)
and what became of each digest message."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from support_metrics import metric

from goldthread.clock import FakeClock
from goldthread.core.ageing import FlagSpan
from goldthread.service.metrics import ServiceMetrics
from goldthread.store import open_store

NOW = datetime(2026, 3, 9, 8, 0, tzinfo=UTC)


def test_the_age_histogram_counts_open_stretches_and_digest_outcomes_are_counted() -> None:
    with open_store("sqlite:///:memory:") as store:
        metrics = ServiceMetrics(store, {}, FakeClock(NOW))
        assert "goldthread_untraced_age_seconds" not in metrics.render().decode()
        spans = {
            "a": FlagSpan("a", NOW - timedelta(hours=2)),
            "b": FlagSpan("b", NOW - timedelta(days=10)),
            "c": FlagSpan("c", NOW - timedelta(days=400)),
            "d": FlagSpan("d", NOW - timedelta(days=5), NOW - timedelta(days=1)),  # ended
        }
        metrics.record_ages(spans, NOW)
        metrics.digests.labels(target="chat", outcome="retry").inc()
        metrics.digests.labels(target="chat", outcome="sent").inc()
        text = metrics.render().decode()
    name = "goldthread_untraced_age_seconds_bucket"
    assert metric(text, name, le="86400") == 1
    assert metric(text, name, le="1.2096e+06") == 2  # two weeks
    assert metric(text, name, le="+Inf") == 3
    assert metric(text, "goldthread_untraced_age_seconds_count") == 3
    assert metric(text, "goldthread_digest_messages_total", target="chat", outcome="sent") == 1
    assert metric(text, "goldthread_digest_messages_total", target="chat", outcome="retry") == 1
