"""SQL that both backends run alike, written once.

SQLite and PostgreSQL differ here only in how a statement marks a parameter
(``?`` or ``%s``) and how a time is written and read back (fixed-width UTC
text, or ``timestamptz``). A backend says both (``_sql``, ``_to_db``,
``_from_db``) and takes these methods as they are; what differs in substance
(claiming across replicas, ``RETURNING``, bulk copies) stays in the backend.
Statements here use ``?`` and no ``%``.
"""

from __future__ import annotations

from contextlib import AbstractContextManager
from datetime import datetime
from typing import Any, Protocol

from goldthread.store import rows as stored
from goldthread.store.base import CoveragePoint, InboxEntry, InboxStatus, RunRecord


class Backend(Protocol):
    """What the shared statements need of a backend connection."""

    def _tx(self, doing: str) -> AbstractContextManager[Any]: ...

    def _all(self, doing: str, sql: str, params: Any = ()) -> list[Any]: ...

    def _sql(self, statement: str) -> str:
        """``statement`` with the backend's parameter marks."""
        ...

    def _to_db(self, value: datetime) -> Any:
        """An aware time as the backend stores it."""
        ...

    def _from_db(self, value: Any) -> datetime:
        """A stored time back as an aware UTC datetime."""
        ...


def _changed(store: Backend, doing: str, statement: str, params: tuple[Any, ...]) -> int:
    with store._tx(doing) as conn:
        return int(conn.execute(store._sql(statement), params).rowcount)


class SharedInbox:
    """The inbox's reads and its operator's actions (retry, drop, prune)."""

    def inbox(self: Backend, status: InboxStatus | None = None) -> list[InboxEntry]:
        if status is None:
            rows = self._all("reading the inbox", f"{stored.INBOX_SELECT} ORDER BY id")
        else:
            rows = self._all(
                "reading the inbox",
                self._sql(f"{stored.INBOX_SELECT} WHERE status = ? ORDER BY id"),
                (status.value,),
            )
        return [stored.inbox_entry(row, self._from_db) for row in rows]

    def retry(self: Backend, entry_id: int) -> bool:
        statement = (
            "UPDATE inbox SET status = 'pending', next_attempt_at = NULL"
            " WHERE id = ? AND status IN ('failed', 'dead')"
        )
        return _changed(self, "retrying a webhook delivery", statement, (entry_id,)) == 1

    def drop(self: Backend, entry_id: int) -> bool:
        statement = "DELETE FROM inbox WHERE id = ?"
        return _changed(self, "dropping a webhook delivery", statement, (entry_id,)) == 1

    def inbox_depth(self: Backend) -> int:
        rows = self._all(
            "reading the inbox",
            "SELECT count(*) FROM inbox WHERE status IN ('pending', 'processing', 'failed')",
        )
        return int(rows[0][0])

    def inbox_counts(self: Backend) -> dict[InboxStatus, int]:
        return stored.inbox_counts(self._all("reading the inbox", stored.INBOX_COUNTS))

    def oldest_waiting(self: Backend) -> datetime | None:
        rows = self._all("reading the inbox", stored.OLDEST_WAITING)
        return self._from_db(rows[0][0]) if rows and rows[0][0] is not None else None

    def prune_inbox(self: Backend, before: datetime) -> int:
        statement = "DELETE FROM inbox WHERE status = 'done' AND received_at < ?"
        return _changed(self, "pruning the inbox", statement, (self._to_db(before),))


class SharedRuns:
    """The run history and the coverage trend, but for how a run's id is returned."""

    def finish_run(
        self: Backend, run_id: int, finished_at: datetime, outcome: str, stats_json: str
    ) -> None:
        statement = "UPDATE runs SET finished_at = ?, outcome = ?, stats_json = ? WHERE id = ?"
        params = (self._to_db(finished_at), outcome, stats_json, run_id)
        _changed(self, "finishing a run", statement, params)

    def runs(self: Backend, limit: int = 50) -> list[RunRecord]:
        rows = self._all(
            "reading runs", self._sql(f"{stored.RUNS_SELECT} ORDER BY id DESC LIMIT ?"), (limit,)
        )
        return [stored.run_record(row, self._from_db) for row in rows]

    def coverage_history(self: Backend) -> list[CoveragePoint]:
        rows = self._all("reading coverage history", stored.COVERAGE_HISTORY)
        return [stored.coverage_point(row, self._from_db) for row in rows]
