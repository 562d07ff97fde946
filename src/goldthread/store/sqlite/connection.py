"""Opening a SQLite store: the file lock, pragmas, migrations, and the one
guarded connection every table module goes through (see the package docstring)."""

from __future__ import annotations

import copy
import os
import re
import sqlite3
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from importlib import resources
from importlib.resources.abc import Traversable
from pathlib import Path
from types import TracebackType
from typing import Any, Self

from goldthread.errors import StoreError
from goldthread.store import codec
from goldthread.store.locking import ProcessLock
from goldthread.store.schema import latest_version, not_current, too_new

MEMORY = ":memory:"
PRIVATE_MODE = 0o600
"""The mode of every file goldthread creates for the store."""
BUSY_TIMEOUT_MS = 10_000
_MIGRATION_NAME = re.compile(r"^(\d{4})_[a-z0-9_]+\.sql$")


def default_migrations() -> Traversable:
    """The packaged SQLite migrations."""
    return resources.files("goldthread.store").joinpath("migrations", "sqlite")


def load_migrations(directory: Traversable | Path) -> list[tuple[int, str, str]]:
    """``(version, file name, sql)`` of every ``NNNN_name.sql``, in version order."""
    found: list[tuple[int, str, str]] = []
    for entry in directory.iterdir():
        match = _MIGRATION_NAME.match(entry.name)
        if match:
            found.append((int(match.group(1)), entry.name, entry.read_text(encoding="utf-8")))
    found.sort()
    versions = [version for version, _, _ in found]
    if len(set(versions)) != len(versions):
        raise StoreError(f"two migrations share a version number in {directory}")
    return found


def _error(exc: sqlite3.Error, doing: str, where: str) -> StoreError:
    """A sqlite3 error as a StoreError that says what to check."""
    name = getattr(exc, "sqlite_errorname", "")
    hints = {
        "SQLITE_NOTADB": "the file is not a goldthread SQLite store (corrupt, or another kind of file)",
        "SQLITE_CORRUPT": "the database file is corrupt; restore it or start a new store",
        "SQLITE_CANTOPEN": "the file cannot be opened; is the directory there and writable?",
        "SQLITE_READONLY": "the store is read-only; is the file and its directory writable?",
        "SQLITE_FULL": "the disk is full",
        "SQLITE_BUSY": "the database stayed locked by another connection",
        "SQLITE_IOERR_WRITE": "the file system refused a write (is the disk full, over a quota, or read-only?)",
        "SQLITE_IOERR": "the disk reported an I/O error",
    }
    hint = next((text for code, text in hints.items() if name.startswith(code)), str(exc))
    return StoreError(f"store {where}: {doing} failed: {hint} ({exc})")


def _create_private(where: str) -> None:
    """Create the store file readable by its owner only (``0600``), if it is
    not there yet: it holds issue bodies and webhook payloads. SQLite gives
    the ``-wal`` and ``-shm`` files it makes beside it the same mode."""
    try:
        fd = os.open(where, os.O_RDWR | os.O_CREAT | os.O_EXCL, PRIVATE_MODE)
    except FileExistsError:
        return
    except OSError:
        return  # sqlite3 reports the same problem in its own words, with a hint
    os.close(fd)


class SqliteConnection:
    """The one shared connection: opening, migrating, transactions, closing."""

    def __init__(self, conn: sqlite3.Connection, where: str, lock: ProcessLock | None) -> None:
        self._conn: sqlite3.Connection | None = conn
        self._where = where
        self._process_lock = lock
        self._mutex = threading.RLock()
        self._wait = -1.0
        """Seconds a call waits for the connection (``-1``: as long as it takes)."""

    # ---------------------------------------------------------------- opening

    @classmethod
    def open(
        cls,
        path: str | Path,
        migrations: Traversable | Path | None = None,
        *,
        read_only: bool = False,
        migrate: bool = True,
    ) -> Self:
        """Open (creating if needed) and migrate the store at ``path`` (or ``:memory:``).

        ``read_only`` opens an existing file without its lock and without
        migrating, for reports next to a running service (WAL lets readers
        work alongside the one writer); its schema must be current.
        ``migrate=False`` leaves migrating to an explicit :meth:`migrate`.

        Raises :class:`~goldthread.errors.StoreLockedError` when another
        process holds the file, :class:`~goldthread.errors.StoreError` when it
        cannot be opened, is not a store, or is newer than this goldthread.
        """
        in_memory = str(path) == MEMORY
        where = MEMORY if in_memory else str(path)
        found = load_migrations(migrations or default_migrations())
        if read_only and not in_memory:
            store = cls(cls._connect_read_only(where), where, None)
            store._check_current(found)
            return store
        lock = None if in_memory else ProcessLock(Path(f"{path}.lock"))
        if lock is not None:
            lock.acquire()
        try:
            conn = cls._connect(where, in_memory)
            store = cls(conn, where, lock)
            if migrate:
                store.migrate(found)
                store._recover_inbox()
        except BaseException:
            if lock is not None:
                lock.release()
            raise
        return store

    @staticmethod
    def _connect_read_only(where: str) -> sqlite3.Connection:
        if not Path(where).is_file():
            raise StoreError(
                f"store {where}: there is no store here yet; run `goldthread backfill` first"
            )
        uri = f"{Path(where).absolute().as_uri()}?mode=ro"
        conn: sqlite3.Connection | None = None
        try:
            conn = sqlite3.connect(
                uri,
                uri=True,
                isolation_level=None,
                check_same_thread=False,
                timeout=BUSY_TIMEOUT_MS / 1000,
            )
            conn.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
            conn.execute("SELECT count(*) FROM sqlite_master").fetchone()
        except sqlite3.Error as exc:
            if conn is not None:
                conn.close()
            raise _error(exc, "opening", where) from exc
        return conn

    def _check_current(self, migrations: list[tuple[int, str, str]]) -> None:
        """A read-only store must be at exactly the schema this goldthread knows."""
        known = latest_version(migrations)
        try:
            current = self.schema_version()
        except StoreError:
            current = 0
        if current != known:
            self.close()
            raise not_current(self._where, current, known)

    @staticmethod
    def _connect(where: str, in_memory: bool) -> sqlite3.Connection:
        if not in_memory:
            _create_private(where)
        conn: sqlite3.Connection | None = None
        try:
            conn = sqlite3.connect(
                where, isolation_level=None, check_same_thread=False, timeout=BUSY_TIMEOUT_MS / 1000
            )
            conn.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
            conn.execute("PRAGMA foreign_keys = ON")
            if not in_memory:
                conn.execute("PRAGMA journal_mode = WAL").fetchone()
                conn.execute("PRAGMA synchronous = NORMAL")
            conn.execute("SELECT count(*) FROM sqlite_master").fetchone()
        except sqlite3.Error as exc:
            if conn is not None:
                conn.close()
            raise _error(exc, "opening", where) from exc
        return conn

    def migrate(self, migrations: list[tuple[int, str, str]]) -> list[int]:
        """Apply the migrations newer than the schema; returns the versions applied."""
        with self._read("reading the schema version") as conn:
            conn.execute(
                "CREATE TABLE IF NOT EXISTS schema_version ("
                " version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at TEXT NOT NULL)"
            )
            current = self._version(conn)
        known = latest_version(migrations)
        if current > known:
            raise too_new(self._where, current, known)
        applied = []
        for version, name, sql in migrations:
            if version > current:
                self._apply(version, name, sql)
                applied.append(version)
        return applied

    def _apply(self, version: int, name: str, sql: str) -> None:
        with self._mutex:
            conn = self._live()
            try:
                conn.executescript(f"BEGIN IMMEDIATE;\n{sql}\n;")
                conn.execute(
                    "INSERT INTO schema_version (version, name, applied_at) VALUES (?, ?, ?)",
                    (version, name, codec.ts(datetime.now(UTC))),
                )
                conn.execute("COMMIT")
            except sqlite3.Error as exc:
                if conn.in_transaction:
                    conn.execute("ROLLBACK")
                raise _error(exc, f"applying migration {name}", self._where) from exc

    @staticmethod
    def _version(conn: sqlite3.Connection) -> int:
        row = conn.execute("SELECT max(version) FROM schema_version").fetchone()
        return int(row[0] or 0)

    def schema_version(self) -> int:
        with self._read("reading the schema version") as conn:
            return self._version(conn)

    def _recover_inbox(self) -> None:
        """Entries left ``processing`` by a process that died go back to pending:
        this process holds the store alone, so nobody else is working on them."""
        with self._tx("recovering the inbox") as conn:
            conn.execute("UPDATE inbox SET status = 'pending' WHERE status = 'processing'")

    # ---------------------------------------------------------------- plumbing

    def _live(self) -> sqlite3.Connection:
        if self._conn is None:
            raise StoreError(f"store {self._where} is closed")
        return self._conn

    def bounded(self, seconds: float) -> Self:
        """This store, waiting at most ``seconds`` for the shared connection
        (see :meth:`goldthread.store.base.Store.bounded`)."""
        view = copy.copy(self)
        view._wait = seconds
        return view

    def probe(self) -> None:
        """Rewrite the file header's ``user_version`` with its own value: a
        real write (a full disk or a file that can no longer be written
        refuses it) that changes nothing."""
        with self._tx("checking that the store takes writes") as conn:
            version = int(conn.execute("PRAGMA user_version").fetchone()[0])
            conn.execute(f"PRAGMA user_version = {version}")

    @contextmanager
    def _turn(self, doing: str) -> Iterator[None]:
        """Hold the mutex, waiting at most ``_wait`` seconds for it."""
        if not self._mutex.acquire(timeout=self._wait):
            raise StoreError(
                f"store {self._where}: {doing} failed: the store stayed busy for {self._wait:g}s"
            )
        try:
            yield
        finally:
            self._mutex.release()

    @contextmanager
    def _tx(self, doing: str) -> Iterator[sqlite3.Connection]:
        """One write transaction under the mutex; sqlite3 errors become StoreError."""
        with self._turn(doing):
            conn = self._live()
            try:
                conn.execute("BEGIN IMMEDIATE")
                yield conn
                conn.execute("COMMIT")
            except sqlite3.Error as exc:
                if conn.in_transaction:
                    conn.execute("ROLLBACK")
                raise _error(exc, doing, self._where) from exc
            except BaseException:
                if conn.in_transaction:
                    conn.execute("ROLLBACK")
                raise

    @contextmanager
    def _read(self, doing: str) -> Iterator[sqlite3.Connection]:
        with self._turn(doing):
            conn = self._live()
            try:
                yield conn
            except sqlite3.Error as exc:
                raise _error(exc, doing, self._where) from exc

    def _all(self, doing: str, sql: str, params: tuple[Any, ...] = ()) -> list[Any]:
        with self._read(doing) as conn:
            return conn.execute(sql, params).fetchall()

    def _sql(self, statement: str) -> str:
        return statement

    def _to_db(self, value: datetime) -> str:
        return codec.ts(value)

    def _from_db(self, value: str) -> datetime:
        return codec.parse_ts(value)

    def close(self) -> None:
        """Close the connection and release the file lock; safe to call twice."""
        with self._mutex:
            if self._conn is not None:
                conn, self._conn = self._conn, None
                conn.close()
            if self._process_lock is not None:
                self._process_lock.release()

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()
