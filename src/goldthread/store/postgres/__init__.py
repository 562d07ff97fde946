"""The shared store: one PostgreSQL database for several goldthread replicas;
all of its SQL is in this package.

Connections: a ``psycopg_pool`` pool; each call borrows one connection for
one transaction (committed when the call ends, rolled back when it fails), so
the service's threads and several replicas work side by side. Sessions run
in UTC; timestamps are ``timestamptz``.

Migrations (``migrations/postgres/NNNN_name.sql``, numbered like SQLite's)
are applied at start-up, or by ``goldthread migrate``, each in its own
transaction under ``pg_advisory_xact_lock``, so replicas starting together
apply each exactly once. Work that must run on one replica at a time takes a
lease (:mod:`.leases`); the inbox is claimed with ``FOR UPDATE SKIP LOCKED``
and per-item advisory locks (:mod:`.inbox`).
"""

from __future__ import annotations

from goldthread.store.postgres.connection import default_migrations, describe
from goldthread.store.postgres.graph import GraphTables
from goldthread.store.postgres.inbox import CLAIM_TIMEOUT, InboxTables
from goldthread.store.postgres.leases import LeaseTables
from goldthread.store.postgres.portable import PortableTables
from goldthread.store.postgres.records import RecordTables
from goldthread.store.shared import SharedDigests, SharedRuns

__all__ = ["CLAIM_TIMEOUT", "PostgresStore", "default_migrations", "describe"]


class PostgresStore(
    RecordTables,
    GraphTables,
    InboxTables,
    SharedRuns,
    LeaseTables,
    SharedDigests,
    PortableTables,
):
    """:class:`goldthread.store.base.Store` on PostgreSQL. Open with :meth:`open`."""
