"""Every table of a store as backend-neutral rows, for ``goldthread store copy``.

The :class:`Store` protocol speaks in items, verdicts and deliveries, and
cannot carry everything a move between backends must keep (an inbox entry's
attempts, a run's id, each verdict's evaluation time, lease tokens). So each
backend also offers its tables as plain rows: text, integers, booleans,
bytes and aware UTC datetimes, in the column order given here. A copy reads
every table of one store and writes it into an empty other one.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, Protocol, runtime_checkable

from goldthread.errors import StoreError
from goldthread.store import codec

Row = tuple[Any, ...]

RELEASED = datetime(1970, 1, 1, tzinfo=UTC)
"""The expiry a released lease is given: before any ``now``."""


@dataclass(frozen=True, slots=True)
class Table:
    """One table as the copy sees it.

    ``times`` are the timestamp columns, ``flags`` the boolean ones;
    ``identity`` is the column a backend numbers by itself (its counter must
    move past the copied ids).
    """

    name: str
    columns: tuple[str, ...]
    order_by: str
    times: frozenset[str] = frozenset()
    flags: frozenset[str] = frozenset()
    identity: str | None = None


TABLES: tuple[Table, ...] = (
    Table(
        "items",
        codec.ITEM_COLUMNS,
        "ref",
        times=frozenset({"created_at", "updated_at"}),
        flags=frozenset({"is_pull_request"}),
    ),
    Table(
        "verdicts",
        (
            "ref",
            "layer",
            "kind",
            "reason",
            "chain",
            "via",
            "detail",
            "classification",
            "evaluated_at",
        ),
        "ref",
        times=frozenset({"evaluated_at"}),
    ),
    Table("barren", ("position", "ref", "layer", "missing"), "position"),
    Table("cursors", ("source", "scope", "cursor"), "source, scope"),
    Table(
        "ledger",
        ("ref", "label_applied", "comment_id", "comment_fingerprint", "updated_at"),
        "ref",
        times=frozenset({"updated_at"}),
        flags=frozenset({"label_applied"}),
    ),
    Table(
        "inbox",
        (
            *("id", "source", "delivery_key", "event", "item_hint", "payload", "received_at"),
            *("status", "attempts", "last_error", "next_attempt_at", "body_sha256", "targets"),
        ),
        "id",
        times=frozenset({"received_at", "next_attempt_at"}),
        identity="id",
    ),
    Table(
        "runs",
        ("id", "kind", "started_at", "finished_at", "outcome", "stats_json"),
        "id",
        times=frozenset({"started_at", "finished_at"}),
        identity="id",
    ),
    Table(
        "coverage",
        ("run_id", "at", "source", "layer", "traced", "orphan", "broken", "exempt"),
        "run_id, source, layer",
        times=frozenset({"at"}),
    ),
    Table(
        "leases", ("name", "holder", "token", "expires_at"), "name", times=frozenset({"expires_at"})
    ),
    Table(
        "flags",
        ("ref", "since", "cleared_at"),
        "ref, since",
        times=frozenset({"since", "cleared_at"}),
    ),
    Table("tallies", ("source", "layer", "kind", "n"), "source, layer, kind"),
    Table(
        "digest_periods",
        ("period", "prepared_at", "baseline"),
        "period",
        times=frozenset({"period", "prepared_at"}),
        flags=frozenset({"baseline"}),
    ),
    Table(
        "digest_snapshots",
        ("team", "at", "traced", "untraced", "refs"),
        "team",
        times=frozenset({"at"}),
    ),
    Table(
        "digest_deliveries",
        (
            *("id", "period", "team", "target", "document", "status", "attempts"),
            *("next_attempt_at", "last_error", "sent_at"),
        ),
        "id",
        times=frozenset({"period", "next_attempt_at", "sent_at"}),
        identity="id",
    ),
)
"""In an order that keeps references valid (runs before coverage)."""


@runtime_checkable
class PortableStore(Protocol):
    """A store whose tables can be read and filled as neutral rows."""

    def export_rows(self, table: Table, offset: int, limit: int) -> list[Row]:
        """Up to ``limit`` rows of ``table`` from ``offset``, in ``table.order_by`` order."""
        ...

    def import_rows(self, table: Table, rows: Sequence[Row]) -> None:
        """Insert rows as they are (ids included), in one transaction."""
        ...

    def count_rows(self, table: Table) -> int: ...


def table_rows(store: PortableStore, table: Table, page: int = 5_000) -> Iterator[list[Row]]:
    """Pages of a table, so a large store is never held in memory at once."""
    offset = 0
    while True:
        rows = store.export_rows(table, offset, page)
        if rows:
            yield rows
        if len(rows) < page:
            return
        offset += len(rows)


def copy_store(source: object, target: object) -> dict[str, int]:
    """Copy every table of ``source`` into the empty ``target``; rows per table.

    Refuses a target that holds anything: merging two histories is not a copy.
    """
    if not isinstance(source, PortableStore) or not isinstance(target, PortableStore):
        raise StoreError("this store cannot be copied (it does not expose its tables)")
    filled = [table.name for table in TABLES if target.count_rows(table)]
    if filled:
        raise StoreError(
            f"the target store is not empty (it has {', '.join(filled)}); copy into a new one"
        )
    copied: dict[str, int] = {}
    for table in TABLES:
        copied[table.name] = 0
        for rows in table_rows(source, table):
            target.import_rows(table, rows)
            copied[table.name] += len(rows)
    return copied
