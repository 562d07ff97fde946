"""SQL that both backends run alike, written once.

SQLite and PostgreSQL differ here only in how a statement marks a parameter
(``?`` or ``%s``) and how a time is written and read back (fixed-width UTC
text, or ``timestamptz``). A backend says both (``_sql``, ``_to_db``,
``_from_db``) and takes these methods as they are; what differs in substance
(claiming across replicas, ``RETURNING``, bulk copies, leases) stays in the backend.
Statements here use ``?`` and no ``%``.
"""

from __future__ import annotations

from collections.abc import Sequence
from contextlib import AbstractContextManager
from datetime import datetime
from typing import Any, Protocol

from goldthread.core.digest import Snapshot
from goldthread.store import rows as stored
from goldthread.store.base import (
    CoveragePoint,
    CoverageRow,
    Delivery,
    DeliveryStatus,
    InboxEntry,
    InboxStatus,
    RunRecord,
)


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
            rows = self._all("reading the inbox", f"{stored.INBOX_SELECT} ORDER BY id")
        else:
            rows = self._all(
                "reading the inbox",
                self._sql(f"{stored.INBOX_SELECT} WHERE status = ? ORDER BY id"),
                (status.value,),
            )
        return [stored.inbox_entry(row, self._from_db) for row in rows]

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
        return stored.inbox_counts(self._all("reading the inbox", stored.INBOX_COUNTS))

    def oldest_waiting(self: Backend) -> datetime | None:
        rows = self._all("reading the inbox", stored.OLDEST_WAITING)
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
            "reading runs", self._sql(f"{stored.RUNS_SELECT} ORDER BY id DESC LIMIT ?"), (limit,)
        )
        return [stored.run_record(row, self._from_db) for row in rows]

    def record_coverage(self: Backend, run_id: int, at: datetime, rows: list[CoverageRow]) -> None:
        values = stored.coverage_values(run_id, self._to_db(at), rows)
        statement = (
            "INSERT INTO coverage (run_id, at, source, layer, traced, orphan, broken, exempt)"
            " VALUES (?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (run_id, source, layer) DO UPDATE SET"
            " at = excluded.at, traced = excluded.traced, orphan = excluded.orphan,"
            " broken = excluded.broken, exempt = excluded.exempt"
        )
        with self._tx("recording coverage") as conn:
            conn.cursor().executemany(self._sql(statement), values)

    def coverage_history(self: Backend) -> list[CoveragePoint]:
        rows = self._all("reading coverage history", stored.COVERAGE_HISTORY)
        return [stored.coverage_point(row, self._from_db) for row in rows]


_SNAPSHOT_UPSERT = (
    "INSERT INTO digest_snapshots (team, at, traced, untraced, refs) VALUES (?, ?, ?, ?, ?)"
    " ON CONFLICT (team) DO UPDATE SET at = excluded.at, traced = excluded.traced,"
    " untraced = excluded.untraced, refs = excluded.refs"
)


def _snapshot_rows(store: Backend, snapshots: Sequence[Snapshot]) -> list[tuple[object, ...]]:
    return [
        (s.team, store._to_db(s.at), s.traced, s.untraced, stored.snapshot_refs(s))
        for s in snapshots
    ]


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
        rows = self._all("reading digest snapshots", stored.SNAPSHOTS_SELECT)
        return {row[0]: stored.snapshot(row, self._from_db) for row in rows}

    def save_snapshots(self: Backend, snapshots: Sequence[Snapshot]) -> None:
        with self._tx("saving digest snapshots") as conn:
            conn.cursor().executemany(self._sql(_SNAPSHOT_UPSERT), _snapshot_rows(self, snapshots))

    def due_deliveries(self: Backend, now: datetime, limit: int = 50) -> list[Delivery]:
        rows = self._all(
            "reading due digests",
            self._sql(
                f"{stored.DELIVERY_SELECT} WHERE status IN ('pending', 'failed')"
                " AND next_attempt_at <= ? ORDER BY id LIMIT ?"
            ),
            (self._to_db(now), limit),
        )
        return [stored.delivery(row, self._from_db) for row in rows]

    def deliveries(self: Backend, period: datetime | None = None) -> list[Delivery]:
        if period is None:
            rows = self._all("reading digests", f"{stored.DELIVERY_SELECT} ORDER BY id")
        else:
            rows = self._all(
                "reading digests",
                self._sql(f"{stored.DELIVERY_SELECT} WHERE period = ? ORDER BY id"),
                (self._to_db(period),),
            )
        return [stored.delivery(row, self._from_db) for row in rows]

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
        return stored.delivery_counts(self._all("counting digests", stored.DELIVERY_COUNTS))
