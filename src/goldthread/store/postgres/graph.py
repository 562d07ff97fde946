"""The graph kept for incremental evaluation, on PostgreSQL (see
:mod:`goldthread.store.graphing`)."""

from __future__ import annotations

import threading
from collections.abc import Iterable, Iterator, Mapping
from contextlib import contextmanager
from datetime import datetime
from typing import Any

import psycopg

from goldthread.core.model import Verdict, WorkItem
from goldthread.store import codec
from goldthread.store import shared as stored
from goldthread.store.base import LedgerEntry
from goldthread.store.graphing import edges_of
from goldthread.store.postgres.connection import PostgresConnection, error, moment, utc
from goldthread.store.postgres.records import item_from_params
from goldthread.store.shared import SharedGraph

_LOCAL: dict[int, threading.RLock] = {}
_GUARD = threading.Lock()
EVALUATION_LOCK = 0x676F6C65
"""The advisory lock key evaluations run under, one at a time across replicas."""
_ITEM_SELECT = f"SELECT {', '.join(codec.ITEM_COLUMNS)} FROM items"  # noqa: S608 (fixed columns)


class GraphTables(PostgresConnection, SharedGraph):
    """Edges, the change log, masks beneath, evaluation state, unsettled items."""

    def _any(self, doing: str, sql: str, refs: Iterable[str]) -> list[tuple[Any, ...]]:
        keys = sorted(set(refs))
        return self._all(doing, sql, (keys,)) if keys else []

    def items_of(self, refs: Iterable[str]) -> dict[str, WorkItem]:
        rows = self._any("reading items", _ITEM_SELECT + " WHERE ref = ANY(%s)", refs)
        return {row[0]: item_from_params(row) for row in rows}

    def verdicts_of(self, refs: Iterable[str]) -> dict[str, Verdict]:
        sql = f"SELECT {stored.VERDICT_COLUMNS} FROM verdicts WHERE ref = ANY(%s)"  # noqa: S608
        return {
            row[0]: codec.verdict_from_row(row) for row in self._any("reading verdicts", sql, refs)
        }

    def traced_in(self, layers: Iterable[str]) -> list[str]:
        sql = "SELECT ref FROM verdicts WHERE kind = 'traced' AND layer = ANY(%s)"
        return sorted(row[0] for row in self._any("reading traced items", sql, layers))

    def ledger_of(self, refs: Iterable[str]) -> dict[str, LedgerEntry]:
        rows = self._any("reading the ledger", stored.LEDGER_SELECT + " WHERE ref = ANY(%s)", refs)
        return {row[0]: stored.ledger_entry(row, moment) for row in rows}

    def ledger_since(self, since: datetime, limit: int) -> list[LedgerEntry]:
        rows = self._all(
            "reading the ledger",
            f"{stored.LEDGER_SELECT} WHERE updated_at >= %s ORDER BY updated_at DESC LIMIT %s",
            (utc(since), limit),
        )
        return [stored.ledger_entry(row, moment) for row in rows]

    def children_of(self, refs: Iterable[str]) -> dict[str, list[str]]:
        found: dict[str, list[str]] = {}
        sql = "SELECT parent, child FROM edges WHERE parent = ANY(%s)"
        for parent, child in self._any("reading children", sql, refs):
            found.setdefault(parent, []).append(child)
        return found

    def parents_of(self, refs: Iterable[str]) -> dict[str, list[str]]:
        found: dict[str, list[str]] = {}
        sql = "SELECT child, parent FROM edges WHERE child = ANY(%s)"
        for child, parent in self._any("reading parents", sql, refs):
            found.setdefault(child, []).append(parent)
        return found

    def rebuild_graph(self) -> None:
        """Every edge again from the stored items, and the change log emptied."""
        with self._tx("rebuilding the graph") as conn:
            conn.execute("DELETE FROM edges")
            conn.execute("DELETE FROM changes")
            rows = conn.execute(_ITEM_SELECT).fetchall()
            edges = edges_of(item_from_params(row) for row in rows)
            with conn.cursor() as cur, cur.copy("COPY edges (child, parent) FROM STDIN") as copy:
                for edge in edges:
                    copy.write_row(edge)

    def beneath_of(self, refs: Iterable[str]) -> dict[str, int]:
        rows = self._any(
            "reading layers beneath", "SELECT ref, mask FROM beneath WHERE ref = ANY(%s)", refs
        )
        return {str(ref): int(mask) for ref, mask in rows}

    def save_beneath(self, masks: Mapping[str, int], *, whole: bool = False) -> None:
        with self._tx("saving layers beneath") as conn, conn.cursor() as cur:
            if whole:
                cur.execute("DELETE FROM beneath")
            cur.executemany(
                "INSERT INTO beneath (ref, mask) VALUES (%s, %s)"
                " ON CONFLICT (ref) DO UPDATE SET mask = excluded.mask",
                list(masks.items()),
            )

    def settle(self, considered: Iterable[str], unsettled: Iterable[str]) -> None:
        with self._tx("recording unsettled items") as conn:
            conn.execute("DELETE FROM unsettled WHERE ref = ANY(%s)", (sorted(set(considered)),))
            conn.execute(
                "INSERT INTO unsettled (ref) SELECT r FROM unnest(%s::text[]) AS r"
                " ON CONFLICT DO NOTHING",
                (sorted(set(unsettled)),),
            )

    @contextmanager
    def evaluating(self) -> Iterator[None]:
        """One evaluation at a time across every replica on this database (and
        in this process first, so waiting threads hold no pooled connection)."""
        pool = self._pool
        if pool is None:
            raise error(RuntimeError("closed"), "evaluating", self._where)
        with _GUARD:
            local = _LOCAL.setdefault(id(pool), threading.RLock())
        with local, pool.connection(timeout=self._wait) as conn:
            try:
                conn.execute("SELECT pg_advisory_lock(%s)", (EVALUATION_LOCK,))
                conn.commit()
            except psycopg.Error as exc:
                raise error(
                    exc, "waiting for the evaluation lock", self._where, self._hidden
                ) from exc
            try:
                yield
            finally:
                try:
                    conn.execute("SELECT pg_advisory_unlock(%s)", (EVALUATION_LOCK,))
                    conn.commit()
                except psycopg.Error:
                    conn.close()  # the session ends, and its lock with it
