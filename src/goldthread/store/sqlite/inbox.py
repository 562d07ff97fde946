"""The webhook inbox on SQLite, where one process holds the file."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime, timedelta

from goldthread.store import codec
from goldthread.store import shared as stored
from goldthread.store.base import (
    InboxEntry,
    InboxStatus,
)
from goldthread.store.shared import SharedInbox
from goldthread.store.sqlite.connection import SqliteConnection


class InboxTables(SqliteConnection, SharedInbox):
    """The inbox of webhook deliveries: storing, claiming and settling them."""

    # ---------------------------------------------------------------- inbox

    def enqueue(
        self,
        *,
        source: str,
        delivery_key: str,
        event: str,
        item_hint: str | None,
        payload: bytes | str,
        received_at: datetime,
        body_sha256: str | None = None,
        targets: Mapping[str, Sequence[str]] | None = None,
    ) -> bool:
        body = payload.encode("utf-8") if isinstance(payload, str) else bytes(payload)
        with self._tx("storing a webhook delivery") as conn:
            cursor = conn.execute(
                "INSERT INTO inbox (source, delivery_key, event, item_hint, payload, received_at,"
                " status, body_sha256, targets) VALUES (?, ?, ?, ?, ?, ?, 'pending', ?, ?)"
                " ON CONFLICT DO NOTHING",  # the delivery key, or the body's digest
                (
                    *(source, delivery_key, event, item_hint, body, codec.ts(received_at)),
                    *(body_sha256, stored.targets_dump(targets)),
                ),
            )
            return cursor.rowcount == 1

    def claim(
        self, now: datetime, limit: int, *, stale_after: timedelta | None = None
    ) -> list[InboxEntry]:
        del stale_after  # one process per file: its own entries are never stale
        with self._tx("claiming webhook deliveries") as conn:
            busy = {
                hint
                for (hint,) in conn.execute(
                    "SELECT DISTINCT item_hint FROM inbox"
                    " WHERE status = 'processing' AND item_hint IS NOT NULL"
                )
            }
            ready = conn.execute(
                "SELECT id, item_hint FROM inbox WHERE status = 'pending'"
                " OR (status = 'failed' AND (next_attempt_at IS NULL OR next_attempt_at <= ?))"
                " ORDER BY id",
                (codec.ts(now),),
            ).fetchall()
            chosen: list[int] = []
            for entry_id, hint in ready:
                if len(chosen) >= limit:
                    break
                if hint is not None:
                    if hint in busy:
                        continue
                    busy.add(hint)
                chosen.append(entry_id)
            conn.executemany(
                "UPDATE inbox SET status = 'processing', attempts = attempts + 1 WHERE id = ?",
                [(entry_id,) for entry_id in chosen],
            )
            rows = [
                conn.execute(f"{stored.INBOX_SELECT} WHERE id = ?", (entry_id,)).fetchone()
                for entry_id in chosen
            ]
        return [stored.inbox_entry(row, codec.parse_ts) for row in rows]

    def extend_claims(self, entry_ids: Sequence[int], now: datetime) -> int:
        """Nothing to stamp: one process holds the file, and the entries it
        left ``processing`` are made ready again when it starts."""
        del now
        if not entry_ids:
            return 0
        marks = ", ".join("?" for _ in entry_ids)
        rows = self._all(
            "reading the inbox",
            f"SELECT count(*) FROM inbox WHERE status = 'processing' AND id IN ({marks})",  # noqa: S608
            tuple(entry_ids),
        )
        return int(rows[0][0])

    def complete(self, entry_id: int) -> None:
        with self._tx("completing a webhook delivery") as conn:
            conn.execute(
                "UPDATE inbox SET status = 'done', last_error = NULL, next_attempt_at = NULL WHERE id = ?",
                (entry_id,),
            )

    def fail(self, entry_id: int, error: str, retry_at: datetime | None) -> None:
        status = InboxStatus.DEAD if retry_at is None else InboxStatus.FAILED
        with self._tx("recording a failed webhook delivery") as conn:
            conn.execute(
                "UPDATE inbox SET status = ?, last_error = ?, next_attempt_at = ? WHERE id = ?",
                (status.value, error, codec.ts_or_none(retry_at), entry_id),
            )
