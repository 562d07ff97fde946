"""SQL both backends run alike, and the rows they read back, written once.

SQLite and PostgreSQL differ here only in how a statement marks a parameter
(``?`` or ``%s``) and how a time is written and read back (fixed-width UTC
text, or ``timestamptz``). A backend says both (``_sql``, ``_to_db``,
``_from_db``) and takes the shared methods as they are; the row readers take
its time reader. What differs in substance (claiming across replicas,
``RETURNING`` with bulk copies, leases) stays in the backend. Statements here
use ``?`` and no ``%``.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping, Sequence
from contextlib import AbstractContextManager
from datetime import datetime
from typing import Any, Protocol

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
from goldthread.store.graphing import Changes

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


class Backend(Protocol):
    """What the shared statements need of a backend connection."""

    def _tx(self, doing: str) -> AbstractContextManager[Any]: ...

    def _all(self, doing: str, sql: str, params: Any = ()) -> list[Any]: ...

    def _sql(self, statement: str) -> str:
        """``statement`` with the backend's parameter marks."""
        ...

    def _to_db(self, value: datetime) -> Any:
        """An aware time as the backend stores it."""
        ...

    def _from_db(self, value: Any) -> datetime:
        """A stored time back as an aware UTC datetime."""
        ...


def _changed(store: Backend, doing: str, statement: str, params: tuple[Any, ...]) -> int:
    with store._tx(doing) as conn:
        return int(conn.execute(store._sql(statement), params).rowcount)


class SharedInbox:
    """The inbox's reads and its operator's actions (retry, drop, prune)."""

    def inbox(self: Backend, status: InboxStatus | None = None) -> list[InboxEntry]:
        if status is None:
            rows = self._all("reading the inbox", f"{INBOX_SELECT} ORDER BY id")
        else:
            rows = self._all(
                "reading the inbox",
                self._sql(f"{INBOX_SELECT} WHERE status = ? ORDER BY id"),
                (status.value,),
            )
        return [inbox_entry(row, self._from_db) for row in rows]

    def retry(self: Backend, entry_id: int) -> bool:
        statement = (
            "UPDATE inbox SET status = 'pending', next_attempt_at = NULL"
            " WHERE id = ? AND status IN ('failed', 'dead')"
        )
        return _changed(self, "retrying a webhook delivery", statement, (entry_id,)) == 1

    def drop(self: Backend, entry_id: int) -> bool:
        statement = "DELETE FROM inbox WHERE id = ?"
        return _changed(self, "dropping a webhook delivery", statement, (entry_id,)) == 1

    def inbox_depth(self: Backend) -> int:
        rows = self._all(
            "reading the inbox",
            "SELECT count(*) FROM inbox WHERE status IN ('pending', 'processing', 'failed')",
        )
        return int(rows[0][0])

    def inbox_counts(self: Backend) -> dict[InboxStatus, int]:
        return inbox_counts(self._all("reading the inbox", INBOX_COUNTS))

    def oldest_waiting(self: Backend) -> datetime | None:
        rows = self._all("reading the inbox", OLDEST_WAITING)
        return self._from_db(rows[0][0]) if rows and rows[0][0] is not None else None

    def prune_inbox(self: Backend, before: datetime) -> int:
        statement = "DELETE FROM inbox WHERE status = 'done' AND received_at < ?"
        return _changed(self, "pruning the inbox", statement, (self._to_db(before),))


class SharedRuns:
    """The run history and the coverage trend."""

    def start_run(self: Backend, kind: str, started_at: datetime) -> int:
        statement = "INSERT INTO runs (kind, started_at) VALUES (?, ?) RETURNING id"
        with self._tx("starting a run") as conn:
            row = conn.execute(self._sql(statement), (kind, self._to_db(started_at))).fetchone()
        return int(row[0]) if row else 0

    def finish_run(
        self: Backend, run_id: int, finished_at: datetime, outcome: str, stats_json: str
    ) -> None:
        statement = "UPDATE runs SET finished_at = ?, outcome = ?, stats_json = ? WHERE id = ?"
        params = (self._to_db(finished_at), outcome, stats_json, run_id)
        _changed(self, "finishing a run", statement, params)

    def runs(self: Backend, limit: int = 50) -> list[RunRecord]:
        rows = self._all(
            "reading runs", self._sql(f"{RUNS_SELECT} ORDER BY id DESC LIMIT ?"), (limit,)
        )
        return [run_record(row, self._from_db) for row in rows]

    def record_coverage(self: Backend, run_id: int, at: datetime, rows: list[CoverageRow]) -> None:
        values = coverage_values(run_id, self._to_db(at), rows)
        statement = (
            "INSERT INTO coverage (run_id, at, source, layer, traced, orphan, broken, exempt)"
            " VALUES (?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (run_id, source, layer) DO UPDATE SET"
            " at = excluded.at, traced = excluded.traced, orphan = excluded.orphan,"
            " broken = excluded.broken, exempt = excluded.exempt"
        )
        with self._tx("recording coverage") as conn:
            conn.cursor().executemany(self._sql(statement), values)

    def coverage_history(self: Backend) -> list[CoveragePoint]:
        rows = self._all("reading coverage history", COVERAGE_HISTORY)
        return [coverage_point(row, self._from_db) for row in rows]


_SNAPSHOT_UPSERT = (
    "INSERT INTO digest_snapshots (team, at, traced, untraced, refs) VALUES (?, ?, ?, ?, ?)"
    " ON CONFLICT (team) DO UPDATE SET at = excluded.at, traced = excluded.traced,"
    " untraced = excluded.untraced, refs = excluded.refs"
)


def _snapshot_rows(store: Backend, snapshots: Sequence[Snapshot]) -> list[tuple[object, ...]]:
    return [(s.team, store._to_db(s.at), s.traced, s.untraced, snapshot_refs(s)) for s in snapshots]


class SharedDigests:
    """Digest periods, snapshots and the delivery queue (see ``Store.prepare_digest``)."""

    def prepare_digest(
        self: Backend,
        period: datetime,
        now: datetime,
        snapshots: Sequence[Snapshot],
        messages: Sequence[tuple[str, str, str]],
        *,
        baseline: bool = False,
    ) -> bool:
        at = self._to_db(now)
        with self._tx("preparing a digest") as conn:
            cursor = conn.execute(
                self._sql(
                    "INSERT INTO digest_periods (period, prepared_at, baseline) VALUES (?, ?, ?)"
                    " ON CONFLICT DO NOTHING"
                ),
                (self._to_db(period), at, baseline),
            )
            if cursor.rowcount != 1:
                return False
            cur = conn.cursor()
            cur.executemany(self._sql(_SNAPSHOT_UPSERT), _snapshot_rows(self, snapshots))
            cur.executemany(
                self._sql(
                    "INSERT INTO digest_deliveries (period, team, target, document, status,"
                    " next_attempt_at) VALUES (?, ?, ?, ?, 'pending', ?)"
                ),
                [(self._to_db(period), team, target, doc, at) for team, target, doc in messages],
            )
        return True

    def digest_prepared(self: Backend, period: datetime) -> bool:
        rows = self._all(
            "reading digest periods",
            self._sql("SELECT 1 FROM digest_periods WHERE period = ?"),
            (self._to_db(period),),
        )
        return bool(rows)

    def digest_started(self: Backend) -> bool:
        return bool(self._all("reading digest periods", "SELECT 1 FROM digest_periods LIMIT 1"))

    def snapshots(self: Backend) -> dict[str, Snapshot]:
        rows = self._all("reading digest snapshots", SNAPSHOTS_SELECT)
        return {row[0]: snapshot(row, self._from_db) for row in rows}

    def save_snapshots(self: Backend, snapshots: Sequence[Snapshot]) -> None:
        with self._tx("saving digest snapshots") as conn:
            conn.cursor().executemany(self._sql(_SNAPSHOT_UPSERT), _snapshot_rows(self, snapshots))

    def due_deliveries(self: Backend, now: datetime, limit: int = 50) -> list[Delivery]:
        rows = self._all(
            "reading due digests",
            self._sql(
                f"{DELIVERY_SELECT} WHERE status IN ('pending', 'failed')"
                " AND next_attempt_at <= ? ORDER BY id LIMIT ?"
            ),
            (self._to_db(now), limit),
        )
        return [delivery(row, self._from_db) for row in rows]

    def deliveries(self: Backend, period: datetime | None = None) -> list[Delivery]:
        if period is None:
            rows = self._all("reading digests", f"{DELIVERY_SELECT} ORDER BY id")
        else:
            rows = self._all(
                "reading digests",
                self._sql(f"{DELIVERY_SELECT} WHERE period = ? ORDER BY id"),
                (self._to_db(period),),
            )
        return [delivery(row, self._from_db) for row in rows]

    def finish_delivery(
        self: Backend,
        delivery_id: int,
        now: datetime,
        *,
        error: str | None = None,
        retry_at: datetime | None = None,
    ) -> None:
        if error is None:
            status, sent, next_at = DeliveryStatus.SENT, self._to_db(now), self._to_db(now)
        else:
            status = DeliveryStatus.FAILED if retry_at is not None else DeliveryStatus.DEAD
            sent, next_at = None, self._to_db(retry_at or now)
        with self._tx("recording a digest attempt") as conn:
            conn.execute(
                self._sql(
                    "UPDATE digest_deliveries SET status = ?, attempts = attempts + 1,"
                    " next_attempt_at = ?, last_error = ?, sent_at = ? WHERE id = ?"
                ),
                (status.value, next_at, error, sent, delivery_id),
            )

    def delivery_counts(self: Backend) -> dict[DeliveryStatus, int]:
        return delivery_counts(self._all("counting digests", DELIVERY_COUNTS))


class SharedGraph:
    """The change log, the verdict tallies, the evaluation state and the
    unsettled items, as incremental evaluation reads them."""

    def tags(self: Backend) -> list[tuple[tuple[str, ...], tuple[str, ...]]]:
        rows = self._all("reading labels", "SELECT labels, components FROM items")
        return [(tuple(json.loads(labels)), tuple(json.loads(parts))) for labels, parts in rows]

    def created_after(self: Backend, since: datetime) -> list[str]:
        rows = self._all(
            "reading new items",
            self._sql("SELECT ref FROM items WHERE created_at > ?"),
            (self._to_db(since),),
        )
        return [str(row[0]) for row in rows]

    def changes(self: Backend) -> Changes:
        rows = self._all("reading changes", "SELECT seq, ref, item FROM changes ORDER BY seq")
        upto = max((int(row[0]) for row in rows), default=0)
        items = frozenset(str(row[1]) for row in rows if row[2])
        left = frozenset(str(row[1]) for row in rows if not row[2])
        return Changes(upto, items, left)

    def clear_changes(self: Backend, upto: int) -> None:
        _changed(self, "clearing changes", "DELETE FROM changes WHERE seq <= ?", (upto,))

    def tally(self: Backend) -> list[tuple[str, str, str, int]]:
        rows = self._all(
            "counting verdicts", "SELECT source, layer, kind, n FROM tallies WHERE n > 0"
        )
        return [(str(s), str(layer), str(kind), int(n)) for s, layer, kind, n in rows]

    def evaluation_state(self: Backend) -> tuple[str, datetime] | None:
        rows = self._all("reading the evaluation state", "SELECT fingerprint, at FROM evaluation")
        return (str(rows[0][0]), self._from_db(rows[0][1])) if rows else None

    def record_evaluation(self: Backend, fingerprint: str, at: datetime) -> None:
        statement = (
            "INSERT INTO evaluation (id, fingerprint, at) VALUES (1, ?, ?)"
            " ON CONFLICT (id) DO UPDATE SET fingerprint = excluded.fingerprint, at = excluded.at"
        )
        _changed(self, "recording the evaluation", statement, (fingerprint, self._to_db(at)))

    def unsettled(self: Backend) -> set[str]:
        rows = self._all("reading unsettled items", "SELECT ref FROM unsettled")
        return {str(row[0]) for row in rows}
