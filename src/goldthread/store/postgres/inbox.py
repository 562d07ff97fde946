"""The webhook inbox on PostgreSQL, claimed by several replicas at once.

Several replicas claim from one inbox. A claim locks the ready rows it looks
at with ``FOR UPDATE SKIP LOCKED`` (so two claims never take the same entry)
and, for each item, a transaction-scoped advisory lock on its ``item_hint``;
holding that lock, it then checks that no entry of the item is already
``processing``. The check runs after the lock is taken, so it sees any claim
of the same item that committed first: two events of one item are never
processed at once, on one replica or across several.

An entry stays ``processing`` only while its replica works on it, which
re-stamps its claim (``extend_claims``) while it does; one whose claim is
older than ``stale_after`` (:data:`CLAIM_TIMEOUT` by default) belonged to a
replica that died and is claimed again (writes are idempotent, so
at-least-once is harmless).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime, timedelta
from typing import Any

import psycopg

from goldthread.store import shared as stored
from goldthread.store.base import InboxEntry, InboxStatus
from goldthread.store.postgres.connection import PostgresConnection, moment, utc
from goldthread.store.shared import SharedInbox

CLAIM_TIMEOUT = timedelta(minutes=15)
ITEM_LOCKS = 0x676F
"""The first key of the per-item advisory locks (the second is the hint's hash)."""

_READY = (
    "SELECT id, item_hint FROM inbox WHERE id > %(after)s AND (status = 'pending'"
    " OR (status = 'failed' AND (next_attempt_at IS NULL OR next_attempt_at <= %(now)s))"
    " OR (status = 'processing' AND (claimed_at IS NULL OR claimed_at <= %(stale)s)))"
    " ORDER BY id LIMIT %(limit)s FOR UPDATE SKIP LOCKED"
)
_LOCK_HINTS = (
    "SELECT hint FROM unnest(%s::text[]) AS hint"
    " WHERE pg_try_advisory_xact_lock(%s, hashtext(hint))"
)
_BUSY_HINTS = (
    "SELECT DISTINCT item_hint FROM inbox WHERE status = 'processing'"
    " AND claimed_at > %s AND item_hint = ANY(%s)"
)


def _free_hints(conn: psycopg.Connection[Any], hints: set[str], stale: datetime) -> set[str]:
    """The hints this transaction now holds the item lock of and that no live
    claim is processing."""
    if not hints:
        return set()
    locked = [row[0] for row in conn.execute(_LOCK_HINTS, (sorted(hints), ITEM_LOCKS))]
    busy = {row[0] for row in conn.execute(_BUSY_HINTS, (stale, locked))}
    return set(locked) - busy


class InboxTables(PostgresConnection, SharedInbox):
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
                " status, body_sha256, targets) VALUES (%s, %s, %s, %s, %s, %s, 'pending', %s, %s)"
                " ON CONFLICT DO NOTHING",  # the delivery key, or the body's digest
                (
                    *(source, delivery_key, event, item_hint, body, utc(received_at)),
                    *(body_sha256, stored.targets_dump(targets)),
                ),
            )
            return cursor.rowcount == 1

    def claim(
        self, now: datetime, limit: int, *, stale_after: timedelta | None = None
    ) -> list[InboxEntry]:
        at = utc(now)
        stale = at - (CLAIM_TIMEOUT if stale_after is None else stale_after)
        chosen: list[int] = []
        with self._tx("claiming webhook deliveries") as conn:
            free: set[str] = set()
            decided: set[str] = set()
            taken: set[str] = set()
            after = 0
            while len(chosen) < limit:
                params = {"after": after, "now": at, "stale": stale, "limit": limit}
                page = conn.execute(_READY, params).fetchall()
                if not page:
                    break
                after = page[-1][0]
                fresh = {hint for _, hint in page if hint is not None} - decided
                free |= _free_hints(conn, fresh, stale)
                decided |= fresh
                for entry_id, hint in page:
                    if len(chosen) >= limit:
                        break
                    if hint is not None:
                        if hint in taken or hint not in free:
                            continue
                        taken.add(hint)
                    chosen.append(entry_id)
            rows = conn.execute(
                "UPDATE inbox SET status = 'processing', attempts = attempts + 1,"  # noqa: S608
                f" claimed_at = %s WHERE id = ANY(%s) RETURNING {stored.INBOX_COLUMNS}",
                (at, chosen),
            ).fetchall()
        return sorted((stored.inbox_entry(row, moment) for row in rows), key=lambda entry: entry.id)

    def extend_claims(self, entry_ids: Sequence[int], now: datetime) -> int:
        if not entry_ids:
            return 0
        with self._tx("extending webhook delivery claims") as conn:
            cursor = conn.execute(
                "UPDATE inbox SET claimed_at = %s WHERE id = ANY(%s) AND status = 'processing'",
                (utc(now), list(entry_ids)),
            )
            return cursor.rowcount

    def complete(self, entry_id: int) -> None:
        with self._tx("completing a webhook delivery") as conn:
            conn.execute(
                "UPDATE inbox SET status = 'done', last_error = NULL, next_attempt_at = NULL,"
                " claimed_at = NULL WHERE id = %s",
                (entry_id,),
            )

    def fail(self, entry_id: int, error: str, retry_at: datetime | None) -> None:
        status = InboxStatus.DEAD if retry_at is None else InboxStatus.FAILED
        at = None if retry_at is None else utc(retry_at)
        with self._tx("recording a failed webhook delivery") as conn:
            conn.execute(
                "UPDATE inbox SET status = %s, last_error = %s, next_attempt_at = %s,"
                " claimed_at = NULL WHERE id = %s",
                (status.value, error, at, entry_id),
            )
