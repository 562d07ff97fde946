"""A small organisation across two trackers, loaded through the in-memory connector."""

from __future__ import annotations

from datetime import timedelta

import support_items

from goldthread.connectors.memory import MemoryConnector
from goldthread.core.model import Layer, LayerRule, LinkKind, TracePolicy, WorkItem
from goldthread.store import Store

NOW = support_items.START
LONG_AGO = support_items.LONG_AGO
item = support_items.work_item
up = support_items.up

POLICY = TracePolicy(
    rules=(
        LayerRule(Layer.VISION, labels=("vision", "okr-*"), index=0),
        LayerRule(Layer.STRATEGY, labels=("strategy",), index=1),
        LayerRule(Layer.STRATEGY, types=("Epic", "Initiative"), index=2),
        LayerRule(Layer.NONE, labels=("meta",), index=3),
    ),
    default_layer=Layer.EXECUTION,
    allow_layer_skip=False,
    exempt_labels=("no-trace",),
    exempt_types=("Spike",),
    skip_closed=True,
    grace_period=timedelta(days=1),
)


def organisation() -> tuple[list[WorkItem], list[WorkItem]]:
    """(Jira items, GitHub items): one item per verdict reason of docs/behaviour.md#verdicts."""
    sub, jparent, body = LinkKind.SUB_ISSUE, LinkKind.JIRA_PARENT, LinkKind.BODY_REFERENCE
    jira = [
        item("jira", "PLAT-1", labels=("vision",)),  # traced: vision
        item("jira", "PLAT-2", up(jparent, "jira:PLAT-1"), type="Epic"),  # traced: linked
        item(
            "jira", "PLAT-3", up(LinkKind.ISSUE_LINK, "gh:acme/web#1"), labels=("strategy",)
        ),  # wrong-layer
        item("jira", "PLAT-4", type="Spike"),  # exempt-type
        item("jira", "PLAT-5", labels=("okr-2027",)),  # vision with nothing beneath: barren
        item("jira", "PLAT-6", up(jparent, "jira:PLAT-1"), type="Initiative"),  # strategy, barren
    ]
    github = [
        item("gh", "acme/web#1", up(body, "jira:PLAT-2", "PLAT-2")),  # traced across trackers
        item("gh", "acme/web#2", up(sub, "gh:acme/web#1")),  # traced: execution under execution
        item("gh", "acme/web#3"),  # orphan: no-parent
        item("gh", "acme/web#4", up(body, None, "other/repo#9")),  # parent-missing
        item("gh", "acme/web#5", up(sub, "gh:acme/web#3")),  # parent-untraced
        item("gh", "acme/web#6", up(sub, "gh:acme/web#7")),  # cycle
        item("gh", "acme/web#7", up(sub, "gh:acme/web#6")),  # cycle
        item("gh", "acme/web#8", up(sub, "gh:acme/web#6")),  # leads into a loop: parent-untraced
        item("gh", "acme/web#9", up(body, "jira:PLAT-1", "PLAT-1")),  # skips-layer
        item("gh", "acme/web#10", labels=("no-trace",)),  # exempt-label
        item("gh", "acme/api#1", state="closed"),  # closed
        item("gh", "acme/api#2", created_at=NOW - timedelta(hours=2)),  # grace-period
        item("gh", "acme/api#3", labels=("meta",)),  # no-layer
    ]
    return jira, github


def load(store: Store, connector: MemoryConnector) -> int:
    """Read every scope of ``connector`` from its stored cursor into ``store``."""
    cursors: dict[str, str] = {}
    count = 0
    for scope in connector.scopes():
        read = connector.read(scope, store.cursors(connector.name).get(scope))
        count += store.upsert_items(list(read))
        if read.cursor is not None:
            cursors[scope] = read.cursor
    store.commit_cursors(connector.name, cursors)
    return count
