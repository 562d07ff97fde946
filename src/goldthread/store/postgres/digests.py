"""Digest periods, snapshots and deliveries, on PostgreSQL (see ``Store.prepare_digest``)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from goldthread.core.digest import Snapshot
from goldthread.store import rows as stored
from goldthread.store.base import Delivery, DeliveryStatus
from goldthread.store.postgres.connection import PostgresConnection, moment, utc

_SNAPSHOT_UPSERT = (
    "INSERT INTO digest_snapshots (team, at, traced, untraced, refs) VALUES (%s, %s, %s, %s, %s)"
    " ON CONFLICT (team) DO UPDATE SET at = excluded.at, traced = excluded.traced,"
    " untraced = excluded.untraced, refs = excluded.refs"
)


def _snapshot_rows(snapshots: Sequence[Snapshot]) -> list[tuple[object, ...]]:
    return [(s.team, utc(s.at), s.traced, s.untraced, stored.snapshot_refs(s)) for s in snapshots]


class DigestTables(PostgresConnection):
    """:meth:`prepare_digest` and the delivery queue."""

    def prepare_digest(
        self,
        period: datetime,
        now: datetime,
        snapshots: Sequence[Snapshot],
        messages: Sequence[tuple[str, str, str]],
        *,
        baseline: bool = False,
    ) -> bool:
        at = utc(now)
        with self._tx("preparing a digest") as conn:
            cursor = conn.execute(
                "INSERT INTO digest_periods (period, prepared_at, baseline) VALUES (%s, %s, %s)"
                " ON CONFLICT DO NOTHING",
                (utc(period), at, baseline),
            )
            if cursor.rowcount != 1:
                return False
            cur = conn.cursor()
            cur.executemany(_SNAPSHOT_UPSERT, _snapshot_rows(snapshots))
            cur.executemany(
                "INSERT INTO digest_deliveries (period, team, target, document, status,"
                " next_attempt_at) VALUES (%s, %s, %s, %s, 'pending', %s)",
                [(utc(period), team, target, doc, at) for team, target, doc in messages],
            )
        return True

    def digest_prepared(self, period: datetime) -> bool:
        rows = self._all(
            "reading digest periods",
            "SELECT 1 FROM digest_periods WHERE period = %s",
            (utc(period),),
        )
        return bool(rows)

    def digest_started(self) -> bool:
        return bool(self._all("reading digest periods", "SELECT 1 FROM digest_periods LIMIT 1"))

    def snapshots(self) -> dict[str, Snapshot]:
        rows = self._all("reading digest snapshots", stored.SNAPSHOTS_SELECT)
        return {row[0]: stored.snapshot(row, moment) for row in rows}

    def save_snapshots(self, snapshots: Sequence[Snapshot]) -> None:
        with self._tx("saving digest snapshots") as conn, conn.cursor() as cur:
            cur.executemany(_SNAPSHOT_UPSERT, _snapshot_rows(snapshots))

    def due_deliveries(self, now: datetime, limit: int = 50) -> list[Delivery]:
        rows = self._all(
            "reading due digests",
            f"{stored.DELIVERY_SELECT} WHERE status IN ('pending', 'failed')"
            " AND next_attempt_at <= %s ORDER BY id LIMIT %s",
            (utc(now), limit),
        )
        return [stored.delivery(row, moment) for row in rows]

    def deliveries(self, period: datetime | None = None) -> list[Delivery]:
        if period is None:
            rows = self._all("reading digests", f"{stored.DELIVERY_SELECT} ORDER BY id")
        else:
            rows = self._all(
                "reading digests",
                f"{stored.DELIVERY_SELECT} WHERE period = %s ORDER BY id",
                (utc(period),),
            )
        return [stored.delivery(row, moment) for row in rows]

    def finish_delivery(
        self,
        delivery_id: int,
        now: datetime,
        *,
        error: str | None = None,
        retry_at: datetime | None = None,
    ) -> None:
        if error is None:
            status, sent, next_at = DeliveryStatus.SENT, utc(now), utc(now)
        else:
            status = DeliveryStatus.FAILED if retry_at is not None else DeliveryStatus.DEAD
            sent, next_at = None, utc(retry_at or now)
        with self._tx("recording a digest attempt") as conn:
            conn.execute(
                "UPDATE digest_deliveries SET status = %s, attempts = attempts + 1,"
                " next_attempt_at = %s, last_error = %s, sent_at = %s WHERE id = %s",
                (status.value, next_at, error, sent, delivery_id),
            )

    def delivery_counts(self) -> dict[DeliveryStatus, int]:
        return stored.delivery_counts(self._all("counting digests", stored.DELIVERY_COUNTS))
