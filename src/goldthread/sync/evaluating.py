"""Evaluation: every stored item to a verdict, saved back to the store.

The shell around the pure walk in :mod:`goldthread.core.tracing`: load the
items, trace them all (one item's verdict depends on its ancestors, so a
change anywhere re-evaluates everything beneath it), find barren items, save
both, and record per-source, per-layer counts for the coverage trend.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime

from goldthread.core.barren import find_barren
from goldthread.core.model import Barren, Layer, TracePolicy, Verdict, VerdictKind, WorkItem
from goldthread.core.tracing import coverage, trace
from goldthread.store.base import CoverageRow, Store


@dataclass(frozen=True, slots=True)
class EvaluationResult:
    """What one evaluation found.

    ``changed`` are the refs whose verdict differs from the one stored before
    (new items included); ``rows`` are the counts recorded for the trend.
    """

    verdicts: Mapping[str, Verdict]
    barren: tuple[Barren, ...]
    by_layer: Mapping[Layer, int]
    by_verdict: Mapping[VerdictKind, int]
    rows: tuple[CoverageRow, ...]
    changed: frozenset[str]
    evaluated_at: datetime

    @classmethod
    def nothing(cls, now: datetime) -> EvaluationResult:
        """No evaluation (a cycle stopped before it got there)."""
        by_layer, by_verdict = _tally({})
        return cls({}, (), by_layer, by_verdict, (), frozenset(), now)

    @property
    def items(self) -> int:
        return len(self.verdicts)

    @property
    def coverage(self) -> float | None:
        """traced ÷ (traced + orphan + broken) over all items; ``None`` when none count."""
        return coverage(self.verdicts)


def evaluate(
    store: Store, policy: TracePolicy, now: datetime, run_id: int | None = None
) -> EvaluationResult:
    """Trace every stored item under ``policy`` at ``now`` and save the outcome.

    With ``run_id``, the per-source, per-layer counts are recorded against
    that run for the coverage history.
    """
    items = {item.ref: item for item in store.items()}
    before = store.verdicts()
    verdicts = trace(items, policy, now)
    barren = find_barren(items, verdicts)
    store.save_verdicts(verdicts.values(), now)
    store.save_barren(barren)
    rows = coverage_rows(items, verdicts)
    by_layer, by_verdict = _tally(verdicts)
    if run_id is not None:
        store.record_coverage(run_id, now, list(rows))
    return EvaluationResult(
        verdicts=verdicts,
        barren=tuple(barren),
        by_layer=by_layer,
        by_verdict=by_verdict,
        rows=rows,
        changed=frozenset(ref for ref, v in verdicts.items() if before.get(ref) != v),
        evaluated_at=now,
    )


def coverage_rows(
    items: Mapping[str, WorkItem], verdicts: Mapping[str, Verdict]
) -> tuple[CoverageRow, ...]:
    """Verdict counts per (source, layer), sorted, one row per pair present."""
    counts: Counter[tuple[str, Layer, VerdictKind]] = Counter()
    for ref, verdict in verdicts.items():
        item = items.get(ref)
        source = item.source if item is not None else ref.partition(":")[0]
        counts[source, verdict.layer, verdict.kind] += 1
    pairs = sorted(
        {(source, layer) for source, layer, _ in counts}, key=lambda p: (p[0], -p[1].rank)
    )
    return tuple(
        CoverageRow(
            source=source,
            layer=layer,
            traced=counts[source, layer, VerdictKind.TRACED],
            orphan=counts[source, layer, VerdictKind.ORPHAN],
            broken=counts[source, layer, VerdictKind.BROKEN],
            exempt=counts[source, layer, VerdictKind.EXEMPT],
        )
        for source, layer in pairs
    )


def _tally(verdicts: Mapping[str, Verdict]) -> tuple[dict[Layer, int], dict[VerdictKind, int]]:
    """Items per layer and per verdict, every key present (zero included)."""
    by_layer = dict.fromkeys(Layer, 0)
    by_verdict = dict.fromkeys(VerdictKind, 0)
    for verdict in verdicts.values():
        by_layer[verdict.layer] += 1
        by_verdict[verdict.kind] += 1
    return by_layer, by_verdict
