"""Writes and rate limits against the Jira stand-ins (Cloud and Data Center) over real HTTP."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from jira_sandbox_helpers import T0, connect, fake_clock, seed, stand_in

from goldthread.clock import FakeClock
from goldthread.core.model import Block, CommentDoc, Span, WorkItem
from goldthread.errors import SkippableError
from goldthread.sandbox.faults import FaultPlan
from goldthread.sandbox.http import is_mutating
from goldthread.sandbox.jira import JiraStandIn
from goldthread.sandbox.seeds import CommentSeed

LABEL = "goldthread:untraced"


def doc(fingerprint: str, title: str = "Checkout [~admin] {code}x{code}") -> CommentDoc:
    return CommentDoc(
        blocks=(
            Block(spans=(Span("No parent for ", strong=True), Span(title))),
            Block(
                items=(
                    (Span("Link it to "), Span("PLAT-1", url="https://example.test/browse/PLAT-1")),
                )
            ),
        ),
        fingerprint=fingerprint,
    )


@pytest.fixture(params=["cloud", "dc"])
def clock_and_site(request: pytest.FixtureRequest) -> Iterator[tuple[FakeClock, JiraStandIn]]:
    clock = fake_clock()
    site = stand_in(str(request.param), clock)
    site.load(
        [
            seed("PLAT-1", labels=["keep-me"]),
            seed("PLAT-2", comments=[CommentSeed(author="ana", body="Ours? No.", created_at=T0)]),
        ]
    )
    yield clock, site
    site.stop()


def fetch(source, key: str) -> WorkItem:
    [item] = source.get([key])
    return item


def mutating(site: JiraStandIn) -> list[str]:
    return [f"{r.method} {r.path}" for r in site.requests() if is_mutating(r)]


def test_the_label_goes_on_and_comes_off_leaving_other_labels_alone(clock_and_site):
    clock, site = clock_and_site
    source = connect(site, clock)
    source.add_label(fetch(source, "PLAT-1"), LABEL)
    assert sorted(site.labels("PLAT-1")) == sorted(["keep-me", LABEL])

    site.set_labels("PLAT-1", ["keep-me", LABEL, "added-meanwhile"])
    source.remove_label(fetch(source, "PLAT-1"), LABEL)
    assert sorted(site.labels("PLAT-1")) == ["added-meanwhile", "keep-me"]


def test_a_second_pass_with_nothing_changed_sends_no_mutating_request(clock_and_site):
    clock, site = clock_and_site
    source = connect(site, clock)
    item = fetch(source, "PLAT-1")
    source.add_label(item, LABEL)
    own = source.create_comment(item, doc("fp-1"))
    site.clear_log()

    again = fetch(source, "PLAT-1")
    source.add_label(again, LABEL)
    found = source.find_own_comment(again)
    assert found == own
    source.update_comment(again, own.comment_id, doc("fp-1"))
    assert mutating(site) == []


def test_the_comment_is_created_with_its_marker_updated_and_deleted(clock_and_site):
    clock, site = clock_and_site
    source = connect(site, clock)
    item = fetch(source, "PLAT-1")

    own = source.create_comment(item, doc("fp-1"))
    [comment] = site.comments("PLAT-1")
    assert comment["properties"] == [
        {"key": "goldthread.marker", "value": {"v": 1, "fingerprint": "fp-1"}}
    ]
    if not site.cloud:  # wiki markup: tracker text cannot mention anyone (ADF text is data)
        assert "[~admin]" not in comment["body"]
        assert "\\[\\~admin\\]" in comment["body"]

    source.update_comment(item, own.comment_id, doc("fp-2", title="Checkout v2"))
    [comment] = site.comments("PLAT-1")
    assert comment["properties"][0]["value"]["fingerprint"] == "fp-2"
    assert "Checkout v2" in comment["body"]

    source.delete_comment(item, own.comment_id)
    assert site.comments("PLAT-1") == []


def test_the_comment_is_found_again_by_a_connector_that_remembers_nothing(clock_and_site):
    clock, site = clock_and_site
    own = connect(site, clock).create_comment(fetch(connect(site, clock), "PLAT-1"), doc("fp-1"))

    fresh = connect(site, clock)
    assert fresh.find_own_comment(fetch(fresh, "PLAT-1")) == own


def test_a_human_comment_is_never_taken_for_ours_nor_touched(clock_and_site):
    clock, site = clock_and_site
    source = connect(site, clock)
    item = fetch(source, "PLAT-2")
    assert source.find_own_comment(item) is None
    theirs = site.comments("PLAT-2")[0]["id"]
    with pytest.raises(SkippableError):
        source.delete_comment(item, theirs)
    with pytest.raises(SkippableError):
        source.update_comment(item, theirs, doc("fp-1"))
    assert [c["body"] for c in site.comments("PLAT-2")] == ["Ours? No."]


@pytest.mark.parametrize("status", [429, 503])
def test_a_limited_search_waits_exactly_retry_after(clock_and_site, status):
    clock, site = clock_and_site
    source = connect(site, clock)
    _ = source.cloud  # connect before the fault is planted
    site.faults = FaultPlan(fail_next=1, statuses=[status], retry_after=37, path_contains="/search")

    assert sorted(i.key for i in source.read("PLAT", None)) == ["PLAT-1", "PLAT-2"]
    assert clock.sleeps == [37.0]
    assert len(site.requests("GET", "/search")) == 2


def test_a_limited_write_waits_then_lands_once(clock_and_site):
    clock, site = clock_and_site
    source = connect(site, clock, writes_per_minute=6000)
    item = fetch(source, "PLAT-1")
    site.faults = FaultPlan(
        fail_next=1, statuses=[429], retry_after=12, methods=frozenset({"POST"})
    )

    source.create_comment(item, doc("fp-1"))
    assert 12.0 in clock.sleeps
    assert len(site.comments("PLAT-1")) == 1


def test_writes_are_spaced_by_the_pacer(clock_and_site):
    clock, site = clock_and_site
    source = connect(site, clock, writes_per_minute=20)
    item = fetch(source, "PLAT-1")
    source.add_label(item, LABEL)
    source.create_comment(item, doc("fp-1"))  # the label request carried the intent
    assert clock.sleeps == [3.0]
