"""Where goldthread keeps state between runs: items, verdicts, cursors, the
write-back ledger, the webhook inbox and run history.

:func:`open_store` picks the backend from the ``[store] url``; everything
above this package sees only the :class:`~goldthread.store.base.Store`
protocol.
"""

from __future__ import annotations

from pathlib import Path

from goldthread.errors import StoreError
from goldthread.store.base import (
    CoveragePoint,
    CoverageRow,
    InboxEntry,
    InboxStatus,
    LedgerEntry,
    RunRecord,
    Store,
)

__all__ = [
    "CoveragePoint",
    "CoverageRow",
    "InboxEntry",
    "InboxStatus",
    "LedgerEntry",
    "RunRecord",
    "Store",
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


def open_store(url: str, base_dir: Path | None = None) -> Store:
    """Open (and migrate) the store named by ``url``.

    Raises :class:`~goldthread.errors.StoreLockedError` when another
    goldthread process holds it and :class:`~goldthread.errors.StoreError`
    for anything else that keeps it from opening.
    """
    scheme = url.partition(":")[0].lower()
    if scheme == "sqlite":
        from goldthread.store.sqlite import SqliteStore

        return SqliteStore.open(sqlite_path(url, base_dir))
    if scheme in {"postgresql", "postgres"}:
        raise StoreError(
            "store url is postgresql://…: that needs the PostgreSQL store, which this"
            " goldthread does not have yet; use sqlite:///PATH"
        )
    raise StoreError(
        f"store url {url!r}: unknown scheme {scheme!r} (expected sqlite:/// or postgresql://)"
    )
