"""What ``GET /metrics`` exports, in Prometheus text.

Counters and histograms are updated where things happen (intake, worker,
poller); values that live elsewhere (the inbox in the store, request counts
and rate budgets in the connectors, the loops' heartbeats) are read at
scrape time by a collector, so they are never stale and never
double-counted. Each service has its own registry, so several can live in
one test process.

A scrape never fails for the store: when it does not answer,
``goldthread_store_up`` is 0 and the inbox gauges are left out, while the
heartbeats show which loops still move.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram, generate_latest
from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily, HistogramMetricFamily
from prometheus_client.registry import Collector

from goldthread.clock import Clock
from goldthread.connectors.base import Connector
from goldthread.core.ageing import HISTOGRAM_BUCKETS, FlagSpan
from goldthread.core.model import Layer, Verdict, VerdictKind
from goldthread.errors import StoreError
from goldthread.service.supervising import Heartbeat, stalled
from goldthread.store.base import InboxStatus, Store
from goldthread.sync.planning import ActionKind

_LATENCY_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60)
_POLL_BUCKETS = (0.1, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300, 600, 1800)


class ServiceMetrics:
    """The service's metrics, on a registry of their own."""

    def __init__(
        self,
        store: Store,
        connectors: Mapping[str, Connector],
        clock: Clock,
        heartbeats: Sequence[Heartbeat] = (),
    ) -> None:
        self.registry = CollectorRegistry(auto_describe=True)
        r = self.registry
        self.items = Gauge(
            "goldthread_items", "Items by layer and verdict.", ["layer", "verdict"], registry=r
        )
        self.coverage = Gauge(
            "goldthread_coverage_ratio", "traced / (traced + orphan + broken).", registry=r
        )
        self.deliveries = Counter(
            "goldthread_webhook_deliveries",
            "Webhook deliveries by tracker and outcome.",
            ["tracker", "outcome"],
            registry=r,
        )
        self.events = Counter(
            "goldthread_events_processed",
            "Inbox entries worked on, by outcome (done, retry, dead).",
            ["outcome"],
            registry=r,
        )
        self.event_latency = Histogram(
            "goldthread_event_to_writeback_seconds",
            "From a delivery's arrival to its write-back being done.",
            buckets=_LATENCY_BUCKETS,
            registry=r,
        )
        self.writes = Counter(
            "goldthread_write_actions",
            "Writes sent to trackers, by source and kind.",
            ["source", "kind"],
            registry=r,
        )
        self.polls = Counter(
            "goldthread_polls",
            "Polls by source, kind and outcome.",
            ["source", "kind", "outcome"],
            registry=r,
        )
        self.poll_seconds = Histogram(
            "goldthread_poll_duration_seconds",
            "How long each poll took, by source and kind.",
            ["source", "kind"],
            buckets=_POLL_BUCKETS,
            registry=r,
        )
        self.leases = Gauge(
            "goldthread_lease_held",
            "1 while this replica holds the lease (poll:<source>: it polls that source).",
            ["lease"],
            registry=r,
        )
        self.digests = Counter(
            "goldthread_digest_messages",
            "Digest messages by target and outcome (sent, retry: failed and to be tried"
            " again, dead: given up).",
            ["target", "outcome"],
            registry=r,
        )
        self._store = store
        self._clock = clock
        self._ages = _AgeCollector()
        r.register(self._ages)
        self._live = _LiveCollector(connectors)
        self._rendering = threading.Lock()
        r.register(self._live)
        r.register(_LoopCollector(heartbeats))

    def lease_changed(self, lease: str, held: bool) -> None:
        self.leases.labels(lease=lease).set(1 if held else 0)

    def record_verdicts(self, verdicts: Mapping[str, Verdict]) -> None:
        """Set the items and coverage gauges from every item's verdict."""
        counts: dict[tuple[Layer, VerdictKind], int] = {}
        for verdict in verdicts.values():
            counts[verdict.layer, verdict.kind] = counts.get((verdict.layer, verdict.kind), 0) + 1
        self.record_counts(counts)

    def record_counts(self, found: Mapping[tuple[Layer, VerdictKind], int]) -> None:
        """Set the items and coverage gauges from the verdict counts after an evaluation."""
        counts = {(layer, kind): 0 for layer in Layer for kind in VerdictKind}
        counts.update(found)
        for (layer, kind), count in counts.items():
            self.items.labels(layer=layer.value, verdict=kind.value).set(count)
        by_kind = dict.fromkeys(VerdictKind, 0)
        for (_, kind), count in counts.items():
            by_kind[kind] += count
        traced = by_kind[VerdictKind.TRACED]
        judged = traced + by_kind[VerdictKind.ORPHAN] + by_kind[VerdictKind.BROKEN]
        self.coverage.set(traced / judged if judged else float("nan"))

    def record_ages(self, spans: Mapping[str, FlagSpan], now: datetime) -> None:
        """Set the untraced-age histogram from the flag history (open stretches)."""
        self._ages.set(
            [max(0.0, (now - s.since).total_seconds()) for s in spans.values() if s.open]
        )

    def record_writes(self, writes: Mapping[tuple[str, ActionKind], int]) -> None:
        for (source, kind), count in writes.items():
            if count > 0:
                self.writes.labels(source=source, kind=kind.value).inc(count)

    def inbox_now(self) -> InboxNow:
        """Read the inbox gauges from the store (raises :class:`StoreError`)."""
        return read_inbox(self._store, self._clock.now())

    def render(self) -> bytes:
        """The scrape, reading the inbox from the store now."""
        try:
            inbox: InboxNow | None = self.inbox_now()
        except StoreError:
            inbox = None
        return self.render_with(inbox)

    def render_with(self, inbox: InboxNow | None) -> bytes:
        """The scrape with the inbox as read (``None``: the store did not answer)."""
        with self._rendering:
            self._live.inbox = inbox
            return generate_latest(self.registry)


@dataclass(frozen=True, slots=True)
class InboxNow:
    """The inbox as one scrape shows it."""

    counts: Mapping[InboxStatus, int]
    depth: int
    oldest_age: float


def read_inbox(store: Store, now: datetime) -> InboxNow:
    """The inbox gauges' values; raises :class:`StoreError` when the store fails."""
    return InboxNow(store.inbox_counts(), store.inbox_depth(), oldest_age(store, now))


class _LiveCollector(Collector):
    """Inbox depth and age as last read; requests and budgets from the connectors."""

    def __init__(self, connectors: Mapping[str, Connector]) -> None:
        self._connectors = connectors
        self.inbox: InboxNow | None = None

    def describe(self) -> list[GaugeMetricFamily | CounterMetricFamily]:
        return []  # values come and go with the store; nothing to pre-declare

    def collect(self) -> Iterator[GaugeMetricFamily | CounterMetricFamily]:
        up = GaugeMetricFamily("goldthread_store_up", "1 while the store answers, else 0.")
        up.add_metric([], 0 if self.inbox is None else 1)
        yield up
        if self.inbox is not None:
            yield from _inbox(self.inbox)
        requests = CounterMetricFamily(
            "goldthread_api_requests",
            "Tracker API requests by source and status.",
            labels=["source", "status"],
        )
        remaining = GaugeMetricFamily(
            "goldthread_rate_budget_remaining",
            "Requests left in the tracker's rate budget, as last reported.",
            labels=["source"],
        )
        for name, connector in self._connectors.items():
            for status, count in sorted(dict(connector.stats.by_status).items()):
                requests.add_metric([name, str(status)], count)
            budget = connector.budget()
            if budget is not None and budget.remaining is not None:
                remaining.add_metric([name], budget.remaining)
        yield requests
        yield remaining


def _inbox(inbox: InboxNow) -> Iterator[GaugeMetricFamily]:
    depth = GaugeMetricFamily(
        "goldthread_inbox_entries", "Inbox entries by status.", labels=["status"]
    )
    for status in InboxStatus:
        depth.add_metric([status.value], inbox.counts.get(status, 0))
    yield depth
    waiting = GaugeMetricFamily(
        "goldthread_inbox_depth", "Entries still to be worked on (pending, processing, failed)."
    )
    waiting.add_metric([], inbox.depth)
    yield waiting
    age = GaugeMetricFamily(
        "goldthread_inbox_oldest_age_seconds",
        "Age of the oldest entry still waiting (0 when none is).",
    )
    age.add_metric([], inbox.oldest_age)
    yield age


class _AgeCollector(Collector):
    """How long the untraced items have been untraced, as of the last evaluation."""

    def __init__(self) -> None:
        self._ages: list[float] | None = None
        self._lock = threading.Lock()

    def set(self, ages: list[float]) -> None:
        with self._lock:
            self._ages = sorted(ages)

    def describe(self) -> list[HistogramMetricFamily]:
        return []

    def collect(self) -> Iterator[HistogramMetricFamily]:
        with self._lock:
            ages = self._ages
        if ages is None:
            return
        buckets = [
            (f"{bound:g}", float(sum(1 for a in ages if a <= bound))) for bound in HISTOGRAM_BUCKETS
        ]
        buckets.append(("+Inf", float(len(ages))))
        family = HistogramMetricFamily(
            "goldthread_untraced_age_seconds",
            "How long each untraced item has been untraced (since goldthread first found it so).",
        )
        family.add_metric([], buckets, sum_value=sum(ages))
        yield family


class _LoopCollector(Collector):
    """Each background loop's heartbeat (see :mod:`goldthread.service.supervising`)."""

    def __init__(self, heartbeats: Sequence[Heartbeat]) -> None:
        self._heartbeats = tuple(heartbeats)

    def describe(self) -> list[GaugeMetricFamily | CounterMetricFamily]:
        return []

    def collect(self) -> Iterator[GaugeMetricFamily | CounterMetricFamily]:
        beat = GaugeMetricFamily(
            "goldthread_loop_heartbeat_timestamp_seconds",
            "When each background loop last showed progress (Unix time).",
            labels=["loop"],
        )
        stuck = GaugeMetricFamily(
            "goldthread_loop_stalled",
            "1 while a loop has not beaten within its bound (/readyz names it).",
            labels=["loop"],
        )
        failed = CounterMetricFamily(
            "goldthread_loop_failed_rounds",
            "Rounds of each loop that raised (it backed off and carried on).",
            labels=["loop"],
        )
        for heartbeat in self._heartbeats:
            beat.add_metric([heartbeat.loop], heartbeat.last_beat_wall)
            stuck.add_metric([heartbeat.loop], 1 if stalled(heartbeat.pulse()) else 0)
            failed.add_metric([heartbeat.loop], heartbeat.errors)
        yield beat
        yield stuck
        yield failed


def oldest_age(store: Store, now: datetime) -> float:
    """Seconds since the oldest pending or failed entry arrived; 0 when none waits."""
    oldest = store.oldest_waiting()
    return max(0.0, (now - oldest).total_seconds()) if oldest is not None else 0.0
