"""Items, verdicts, barren items, cursors and the write-back ledger, on SQLite."""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from datetime import datetime
from typing import Any

from goldthread.core.ageing import FlagSpan
from goldthread.core.model import Barren, Layer, Verdict, WorkItem
from goldthread.store import codec
from goldthread.store import shared as stored
from goldthread.store.base import LedgerEntry
from goldthread.store.graphing import edges_of
from goldthread.store.sqlite.connection import SqliteConnection
from goldthread.store.sqlite.graph import restitch, retally

_PAGE = 2_000
_IDS = 500
"""Tracker ids per query (SQLite allows a limited number of parameters)."""
_ITEM_INSERT = (  # built from the fixed column list only
    f"INSERT INTO items ({', '.join(codec.ITEM_COLUMNS)}) "  # noqa: S608
    f"VALUES ({', '.join('?' for _ in codec.ITEM_COLUMNS)}) "
    "ON CONFLICT (ref) DO UPDATE SET "
    + ", ".join(f"{c} = excluded.{c}" for c in codec.ITEM_COLUMNS[1:])
)
_FLAG_OPEN = (  # an untraced item without an open stretch gets one
    "INSERT INTO flags (ref, since) VALUES (?, ?) ON CONFLICT DO NOTHING"
)
_FLAG_CLOSE = (  # a judged item that is not untraced ends its open stretch
    "UPDATE flags SET cleared_at = ? WHERE cleared_at IS NULL AND ref = ?"
)
_ITEM_SELECT = f"SELECT {', '.join(codec.ITEM_COLUMNS)} FROM items"  # noqa: S608 (fixed columns)


class RecordTables(SqliteConnection):
    """The tables that mirror trackers and evaluations."""

    # ---------------------------------------------------------------- items

    def upsert_items(self, items: Iterable[WorkItem]) -> int:
        given = list(items)
        rows = [codec.item_row(item) for item in given]
        with self._tx("storing items") as conn:
            conn.executemany(_ITEM_INSERT, rows)
            restitch(conn, [item.ref for item in given], edges_of(given))
        return len(rows)

    def delete_items(self, refs: Iterable[str]) -> int:
        keys = [(ref,) for ref in refs]
        with self._tx("deleting items") as conn:
            before = conn.total_changes
            conn.executemany("DELETE FROM items WHERE ref = ?", keys)
            deleted = conn.total_changes - before
            retally(conn, [ref for (ref,) in keys], [])
            conn.executemany("DELETE FROM verdicts WHERE ref = ?", keys)
            conn.executemany("DELETE FROM flags WHERE ref = ?", keys)
            conn.executemany("DELETE FROM beneath WHERE ref = ?", keys)
            conn.executemany("DELETE FROM unsettled WHERE ref = ?", keys)
            restitch(conn, [ref for (ref,) in keys], [])
        return deleted

    def item(self, ref: str) -> WorkItem | None:
        rows = self._all("reading an item", f"{_ITEM_SELECT} WHERE ref = ?", (ref,))
        return codec.item_from_row(rows[0]) if rows else None

    def items(self, source: str | None = None) -> Iterator[WorkItem]:
        """Pages of items by ref, so a large store is never held in memory at once."""
        after = ""
        where = "ref > ?" if source is None else "source = ? AND ref > ?"
        sql = f"{_ITEM_SELECT} WHERE {where} ORDER BY ref LIMIT ?"
        while True:
            params: tuple[Any, ...] = (after, _PAGE) if source is None else (source, after, _PAGE)
            rows = self._all("reading items", sql, params)
            yield from (codec.item_from_row(row) for row in rows)
            if len(rows) < _PAGE:
                return
            after = rows[-1][0]

    def refs_by_external_id(
        self, source: str, external_ids: Iterable[str]
    ) -> list[tuple[str, str]]:
        wanted = list(dict.fromkeys(external_ids))
        found: list[tuple[str, str]] = []
        for start in range(0, len(wanted), _IDS):
            chunk = wanted[start : start + _IDS]
            sql = (
                "SELECT external_id, ref FROM items WHERE source = ?"  # noqa: S608 - placeholders
                f" AND external_id IN ({', '.join('?' for _ in chunk)})"
            )
            rows = self._all("reading items by tracker id", sql, (source, *chunk))
            found += [(str(row[0]), str(row[1])) for row in rows]
        return found

    def count_items(self) -> int:
        return int(self._all("counting items", "SELECT count(*) FROM items")[0][0])

    # ---------------------------------------------------------------- verdicts

    def save_verdicts(self, verdicts: Iterable[Verdict], evaluated_at: datetime) -> None:
        at = codec.ts(evaluated_at)
        given = list({verdict.ref: verdict for verdict in verdicts}.values())
        rows = [(*codec.verdict_row(verdict), at) for verdict in given]
        flagged = [verdict.ref for verdict in given if verdict.flaggable]
        cleared = [verdict.ref for verdict in given if not verdict.flaggable]
        with self._tx("saving verdicts") as conn:
            retally(
                conn, [r[0] for r in rows], [(v.ref, v.layer.value, v.kind.value) for v in given]
            )
            conn.executemany(
                f"INSERT INTO verdicts ({stored.VERDICT_COLUMNS}, evaluated_at)"  # noqa: S608
                " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (ref) DO UPDATE SET"
                " layer = excluded.layer, kind = excluded.kind, reason = excluded.reason,"
                " chain = excluded.chain, via = excluded.via, detail = excluded.detail,"
                " classification = excluded.classification, evaluated_at = excluded.evaluated_at",
                rows,
            )
            conn.executemany(_FLAG_OPEN, [(ref, at) for ref in flagged])
            conn.executemany(_FLAG_CLOSE, [(at, ref) for ref in cleared])

    def verdicts(self) -> dict[str, Verdict]:
        rows = self._all(
            "reading verdicts",
            f"SELECT {stored.VERDICT_COLUMNS} FROM verdicts ORDER BY ref",  # noqa: S608
        )
        return {row[0]: codec.verdict_from_row(row) for row in rows}

    def flags(self) -> dict[str, FlagSpan]:
        return stored.latest_flags(self._all("reading flags", stored.FLAGS_SELECT), codec.parse_ts)

    def move_flags(self, moves: Mapping[str, str]) -> None:
        rows = [(new, old, new) for old, new in moves.items()]
        with self._tx("moving flags") as conn:
            conn.executemany(
                "UPDATE flags SET ref = ? WHERE ref = ?"
                " AND NOT EXISTS (SELECT 1 FROM flags AS f WHERE f.ref = ?)",
                rows,
            )

    def last_evaluated_at(self) -> datetime | None:
        rows = self._all("reading verdicts", "SELECT max(evaluated_at) FROM verdicts")
        return codec.parse_ts_or_none(rows[0][0])

    def save_barren(self, barren: list[Barren]) -> None:
        rows = [(b.ref, b.layer.value, b.missing.value) for b in barren]
        with self._tx("saving barren items") as conn:
            conn.execute("DELETE FROM barren")
            conn.executemany("INSERT INTO barren (ref, layer, missing) VALUES (?, ?, ?)", rows)

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
            "reading cursors", "SELECT scope, cursor FROM cursors WHERE source = ?", (source,)
        )
        return {str(scope): str(cursor) for scope, cursor in rows}

    def commit_cursors(self, source: str, mapping: Mapping[str, str]) -> None:
        rows = [(source, scope, cursor) for scope, cursor in mapping.items()]
        with self._tx("committing cursors") as conn:
            conn.executemany(
                "INSERT INTO cursors (source, scope, cursor) VALUES (?, ?, ?)"
                " ON CONFLICT (source, scope) DO UPDATE SET cursor = excluded.cursor",
                rows,
            )

    def clear_cursors(self, source: str) -> None:
        with self._tx("clearing cursors") as conn:
            conn.execute("DELETE FROM cursors WHERE source = ?", (source,))

    # ---------------------------------------------------------------- ledger

    def ledger(self, ref: str) -> LedgerEntry | None:
        rows = self._all("reading the ledger", f"{stored.LEDGER_SELECT} WHERE ref = ?", (ref,))
        return stored.ledger_entry(rows[0], codec.parse_ts) if rows else None

    def ledger_all(self) -> dict[str, LedgerEntry]:
        rows = self._all("reading the ledger", stored.LEDGER_SELECT)
        return {row[0]: stored.ledger_entry(row, codec.parse_ts) for row in rows}

    def record_ledger(self, entry: LedgerEntry) -> None:
        with self._tx("recording a write") as conn:
            conn.execute(
                "INSERT INTO ledger (ref, label_applied, comment_id, comment_fingerprint, updated_at)"
                " VALUES (?, ?, ?, ?, ?) ON CONFLICT (ref) DO UPDATE SET"
                " label_applied = excluded.label_applied, comment_id = excluded.comment_id,"
                " comment_fingerprint = excluded.comment_fingerprint, updated_at = excluded.updated_at",
                (
                    entry.ref,
                    1 if entry.label_applied else 0,
                    entry.comment_id,
                    entry.comment_fingerprint,
                    codec.ts(entry.updated_at),
                ),
            )

    def forget_ledger(self, ref: str) -> None:
        with self._tx("forgetting a write") as conn:
            conn.execute("DELETE FROM ledger WHERE ref = ?", (ref,))
