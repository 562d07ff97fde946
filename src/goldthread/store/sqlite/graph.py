"""The graph kept for incremental evaluation, on SQLite (see
:mod:`goldthread.store.graphing`)."""

from __future__ import annotations

import sqlite3
import threading
from collections.abc import Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from datetime import datetime
from typing import Any

from goldthread.core.model import Verdict, WorkItem
from goldthread.store import codec
from goldthread.store import shared as stored
from goldthread.store.base import LedgerEntry
from goldthread.store.graphing import chunked, edges_of, left_parents, tally_delta
from goldthread.store.shared import SharedGraph
from goldthread.store.sqlite.connection import SqliteConnection

_IDS = 500
"""Refs per query (SQLite allows a limited number of parameters)."""
_ITEM_SELECT = f"SELECT {', '.join(codec.ITEM_COLUMNS)} FROM items"  # noqa: S608 (fixed columns)
_EVALUATING: dict[int, threading.RLock] = {}
_EVALUATING_GUARD = threading.Lock()


def _marks(count: int) -> str:
    return ", ".join("?" for _ in range(count))


def restitch(conn: sqlite3.Connection, refs: Sequence[str], edges: list[tuple[str, str]]) -> None:
    """Replace the edges of ``refs`` by ``edges`` and log the change, in ``conn``'s transaction."""
    old: list[tuple[str, str]] = []
    for chunk in chunked(list(dict.fromkeys(refs)), _IDS):
        old += conn.execute(
            f"SELECT child, parent FROM edges WHERE child IN ({_marks(len(chunk))})",  # noqa: S608
            tuple(chunk),
        ).fetchall()
        conn.execute(f"DELETE FROM edges WHERE child IN ({_marks(len(chunk))})", tuple(chunk))  # noqa: S608
    conn.executemany("INSERT OR IGNORE INTO edges (child, parent) VALUES (?, ?)", edges)
    conn.executemany("INSERT INTO changes (ref, item) VALUES (?, 1)", [(r,) for r in refs])
    left = left_parents(old, edges)
    conn.executemany("INSERT INTO changes (ref, item) VALUES (?, 0)", [(r,) for r in sorted(left)])


_TALLY = (
    "INSERT INTO tallies (source, layer, kind, n) VALUES (?, ?, ?, ?)"
    " ON CONFLICT (source, layer, kind) DO UPDATE SET n = n + excluded.n"
)


def retally(conn: sqlite3.Connection, refs: Sequence[str], new: list[tuple[str, str, str]]) -> None:
    """Count the verdicts of ``refs`` out and ``new`` ones in; call before they are replaced."""
    old: list[tuple[str, str, str]] = []
    for chunk in chunked(list(dict.fromkeys(refs)), _IDS):
        old += conn.execute(
            f"SELECT ref, layer, kind FROM verdicts WHERE ref IN ({_marks(len(chunk))})",  # noqa: S608
            tuple(chunk),
        ).fetchall()
    conn.executemany(_TALLY, tally_delta(old, new))


class GraphTables(SqliteConnection, SharedGraph):
    """Edges, the change log, masks beneath, evaluation state, unsettled items."""

    def _in(self, doing: str, sql: str, refs: Iterable[str]) -> list[Any]:
        """``sql`` with ``{}`` standing for a list of refs, over every chunk of ``refs``."""
        found: list[Any] = []
        for chunk in chunked(sorted(set(refs)), _IDS):
            found += self._all(doing, sql.format(_marks(len(chunk))), tuple(chunk))
        return found

    def items_of(self, refs: Iterable[str]) -> dict[str, WorkItem]:
        rows = self._in("reading items", _ITEM_SELECT + " WHERE ref IN ({})", refs)
        return {row[0]: codec.item_from_row(row) for row in rows}

    def verdicts_of(self, refs: Iterable[str]) -> dict[str, Verdict]:
        sql = f"SELECT {stored.VERDICT_COLUMNS} FROM verdicts WHERE ref IN ({{}})"  # noqa: S608
        return {
            row[0]: codec.verdict_from_row(row) for row in self._in("reading verdicts", sql, refs)
        }

    def traced_in(self, layers: Iterable[str]) -> list[str]:
        sql = "SELECT ref FROM verdicts WHERE kind = 'traced' AND layer IN ({})"
        return sorted(row[0] for row in self._in("reading traced items", sql, layers))

    def ledger_of(self, refs: Iterable[str]) -> dict[str, LedgerEntry]:
        rows = self._in("reading the ledger", stored.LEDGER_SELECT + " WHERE ref IN ({})", refs)
        return {row[0]: stored.ledger_entry(row, codec.parse_ts) for row in rows}

    def ledger_since(self, since: datetime, limit: int) -> list[LedgerEntry]:
        rows = self._all(
            "reading the ledger",
            f"{stored.LEDGER_SELECT} WHERE updated_at >= ? ORDER BY updated_at DESC LIMIT ?",
            (codec.ts(since), limit),
        )
        return [stored.ledger_entry(row, codec.parse_ts) for row in rows]

    def children_of(self, refs: Iterable[str]) -> dict[str, list[str]]:
        found: dict[str, list[str]] = {}
        sql = "SELECT parent, child FROM edges WHERE parent IN ({})"
        for parent, child in self._in("reading children", sql, refs):
            found.setdefault(parent, []).append(child)
        return found

    def parents_of(self, refs: Iterable[str]) -> dict[str, list[str]]:
        found: dict[str, list[str]] = {}
        sql = "SELECT child, parent FROM edges WHERE child IN ({})"
        for child, parent in self._in("reading parents", sql, refs):
            found.setdefault(child, []).append(parent)
        return found

    def rebuild_graph(self) -> None:
        """Every edge again from the stored items, and the change log emptied."""
        with self._tx("rebuilding the graph") as conn:
            conn.execute("DELETE FROM edges")
            conn.execute("DELETE FROM changes")
            cursor = conn.execute(_ITEM_SELECT)
            while rows := cursor.fetchmany(2_000):
                edges = edges_of(codec.item_from_row(row) for row in rows)
                conn.executemany("INSERT OR IGNORE INTO edges (child, parent) VALUES (?, ?)", edges)

    def beneath_of(self, refs: Iterable[str]) -> dict[str, int]:
        rows = self._in(
            "reading layers beneath", "SELECT ref, mask FROM beneath WHERE ref IN ({})", refs
        )
        return {str(ref): int(mask) for ref, mask in rows}

    def save_beneath(self, masks: Mapping[str, int], *, whole: bool = False) -> None:
        with self._tx("saving layers beneath") as conn:
            if whole:
                conn.execute("DELETE FROM beneath")
            conn.executemany(
                "INSERT INTO beneath (ref, mask) VALUES (?, ?)"
                " ON CONFLICT (ref) DO UPDATE SET mask = excluded.mask",
                list(masks.items()),
            )

    def settle(self, considered: Iterable[str], unsettled: Iterable[str]) -> None:
        with self._tx("recording unsettled items") as conn:
            conn.executemany("DELETE FROM unsettled WHERE ref = ?", [(r,) for r in set(considered)])
            conn.executemany(
                "INSERT OR IGNORE INTO unsettled (ref) VALUES (?)", [(r,) for r in set(unsettled)]
            )

    @contextmanager
    def evaluating(self) -> Iterator[None]:
        with _EVALUATING_GUARD:
            lock = _EVALUATING.setdefault(id(self._mutex), threading.RLock())
        with lock:
            yield
