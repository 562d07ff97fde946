"""Rows of the ledger, inbox, run and coverage tables read back into records.

Backend-neutral: both backends select the same columns in the same order and
differ only in how a timestamp comes back (PostgreSQL hands over an aware
datetime, SQLite the text :func:`goldthread.store.codec.ts` wrote), so each
passes its own ``moment`` reader and the rest is shared.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping, Sequence
from datetime import datetime
from typing import Any

from goldthread.core.ageing import FlagSpan
from goldthread.core.digest import Snapshot
from goldthread.core.model import Layer
from goldthread.store.base import (
    CoveragePoint,
    CoverageRow,
    Delivery,
    DeliveryStatus,
    InboxEntry,
    InboxStatus,
    LedgerEntry,
    RunRecord,
)

Moment = Callable[[Any], datetime]
"""A stored timestamp column as an aware UTC datetime."""

INBOX_COLUMNS = (
    "id, source, delivery_key, event, item_hint, payload, received_at, status,"
    " attempts, last_error, next_attempt_at, targets"
)
INBOX_SELECT = f"SELECT {INBOX_COLUMNS} FROM inbox"  # noqa: S608 (fixed columns)
VERDICT_COLUMNS = "ref, layer, kind, reason, chain, via, detail, classification"
LEDGER_SELECT = "SELECT ref, label_applied, comment_id, comment_fingerprint, updated_at FROM ledger"
RUNS_SELECT = "SELECT id, kind, started_at, finished_at, outcome, stats_json FROM runs"
COVERAGE_HISTORY = (
    "SELECT run_id, at, source, layer, traced, orphan, broken, exempt FROM coverage"
    " ORDER BY run_id, source, CASE layer WHEN 'vision' THEN 0 WHEN 'strategy' THEN 1"
    " WHEN 'execution' THEN 2 ELSE 3 END"
)
INBOX_COUNTS = "SELECT status, count(*) FROM inbox GROUP BY status"
OLDEST_WAITING = (
    "SELECT min(received_at) FROM inbox WHERE status IN ('pending', 'processing', 'failed')"
)


FLAGGABLE = "('orphan', 'broken')"
"""The verdict kinds that open a flag stretch, as SQL (fixed text)."""
FLAGS_SELECT = "SELECT ref, since, cleared_at FROM flags ORDER BY ref, since"
SNAPSHOTS_SELECT = "SELECT team, at, traced, untraced, refs FROM digest_snapshots"
DELIVERY_COLUMNS = (
    "id, period, team, target, document, status, attempts, next_attempt_at, last_error, sent_at"
)
DELIVERY_SELECT = f"SELECT {DELIVERY_COLUMNS} FROM digest_deliveries"  # noqa: S608 (fixed)
DELIVERY_COUNTS = "SELECT status, count(*) FROM digest_deliveries GROUP BY status"


def _maybe(moment: Moment, value: Any) -> datetime | None:
    return None if value is None else moment(value)


def inbox_entry(row: tuple[Any, ...], moment: Moment) -> InboxEntry:
    """A row of :data:`INBOX_COLUMNS` as an :class:`InboxEntry`."""
    entry_id, source, key, event, hint, payload, received, status, attempts, error, next_at = row[
        :11
    ]
    targets = row[11] if len(row) > 11 else None
    return InboxEntry(
        id=entry_id,
        source=source,
        delivery_key=key,
        event=event,
        item_hint=hint,
        payload=bytes(payload),
        received_at=moment(received),
        status=InboxStatus(status),
        attempts=attempts,
        last_error=error,
        next_attempt_at=_maybe(moment, next_at),
        targets=None if targets is None else targets_load(targets),
    )


def targets_dump(targets: Mapping[str, Sequence[str]] | None) -> str | None:
    """A delivery's targets as stored (JSON), ``None`` when not derived."""
    if targets is None:
        return None
    return json.dumps({source: list(keys) for source, keys in targets.items()}, sort_keys=True)


def targets_load(text: str) -> dict[str, tuple[str, ...]]:
    """The inverse of :func:`targets_dump`."""
    return {str(source): tuple(str(k) for k in keys) for source, keys in json.loads(text).items()}


def inbox_counts(rows: list[tuple[Any, ...]]) -> dict[InboxStatus, int]:
    """Rows of :data:`INBOX_COUNTS` with every status present, zero included."""
    counts = dict.fromkeys(InboxStatus, 0)
    counts.update({InboxStatus(status): int(n) for status, n in rows})
    return counts


def ledger_entry(row: tuple[Any, ...], moment: Moment) -> LedgerEntry:
    """A row of :data:`LEDGER_SELECT` as a :class:`LedgerEntry`."""
    ref, label_applied, comment_id, fingerprint, updated_at = row
    return LedgerEntry(
        ref=ref,
        label_applied=bool(label_applied),
        comment_id=comment_id,
        comment_fingerprint=fingerprint,
        updated_at=moment(updated_at),
    )


def run_record(row: tuple[Any, ...], moment: Moment) -> RunRecord:
    """A row of :data:`RUNS_SELECT` as a :class:`RunRecord`."""
    run_id, kind, started, finished, outcome, stats = row
    return RunRecord(
        id=run_id,
        kind=kind,
        started_at=moment(started),
        finished_at=_maybe(moment, finished),
        outcome=outcome,
        stats_json=stats,
    )


def coverage_values(run_id: int, at: Any, rows: list[CoverageRow]) -> list[tuple[Any, ...]]:
    """(run_id, at, source, layer, traced, orphan, broken, exempt) of each row,
    ``at`` already in the backend's own form."""
    return [
        (run_id, at, r.source, r.layer.value, r.traced, r.orphan, r.broken, r.exempt) for r in rows
    ]


def coverage_point(row: tuple[Any, ...], moment: Moment) -> CoveragePoint:
    """A row of :data:`COVERAGE_HISTORY` as a :class:`CoveragePoint`."""
    run_id, at, source, layer, traced, orphan, broken, exempt = row
    return CoveragePoint(
        source=source,
        layer=Layer(layer),
        traced=traced,
        orphan=orphan,
        broken=broken,
        exempt=exempt,
        run_id=run_id,
        at=moment(at),
    )


def latest_flags(rows: list[tuple[Any, ...]], moment: Moment) -> dict[str, FlagSpan]:
    """Rows of :data:`FLAGS_SELECT` as each ref's latest stretch."""
    return {
        ref: FlagSpan(ref=ref, since=moment(since), cleared_at=_maybe(moment, cleared))
        for ref, since, cleared in rows
    }


def snapshot(row: tuple[Any, ...], moment: Moment) -> Snapshot:
    """A row of :data:`SNAPSHOTS_SELECT` as a :class:`Snapshot`."""
    team, at, traced, untraced, refs = row
    return Snapshot(
        team=team,
        at=moment(at),
        traced=int(traced),
        untraced=int(untraced),
        refs=frozenset(json.loads(refs)),
    )


def snapshot_refs(value: Snapshot) -> str:
    """A snapshot's untraced refs as stored (sorted JSON)."""
    return json.dumps(sorted(value.refs), separators=(",", ":"))


def delivery(row: tuple[Any, ...], moment: Moment) -> Delivery:
    """A row of :data:`DELIVERY_COLUMNS` as a :class:`Delivery`."""
    delivery_id, period, team, target, document, status, attempts, next_at, error, sent = row
    return Delivery(
        id=int(delivery_id),
        period=moment(period),
        team=team,
        target=target,
        document=document,
        status=DeliveryStatus(status),
        attempts=int(attempts),
        next_attempt_at=moment(next_at),
        last_error=error,
        sent_at=_maybe(moment, sent),
    )


def delivery_counts(rows: list[tuple[Any, ...]]) -> dict[DeliveryStatus, int]:
    """Rows of :data:`DELIVERY_COUNTS`, every status present."""
    counts = dict.fromkeys(DeliveryStatus, 0)
    counts.update({DeliveryStatus(status): int(n) for status, n in rows})
    return counts
