"""Writes: only goldthread's label and comment, idempotent, paced, never doubled."""

from __future__ import annotations

import dataclasses
import json

import pytest
import requests
import responses
from gh_contract_support import MOCK, REPO, fixture, issue_payload

from goldthread.clock import FakeClock
from goldthread.connectors.github import GitHubConnector
from goldthread.core.marker import marker
from goldthread.core.model import Block, CommentDoc, Span, WorkItem
from goldthread.errors import SkippableError

ISSUE = f"{MOCK}/repos/{REPO}/issues/1347"
LABEL = "goldthread:untraced"
QUOTED = "goldthread%3Auntraced"
ME = "goldthread-bot"


def _item(api, gh: GitHubConnector, **changes) -> WorkItem:
    api.get(f"{MOCK}/repos/{REPO}/issues", json=[issue_payload(**changes)])
    [item] = list(gh.read(REPO, None))
    api.calls.reset()
    return item


def _doc(text: str = "No parent.", fingerprint: str = "fp1") -> CommentDoc:
    return CommentDoc(blocks=(Block(spans=(Span(text),)),), fingerprint=fingerprint)


def _comment(cid: int, login: str, body: str) -> dict:
    comment = dict(fixture("rest/issue-comment-items.json")[0])
    comment.update(id=cid, body=body, user={**comment["user"], "login": login})
    return comment


def _methods(api) -> list[tuple[str, str]]:
    return [(c.request.method, c.request.path_url.split("?")[0]) for c in api.calls]


@pytest.fixture
def me(api):
    api.get(f"{MOCK}/user", json={"login": ME})


def test_adding_the_label_creates_it_in_the_repository_with_its_colour(api, gh):
    item = _item(api, gh)
    api.get(f"{MOCK}/repos/{REPO}/labels/{QUOTED}", status=404, json={"message": "Not Found"})
    api.post(f"{MOCK}/repos/{REPO}/labels", status=201, json={"name": LABEL})
    api.post(f"{ISSUE}/labels", json=[{"name": "bug"}, {"name": LABEL}])
    gh.add_label(item, LABEL)
    created = json.loads(api.calls[1].request.body)
    assert created == {
        "name": LABEL,
        "color": "d93f0b",
        "description": "goldthread: this item does not trace back to a strategy and a vision",
    }
    assert json.loads(api.calls[2].request.body) == {"labels": [LABEL]}


def test_adding_a_label_already_on_the_item_sends_nothing(api, gh):
    item = _item(api, gh, labels=["bug", LABEL])
    gh.add_label(item, LABEL)
    assert len(api.calls) == 0


def test_the_repository_label_is_checked_once(api, gh):
    item = _item(api, gh)
    api.get(f"{MOCK}/repos/{REPO}/labels/{QUOTED}", json={"name": LABEL})
    api.post(f"{ISSUE}/labels", json=[])
    gh.add_label(item, LABEL)
    gh.add_label(dataclasses.replace(item, key=f"{REPO}#1347"), LABEL)
    assert [m for m, _ in _methods(api)] == ["GET", "POST", "POST"]


def test_removing_deletes_only_goldthreads_label_escaped_by_name(api, gh):
    item = _item(api, gh, labels=["bug", "team/web", LABEL])
    api.delete(f"{ISSUE}/labels/team%2Fweb", json=[])
    gh.remove_label(item, "team/web")
    assert _methods(api) == [("DELETE", f"/repos/{REPO}/issues/1347/labels/team%2Fweb")]


def test_removing_a_label_that_is_already_gone_is_fine(api, gh):
    item = _item(api, gh, labels=[LABEL])
    api.delete(f"{ISSUE}/labels/{QUOTED}", status=404, json={"message": "Label does not exist"})
    gh.remove_label(item, LABEL)
    assert _methods(api) == [("DELETE", f"/repos/{REPO}/issues/1347/labels/{QUOTED}")]


def test_removing_a_label_the_item_does_not_carry_sends_nothing(api, gh):
    item = _item(api, gh, labels=["bug"])
    gh.remove_label(item, LABEL)
    assert len(api.calls) == 0


def test_the_own_comment_is_found_by_marker_and_own_author(api, gh, me):
    item = _item(api, gh, comments=3)
    api.get(
        f"{ISSUE}/comments",
        json=[
            _comment(1, "octocat", "Me too"),
            _comment(2, "mallory", "copied " + marker("fp0")),
            _comment(3, ME, "Flagged\n\n" + marker("fp7")),
        ],
    )
    found = gh.find_own_comment(item)
    assert found is not None
    assert (found.comment_id, found.fingerprint) == ("3", "fp7")


def test_an_issue_without_comments_costs_no_search(api, gh):
    item = _item(api, gh, comments=0)
    assert gh.find_own_comment(item) is None
    assert len(api.calls) == 0


def test_a_created_comment_carries_the_marker_and_inert_text(api, gh):
    item = _item(api, gh)
    api.post(f"{ISSUE}/comments", status=201, json=_comment(55, ME, "x"))
    own = gh.create_comment(item, _doc("@alice fixes #3", fingerprint="fpX"))
    body = json.loads(api.calls[0].request.body)["body"]
    assert marker("fpX") in body
    assert "@alice" not in body
    assert (own.comment_id, own.fingerprint) == ("55", "fpX")


def test_a_create_whose_answer_was_lost_is_not_posted_twice(api, gh, me):
    item = _item(api, gh)
    api.add(responses.POST, f"{ISSUE}/comments", body=requests.exceptions.ConnectionError("lost"))
    api.get(f"{ISSUE}/comments", json=[_comment(77, ME, "x\n\n" + marker("fp1"))])
    own = gh.create_comment(item, _doc())
    assert own.comment_id == "77"
    assert [m for m, _ in _methods(api)].count("POST") == 1


def test_a_create_refused_for_a_secondary_limit_is_sent_again_after_the_wait(
    api, gh, me, clock: FakeClock
):
    item = _item(api, gh)
    limited = {"message": "You have exceeded a secondary rate limit"}
    api.add(
        responses.POST, f"{ISSUE}/comments", status=403, json=limited, headers={"retry-after": "61"}
    )
    api.add(responses.POST, f"{ISSUE}/comments", status=201, json=_comment(78, ME, "x"))
    api.get(f"{ISSUE}/comments", json=[])
    assert gh.create_comment(item, _doc()).comment_id == "78"
    assert 61.0 in clock.sleeps


def test_update_and_delete_touch_only_a_comment_seen_to_be_goldthreads(api, gh, me):
    item = _item(api, gh)
    api.get(f"{MOCK}/repos/{REPO}/issues/comments/9", json=_comment(9, "octocat", marker("fp")))
    with pytest.raises(SkippableError):
        gh.update_comment(item, "9", _doc())
    with pytest.raises(SkippableError):
        gh.delete_comment(item, "9")
    assert "PATCH" not in [m for m, _ in _methods(api)]
    assert "DELETE" not in [m for m, _ in _methods(api)]


def test_an_own_comment_is_updated_in_place(api, gh, me):
    item = _item(api, gh)
    api.get(f"{MOCK}/repos/{REPO}/issues/comments/5", json=_comment(5, ME, marker("old")))
    api.patch(f"{MOCK}/repos/{REPO}/issues/comments/5", json=_comment(5, ME, "new"))
    own = gh.update_comment(item, "5", _doc(fingerprint="new"))
    assert own.fingerprint == "new"
    assert marker("new") in json.loads(api.calls[-1].request.body)["body"]


def test_deleting_an_own_comment_that_is_already_gone_is_fine(api, gh, me):
    item = _item(api, gh, comments=1)
    api.get(f"{ISSUE}/comments", json=[_comment(5, ME, marker("fp"))])
    api.delete(f"{MOCK}/repos/{REPO}/issues/comments/5", status=404, json={"message": "Not Found"})
    own = gh.find_own_comment(item)
    assert own is not None
    gh.delete_comment(item, own.comment_id)
    assert _methods(api)[-1] == ("DELETE", f"/repos/{REPO}/issues/comments/5")


def test_writes_are_paced(api, gh, clock: FakeClock):
    item = _item(api, gh, labels=["x", LABEL, "y"])
    api.delete(f"{ISSUE}/labels/{QUOTED}", json=[])
    api.delete(f"{ISSUE}/labels/x", json=[])
    gh.remove_label(item, LABEL)
    gh.remove_label(item, "x")
    assert clock.sleeps == [1.0]  # 60 writes per minute: one a second
