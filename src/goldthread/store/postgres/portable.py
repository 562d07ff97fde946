"""The PostgreSQL tables as neutral rows (:mod:`goldthread.store.portable`)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC
from typing import Any

from goldthread.store.portable import Row, Table
from goldthread.store.postgres.connection import PostgresConnection

_TEXT_AS_BYTES = {("items", "body")}
"""Text columns kept as UTF-8 bytes here (PostgreSQL text cannot hold NUL)."""


def _out_value(table: Table, column: str, value: Any) -> Any:
    if column in table.times and value is not None:
        return value.astimezone(UTC)
    if (table.name, column) in _TEXT_AS_BYTES:
        return bytes(value).decode("utf-8")
    return bytes(value) if isinstance(value, memoryview) else value


def _out(table: Table, row: Row) -> Row:
    return tuple(_out_value(table, c, v) for c, v in zip(table.columns, row, strict=True))


def _in(table: Table, row: Row) -> Row:
    return tuple(
        value.encode("utf-8") if (table.name, column) in _TEXT_AS_BYTES else value
        for column, value in zip(table.columns, row, strict=True)
    )


class PortableTables(PostgresConnection):
    """Reading and filling whole tables, for ``goldthread store copy``."""

    def export_rows(self, table: Table, offset: int, limit: int) -> list[Row]:
        sql = (  # names from the fixed table list only
            f"SELECT {', '.join(table.columns)} FROM {table.name}"  # noqa: S608
            f" ORDER BY {table.order_by} LIMIT %s OFFSET %s"
        )
        return [
            _out(table, row) for row in self._all(f"reading {table.name}", sql, (limit, offset))
        ]

    def import_rows(self, table: Table, rows: Sequence[Row]) -> None:
        """``COPY`` the rows in, then move the table's id counter past them."""
        with self._tx(f"filling {table.name}") as conn:
            with (
                conn.cursor() as cur,
                cur.copy(f"COPY {table.name} ({', '.join(table.columns)}) FROM STDIN") as copy,
            ):
                for row in rows:
                    copy.write_row(_in(table, row))
            if table.identity is not None:
                conn.execute(
                    f"SELECT setval(pg_get_serial_sequence(%s, %s), max({table.identity}))"  # noqa: S608
                    f" FROM {table.name} HAVING max({table.identity}) IS NOT NULL",
                    (table.name, table.identity),
                )

    def count_rows(self, table: Table) -> int:
        sql = f"SELECT count(*) FROM {table.name}"  # noqa: S608
        return int(self._all(f"counting {table.name}", sql)[0][0])
