"""Digest periods, snapshots and deliveries, on SQLite (see ``Store.prepare_digest``)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from goldthread.core.digest import Snapshot
from goldthread.store import codec
from goldthread.store import rows as stored
from goldthread.store.base import Delivery, DeliveryStatus
from goldthread.store.sqlite.connection import SqliteConnection

_SNAPSHOT_UPSERT = (
    "INSERT INTO digest_snapshots (team, at, traced, untraced, refs) VALUES (?, ?, ?, ?, ?)"
    " ON CONFLICT (team) DO UPDATE SET at = excluded.at, traced = excluded.traced,"
    " untraced = excluded.untraced, refs = excluded.refs"
)


def _snapshot_rows(snapshots: Sequence[Snapshot]) -> list[tuple[object, ...]]:
    return [
        (s.team, codec.ts(s.at), s.traced, s.untraced, stored.snapshot_refs(s)) for s in snapshots
    ]


class DigestTables(SqliteConnection):
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
        at = codec.ts(now)
        with self._tx("preparing a digest") as conn:
            cursor = conn.execute(
                "INSERT INTO digest_periods (period, prepared_at, baseline) VALUES (?, ?, ?)"
                " ON CONFLICT DO NOTHING",
                (codec.ts(period), at, 1 if baseline else 0),
            )
            if cursor.rowcount != 1:
                return False
            conn.executemany(_SNAPSHOT_UPSERT, _snapshot_rows(snapshots))
            conn.executemany(
                "INSERT INTO digest_deliveries (period, team, target, document, status,"
                " next_attempt_at) VALUES (?, ?, ?, ?, 'pending', ?)",
                [(codec.ts(period), team, target, doc, at) for team, target, doc in messages],
            )
        return True

    def digest_prepared(self, period: datetime) -> bool:
        rows = self._all(
            "reading digest periods",
            "SELECT 1 FROM digest_periods WHERE period = ?",
            (codec.ts(period),),
        )
        return bool(rows)

    def digest_started(self) -> bool:
        return bool(self._all("reading digest periods", "SELECT 1 FROM digest_periods LIMIT 1"))

    def snapshots(self) -> dict[str, Snapshot]:
        rows = self._all("reading digest snapshots", stored.SNAPSHOTS_SELECT)
        return {row[0]: stored.snapshot(row, codec.parse_ts) for row in rows}

    def save_snapshots(self, snapshots: Sequence[Snapshot]) -> None:
        with self._tx("saving digest snapshots") as conn:
            conn.executemany(_SNAPSHOT_UPSERT, _snapshot_rows(snapshots))

    def due_deliveries(self, now: datetime, limit: int = 50) -> list[Delivery]:
        rows = self._all(
            "reading due digests",
            f"{stored.DELIVERY_SELECT} WHERE status IN ('pending', 'failed')"
            " AND next_attempt_at <= ? ORDER BY id LIMIT ?",
            (codec.ts(now), limit),
        )
        return [stored.delivery(row, codec.parse_ts) for row in rows]

    def deliveries(self, period: datetime | None = None) -> list[Delivery]:
        if period is None:
            rows = self._all("reading digests", f"{stored.DELIVERY_SELECT} ORDER BY id")
        else:
            rows = self._all(
                "reading digests",
                f"{stored.DELIVERY_SELECT} WHERE period = ? ORDER BY id",
                (codec.ts(period),),
            )
        return [stored.delivery(row, codec.parse_ts) for row in rows]

    def finish_delivery(
        self,
        delivery_id: int,
        now: datetime,
        *,
        error: str | None = None,
        retry_at: datetime | None = None,
    ) -> None:
        if error is None:
            status, sent, next_at = DeliveryStatus.SENT, codec.ts(now), codec.ts(now)
        else:
            status = DeliveryStatus.FAILED if retry_at is not None else DeliveryStatus.DEAD
            sent, next_at = None, codec.ts(retry_at or now)
        with self._tx("recording a digest attempt") as conn:
            conn.execute(
                "UPDATE digest_deliveries SET status = ?, attempts = attempts + 1,"
                " next_attempt_at = ?, last_error = ?, sent_at = ? WHERE id = ?",
                (status.value, next_at, error, sent, delivery_id),
            )

    def delivery_counts(self) -> dict[DeliveryStatus, int]:
        return stored.delivery_counts(self._all("counting digests", stored.DELIVERY_COUNTS))
