"""Work items for tests (every field filled with a plain default, so a test
names only what its case is about) and the two sources they come from."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from goldthread.core.model import LinkKind, ParentLink, WorkItem

START = datetime(2026, 6, 1, 12, 0, tzinfo=UTC)
LONG_AGO = START - timedelta(days=30)

SOURCES: list[dict[str, Any]] = [
    {"name": "gh", "type": "github", "token_env": "GH_TOKEN", "repos": ["acme/web"]},
    {
        "name": "jira",
        "type": "jira",
        "url": "https://jira.example.test",
        "email": "bot@example.test",
        "token_env": "JIRA_TOKEN",
        "projects": ["PLAT"],
    },
]
"""A GitHub and a Jira source as the config names them (in-memory connectors
stand in for both)."""


def up(kind: LinkKind, target: str | None, raw: str = "") -> ParentLink:
    """A parent link to ``target`` (``None``: one that resolves to nothing known)."""
    return ParentLink(kind, target, raw or (target or "elsewhere"), "test")


def work_item(source: str, key: str, *parents: ParentLink, **fields: Any) -> WorkItem:
    """An open item created and last updated long ago, under ``parents``;
    ``fields`` override any other field."""
    values: dict[str, Any] = {
        "ref": f"{source}:{key}",
        "source": source,
        "key": key,
        "url": f"https://{source}.example.test/{key}",
        "title": f"{key} title",
        "body": "",
        "type": "Story" if source == "jira" else None,
        "labels": (),
        "state": "open",
        "created_at": LONG_AGO,
        "updated_at": LONG_AGO,
        "parents": parents,
    }
    values.update(fields)
    return WorkItem(**values)
