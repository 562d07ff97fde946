"""Builders shared by the store tests."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from goldthread.core.model import LinkKind, ParentLink, WorkItem

T0 = datetime(2026, 3, 1, 9, 30, 15, 123456, tzinfo=UTC)


def make_item(key: str = "acme/web#1", source: str = "gh", **fields: Any) -> WorkItem:
    values: dict[str, Any] = {
        "ref": f"{source}:{key}",
        "source": source,
        "key": key,
        "url": f"https://example.test/{key}",
        "title": f"Item {key}",
        "body": "Part of PLAT-7\nsecond line",
        "type": "Task",
        "labels": ("execution", "team-a"),
        "state": "open",
        "created_at": T0,
        "updated_at": T0 + timedelta(hours=1),
        "parents": (
            ParentLink(
                LinkKind.SUB_ISSUE,
                "gh:acme/web#2",
                "https://x/acme/web/issues/2",
                "parent_issue_url",
            ),
            ParentLink(LinkKind.BODY_REFERENCE, None, "PLAT-7", "body line 1"),
        ),
        "status": "In Progress",
        "external_id": "100234",
        "is_pull_request": False,
        "comment_count": 3,
    }
    values.update(fields)
    return WorkItem(**values)
