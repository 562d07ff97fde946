"""Items, verdicts, barren items, cursors and the write-back ledger, on PostgreSQL."""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping, Sequence
from datetime import datetime
from typing import Any

import psycopg

from goldthread.core.ageing import FlagSpan
from goldthread.core.model import Barren, Layer, Verdict, WorkItem
from goldthread.store import codec
from goldthread.store import shared as stored
from goldthread.store.base import LedgerEntry
from goldthread.store.graphing import edges_of, left_parents, tally_delta
from goldthread.store.postgres.connection import PostgresConnection, moment, utc

_PAGE = 2_000
_COPY_FROM = 500
"""Batches at least this large go in through ``COPY`` (much faster than inserts)."""

_COLUMNS = ", ".join(codec.ITEM_COLUMNS)
_UPDATE_ALL = ", ".join(f"{c} = excluded.{c}" for c in codec.ITEM_COLUMNS[1:])
_ITEM_INSERT = (  # built from the fixed column list only
    f"INSERT INTO items ({_COLUMNS}) "  # noqa: S608
    f"VALUES ({', '.join('%s' for _ in codec.ITEM_COLUMNS)}) "
    f"ON CONFLICT (ref) DO UPDATE SET {_UPDATE_ALL}"
)
_ITEM_MERGE = (
    f"INSERT INTO items ({_COLUMNS}) SELECT {_COLUMNS} FROM items_in "  # noqa: S608
    f"ON CONFLICT (ref) DO UPDATE SET {_UPDATE_ALL}"
)
_FLAG_OPEN = (  # an untraced item without an open stretch gets one
    "INSERT INTO flags (ref, since) SELECT r, %s FROM unnest(%s::text[]) AS r"
    " ON CONFLICT DO NOTHING"
)
_FLAG_CLOSE = (  # a judged item that is not untraced ends its open stretch
    "UPDATE flags SET cleared_at = %s WHERE cleared_at IS NULL AND ref = ANY(%s)"
)
_ITEM_SELECT = f"SELECT {_COLUMNS} FROM items"  # noqa: S608 (fixed columns)
_BODY = codec.ITEM_COLUMNS.index("body")
_TIMES = (codec.ITEM_COLUMNS.index("created_at"), codec.ITEM_COLUMNS.index("updated_at"))
_FLAG = codec.ITEM_COLUMNS.index("is_pull_request")


def item_params(item: WorkItem) -> tuple[Any, ...]:
    """Column values in native types: times, a boolean, the body as UTF-8 bytes
    (PostgreSQL text cannot hold NUL, and a body is kept verbatim)."""
    row = list(codec.item_row(item))
    row[_BODY] = item.body.encode("utf-8")
    row[_TIMES[0]], row[_TIMES[1]] = utc(item.created_at), utc(item.updated_at)
    row[_FLAG] = item.is_pull_request
    return tuple(row)


def item_from_params(row: tuple[Any, ...]) -> WorkItem:
    """The inverse of :func:`item_params`, through the shared codec."""
    values = list(row)
    values[_BODY] = bytes(values[_BODY]).decode("utf-8")
    for index in _TIMES:
        values[index] = codec.ts(values[index])
    return codec.item_from_row(tuple(values))


class RecordTables(PostgresConnection):
    """The tables that mirror trackers and evaluations."""

    # ---------------------------------------------------------------- items

    def upsert_items(self, items: Iterable[WorkItem]) -> int:
        given = list(items)
        rows = [item_params(item) for item in given]
        latest = list({row[0]: row for row in rows}.values())  # one row per ref, last wins
        final = list({item.ref: item for item in given}.values())
        with self._tx("storing items") as conn:
            if len(latest) < _COPY_FROM:
                with conn.cursor() as cur:
                    cur.executemany(_ITEM_INSERT, latest)
            else:
                conn.execute("CREATE TEMP TABLE items_in (LIKE items) ON COMMIT DROP")
                with (
                    conn.cursor() as cur,
                    cur.copy(f"COPY items_in ({_COLUMNS}) FROM STDIN") as copy,
                ):
                    for row in latest:
                        copy.write_row(row)
                conn.execute(_ITEM_MERGE)
            restitch(conn, [item.ref for item in final], edges_of(final))
        return len(rows)

    def delete_items(self, refs: Iterable[str]) -> int:
        keys = list(refs)
        with self._tx("deleting items") as conn:
            deleted = conn.execute("DELETE FROM items WHERE ref = ANY(%s)", (keys,)).rowcount
            retally(conn, keys, [])
            conn.execute("DELETE FROM verdicts WHERE ref = ANY(%s)", (keys,))
            conn.execute("DELETE FROM flags WHERE ref = ANY(%s)", (keys,))
            conn.execute("DELETE FROM beneath WHERE ref = ANY(%s)", (keys,))
            conn.execute("DELETE FROM unsettled WHERE ref = ANY(%s)", (keys,))
            restitch(conn, keys, [])
        return deleted

    def item(self, ref: str) -> WorkItem | None:
        rows = self._all("reading an item", f"{_ITEM_SELECT} WHERE ref = %s", (ref,))
        return item_from_params(rows[0]) if rows else None

    def items(self, source: str | None = None) -> Iterator[WorkItem]:
        """Pages of items by ref, so a large store is never held in memory at once."""
        after = ""
        where = "ref > %s" if source is None else "source = %s AND ref > %s"
        sql = f"{_ITEM_SELECT} WHERE {where} ORDER BY ref LIMIT %s"
        while True:
            params: tuple[Any, ...] = (after, _PAGE) if source is None else (source, after, _PAGE)
            rows = self._all("reading items", sql, params)
            yield from (item_from_params(row) for row in rows)
            if len(rows) < _PAGE:
                return
            after = rows[-1][0]

    def refs_by_external_id(
        self, source: str, external_ids: Iterable[str]
    ) -> list[tuple[str, str]]:
        wanted = list(dict.fromkeys(external_ids))
        if not wanted:
            return []
        rows = self._all(
            "reading items by tracker id",
            "SELECT external_id, ref FROM items WHERE source = %s AND external_id = ANY(%s)",
            (source, wanted),
        )
        return [(str(row[0]), str(row[1])) for row in rows]

    def count_items(self) -> int:
        return int(self._all("counting items", "SELECT count(*) FROM items")[0][0])

    # ---------------------------------------------------------------- verdicts

    def save_verdicts(self, verdicts: Iterable[Verdict], evaluated_at: datetime) -> None:
        at = utc(evaluated_at)
        given = list({verdict.ref: verdict for verdict in verdicts}.values())
        rows = [(*codec.verdict_row(verdict), at) for verdict in given]
        flagged = [verdict.ref for verdict in given if verdict.flaggable]
        cleared = [verdict.ref for verdict in given if not verdict.flaggable]
        with self._tx("saving verdicts") as conn, conn.cursor() as cur:
            retally(
                conn, [v.ref for v in given], [(v.ref, v.layer.value, v.kind.value) for v in given]
            )
            cur.executemany(
                f"INSERT INTO verdicts ({stored.VERDICT_COLUMNS}, evaluated_at)"  # noqa: S608
                " VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s) ON CONFLICT (ref) DO UPDATE SET"
                " layer = excluded.layer, kind = excluded.kind, reason = excluded.reason,"
                " chain = excluded.chain, via = excluded.via, detail = excluded.detail,"
                " classification = excluded.classification, evaluated_at = excluded.evaluated_at",
                rows,
            )
            cur.execute(_FLAG_OPEN, (at, flagged))
            cur.execute(_FLAG_CLOSE, (at, cleared))

    def verdicts(self) -> dict[str, Verdict]:
        rows = self._all(
            "reading verdicts",
            f"SELECT {stored.VERDICT_COLUMNS} FROM verdicts ORDER BY ref",  # noqa: S608
        )
        return {row[0]: codec.verdict_from_row(row) for row in rows}

    def flags(self) -> dict[str, FlagSpan]:
        return stored.latest_flags(self._all("reading flags", stored.FLAGS_SELECT), moment)

    def move_flags(self, moves: Mapping[str, str]) -> None:
        rows = [(new, old, new) for old, new in moves.items()]
        with self._tx("moving flags") as conn, conn.cursor() as cur:
            cur.executemany(
                "UPDATE flags SET ref = %s WHERE ref = %s"
                " AND NOT EXISTS (SELECT 1 FROM flags AS f WHERE f.ref = %s)",
                rows,
            )

    def last_evaluated_at(self) -> datetime | None:
        rows = self._all("reading verdicts", "SELECT max(evaluated_at) FROM verdicts")
        found = rows[0][0]
        return None if found is None else moment(found)

    def save_barren(self, barren: list[Barren]) -> None:
        rows = [(n, b.ref, b.layer.value, b.missing.value) for n, b in enumerate(barren, 1)]
        with self._tx("saving barren items") as conn, conn.cursor() as cur:
            cur.execute("DELETE FROM barren")
            cur.executemany(
                "INSERT INTO barren (position, ref, layer, missing) VALUES (%s, %s, %s, %s)", rows
            )

    def barren(self) -> list[Barren]:
        rows = self._all(
            "reading barren items", "SELECT ref, layer, missing FROM barren ORDER BY position"
        )
        return [
            Barren(ref=ref, layer=Layer(layer), missing=Layer(missing))
            for ref, layer, missing in rows
        ]

    # ---------------------------------------------------------------- cursors

    def cursors(self, source: str) -> dict[str, str]:
        rows = self._all(
            "reading cursors", "SELECT scope, cursor FROM cursors WHERE source = %s", (source,)
        )
        return {str(scope): str(cursor) for scope, cursor in rows}

    def commit_cursors(self, source: str, mapping: Mapping[str, str]) -> None:
        rows = [(source, scope, cursor) for scope, cursor in mapping.items()]
        with self._tx("committing cursors") as conn, conn.cursor() as cur:
            cur.executemany(
                "INSERT INTO cursors (source, scope, cursor) VALUES (%s, %s, %s)"
                " ON CONFLICT (source, scope) DO UPDATE SET cursor = excluded.cursor",
                rows,
            )

    def clear_cursors(self, source: str) -> None:
        with self._tx("clearing cursors") as conn:
            conn.execute("DELETE FROM cursors WHERE source = %s", (source,))

    # ---------------------------------------------------------------- ledger

    def ledger(self, ref: str) -> LedgerEntry | None:
        rows = self._all("reading the ledger", f"{stored.LEDGER_SELECT} WHERE ref = %s", (ref,))
        return stored.ledger_entry(rows[0], moment) if rows else None

    def ledger_all(self) -> dict[str, LedgerEntry]:
        rows = self._all("reading the ledger", stored.LEDGER_SELECT)
        return {row[0]: stored.ledger_entry(row, moment) for row in rows}

    def record_ledger(self, entry: LedgerEntry) -> None:
        at = utc(entry.updated_at)
        with self._tx("recording a write") as conn:
            conn.execute(
                "INSERT INTO ledger (ref, label_applied, comment_id, comment_fingerprint, updated_at)"
                " VALUES (%s, %s, %s, %s, %s) ON CONFLICT (ref) DO UPDATE SET"
                " label_applied = excluded.label_applied, comment_id = excluded.comment_id,"
                " comment_fingerprint = excluded.comment_fingerprint, updated_at = excluded.updated_at",
                (entry.ref, entry.label_applied, entry.comment_id, entry.comment_fingerprint, at),
            )

    def forget_ledger(self, ref: str) -> None:
        with self._tx("forgetting a write") as conn:
            conn.execute("DELETE FROM ledger WHERE ref = %s", (ref,))


def restitch(
    conn: psycopg.Connection[Any], refs: Sequence[str], edges: list[tuple[str, str]]
) -> None:
    """Replace the edges of ``refs`` by ``edges`` and log the change, in ``conn``'s transaction."""
    keys = list(dict.fromkeys(refs))
    old = conn.execute(
        "DELETE FROM edges WHERE child = ANY(%s) RETURNING child, parent", (keys,)
    ).fetchall()
    with conn.cursor() as cur:
        if len(edges) < _COPY_FROM:
            cur.executemany(
                "INSERT INTO edges (child, parent) VALUES (%s, %s) ON CONFLICT DO NOTHING", edges
            )
        else:
            with cur.copy("COPY edges (child, parent) FROM STDIN") as copy:
                for edge in edges:
                    copy.write_row(edge)
    conn.execute(
        "INSERT INTO changes (ref, item) SELECT r, true FROM unnest(%s::text[]) AS r", (keys,)
    )
    left = sorted(left_parents(old, edges))
    conn.execute(
        "INSERT INTO changes (ref, item) SELECT r, false FROM unnest(%s::text[]) AS r", (left,)
    )


def retally(
    conn: psycopg.Connection[Any], refs: Sequence[str], new: list[tuple[str, str, str]]
) -> None:
    """Count the verdicts of ``refs`` out and ``new`` ones in; call before they are replaced."""
    old = conn.execute(
        "SELECT ref, layer, kind FROM verdicts WHERE ref = ANY(%s)", (list(dict.fromkeys(refs)),)
    ).fetchall()
    with conn.cursor() as cur:
        cur.executemany(
            "INSERT INTO tallies (source, layer, kind, n) VALUES (%s, %s, %s, %s)"
            " ON CONFLICT (source, layer, kind) DO UPDATE SET n = tallies.n + excluded.n",
            tally_delta(old, new),
        )
