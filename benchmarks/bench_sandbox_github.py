"""How many issue-list pages per second the GitHub stand-in serves.

Serves 10,000 issues and fetches ``per_page=100`` pages, one after another,
over one keep-alive connection for about three seconds. The sandbox's
end-to-end runs list whole organisations, so this bounds their speed.
"""

from __future__ import annotations

import time
from datetime import UTC, datetime, timedelta

import requests

from goldthread.sandbox.github import GitHubStandIn
from goldthread.sandbox.seeds import GitHubIssueSeed

ISSUES = 10_000
DURATION = 3.0
TARGET = 200.0


def seeds() -> list[GitHubIssueSeed]:
    t0 = datetime(2025, 1, 1, tzinfo=UTC)
    return [
        GitHubIssueSeed(
            repo="acme/web",
            number=n,
            title=f"Issue {n}",
            body=f"Part of acme/web#{max(1, n // 10)}",
            labels=["layer/execution"] if n % 3 else ["layer/strategy", "team/web"],
            created_at=t0 + timedelta(minutes=n),
            updated_at=t0 + timedelta(minutes=n, seconds=30),
            type="Epic" if n % 100 == 0 else None,
            state="closed" if n % 7 == 0 else "open",
            parent=("acme/web", n // 10) if n >= 10 and n % 4 == 0 else None,
            is_pull_request=n % 25 == 0,
        )
        for n in range(1, ISSUES + 1)
    ]


def measure(base_url: str, token: str) -> tuple[int, float]:
    """Fetch pages round-robin for DURATION seconds; return (requests, seconds)."""
    session = requests.Session()
    session.headers["Authorization"] = f"token {token}"
    url = f"{base_url}/repos/acme/web/issues"
    done, page, started = 0, 1, time.perf_counter()
    while (elapsed := time.perf_counter() - started) < DURATION:
        answer = session.get(
            url, params={"state": "all", "per_page": 100, "page": page}, timeout=10
        )
        answer.raise_for_status()
        done += 1
        page = page % (ISSUES // 100) + 1
    session.close()
    return done, elapsed


def main() -> None:
    gh = GitHubStandIn(rate_limit=1_000_000)
    gh.load(seeds())
    with gh:
        count, seconds = measure(gh.api_url, gh.token)
    rate = count / seconds
    verdict = "meets" if rate >= TARGET else "misses"
    print(
        f"sandbox github: {rate:.0f} list requests/s at per_page=100 "
        f"over {ISSUES} issues ({count} in {seconds:.1f} s; {verdict} target {TARGET:.0f}/s)"
    )


if __name__ == "__main__":
    main()
