"""Opening a PostgreSQL store: the first connection, migrations under an
advisory lock, the pool, and the transactions every table module goes through
(see the package docstring)."""

from __future__ import annotations

import copy
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from datetime import UTC, datetime
from importlib import resources
from importlib.resources.abc import Traversable
from pathlib import Path
from types import TracebackType
from typing import Any, Self

import psycopg
import psycopg_pool
from psycopg import errors as pg_errors
from psycopg.conninfo import conninfo_to_dict, make_conninfo

from goldthread.config.storeurl import (
    hidden_parts,
    redact_store_url,
    scrub,
    store_url_problem,
)
from goldthread.errors import StoreError
from goldthread.store import codec
from goldthread.store.schema import latest_version, not_current, too_new
from goldthread.store.sqlite.connection import load_migrations

CONNECT_TIMEOUT_S = 5
POOL_MIN = 1
POOL_MAX = 8
WAIT_S = 10.0
"""How long a call waits for a pooled connection; request paths wait less
(:meth:`PostgresConnection.bounded`)."""
RECONNECT_WINDOW_S = 2.0
"""How long one of the pool's reconnection attempts retries before it gives
up and leaves the next waiting call to start a fresh one. The pool's own
back-off doubles without a cap inside that window (1, 2, 4 … s), so a long
window would keep a pool asleep for tens of seconds after a long outage
ended; a short one keeps it trying about every second while calls wait."""
KEEPALIVE = {
    "keepalives": 1,
    "keepalives_idle": 10,
    "keepalives_interval": 3,
    "keepalives_count": 3,
}
"""TCP keepalives, so a connection to a server that vanished without closing
it (a lost network) is found dead within seconds, not the kernel's hours."""
MIGRATION_LOCK = 0x676F6C64
"""The advisory lock key migrations run under (``"gold"`` in ASCII)."""

Migrations = list[tuple[int, str, str]]


def default_migrations() -> Traversable:
    """The packaged PostgreSQL migrations."""
    return resources.files("goldthread.store").joinpath("migrations", "postgres")


def describe(url: str) -> str:
    """The URL without its password, for messages and logs.

    A URL libpq cannot parse is refused without libpq's words, which quote
    the offending part of the URL (the password, when that is the part).
    """
    problem = store_url_problem(url)
    if problem:
        raise StoreError(f"store url {redact_store_url(url)}: {problem}")
    try:
        parts = conninfo_to_dict(url)
    except psycopg.ProgrammingError:
        raise StoreError(
            f"store url {redact_store_url(url)} is not a valid PostgreSQL URL"
            " (check its port, its %-escapes and its ?parameters)"
        ) from None
    user = f"{parts['user']}@" if parts.get("user") else ""
    host = parts.get("host") or "localhost"
    port = f":{parts['port']}" if parts.get("port") else ""
    return f"postgresql://{user}{host}{port}/{parts.get('dbname') or ''}"


def conninfo(url: str, *, read_only: bool = False) -> str:
    """The connection string goldthread uses: UTC session, bounded connect time."""
    options = "-c TimeZone=UTC"
    if read_only:
        options += " -c default_transaction_read_only=on"
    return make_conninfo(url, connect_timeout=CONNECT_TIMEOUT_S, options=options, **KEEPALIVE)


_HINTS: tuple[tuple[type[psycopg.Error], str], ...] = (
    (pg_errors.InvalidCatalogName, "the database does not exist; create it first (createdb)"),
    (pg_errors.InvalidPassword, "the server refused the password"),
    (pg_errors.InvalidAuthorizationSpecification, "the server refused the user"),
    (pg_errors.ReadOnlySqlTransaction, "the store was opened read-only"),
    (pg_errors.InsufficientPrivilege, "the database user lacks a privilege it needs"),
)


def error(exc: BaseException, doing: str, where: str, hidden: Sequence[str] = ()) -> StoreError:
    """A psycopg or pool error as a StoreError that says what to check; the
    driver's words are scrubbed of ``hidden`` (the URL and its passwords)."""
    hint = next((text for kind, text in _HINTS if isinstance(exc, kind)), None)
    if hint is None and isinstance(exc, psycopg.OperationalError | psycopg_pool.PoolTimeout):
        hint = (
            "cannot reach the PostgreSQL server or database (is the server running,"
            " and do the URL's host, port, user and database exist?)"
        )
    text = scrub(str(exc), hidden).strip()
    detail = text.splitlines()[0] if text else type(exc).__name__
    return StoreError(f"store {where}: {doing} failed: {hint or detail} ({detail})")


def apply_migrations(
    conn: psycopg.Connection[Any], migrations: Migrations, where: str
) -> list[int]:
    """Apply the migrations newer than the schema, each in its own transaction
    under ``pg_advisory_xact_lock``: replicas starting together apply each once."""
    known = latest_version(migrations)
    applied: list[int] = []
    while True:
        with conn.transaction():
            current = _locked_version(conn)
            if current > known:
                raise too_new(where, current, known)
            pending = [m for m in migrations if m[0] > current]
            if not pending:
                return applied
            version, name, sql = pending[0]
            try:
                conn.execute(sql.encode("utf-8"))
            except psycopg.Error as exc:
                raise error(exc, f"applying migration {name}", where) from exc
            conn.execute(
                "INSERT INTO schema_version (version, name, applied_at) VALUES (%s, %s, %s)",
                (version, name, datetime.now(UTC)),
            )
            applied.append(version)


def _locked_version(conn: psycopg.Connection[Any]) -> int:
    conn.execute("SELECT pg_advisory_xact_lock(%s)", (MIGRATION_LOCK,))
    conn.execute(
        "CREATE TABLE IF NOT EXISTS schema_version ("
        " version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at TIMESTAMPTZ NOT NULL)"
    )
    row = conn.execute("SELECT max(version) FROM schema_version").fetchone()
    return int(row[0] or 0) if row else 0


def _current_version(conn: psycopg.Connection[Any]) -> int:
    row = conn.execute("SELECT to_regclass('schema_version') IS NOT NULL").fetchone()
    if not row or not row[0]:
        return 0
    found = conn.execute("SELECT max(version) FROM schema_version").fetchone()
    return int(found[0] or 0) if found else 0


class PostgresConnection:
    """The pool every call borrows a connection from, one transaction per call."""

    def __init__(
        self, pool: psycopg_pool.ConnectionPool, where: str, hidden: Sequence[str] = ()
    ) -> None:
        self._pool: psycopg_pool.ConnectionPool | None = pool
        self._where = where
        self._wait = WAIT_S
        self._statement_ms: int | None = None
        self._hidden = tuple(hidden)

    # ---------------------------------------------------------------- opening

    @classmethod
    def open(
        cls,
        url: str,
        migrations: Traversable | Path | None = None,
        *,
        read_only: bool = False,
        migrate: bool = True,
    ) -> Self:
        """Connect to the database at ``url`` and migrate it (under a lock).

        ``read_only`` neither migrates nor writes, and needs the schema to be
        current; ``migrate=False`` leaves migrating to :meth:`migrate`.
        Raises :class:`~goldthread.errors.StoreError` when the server cannot be
        reached, the database is missing, or its schema is newer than this goldthread.
        """
        where = describe(url)
        hidden = hidden_parts(url)
        found = load_migrations(migrations or default_migrations())
        info = conninfo(url, read_only=read_only)
        try:
            with psycopg.connect(info) as conn:
                if read_only:
                    _require_current(_current_version(conn), found, where)
                elif migrate:
                    apply_migrations(conn, found, where)
        except psycopg.Error as exc:
            raise error(exc, "opening", where, hidden) from None
        pool = psycopg_pool.ConnectionPool(  # checked on loan: survives a server restart
            info,
            min_size=POOL_MIN,
            max_size=POOL_MAX,
            open=False,
            name="goldthread-store",
            timeout=WAIT_S,
            reconnect_timeout=RECONNECT_WINDOW_S,
            check=lambda conn: _check(pool, conn),
        )
        try:
            pool.open(wait=True, timeout=CONNECT_TIMEOUT_S)
        except psycopg_pool.PoolTimeout as exc:
            pool.close()
            raise error(exc, "opening", where, hidden) from None
        return cls(pool, where, hidden)

    def migrate(self, migrations: Migrations) -> list[int]:
        """Apply the migrations newer than the schema; returns the versions applied."""
        with self._tx("migrating") as conn:
            conn.commit()
            return apply_migrations(conn, migrations, self._where)

    def schema_version(self) -> int:
        with self._tx("reading the schema version") as conn:
            return _current_version(conn)

    def bounded(self, seconds: float) -> Self:
        """This store for request paths: a call waits at most ``seconds`` for
        a connection, and each statement runs at most that long (see
        :meth:`goldthread.store.base.Store.bounded`); the pool is shared."""
        view = copy.copy(self)
        view._wait = seconds
        view._statement_ms = max(1, round(seconds * 1000))
        return view

    def probe(self) -> None:
        """The server answers and takes writes (not a standby, nor read-only)."""
        with self._tx("checking that the store takes writes") as conn:
            row = conn.execute("SHOW transaction_read_only").fetchone()
        if row is None or row[0] != "off":
            raise StoreError(
                f"store {self._where}: the database takes no writes now"
                " (a standby after a failover, or set read-only)"
            )

    # ---------------------------------------------------------------- plumbing

    @contextmanager
    def _tx(self, doing: str) -> Iterator[psycopg.Connection[Any]]:
        """One transaction on a pooled connection: committed when the block
        ends, rolled back when it raises; psycopg errors become StoreError."""
        pool = self._pool
        if pool is None:
            raise StoreError(f"store {self._where} is closed")
        try:
            with pool.connection(timeout=self._wait) as conn:
                if self._statement_ms is not None:
                    conn.execute(
                        "SELECT set_config('statement_timeout', %s, true)",
                        (str(self._statement_ms),),
                    )
                yield conn
        except (psycopg.Error, psycopg_pool.PoolTimeout) as exc:
            raise error(exc, doing, self._where, self._hidden) from exc

    def _all(self, doing: str, sql: str, params: Any = ()) -> list[tuple[Any, ...]]:
        with self._tx(doing) as conn:
            return conn.execute(sql, params).fetchall()

    def _sql(self, statement: str) -> str:
        return statement.replace("?", "%s")

    def _to_db(self, value: datetime) -> datetime:
        return utc(value)

    def _from_db(self, value: datetime) -> datetime:
        return moment(value)

    def close(self) -> None:
        """Close every pooled connection; safe to call twice."""
        pool, self._pool = self._pool, None
        if pool is not None:
            pool.close()

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()


def utc(value: datetime) -> datetime:
    """An aware datetime in UTC; naive ones are refused like on SQLite."""
    codec.ts(value)  # raises ValueError on a naive datetime
    return value.astimezone(UTC)


def moment(value: datetime) -> datetime:
    """A ``timestamptz`` read back, in UTC (the session zone already is)."""
    return value.astimezone(UTC)


def _check(pool: psycopg_pool.ConnectionPool, conn: psycopg.Connection[Any]) -> None:
    """The check on loan. A connection that fails it means the server went
    away (restarted, crashed), so every idle one is dead too: they are all
    dropped at once, rather than each found dead on its own loan while the
    pool backs off a second more each time."""
    try:
        psycopg_pool.ConnectionPool.check_connection(conn)
    except psycopg.Error:
        pool.drain()
        raise


def _require_current(current: int, migrations: Migrations, where: str) -> None:
    known = latest_version(migrations)
    if current != known:
        raise not_current(where, current, known)
