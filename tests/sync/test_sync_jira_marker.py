"""Flagging a Jira issue through a whole cycle: two requests, and never a second comment.

The real Jira connector drives the Cloud and Data Center stand-ins over
loopback HTTP; the store is SQLite in memory and can be thrown away to
stand for a lost database.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from typing import Any

import pytest
from sync_builders import LABEL, LONG_AGO, SOURCES, START

from goldthread.clock import FakeClock
from goldthread.config import Settings
from goldthread.connectors.jira import JiraConnector, JiraOptions
from goldthread.core.model import CommentDoc, OwnComment, WorkItem
from goldthread.sandbox.http import is_mutating
from goldthread.sandbox.jira import JiraStandIn
from goldthread.sandbox.seeds import CommentSeed, JiraIssueSeed
from goldthread.store import Store, open_store
from goldthread.sync.cycle import CycleOptions, CycleResult, run_cycle

EMAIL = "goldthread-bot@acme.example"
TOKEN = "sandbox-secret"
ORPHANS = ("PLAT-4", "PLAT-5")  # PLAT-5 already has a person's comment


class Killed(BaseException):
    """Stands for kill -9: nothing after it runs."""


class DyingJira(JiraConnector):
    """Dies once, just before (``after=False``) or just after its first comment create."""

    def __init__(self, options: JiraOptions, clock: FakeClock, *, after: bool) -> None:
        super().__init__(options, clock)
        self.after = after
        self.armed = True

    def create_comment(self, item: WorkItem, doc: CommentDoc) -> OwnComment:
        if self.armed and not self.after:
            self.armed = False
            raise Killed
        made = super().create_comment(item, doc)
        if self.armed:
            self.armed = False
            raise Killed
        return made


def seed(key: str, **extra: Any) -> JiraIssueSeed:
    type_ = extra.pop("type", "Story")
    fields: dict[str, Any] = {
        "summary": f"{key} title",
        "description": "",
        "labels": [],
        "created_at": LONG_AGO,
        "updated_at": LONG_AGO,
    }
    fields.update(extra)
    return JiraIssueSeed(key=key, type=type_, **fields)


@pytest.fixture(params=["cloud", "dc"])
def site(request: pytest.FixtureRequest) -> Iterator[tuple[FakeClock, JiraStandIn]]:
    clock = FakeClock(START)
    stand_in = JiraStandIn(mode=str(request.param), email=EMAIL, token=TOKEN, clock=clock.now)
    stand_in.start()
    human = CommentSeed(author="ana", body="Where does this belong?", created_at=LONG_AGO)
    stand_in.load(
        [seed("PLAT-1", labels=["vision"]), seed("PLAT-4"), seed("PLAT-5", comments=[human])]
    )
    yield clock, stand_in
    stand_in.stop()


def options(site: JiraStandIn) -> JiraOptions:
    return JiraOptions(
        name="jira",
        url=site.base_url,
        auth="basic" if site.cloud else "bearer",
        email=EMAIL if site.cloud else None,
        token=TOKEN,
        projects=("PLAT",),
        writes_per_minute=60000,
    )


def run(store: Store, jira: JiraConnector, clock: FakeClock, **chosen: Any) -> CycleResult:
    clock.advance(60)
    settings = Settings(sources=[SOURCES[1]], writeback={"confirm_large": False})
    cycle = CycleOptions(**{"kind": "backfill", **chosen})
    return run_cycle(settings, store, {"jira": jira}, cycle, clock=clock)


def per_issue(site: JiraStandIn, key: str) -> list[str]:
    """Requests of the last run that named this one issue."""
    base = f"{prefix(site)}/issue/{key}"
    paths = ((r.method, r.path.split("?")[0]) for r in site.requests())
    return [f"{m} {p}" for m, p in paths if p == base or p.startswith(base + "/")]


def ours(site: JiraStandIn, key: str) -> list[dict[str, Any]]:
    """goldthread's comments on the issue: those carrying its marker property."""
    marked = (
        "goldthread.marker" in (p["key"] for p in c["properties"]) for c in site.comments(key)
    )
    return [c for c, mine in zip(site.comments(key), marked, strict=True) if mine]


def test_a_newly_flagged_jira_issue_costs_exactly_the_label_and_the_comment(site):
    clock, stand_in = site
    with open_store("sqlite:///:memory:") as store:
        run(store, JiraConnector(options(stand_in), clock), clock, writeback=False)
        stand_in.clear_log()
        result = run(store, JiraConnector(options(stand_in), clock), clock)
    assert result.applied is not None
    assert result.applied.errors == []
    for key in ORPHANS:
        assert sorted(per_issue(stand_in, key)) == sorted(
            [f"PUT {prefix(stand_in)}/issue/{key}", f"POST {prefix(stand_in)}/issue/{key}/comment"]
        ), key
        assert LABEL in stand_in.labels(key)
        assert len(ours(stand_in, key)) == 1


@pytest.mark.parametrize("after", [False, True], ids=["before-comment", "after-comment"])
def test_a_crash_around_the_comment_and_a_lost_store_still_leave_one_comment(site, after):
    clock, stand_in = site
    with open_store("sqlite:///:memory:") as store, pytest.raises(Killed):
        run(store, DyingJira(options(stand_in), clock, after=after), clock)
    with open_store("sqlite:///:memory:") as lost:  # the database is gone too
        stand_in.clear_log()
        again = run(lost, JiraConnector(options(stand_in), clock), clock)
    assert again.applied is not None
    assert again.applied.errors == []
    for key in ORPHANS:
        assert LABEL in stand_in.labels(key)
        assert len(ours(stand_in, key)) == 1, key
    looked = [r for r in stand_in.requests("GET") if r.path.split("?")[0].endswith("/comment")]
    assert looked, "an issue carrying goldthread's intent is looked up before commenting"


def test_a_second_run_with_a_lost_store_finds_the_comment_instead_of_writing(site):
    clock, stand_in = site
    with open_store("sqlite:///:memory:") as store:
        run(store, JiraConnector(options(stand_in), clock), clock)
    clock.advance(timedelta(hours=1).total_seconds())
    with open_store("sqlite:///:memory:") as lost:
        stand_in.clear_log()
        run(lost, JiraConnector(options(stand_in), clock), clock)
    assert [r for r in stand_in.requests() if is_mutating(r)] == []
    for key in ORPHANS:
        assert len(ours(stand_in, key)) == 1


def prefix(site: JiraStandIn) -> str:
    return "/rest/api/3" if site.cloud else "/rest/api/2"
