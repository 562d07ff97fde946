"""goldthread's label and marker comment on Jira issues: atomic, marked, paced, its own only."""

from __future__ import annotations

import copy
import json
from datetime import UTC, datetime
from typing import Any

import pytest
import responses
from jira_contract_helpers import api, connector, fixture, me, site

from goldthread.clock import FakeClock
from goldthread.core.model import (
    MARKER_NONE,
    MARKER_PENDING,
    Block,
    CommentDoc,
    MarkerHint,
    OwnComment,
    Span,
    WorkItem,
)
from goldthread.errors import LabelRefusedError, SkippableError

MARKER = "goldthread.marker"
INTENT = {"key": MARKER, "value": {"v": 1, "state": "pending"}}
DOC = CommentDoc(
    blocks=(
        Block(
            spans=(
                Span("This item does not trace to a vision. Link it to "),
                Span("PLAT-1", code=True),
            )
        ),
    ),
    fingerprint="fp-1",
)


def item(
    key: str = "PLAT-7", labels: tuple[str, ...] = (), marker: MarkerHint = MARKER_PENDING
) -> WorkItem:
    """An issue as read; by default goldthread's intent property is already on it."""
    when = datetime(2026, 3, 1, tzinfo=UTC)
    return WorkItem(
        ref=f"jira:{key}",
        source="jira",
        key=key,
        url=f"https://acme.atlassian.net/browse/{key}",
        title="t",
        body="",
        type="Story",
        labels=labels,
        state="open",
        created_at=when,
        updated_at=when,
        marker=marker,
    )


def comment(
    comment_id: str, *, marker: dict[str, Any] | None = None, human: bool = False
) -> dict[str, Any]:
    """The spec's comment example with its id and properties changed; written by
    goldthread's account unless ``human``."""
    raw = copy.deepcopy(fixture("comment.get.200.json"))
    raw["id"] = comment_id
    raw["properties"] = [{"key": MARKER, "value": marker}] if marker is not None else []
    if human:
        raw["author"] = {**raw["author"], "accountId": "557058:human", "displayName": "A person"}
    return raw


def bare(raw: dict[str, Any]) -> dict[str, Any]:
    """A comment as the comment GETs send it: no ``properties`` (they do not expand them)."""
    return {k: v for k, v in raw.items() if k != "properties"}


def listing(*comments: dict[str, Any]) -> dict[str, Any]:
    return {
        "startAt": 0,
        "maxResults": 100,
        "total": len(comments),
        "comments": [bare(c) for c in comments],
    }


def by_id(rsps: responses.RequestsMock, base: str, *comments: dict[str, Any]) -> None:
    """Cloud's ``POST /comment/list?expand=properties`` answering with ``comments``."""
    rsps.post(
        api(base, "3", "comment/list"),
        json={
            "isLast": True,
            "startAt": 0,
            "maxResults": 1000,
            "total": len(comments),
            "values": list(comments),
        },
        match=[responses.matchers.query_param_matcher({"expand": "properties"})],
    )


def sent(call: responses.Call) -> Any:
    return json.loads(call.request.body)


def writes(rsps: responses.RequestsMock) -> list[responses.Call]:
    return [c for c in rsps.calls if c.request.method != "GET"]


@pytest.mark.parametrize("cloud", [True, False])
def test_adding_the_label_uses_the_atomic_add_verb_and_records_the_comment_intent(rsps, cloud):
    base = site(rsps, cloud=cloud)
    version = "3" if cloud else "2"
    rsps.put(api(base, version, "issue/PLAT-7"), status=204)
    connector(cloud=cloud).add_label(item(labels=("strategy",)), "goldthread:untraced")

    [call] = writes(rsps)
    assert sent(call) == {
        "update": {"labels": [{"add": "goldthread:untraced"}]},
        "properties": [INTENT],
    }


def test_removing_the_label_uses_the_atomic_remove_verb(rsps):
    base = site(rsps, cloud=True)
    rsps.put(api(base, "3", "issue/PLAT-7"), status=204)
    connector(cloud=True).remove_label(
        item(labels=("goldthread:untraced", "x")), "goldthread:untraced"
    )

    [call] = writes(rsps)
    assert sent(call) == {"update": {"labels": [{"remove": "goldthread:untraced"}]}}
    assert "fields" not in sent(call)


def test_a_label_already_in_the_wanted_state_costs_no_request(rsps):
    source = connector(cloud=True)
    source.add_label(item(labels=("goldthread:untraced",)), "goldthread:untraced")
    source.remove_label(item(labels=("other",)), "goldthread:untraced")
    assert len(rsps.calls) == 0


def test_a_cloud_comment_is_adf_and_carries_its_marker_in_the_same_request(rsps):
    base = site(rsps, cloud=True)
    rsps.post(api(base, "3", "issue/PLAT-7/comment"), status=201, json=comment("10500"))
    own = connector(cloud=True).create_comment(item(), DOC)

    assert own == OwnComment(comment_id="10500", fingerprint="fp-1")
    [call] = writes(rsps)
    body = sent(call)
    assert body["properties"] == [{"key": MARKER, "value": {"v": 1, "fingerprint": "fp-1"}}]
    assert body["body"]["type"] == "doc"
    texts = [n["text"] for n in body["body"]["content"][0]["content"]]
    assert texts == ["This item does not trace to a vision. Link it to ", "PLAT-1"]


def test_a_data_center_comment_is_wiki_markup_and_carries_its_marker(rsps):
    base = site(rsps, cloud=False)
    rsps.post(api(base, "2", "issue/PLAT-7/comment"), status=201, json=comment("10500"))
    connector(cloud=False).create_comment(item(), DOC)

    body = sent(writes(rsps)[0])
    assert body["body"] == "This item does not trace to a vision. Link it to {{PLAT\\-1}}"
    assert body["properties"][0]["key"] == MARKER


def test_the_own_comment_is_found_by_author_and_property_through_documented_calls(rsps):
    base = site(rsps, cloud=True)
    me(rsps, base, cloud=True)
    impostor = comment("1")
    impostor["body"] = "goldthread.marker fp-1"  # words are not a marker
    forged = comment("4", marker={"v": 1, "fingerprint": "fp-x"}, human=True)
    ours = comment("2", marker={"v": 1, "fingerprint": "fp-9"})
    rsps.get(
        api(base, "3", "issue/PLAT-7/comment"),
        json=listing(impostor, forged, ours, comment("3")),
        match=[responses.matchers.query_param_matcher({"startAt": "0", "maxResults": "100"})],
    )
    by_id(rsps, base, impostor, ours, comment("3"))
    source = connector(cloud=True)

    assert source.find_own_comment(item()) == OwnComment(comment_id="2", fingerprint="fp-9")
    [asked] = [sent(c) for c in rsps.calls if c.request.url.split("?")[0].endswith("comment/list")]
    assert asked == {"ids": [1, 2, 3]}  # the person's comment is never even looked at


def test_data_center_reads_the_marker_with_the_comment_property_api(rsps):
    base = site(rsps, cloud=False)
    me(rsps, base, cloud=False)
    ours = comment("2")
    ours["author"] = {"name": "goldthread-bot", "key": "JIRAUSER10100"}
    person = comment("5")
    person["author"] = {"name": "someone", "key": "JIRAUSER10200"}
    rsps.get(api(base, "2", "issue/PLAT-7/comment"), json=listing(person, ours))
    rsps.get(
        api(base, "2", "comment/2/properties/goldthread.marker"),
        json={"key": MARKER, "value": {"v": 1, "fingerprint": "fp-9"}},
    )
    assert connector(cloud=False).find_own_comment(item()) == OwnComment("2", "fp-9")


def test_no_marker_means_no_own_comment(rsps):
    base = site(rsps, cloud=True)
    me(rsps, base, cloud=True)
    rsps.get(api(base, "3", "issue/PLAT-7/comment"), json=listing(comment("1")))
    by_id(rsps, base, comment("1"))
    assert connector(cloud=True).find_own_comment(item()) is None


def test_updating_rewrites_body_and_fingerprint_of_our_comment(rsps):
    base = site(rsps, cloud=True)
    me(rsps, base, cloud=True)
    ours = comment("2", marker={"v": 1, "fingerprint": "old"})
    rsps.get(api(base, "3", "issue/PLAT-7/comment/2"), json=bare(ours))
    by_id(rsps, base, ours)
    rsps.put(api(base, "3", "issue/PLAT-7/comment/2"), json=comment("2"))
    own = connector(cloud=True).update_comment(item(), "2", DOC)

    assert own == OwnComment(comment_id="2", fingerprint="fp-1")
    [call] = [c for c in writes(rsps) if c.request.method == "PUT"]
    assert sent(call)["properties"] == [{"key": MARKER, "value": {"v": 1, "fingerprint": "fp-1"}}]


def test_an_unchanged_comment_is_not_rewritten(rsps):
    base = site(rsps, cloud=True)
    me(rsps, base, cloud=True)
    ours = comment("2", marker={"v": 1, "fingerprint": "fp-1"})
    rsps.get(api(base, "3", "issue/PLAT-7/comment/2"), json=bare(ours))
    by_id(rsps, base, ours)
    connector(cloud=True).update_comment(item(), "2", DOC)
    assert [c.request.method for c in writes(rsps)] == ["POST"]  # the marker read, no edit


@pytest.mark.parametrize("human", [False, True])
def test_someone_else_s_comment_is_never_updated_or_deleted(rsps, human):
    """Without our marker, or with a marker a person copied onto their own comment."""
    base = site(rsps, cloud=True)
    me(rsps, base, cloud=True)
    theirs = comment("5", marker={"v": 1, "fingerprint": "fp-0"} if human else None, human=human)
    rsps.get(api(base, "3", "issue/PLAT-7/comment/5"), json=bare(theirs))
    by_id(rsps, base, theirs)
    source = connector(cloud=True)
    with pytest.raises(SkippableError):
        source.update_comment(item(), "5", DOC)
    with pytest.raises(SkippableError):
        source.delete_comment(item(), "5")
    assert [c.request.method for c in writes(rsps) if "comment/list" not in c.request.url] == []


def test_deleting_our_comment_sends_one_delete(rsps):
    base = site(rsps, cloud=True)
    me(rsps, base, cloud=True)
    ours = comment("2", marker={"v": 1, "fingerprint": "x"})
    rsps.get(api(base, "3", "issue/PLAT-7/comment/2"), json=bare(ours))
    by_id(rsps, base, ours)
    rsps.delete(api(base, "3", "issue/PLAT-7/comment/2"), status=204)
    connector(cloud=True).delete_comment(item(), "2")
    assert [c.request.method for c in writes(rsps)] == ["POST", "DELETE"]


def test_deleting_a_comment_that_is_already_gone_is_done(rsps):
    base = site(rsps, cloud=True)
    rsps.get(api(base, "3", "issue/PLAT-7/comment/2"), status=404, json={"errorMessages": ["gone"]})
    connector(cloud=True).delete_comment(item(), "2")
    assert writes(rsps) == []


def test_writes_are_paced_to_writes_per_minute(rsps):
    base = site(rsps, cloud=True)
    rsps.put(api(base, "3", "issue/PLAT-7"), status=204)
    clock = FakeClock()
    source = connector(cloud=True, clock=clock, writes_per_minute=30)
    for _ in range(3):
        source.add_label(item(), "goldthread:untraced")
    assert clock.sleeps == [2.0, 2.0]


def test_a_create_whose_answer_was_lost_is_not_sent_twice(rsps):
    """Even on an issue read as never commented: the intent went first, so it is looked for."""
    base = site(rsps, cloud=True)
    rsps.put(api(base, "3", "issue/PLAT-7"), status=204)
    rsps.post(api(base, "3", "issue/PLAT-7/comment"), status=502, body="bad gateway")
    landed = comment("9", marker={"v": 1, "fingerprint": "fp-1"})
    rsps.get(api(base, "3", "issue/PLAT-7/comment"), json=listing(landed))
    me(rsps, base, cloud=True)
    by_id(rsps, base, landed)
    clock = FakeClock()

    own = connector(cloud=True, clock=clock).create_comment(item(marker=MARKER_NONE), DOC)

    assert own == OwnComment(comment_id="9", fingerprint="fp-1")
    creates = [c for c in writes(rsps) if "comment/list" not in c.request.url]
    assert [c.request.method for c in creates] == ["PUT", "POST"]


@pytest.mark.parametrize("cloud", [True, False])
def test_flagging_an_issue_read_without_the_intent_costs_two_writes_and_no_lookup(rsps, cloud):
    base = site(rsps, cloud=cloud)
    version = "3" if cloud else "2"
    rsps.put(api(base, version, "issue/PLAT-7"), status=204)
    rsps.post(api(base, version, "issue/PLAT-7/comment"), status=201, json=comment("10500"))
    source = connector(cloud=cloud)
    fresh = item(marker=MARKER_NONE)
    before = source.stats.requests if source.cloud in (True, False) else 0  # connected

    source.add_label(fresh, "goldthread:untraced")
    assert source.find_own_comment(fresh) is None
    source.create_comment(fresh, DOC)

    assert [(c.request.method, sent(c).keys()) for c in rsps.calls[-2:]] == [
        ("PUT", {"update", "properties"}),
        ("POST", {"body", "properties"}),
    ]
    assert source.stats.requests - before == 2


def test_a_comment_where_no_label_was_added_sets_the_intent_first(rsps):
    base = site(rsps, cloud=True)
    rsps.put(api(base, "3", "issue/PLAT-7"), status=204)
    rsps.post(api(base, "3", "issue/PLAT-7/comment"), status=201, json=comment("10500"))
    connector(cloud=True).create_comment(
        item(labels=("goldthread:untraced",), marker=MARKER_NONE), DOC
    )

    put, post = writes(rsps)
    assert (put.request.method, sent(put)) == ("PUT", {"properties": [INTENT]})
    assert post.request.method == "POST"


def test_an_issue_with_the_intent_is_looked_up_before_trusting_it_has_no_comment(rsps):
    base = site(rsps, cloud=True)
    me(rsps, base, cloud=True)
    rsps.get(api(base, "3", "issue/PLAT-7/comment"), json=listing())
    source = connector(cloud=True)
    assert source.find_own_comment(item(marker=MARKER_PENDING)) is None
    before = source.stats.requests  # connected, and goldthread's account known

    assert source.find_own_comment(item(marker=MARKER_PENDING)) is None
    assert source.stats.requests - before == 1


def test_goldthread_s_label_comes_off_in_every_case_jira_keeps_it(rsps):
    base = site(rsps, cloud=True)
    rsps.put(api(base, "3", "issue/PLAT-7"), status=204)
    labels = ("Goldthread:Untraced", "keep", "goldthread:untraced")
    connector(cloud=True).remove_label(item(labels=labels), "goldthread:untraced")

    [call] = writes(rsps)
    assert sent(call) == {
        "update": {"labels": [{"remove": "Goldthread:Untraced"}, {"remove": "goldthread:untraced"}]}
    }


def test_a_refused_label_records_the_intent_on_its_own_and_is_not_tried_again(rsps):
    base = site(rsps, cloud=True)
    refused = {"errorMessages": [], "errors": {"labels": "Field 'labels' cannot be set."}}
    rsps.put(api(base, "3", "issue/PLAT-7"), status=400, json=refused)
    rsps.put(api(base, "3", "issue/PLAT-7"), status=204)
    source = connector(cloud=True)

    with pytest.raises(LabelRefusedError) as caught:
        source.add_label(item(marker=MARKER_NONE), "goldthread:untraced")
    with pytest.raises(LabelRefusedError):
        source.add_label(item(marker=MARKER_PENDING), "goldthread:untraced")  # same project, type

    assert caught.value.scope == "PLAT"
    first, second = writes(rsps)
    assert "update" in sent(first)
    note = {"key": MARKER, "value": {"v": 1, "state": "pending", "labels": "refused"}}
    assert sent(second) == {"properties": [note]}
