"""Where goldthread keeps state between runs: items, verdicts, cursors, the
write-back ledger, the webhook inbox and run history.

:func:`open_store` picks the backend from the ``[store] url``; everything
above this package sees only the :class:`~goldthread.store.base.Store`
protocol.
"""

from __future__ import annotations

from pathlib import Path

from goldthread.config.storeurl import redact_store_url
from goldthread.errors import StoreError
from goldthread.store.base import (
    CoveragePoint,
    CoverageRow,
    Delivery,
    DeliveryStatus,
    InboxEntry,
    InboxStatus,
    LedgerEntry,
    RunRecord,
    Store,
)

__all__ = [
    "CoveragePoint",
    "CoverageRow",
    "Delivery",
    "DeliveryStatus",
    "InboxEntry",
    "InboxStatus",
    "LedgerEntry",
    "RunRecord",
    "Store",
    "is_shared",
    "migrate_store",
    "open_store",
    "sqlite_path",
]

_SQLITE = "sqlite:///"


def sqlite_path(url: str, base_dir: Path | None = None) -> str:
    """The file (or ``:memory:``) a ``sqlite:///`` URL names.

    ``sqlite:///goldthread.db`` is relative (to ``base_dir`` when given,
    else the working directory); ``sqlite:////var/lib/goldthread.db`` is
    absolute; ``sqlite:///:memory:`` is a store that lives as long as the process.
    """
    if not url.startswith(_SQLITE):
        raise StoreError(f"not a SQLite store URL: {url!r} (expected sqlite:///PATH)")
    rest = url.removeprefix(_SQLITE)
    if not rest:
        raise StoreError(f"store URL {url!r} names no file")
    if rest == ":memory:":
        return rest
    path = Path(rest)
    if not path.is_absolute() and base_dir is not None:
        path = base_dir / path
    return str(path)


def _scheme(url: str) -> str:
    scheme = url.partition(":")[0].lower()
    if scheme in {"sqlite", "postgresql", "postgres"}:
        return "postgresql" if scheme == "postgres" else scheme
    raise StoreError(
        f"store url {redact_store_url(url)!r}: unknown scheme {scheme!r}"
        " (expected sqlite:/// or postgresql://)"
    )


def is_shared(url: str) -> bool:
    """Whether the store at ``url`` may be shared by several processes
    (PostgreSQL), rather than held by one (SQLite)."""
    return _scheme(url) == "postgresql"


def open_store(
    url: str, base_dir: Path | None = None, *, read_only: bool = False, migrate: bool = True
) -> Store:
    """Open (and migrate) the store named by ``url``: ``sqlite:///PATH`` or
    ``postgresql://`` (also ``postgres://``).

    ``read_only`` opens an existing store for reading only: without the
    SQLite process lock (so ``report`` and ``explain`` work while ``run``
    holds the store) and without migrating (its schema must be current).
    ``migrate=False`` leaves migrating to :func:`migrate_store`.

    Raises :class:`~goldthread.errors.StoreLockedError` when another
    goldthread process holds a SQLite store and
    :class:`~goldthread.errors.StoreError` for anything else that keeps it from opening.
    """
    if _scheme(url) == "sqlite":
        from goldthread.store.sqlite import SqliteStore

        return SqliteStore.open(sqlite_path(url, base_dir), read_only=read_only, migrate=migrate)
    try:
        from goldthread.store.postgres import PostgresStore
    except ImportError as exc:
        raise StoreError(
            "store url is postgresql://…, which needs psycopg: pip install 'goldthread[postgres]'"
        ) from exc
    return PostgresStore.open(url, read_only=read_only, migrate=migrate)


def migrate_store(url: str, base_dir: Path | None = None) -> tuple[list[int], int]:
    """Apply the store's pending schema migrations: (versions applied, version now)."""
    if _scheme(url) == "sqlite":
        from goldthread.store.sqlite import SqliteStore, load_migrations
        from goldthread.store.sqlite import default_migrations as sqlite_migrations

        with SqliteStore.open(sqlite_path(url, base_dir), migrate=False) as sqlite_store:
            applied = sqlite_store.migrate(load_migrations(sqlite_migrations()))
            return applied, sqlite_store.schema_version()
    from goldthread.store.postgres import PostgresStore
    from goldthread.store.postgres import default_migrations as pg_migrations
    from goldthread.store.sqlite import load_migrations as load

    with PostgresStore.open(url, migrate=False) as pg_store:
        applied = pg_store.migrate(load(pg_migrations()))
        return applied, pg_store.schema_version()
