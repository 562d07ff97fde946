"""Requests the Jira connector spends, against the Cloud and Data Center stand-ins.

5,000 issues in two projects (2,500 each, with parents, epic links and issue
links), read in full and then polled again with nothing changed, over real
loopback HTTP with the real ``jira`` client. Targets: a full read at most
10.3 requests per 1,000 issues; a no-change poll one search per project.
Connecting (``serverInfo`` and the field list) is paid once per connector
and reported on its own line.
"""

from __future__ import annotations

import time
from datetime import UTC, datetime, timedelta

from goldthread.clock import FakeClock
from goldthread.connectors.jira import JiraConnector, JiraOptions
from goldthread.sandbox.jira import JiraStandIn
from goldthread.sandbox.seeds import JiraIssueSeed, JiraLinkSeed

PROJECTS = ("PLAT", "WEB")
PER_PROJECT = 2_500
EMAIL = "goldthread-bot@acme.example"
TOKEN = "bench-token"
START = datetime(2026, 1, 1, tzinfo=UTC)
FULL_READ_TARGET = 10.3


def organisation(cloud: bool) -> tuple[list[JiraIssueSeed], list[JiraLinkSeed]]:
    """Per project: an initiative, epics under it, stories under the epics."""
    issues: list[JiraIssueSeed] = []
    links: list[JiraLinkSeed] = []
    for project in PROJECTS:
        for n in range(1, PER_PROJECT + 1):
            key = f"{project}-{n}"
            at = START + timedelta(minutes=len(issues))
            kind, parent = ("Initiative", None) if n == 1 else ("Epic", f"{project}-1")
            if n > 50:
                kind, parent = "Story", f"{project}-{2 + n % 49}"
            seed = JiraIssueSeed(
                key=key,
                type=kind,
                summary=f"Work item {key}",
                description="Part of PLAT-1" if n % 10 == 0 else "",
                labels=["vision"] if n == 1 else [],
                created_at=at,
                updated_at=at,
            )
            if parent and cloud:
                seed.parent_key = parent
            elif parent and kind == "Epic":
                seed.parent_link = parent
            elif parent:
                seed.epic_link = parent
            issues.append(seed)
            if n % 25 == 0:
                links.append(JiraLinkSeed("Implements", key, f"{project}-2"))
    return issues, links


def run(mode: str) -> tuple[float, float, dict[str, int], float]:
    clock = FakeClock(START + timedelta(days=30))
    site = JiraStandIn(mode=mode, email=EMAIL, token=TOKEN, clock=clock.now)
    site.start()
    try:
        site.load(*organisation(mode == "cloud"))
        source = JiraConnector(
            JiraOptions(
                name="jira",
                url=site.base_url,
                auth="basic" if mode == "cloud" else "bearer",
                email=EMAIL if mode == "cloud" else None,
                token=TOKEN,
                projects=PROJECTS,
            ),
            clock,
        )
        began = time.perf_counter()
        _ = source.cloud
        setup = source.stats.requests
        cursors: dict[str, str | None] = {}
        items = 0
        for project in PROJECTS:
            read = source.read(project, None)
            items += sum(1 for _ in read)
            cursors[project] = read.cursor
        full = source.stats.requests - setup
        seconds = time.perf_counter() - began
        poll: dict[str, int] = {}
        for project in PROJECTS:
            before = source.stats.requests
            changed = sum(1 for _ in source.read(project, cursors[project]))
            poll[project] = source.stats.requests - before
            assert changed == 0, f"{changed} items came back from a no-change poll"
        assert items == PER_PROJECT * len(PROJECTS)
        return full * 1000 / items, setup, poll, seconds
    finally:
        site.stop()


def main() -> None:
    total = PER_PROJECT * len(PROJECTS)
    for mode in ("cloud", "dc"):
        per_thousand, setup, poll, seconds = run(mode)
        with_setup = per_thousand + setup * 1000 / total
        ok = "ok" if per_thousand <= FULL_READ_TARGET else "OVER TARGET"
        polls_ok = "ok" if all(n == 1 for n in poll.values()) else "OVER TARGET"
        print(f"jira {mode}: full read of {total:,} issues in {len(PROJECTS)} projects")
        print(
            f"  requests per 1,000 issues: {per_thousand:.2f} (target <= {FULL_READ_TARGET}) {ok}"
        )
        print(
            f"  connecting: {setup:.0f} requests once per connector "
            f"({with_setup:.2f} per 1,000 if charged to this read)"
        )
        print(f"  no-change poll, requests per project: {poll} (target 1 each) {polls_ok}")
        print(f"  full read wall time: {seconds:.2f} s")


if __name__ == "__main__":
    main()
