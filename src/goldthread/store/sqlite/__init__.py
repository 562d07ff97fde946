"""The embedded store: one SQLite file (or memory); all of its SQL is in this package.

Threading: one connection, opened with ``check_same_thread=False`` and guarded
by a re-entrant lock, so the service's worker thread and HTTP thread share it
safely; each call holds the lock for its whole transaction. SQLite serialises
writers anyway, and one connection also makes ``:memory:`` stores work.

Durability: WAL journal, ``synchronous=NORMAL``, ``busy_timeout``, foreign
keys on; every write is one explicit transaction (``BEGIN IMMEDIATE``).
Migrations (``migrations/sqlite/NNNN_name.sql``) are applied in order at
start-up, each in its own transaction together with its ``schema_version``
row. A file store holds an exclusive lock on ``<db>.lock`` for its lifetime
(:mod:`goldthread.store.locking`), unless opened ``read_only`` (no lock, no
migrations, writes refused by SQLite) for reports beside a running service.
"""

from __future__ import annotations

from goldthread.store.shared import SharedDigests, SharedRuns
from goldthread.store.sqlite.connection import MEMORY, default_migrations, load_migrations
from goldthread.store.sqlite.graph import GraphTables
from goldthread.store.sqlite.inbox import InboxTables
from goldthread.store.sqlite.leases import LeaseTables
from goldthread.store.sqlite.portable import PortableTables
from goldthread.store.sqlite.records import RecordTables

__all__ = ["MEMORY", "SqliteStore", "default_migrations", "load_migrations"]


class SqliteStore(
    RecordTables,
    GraphTables,
    InboxTables,
    SharedRuns,
    LeaseTables,
    SharedDigests,
    PortableTables,
):
    """:class:`goldthread.store.base.Store` on SQLite. Open with :meth:`open`."""
