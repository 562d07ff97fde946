"""GitHub.com's content-creation limits: paced before GitHub refuses, labels first,
the rest left in a fixed order for the next run, never written twice."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest

from goldthread.clock import FakeClock
from goldthread.config import Settings
from goldthread.connectors.github import GitHubConnector, GitHubOptions
from goldthread.connectors.pacing import ContentLimits, ContentPacer, finish_time
from goldthread.core.model import Block, CommentDoc, Span
from goldthread.errors import RateLimitedError
from goldthread.sandbox.github import GitHubStandIn
from goldthread.sandbox.seeds import GitHubIssueSeed
from goldthread.store import Store, open_store
from goldthread.sync.cycle import CycleOptions, CycleResult, run_cycle

START = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
ORPHANS = 120
DOC = CommentDoc(blocks=(Block(spans=(Span("untraced"),)),), fingerprint="fp")


class Line:
    """A pacing line as the store keeps it, in memory."""

    def __init__(self) -> None:
        self.value: datetime | None = None

    def reserve(self, interval: timedelta, now: datetime) -> datetime:
        slot = now if self.value is None else max(self.value, now)
        self.value = slot + interval
        return slot


def written_at(limits: ContentLimits, count: int) -> list[datetime]:
    """When ``count`` comments asked for back to back (a second apart) are written."""
    clock = FakeClock(START)
    pacer = ContentPacer(limits, clock, Line().reserve)
    times = []
    for _ in range(count):
        pacer.wait()
        times.append(clock.now())
        clock.sleep(limits.floor)
    return times


def test_no_minute_holds_more_than_80_and_no_hour_more_than_500() -> None:
    limits = ContentLimits(line="x")
    times = written_at(limits, 1200)
    for index, first in enumerate(times):
        in_minute = [t for t in times[index:] if t < first + timedelta(minutes=1)]
        in_hour = [t for t in times[index:] if t < first + timedelta(hours=1)]
        assert len(in_minute) <= 80
        assert len(in_hour) <= 500
    assert len([t for t in times if t < START + timedelta(hours=1)]) >= 490  # not over-cautious


def test_the_estimate_replays_the_pacer_exactly() -> None:
    limits = ContentLimits(line="x")
    times = written_at(limits, 700)
    idle = START - timedelta(seconds=limits.tolerance)
    assert finish_time(limits, START, idle, 0, 700) == times[-1]


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock(START)


@pytest.fixture
def github(clock: FakeClock) -> Iterator[GitHubStandIn]:
    gh = GitHubStandIn(now=lambda: clock.now().timestamp())
    gh.start()
    gh.add_repo("acme/web")
    old = START - timedelta(days=9)
    gh.load(
        GitHubIssueSeed("acme/web", n, f"Task {n}", "", [], old, old) for n in range(1, ORPHANS + 1)
    )
    yield gh
    gh.stop()


@pytest.fixture
def store() -> Iterator[Store]:
    with open_store("sqlite:///:memory:") as opened:
        yield opened


def settings(gh: GitHubStandIn) -> Settings:
    return Settings.model_validate(
        {
            "sources": [
                {
                    "name": "gh",
                    "type": "github",
                    "base_url": gh.api_url,
                    "token_env": "UNUSED",
                    "repos": ["acme/web"],
                }
            ],
            "writeback": {"confirm_large": False},
        }
    )


def connector(gh: GitHubStandIn, clock: FakeClock, *, limited: bool) -> GitHubConnector:
    options = GitHubOptions(
        name="gh",
        index=settings(gh).source_index(),
        base_url=gh.api_url,
        token=gh.token,
        repos=("acme/web",),
        content_limited=limited,
    )
    return GitHubConnector(options, clock)


def cycle(
    gh: GitHubStandIn, store: Store, clock: FakeClock, kind: str, patience: timedelta
) -> CycleResult:
    return run_cycle(
        settings(gh),
        store,
        {"gh": connector(gh, clock, limited=True)},
        CycleOptions(kind=kind, patience=patience),  # type: ignore[arg-type]
        clock=clock,
    )


def commented(gh: GitHubStandIn) -> list[int]:
    return [n for n in range(1, ORPHANS + 1) if gh.comments("acme/web", n)]


def test_a_plan_beyond_the_budget_labels_everything_then_comments_in_order(
    github: GitHubStandIn, store: Store, clock: FakeClock
) -> None:
    limit = github.limit_content(retry_after=False)

    first = cycle(github, store, clock, "backfill", timedelta(minutes=5))

    assert first.ok
    assert first.outlooks["gh"].comments == ORPHANS
    done = commented(github)
    assert all(github.labels("acme/web", n) for n in range(1, ORPHANS + 1))
    assert first.deferred == {"gh": ORPHANS - len(done)}
    assert len(done) >= 80
    in_plan_order = sorted(range(1, ORPHANS + 1), key=lambda n: f"gh:acme/web#{n}")
    assert sorted(done) == sorted(in_plan_order[: len(done)])  # the first ones, by ref
    clock.advance((first.resume_at["gh"] - clock.now()).total_seconds())

    second = cycle(github, store, clock, "sync", timedelta(hours=1))

    assert second.ok
    assert second.deferred == {}
    assert all(len(github.comments("acme/web", n)) == 1 for n in range(1, ORPHANS + 1))
    assert limit.refused == 0
    assert second.ended_at is not None
    assert second.ended_at - first.outlooks["gh"].started <= first.outlooks["gh"].duration


def test_a_secondary_limit_without_retry_after_waits_a_minute_then_longer(
    github: GitHubStandIn, clock: FakeClock
) -> None:
    github.limit_content(retry_after=False, per_hour=1)
    source = connector(github, clock, limited=False)  # unpaced: GitHub has to say so
    [first, second] = source.get(["acme/web#1", "acme/web#2"])
    source.create_comment(first, DOC)

    with pytest.raises(RateLimitedError):
        source.create_comment(second, DOC)

    waits = [s for s in clock.sleeps if s >= 1.5]
    assert 60 <= waits[0] <= 75
    assert 120 <= waits[1] <= 150
    assert 240 <= waits[2] <= 300
    assert github.comments("acme/web", 2) == []  # refused, never half-written
