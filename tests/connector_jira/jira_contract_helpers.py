"""Helpers for the Jira connector's contract tests (``responses``).

Payloads are derived from the real examples in ``shared/fixtures/jira/rest``;
each helper says which fields it changes.
"""

from __future__ import annotations

import copy
import json
import re
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import responses

from goldthread.clock import FakeClock
from goldthread.connectors.jira import JiraConnector, JiraOptions

FIXTURES = Path(__file__).resolve().parents[3] / "shared" / "fixtures" / "jira" / "rest"
CLOUD = "https://acme.atlassian.net"
DC = "https://jira.example.com"
EPIC_LINK_ID = "customfield_10014"
PARENT_LINK_ID = "customfield_10018"
PATTERN = re.compile(r"(?im)^\s*(?:parent|part of|epic)\s*:?\s*(?P<ref>\S+)")


def fixture(name: str) -> Any:
    return json.loads((FIXTURES / name).read_text())


def api(base: str, version: str, path: str) -> str:
    return f"{base}/rest/api/{version}/{path}"


def field_list() -> list[dict[str, Any]]:
    """The spec's /field example plus Epic Link and Parent Link entries
    (added: the example has system fields only)."""
    fields: list[dict[str, Any]] = fixture("field.list.200.json")
    fields.append(
        {
            "id": EPIC_LINK_ID,
            "name": "Epic Link",
            "custom": True,
            "clauseNames": ["cf[10014]", "Epic Link"],
            "schema": {
                "type": "any",
                "custom": "com.pyxis.greenhopper.jira:gh-epic-link",
                "customId": 10014,
            },
        }
    )
    fields.append(
        {
            "id": PARENT_LINK_ID,
            "name": "Parent Link",
            "custom": True,
            "clauseNames": ["cf[10018]", "Parent Link"],
            "schema": {
                "type": "any",
                "custom": "com.atlassian.jpo:jpo-custom-field-parent",
                "customId": 10018,
            },
        }
    )
    return fields


def issue(
    key: str, issue_id: int, *, updated: str = "2026-03-01T10:00:00.000+0000", **fields: Any
) -> dict[str, Any]:
    """The spec's search result issue with key, id and the given fields
    replaced (the example lacks summary, labels, issuetype, status, created)."""
    raw = copy.deepcopy(fixture("search-jql.200.json")["issues"][0])
    raw["key"] = key
    raw["id"] = str(issue_id)
    raw["self"] = f"{CLOUD}/rest/api/3/issue/{issue_id}"
    base = {
        "summary": f"Summary of {key}",
        "labels": [],
        "issuetype": {"name": "Story"},
        "status": {"name": "To Do", "statusCategory": {"key": "new"}},
        "created": "2026-01-01T09:00:00.000+0000",
        "updated": updated,
        "issuelinks": [],
        "description": None,
    }
    raw["fields"] = {**base, **fields}
    return raw


def site(rsps: responses.RequestsMock, *, cloud: bool) -> str:
    """Register serverInfo and the field list; return the base URL."""
    base = CLOUD if cloud else DC
    info = {
        "baseUrl": base,
        "version": "1001.0.0-SNAPSHOT" if cloud else "9.12.2",
        "versionNumbers": [1001, 0, 0] if cloud else [9, 12, 2],
        "deploymentType": "Cloud" if cloud else "Server",
        "serverTitle": "Jira",
    }
    rsps.get(api(base, "2", "serverInfo"), json=info)
    rsps.get(api(base, "3" if cloud else "2", "field"), json=field_list())
    return base


def connector(*, cloud: bool, clock: FakeClock | None = None, **overrides: Any) -> JiraConnector:
    options: dict[str, Any] = {
        "name": "jira",
        "url": CLOUD if cloud else DC,
        "auth": "basic" if cloud else "bearer",
        "email": "bot@acme.example" if cloud else None,
        "token": "s3cret-token",
        "projects": ("PLAT", "WEB"),
        "reference_patterns": (PATTERN,),
    }
    options.update(overrides)
    return JiraConnector(
        JiraOptions(**options), clock or FakeClock(datetime(2026, 3, 2, tzinfo=UTC))
    )


BOT_ACCOUNT = "5b10a2844c20165700ede21g"  # the author of the spec's comment example


def me(rsps: responses.RequestsMock, base: str, *, cloud: bool) -> None:
    """``/myself``: goldthread's account, the author of the spec's comment example."""
    if cloud:
        user = {"accountId": BOT_ACCOUNT, "displayName": "goldthread", "accountType": "atlassian"}
    else:
        user = {"name": "goldthread-bot", "key": "JIRAUSER10100", "displayName": "goldthread"}
    rsps.get(api(base, "3" if cloud else "2", "myself"), json=user)
