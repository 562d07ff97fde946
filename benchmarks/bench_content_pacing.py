"""A first backfill of 2,000 orphans on GitHub.com's content-creation limits.

The GitHub stand-in enforces GitHub's documented secondary limits (80
content-creating requests a minute, 500 an hour, a ``403`` without
``Retry-After`` beyond them). goldthread's backfill writes every label,
then the comments that fit its hour, and says how long the whole write-back
will take; the service's polls (here: incremental cycles, each resumed when
its next comment slot comes) write the rest. Everything runs on one fake
clock, so hours pass in seconds. Targets: no limit hit, and the estimate the
backfill printed within 10% of the time the write-back took.
"""

from __future__ import annotations

import logging
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import structlog

from goldthread.clock import FakeClock
from goldthread.config import Settings
from goldthread.connectors.github import GitHubConnector, GitHubOptions
from goldthread.sandbox.github import GitHubStandIn
from goldthread.sandbox.seeds import GitHubIssueSeed
from goldthread.store import open_store
from goldthread.sync.cycle import CycleOptions, run_cycle

ORPHANS = 2_000
ETA_TOLERANCE = 0.10
POLL = timedelta(minutes=5)
START = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


def _seeded(clock: FakeClock) -> GitHubStandIn:
    gh = GitHubStandIn(now=lambda: clock.now().timestamp())
    gh.start()
    gh.add_repo("acme/web")
    created = START - timedelta(days=30)
    gh.load(
        GitHubIssueSeed(
            repo="acme/web",
            number=n,
            title=f"Task {n}",
            body="",
            labels=[],
            created_at=created,
            updated_at=created,
        )
        for n in range(1, ORPHANS + 1)
    )
    return gh


def _settings(gh: GitHubStandIn, store_url: str) -> Settings:
    return Settings.model_validate(
        {
            "store": {"url": store_url},
            "sources": [
                {
                    "name": "gh",
                    "type": "github",
                    "base_url": gh.api_url,
                    "token_env": "UNUSED",
                    "repos": ["acme/web"],
                }
            ],
            "writeback": {"max_writes_per_run": 1_000_000, "confirm_large": False},
        }
    )


def main() -> None:
    structlog.configure(wrapper_class=structlog.make_filtering_bound_logger(logging.WARNING))
    clock = FakeClock(START)
    gh = _seeded(clock)
    limit = gh.limit_content(retry_after=False)
    with tempfile.TemporaryDirectory() as directory:
        settings = _settings(gh, f"sqlite:///{Path(directory) / 'bench.db'}")
        options = GitHubOptions(
            name="gh",
            index=settings.source_index(),
            base_url=gh.api_url,
            token=gh.token,
            repos=("acme/web",),
            writes_per_minute=60,
            content_limited=True,  # the stand-in plays GitHub.com
        )
        connector = GitHubConnector(options, clock)
        wall = time.perf_counter()
        with open_store(settings.store.url) as store:
            first = run_cycle(
                settings, store, {"gh": connector}, CycleOptions(kind="backfill"), clock=clock
            )
            eta = first.outlooks["gh"].duration
            began = first.outlooks["gh"].started
            deferred = first.deferred.get("gh", 0)
            after_backfill = ORPHANS - deferred
            result, polls = first, 0
            while result.deferred:
                resume = result.resume_at["gh"]
                clock.advance(max((resume - clock.now()).total_seconds(), 0.0))
                result = run_cycle(
                    settings,
                    store,
                    {"gh": connector},
                    CycleOptions(kind="sync", patience=POLL),
                    clock=clock,
                )
                polls += 1
            ended = result.ended_at or clock.now()
        commented = sum(1 for n in range(1, ORPHANS + 1) if gh.comments("acme/web", n))
        labelled = sum(1 for n in range(1, ORPHANS + 1) if gh.labels("acme/web", n))
    gh.stop()
    taken = ended - began
    error = abs(taken - eta) / taken
    print(f"orphans: {ORPHANS}; labelled {labelled}, commented {commented} (exactly once each)")
    print(f"backfill wrote {after_backfill} comments, left {deferred} to {polls} later polls")
    print(f"estimate the backfill prints: {eta}; write-back took: {taken} (fake clock)")
    print(f"estimate off by {error:.1%}  (target ≤ {ETA_TOLERANCE:.0%})")
    print(f"content-limit refusals (403): {limit.refused}  (target 0)")
    print(f"wall time: {time.perf_counter() - wall:.1f}s")
    ok = limit.refused == 0 and error <= ETA_TOLERANCE and commented == labelled == ORPHANS
    print("target met" if ok else "TARGET MISSED")


if __name__ == "__main__":
    main()
