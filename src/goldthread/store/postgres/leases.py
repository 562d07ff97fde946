"""Leases on PostgreSQL: exactly one replica polls a source (or resyncs) at a time.

Taking a lease is one ``INSERT … ON CONFLICT DO UPDATE … WHERE``: PostgreSQL
locks the row and re-checks the condition on its latest version, so two
replicas racing for an expired lease cannot both win. Each change of holder
raises the fencing token; a replica that stalled past its expiry finds its
renewal refused and stops. Expiry is judged by the ``now`` each replica
passes in, so replicas' clocks should agree to well within a lease period.

Pacing lines (:meth:`reserve_slot`) live in the same table as rows that are
never held: their ``expires_at`` is when the line's next free slot starts.
One ``INSERT … ON CONFLICT DO UPDATE`` moves it on by one interval and
returns it, so replicas reserving at once queue up one interval apart.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from goldthread.store.portable import RELEASED
from goldthread.store.postgres.connection import PostgresConnection, utc

_ACQUIRE = (
    "INSERT INTO leases (name, holder, token, expires_at)"
    " VALUES (%(name)s, %(holder)s, 1, %(until)s)"
    " ON CONFLICT (name) DO UPDATE SET"
    " token = CASE WHEN leases.holder = excluded.holder AND leases.expires_at > %(now)s"
    " THEN leases.token ELSE leases.token + 1 END,"
    " holder = excluded.holder, expires_at = excluded.expires_at"
    " WHERE leases.holder IS NULL OR leases.holder = excluded.holder"
    " OR leases.expires_at <= %(now)s"
    " RETURNING token"
)

_RESERVE = (
    "INSERT INTO leases (name, holder, token, expires_at)"
    " VALUES (%(name)s, NULL, 0, %(now)s + %(step)s)"
    " ON CONFLICT (name) DO UPDATE SET"
    " expires_at = GREATEST(leases.expires_at, %(now)s) + %(step)s"
    " RETURNING expires_at"
)


class LeaseTables(PostgresConnection):
    """:meth:`acquire_lease`, :meth:`renew_lease`, :meth:`release_lease`."""

    def acquire_lease(self, name: str, holder: str, ttl: timedelta, now: datetime) -> int | None:
        params = {"name": name, "holder": holder, "now": utc(now), "until": utc(now + ttl)}
        with self._tx("taking a lease") as conn:
            row = conn.execute(_ACQUIRE, params).fetchone()
        return None if row is None else int(row[0])

    def renew_lease(
        self, name: str, holder: str, token: int, ttl: timedelta, now: datetime
    ) -> bool:
        with self._tx("renewing a lease") as conn:
            cursor = conn.execute(
                "UPDATE leases SET expires_at = %s WHERE name = %s AND holder = %s AND token = %s",
                (utc(now + ttl), name, holder, token),
            )
            return cursor.rowcount == 1

    def release_lease(self, name: str, holder: str, token: int) -> bool:
        with self._tx("releasing a lease") as conn:
            cursor = conn.execute(
                "UPDATE leases SET holder = NULL, expires_at = %s"
                " WHERE name = %s AND holder = %s AND token = %s",
                (RELEASED, name, holder, token),
            )
            return cursor.rowcount == 1

    def reserve_slot(self, key: str, interval: timedelta, now: datetime) -> datetime:
        params = {"name": key, "now": utc(now), "step": interval}
        with self._tx("reserving a pacing slot") as conn:
            row = conn.execute(_RESERVE, params).fetchone()
        if row is None:  # pragma: no cover - RETURNING always answers an upsert
            return utc(now)
        return utc(row[0] - interval)
