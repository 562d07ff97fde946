"""How many requests the GitHub connector spends, against the GitHub stand-in.

A full read must cost one request per 100 issues plus at most a small
constant (target: at most 10.3 requests per 1,000 issues; the floor is 10),
and a poll of repositories with no change must cost no rate-limit points
(every answer a 304). Real PyGithub, real loopback HTTP; a fake clock, so
nothing sleeps.
"""

from __future__ import annotations

import time
from datetime import UTC, datetime, timedelta

from goldthread.clock import FakeClock
from goldthread.connectors.github import GitHubConnector, GitHubOptions
from goldthread.core.references import GitHubSourceInfo, SourceIndex
from goldthread.sandbox.github import GitHubStandIn
from goldthread.sandbox.seeds import GitHubIssueSeed

ISSUES = 5_000
REPOS = ("acme/web", "acme/api")
TOKEN = "bench-token"
FULL_READ_TARGET = 10.3  # requests per 1,000 issues


def _seeds(start: datetime) -> list[GitHubIssueSeed]:
    seeds = []
    for n in range(ISSUES):
        repo = REPOS[n % len(REPOS)]
        moment = start + timedelta(seconds=n)
        number = n // len(REPOS) + 1
        parent = (repo, number // 10 + 1) if number > 10 else None
        seeds.append(
            GitHubIssueSeed(
                repo=repo,
                number=number,
                title=f"Issue {number}",
                body="Part of PLAT-7" if number % 7 == 0 else "",
                labels=["strategy"] if number % 50 == 0 else [],
                created_at=moment,
                updated_at=moment,
                parent=parent,
            )
        )
    return seeds


def main() -> dict[str, float]:
    clock = FakeClock(datetime.now(UTC))
    sandbox = GitHubStandIn(token=TOKEN, now=lambda: clock.now().timestamp())
    sandbox.start()
    try:
        sandbox.load(_seeds(clock.now() - timedelta(days=30)))
        options = GitHubOptions(
            name="gh",
            index=SourceIndex(github=(GitHubSourceInfo("gh", sandbox.web_host, REPOS),)),
            base_url=sandbox.api_url,
            token=TOKEN,
            repos=REPOS,
        )
        connector = GitHubConnector(options, clock)
        began = time.perf_counter()
        cursors: dict[str, str | None] = {}
        items = 0
        for scope in connector.scopes():
            read = connector.read(scope, None)
            items += sum(1 for _ in read)
            cursors[scope] = read.cursor
        seconds = time.perf_counter() - began
        full_requests = connector.stats.requests
        per_thousand = full_requests * 1000 / items

        points_before = sandbox.rates.used
        requests_before = connector.stats.requests
        changed = 0
        for scope, cursor in cursors.items():
            changed += sum(1 for _ in connector.read(scope, cursor))
        poll_points = sandbox.rates.used - points_before
        poll_requests = connector.stats.requests - requests_before
        connector.close()
    finally:
        sandbox.stop()

    print(f"github connector: full read of {items} issues in {len(REPOS)} repositories")
    print(
        f"  requests: {full_requests} = {per_thousand:.2f} per 1,000 issues "
        f"(target <= {FULL_READ_TARGET}) in {seconds:.2f} s"
    )
    print(
        f"  no-change poll: {poll_requests} requests, {poll_points} rate-limit points "
        f"(target 0), {changed} items"
    )
    return {
        "github_full_read_requests_per_1000": per_thousand,
        "github_no_change_poll_points": float(poll_points),
    }


if __name__ == "__main__":
    main()
