"""How a cycle shows it is moving: bars on a terminal, log lines elsewhere.

The readers call a :class:`Progress` from their threads; a terminal gets one
rich progress bar per source (scopes done, items read, API budget left, ETA),
anything else gets one structured log line per scope read.
"""

from __future__ import annotations

import threading
from types import TracebackType
from typing import Protocol

import structlog
from rich.console import Console
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    TaskID,
    TextColumn,
    TimeElapsedColumn,
    TimeRemainingColumn,
)
from rich.progress import Progress as RichProgress

from goldthread.core.model import RateBudget

log = structlog.get_logger("goldthread.sync")


class Progress(Protocol):
    def started(self, source: str, scopes: int) -> None: ...

    def advanced(self, source: str, items: int, budget: RateBudget | None) -> None: ...

    def scope_done(self, source: str, scope: str, budget: RateBudget | None) -> None: ...

    def finished(self, source: str, *, ok: bool) -> None: ...


def budget_text(budget: RateBudget | None) -> str:
    if budget is None or budget.remaining is None:
        return "budget n/a"
    if budget.limit:
        return f"budget {budget.remaining}/{budget.limit}"
    return f"budget {budget.remaining}"


class QuietProgress:
    """Shows nothing (tests, ``--log-level warning``)."""

    def started(self, source: str, scopes: int) -> None:
        del source, scopes

    def advanced(self, source: str, items: int, budget: RateBudget | None) -> None:
        del source, items, budget

    def scope_done(self, source: str, scope: str, budget: RateBudget | None) -> None:
        del source, scope, budget

    def finished(self, source: str, *, ok: bool) -> None:
        del source, ok


class LogProgress:
    """One log line per scope read and per source finished."""

    def __init__(self) -> None:
        self._items: dict[str, int] = {}
        self._lock = threading.Lock()

    def started(self, source: str, scopes: int) -> None:
        log.info("reading source", source=source, scopes=scopes)

    def advanced(self, source: str, items: int, budget: RateBudget | None) -> None:
        del budget
        with self._lock:
            self._items[source] = self._items.get(source, 0) + items

    def scope_done(self, source: str, scope: str, budget: RateBudget | None) -> None:
        log.info(
            "scope read",
            source=source,
            scope=scope,
            items_so_far=self._items.get(source, 0),
            budget=budget_text(budget),
        )

    def finished(self, source: str, *, ok: bool) -> None:
        log.info("source read", source=source, items=self._items.get(source, 0), ok=ok)


class BarProgress:
    """One bar per source on a terminal; use as a context manager."""

    def __init__(self, console: Console | None = None) -> None:
        self._bars = RichProgress(
            TextColumn("[bold]{task.description}"),
            BarColumn(),
            MofNCompleteColumn(),
            TextColumn("scopes · {task.fields[items]} items · {task.fields[budget]}"),
            TimeElapsedColumn(),
            TextColumn("ETA"),
            TimeRemainingColumn(),
            console=console or Console(stderr=True),
            transient=False,
        )
        self._tasks: dict[str, TaskID] = {}
        self._items: dict[str, int] = {}
        self._lock = threading.Lock()

    def __enter__(self) -> BarProgress:
        self._bars.start()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self._bars.stop()

    def started(self, source: str, scopes: int) -> None:
        with self._lock:
            self._items[source] = 0
            self._tasks[source] = self._bars.add_task(
                source, total=max(scopes, 1), items=0, budget="budget n/a"
            )

    def advanced(self, source: str, items: int, budget: RateBudget | None) -> None:
        with self._lock:
            self._items[source] = self._items.get(source, 0) + items
            task = self._tasks.get(source)
            count = self._items[source]
        if task is not None:
            self._bars.update(task, items=count, budget=budget_text(budget))

    def scope_done(self, source: str, scope: str, budget: RateBudget | None) -> None:
        del scope
        task = self._tasks.get(source)
        if task is not None:
            self._bars.update(task, advance=1, budget=budget_text(budget))

    def finished(self, source: str, *, ok: bool) -> None:
        task = self._tasks.get(source)
        if task is not None:
            label = source if ok else f"{source} (failed)"
            self._bars.update(task, description=label)
