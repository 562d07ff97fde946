"""Shared pieces of the GitHub connector tests: payloads, connectors, headers."""

from __future__ import annotations

import copy
import json
import re
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from goldthread.clock import FakeClock
from goldthread.connectors.github import GitHubConnector, GitHubOptions
from goldthread.connectors.retrying import RetrySettings
from goldthread.core.references import GitHubSourceInfo, JiraSourceInfo, SourceIndex

FIXTURES = Path(__file__).resolve().parents[3] / "shared" / "fixtures" / "github"
API = "https://api.github.com"
MOCK = API + ":443"  # PyGithub names the port; responses matches it literally
REPO = "octocat/Hello-World"
PATTERNS = (re.compile(r"(?im)^\s*(?:parent|part of|epic)\s*:?\s*(?P<ref>\S+)"),)
START = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)


def fixture(name: str) -> Any:
    return json.loads((FIXTURES / name).read_text())


def issue_payload(number: int = 1347, **changes: Any) -> dict[str, Any]:
    """The spec's list item, made a plain issue: its ``pull_request`` key is
    removed (the spec example is PR-backed), number/url renumbered, then
    ``changes`` applied (None deletes a key)."""
    payload: dict[str, Any] = copy.deepcopy(fixture("rest/issue-items.json")[0])
    del payload["pull_request"]
    payload["number"] = number
    payload["id"] = 1_000_000 + number
    payload["html_url"] = f"https://github.com/{REPO}/issues/{number}"
    payload["url"] = f"{API}/repos/{REPO}/issues/{number}"
    for key, value in changes.items():
        if value is None:
            payload.pop(key, None)
        else:
            payload[key] = value
    return payload


def stamped(number: int, updated: datetime, **changes: Any) -> dict[str, Any]:
    stamp = updated.strftime("%Y-%m-%dT%H:%M:%SZ")
    return issue_payload(number, updated_at=stamp, **changes)


def newest_first(count: int, start: datetime = START) -> list[dict[str, Any]]:
    """``count`` issues ordered as the list answers them: latest change first."""
    return [stamped(count - i, start - timedelta(minutes=i)) for i in range(count)]


def index_for(repos: tuple[str, ...] = (REPO,)) -> SourceIndex:
    return SourceIndex(
        github=(GitHubSourceInfo("gh", "github.com", repos),),
        jira=(JiraSourceInfo("jira", "acme.atlassian.net", ("PLAT",)),),
    )


def make_connector(clock: FakeClock, **overrides: Any) -> GitHubConnector:
    repos = overrides.pop("repos", (REPO,))
    settings = {
        "name": "gh",
        "index": index_for(repos),
        "token": "t0ken-for-tests",
        "repos": repos,
        "reference_patterns": PATTERNS,
    }
    settings.update(overrides)
    retry = RetrySettings(attempts=4)
    return GitHubConnector(GitHubOptions(**settings), clock, retry=retry)


def rate_headers(remaining: int = 4999, reset: datetime | None = None) -> dict[str, str]:
    reset_at = reset or START + timedelta(hours=1)
    return {
        "x-ratelimit-limit": "5000",
        "x-ratelimit-remaining": str(remaining),
        "x-ratelimit-used": str(5000 - remaining),
        "x-ratelimit-reset": str(int(reset_at.timestamp())),
        "x-ratelimit-resource": "core",
    }
