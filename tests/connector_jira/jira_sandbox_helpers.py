"""Helpers for the Jira connector against the local stand-in over real HTTP."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from typing import Any

from goldthread.clock import FakeClock
from goldthread.connectors.jira import JiraConnector, JiraOptions
from goldthread.sandbox.jira import JiraStandIn
from goldthread.sandbox.seeds import JiraIssueSeed

EMAIL = "goldthread-bot@acme.example"
TOKEN = "sandbox-secret"
T0 = datetime(2026, 3, 1, 10, 0, tzinfo=UTC)
PATTERN = re.compile(r"(?im)^\s*(?:parent|part of|epic)\s*:?\s*(?P<ref>\S+)")


def seed(key: str, type_: str = "Story", *, at: datetime = T0, **extra: Any) -> JiraIssueSeed:
    fields: dict[str, Any] = {
        "summary": f"Summary of {key}",
        "description": "",
        "labels": [],
        "created_at": at,
        "updated_at": at,
    }
    fields.update(extra)
    return JiraIssueSeed(key=key, type=type_, **fields)


def stand_in(mode: str, clock: FakeClock, **kwargs: Any) -> JiraStandIn:
    site = JiraStandIn(mode=mode, email=EMAIL, token=TOKEN, clock=clock.now, **kwargs)
    site.start()
    return site


def connect(site: JiraStandIn, clock: FakeClock, **overrides: Any) -> JiraConnector:
    options: dict[str, Any] = {
        "name": "jira",
        "url": site.base_url,
        "auth": "basic" if site.cloud else "bearer",
        "email": EMAIL if site.cloud else None,
        "token": TOKEN,
        "projects": ("PLAT", "WEB"),
        "reference_patterns": (PATTERN,),
    }
    options.update(overrides)
    return JiraConnector(JiraOptions(**options), clock)


def fake_clock(at: datetime = T0 + timedelta(days=1)) -> FakeClock:
    return FakeClock(at)
