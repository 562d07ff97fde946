"""A small two-tracker organisation and the settings the sync tests run under."""

from __future__ import annotations

from typing import Any

import support_items

from goldthread.clock import FakeClock
from goldthread.config import Settings
from goldthread.connectors.memory import MemoryConnector
from goldthread.core.model import LinkKind, WorkItem
from goldthread.store import Store
from goldthread.sync.cycle import CycleOptions, CycleResult, run_cycle

START = support_items.START
LONG_AGO = support_items.LONG_AGO
item = support_items.work_item
up = support_items.up
LABEL = "goldthread:untraced"


def organisation() -> tuple[list[WorkItem], list[WorkItem]]:
    """(Jira, GitHub): a traced chain across trackers, two orphans, one broken item."""
    sub, jparent = LinkKind.SUB_ISSUE, LinkKind.JIRA_PARENT
    body = LinkKind.BODY_REFERENCE
    jira = [
        item("jira", "PLAT-1", labels=("vision",)),
        item("jira", "PLAT-2", up(jparent, "jira:PLAT-1"), type="Epic"),
        item("jira", "PLAT-3", up(jparent, "jira:PLAT-2")),
        item("jira", "PLAT-4"),  # orphan
        item("jira", "PLAT-5", state="closed"),  # exempt: closed
    ]
    github = [
        item("gh", "acme/web#1", up(body, "jira:PLAT-2", "PLAT-2")),  # traced across trackers
        item("gh", "acme/web#2", up(sub, "gh:acme/web#1")),  # traced
        item("gh", "acme/web#3"),  # orphan
        item("gh", "acme/web#4", up(body, "jira:PLAT-99", "PLAT-99")),  # broken: parent-missing
    ]
    return jira, github


FLAGGED = {"jira:PLAT-4", "gh:acme/web#3", "gh:acme/web#4"}


SOURCES = support_items.SOURCES


def settings(**writeback: Any) -> Settings:
    """Both sources, default rules; write-back as given (no large-run confirmation
    by default). The tests hand in in-memory connectors for the sources."""
    values: dict[str, Any] = {"confirm_large": False, **writeback}
    return Settings(sources=SOURCES, writeback=values)


def trackers(clock: FakeClock, **fields: Any) -> dict[str, MemoryConnector]:
    """Both trackers, with ``fields`` applied to every item (e.g. ``comment_count=0``)."""
    from dataclasses import replace

    jira, github = organisation()
    return {
        "jira": MemoryConnector("jira", [replace(i, **fields) for i in jira], clock=clock.now),
        "gh": MemoryConnector("gh", [replace(i, **fields) for i in github], clock=clock.now),
    }


def cycle(
    store: Store,
    connectors: dict[str, MemoryConnector],
    clock: FakeClock,
    config: Settings | None = None,
    **options: Any,
) -> CycleResult:
    clock.advance(60)
    chosen = CycleOptions(**{"kind": "sync", **options})
    return run_cycle(config or settings(), store, dict(connectors), chosen, clock=clock)


def writes(connectors: dict[str, MemoryConnector]) -> list[tuple[str, str]]:
    return [(w.action, w.key) for c in connectors.values() for w in c.writes]
