"""The SQLite tables as neutral rows (:mod:`goldthread.store.portable`)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from goldthread.store import codec
from goldthread.store.portable import Row, Table
from goldthread.store.sqlite.connection import SqliteConnection


def _out_value(table: Table, column: str, value: Any) -> Any:
    """A stored value as a neutral one: times parsed, flags as booleans, blobs as bytes."""
    if column in table.times:
        return codec.parse_ts_or_none(value)
    if column in table.flags:
        return bool(value)
    return bytes(value) if isinstance(value, memoryview) else value


def _in_value(table: Table, column: str, value: Any) -> Any:
    if column in table.times:
        return codec.ts_or_none(value)
    if column in table.flags:
        return 1 if value else 0
    return value


def _out(table: Table, row: Row) -> Row:
    return tuple(_out_value(table, c, v) for c, v in zip(table.columns, row, strict=True))


def _in(table: Table, row: Row) -> Row:
    return tuple(_in_value(table, c, v) for c, v in zip(table.columns, row, strict=True))


class PortableTables(SqliteConnection):
    """Reading and filling whole tables, for ``goldthread store copy``."""

    def export_rows(self, table: Table, offset: int, limit: int) -> list[Row]:
        sql = (  # names from the fixed table list only
            f"SELECT {', '.join(table.columns)} FROM {table.name}"  # noqa: S608
            f" ORDER BY {table.order_by} LIMIT ? OFFSET ?"
        )
        return [
            _out(table, row) for row in self._all(f"reading {table.name}", sql, (limit, offset))
        ]

    def import_rows(self, table: Table, rows: Sequence[Row]) -> None:
        sql = (
            f"INSERT INTO {table.name} ({', '.join(table.columns)})"  # noqa: S608
            f" VALUES ({', '.join('?' for _ in table.columns)})"
        )
        with self._tx(f"filling {table.name}") as conn:
            conn.executemany(sql, [_in(table, row) for row in rows])

    def count_rows(self, table: Table) -> int:
        sql = f"SELECT count(*) FROM {table.name}"  # noqa: S608
        return int(self._all(f"counting {table.name}", sql)[0][0])
