"""GitHub.com gets at least a second between writes; other hosts are paced by config alone."""

from __future__ import annotations

from goldthread.clock import FakeClock
from goldthread.connectors.github.client import GitHubHttp
from goldthread.connectors.github.options import GitHubOptions
from goldthread.core.references import SourceIndex


def _interval(base_url: str, writes_per_minute: int) -> float:
    options = GitHubOptions(
        name="gh",
        index=SourceIndex(),
        token="t",
        base_url=base_url,
        writes_per_minute=writes_per_minute,
    )
    return GitHubHttp(options, FakeClock()).pacer.interval


def test_github_com_writes_are_never_closer_than_a_second() -> None:
    assert _interval("https://api.github.com", 600) == 1.0


def test_enterprise_server_writes_follow_writes_per_minute() -> None:
    assert _interval("https://ghe.example.com/api/v3", 600) == 0.1
    assert _interval("https://ghe.example.com/api/v3", 60) == 1.0
