"""Leases on SQLite: the same table and rules as on PostgreSQL.

One process holds a SQLite store, so a lease is never contended across
processes here; keeping it in a table anyway lets the service take and renew
leases through one API whichever backend it runs on.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from goldthread.store import codec
from goldthread.store.portable import RELEASED
from goldthread.store.sqlite.connection import SqliteConnection

_ACQUIRE = (
    "INSERT INTO leases (name, holder, token, expires_at) VALUES (:name, :holder, 1, :until)"
    " ON CONFLICT (name) DO UPDATE SET"
    " token = CASE WHEN leases.holder = excluded.holder AND leases.expires_at > :now"
    " THEN leases.token ELSE leases.token + 1 END,"
    " holder = excluded.holder, expires_at = excluded.expires_at"
    " WHERE leases.holder IS NULL OR leases.holder = excluded.holder"
    " OR leases.expires_at <= :now"
    " RETURNING token"
)


class LeaseTables(SqliteConnection):
    """:meth:`acquire_lease`, :meth:`renew_lease`, :meth:`release_lease`."""

    def acquire_lease(self, name: str, holder: str, ttl: timedelta, now: datetime) -> int | None:
        params = {
            "name": name,
            "holder": holder,
            "now": codec.ts(now),
            "until": codec.ts(now + ttl),
        }
        with self._tx("taking a lease") as conn:
            row = conn.execute(_ACQUIRE, params).fetchone()
        return None if row is None else int(row[0])

    def renew_lease(
        self, name: str, holder: str, token: int, ttl: timedelta, now: datetime
    ) -> bool:
        with self._tx("renewing a lease") as conn:
            cursor = conn.execute(
                "UPDATE leases SET expires_at = ? WHERE name = ? AND holder = ? AND token = ?",
                (codec.ts(now + ttl), name, holder, token),
            )
            return cursor.rowcount == 1

    def release_lease(self, name: str, holder: str, token: int) -> bool:
        with self._tx("releasing a lease") as conn:
            cursor = conn.execute(
                "UPDATE leases SET holder = NULL, expires_at = ?"
                " WHERE name = ? AND holder = ? AND token = ?",
                (codec.ts(RELEASED), name, holder, token),
            )
            return cursor.rowcount == 1

    def reserve_slot(self, key: str, interval: timedelta, now: datetime) -> datetime:
        """The line as a lease row that is never held (as on PostgreSQL)."""
        with self._tx("reserving a pacing slot") as conn:
            row = conn.execute("SELECT expires_at FROM leases WHERE name = ?", (key,)).fetchone()
            slot = now if row is None else max(codec.parse_ts(row[0]), now)
            conn.execute(
                "INSERT INTO leases (name, holder, token, expires_at) VALUES (?, NULL, 0, ?)"
                " ON CONFLICT (name) DO UPDATE SET expires_at = excluded.expires_at",
                (key, codec.ts(slot + interval)),
            )
        return slot
