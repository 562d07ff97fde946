"""GitHub's redirects, followed by goldthread and not by PyGithub: a renamed
repository (301 on reads, 307 on writes), a transferred issue (301), and the
redirects that are refused (another host, no Location, a loop)."""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

import pytest
import responses
from gh_contract_support import API, MOCK, REPO, issue_payload, make_connector

from goldthread.connectors.github.parsing import ParseContext, parse_issue
from goldthread.core.model import CommentDoc, WorkItem
from goldthread.core.references import SourceIndex
from goldthread.errors import SkippableError

NEW = "octocat/Hello-Earth"
MOVED = {
    "message": "Moved Permanently",
    "documentation_url": "https://docs.github.com/rest/guides/best-practices-for-using-the-rest-api#follow-redirects",
}


def moved(api: responses.RequestsMock, method: str, path: str, location: str | None, status=301):
    headers = {"Location": location} if location is not None else {}
    api.add(
        method, f"{MOCK}{path}", status=status, json={**MOVED, "url": location}, headers=headers
    )


def in_new_repo(number: int, **changes):
    return issue_payload(
        number,
        repository_url=f"{API}/repos/{NEW}",
        html_url=f"https://github.com/{NEW}/issues/{number}",
        **changes,
    )


def test_a_renamed_repository_is_read_whole_under_its_new_name(api, clock):
    location = f"{API}/repositories/42/issues?state=all&sort=updated&direction=desc&per_page=100"
    moved(api, "GET", f"/repos/{REPO}/issues", location)
    api.get(f"{MOCK}/repositories/42/issues", json=[in_new_repo(7, body="Part of #3")])
    api.get(f"{MOCK}/repositories/42", json={"id": 42, "full_name": NEW})
    gh = make_connector(clock)
    [item] = list(gh.read(REPO, None))
    assert item.ref == f"gh:{NEW}#7"
    assert [link.target for link in item.parents] == [f"gh:{NEW}#3"]
    followed = next(c.request.url for c in api.calls if "/repositories/42/issues" in c.request.url)
    assert parse_qs(urlsplit(followed).query) == {
        "state": ["all"],
        "sort": ["updated"],
        "direction": ["desc"],
        "per_page": ["100"],
    }
    assert gh.scope().renamed == ((REPO, NEW),)


def test_a_redirect_that_drops_the_query_and_the_path_gets_both_back(api, clock):
    moved(api, "GET", f"/repos/{REPO}/issues", f"{API}/repositories/42")
    api.get(f"{MOCK}/repositories/42/issues", json=[in_new_repo(7)])
    api.get(f"{MOCK}/repositories/42", json={"id": 42, "full_name": NEW})
    [item] = list(make_connector(clock).read(REPO, None))
    assert item.key == f"{NEW}#7"
    followed = [c.request.url for c in api.calls if "/repositories/42/issues" in c.request.url]
    assert parse_qs(urlsplit(followed[0]).query)["state"] == ["all"]


def test_a_307_on_a_comment_is_repeated_with_the_same_method_and_body(api, clock):
    gh = make_connector(clock)
    api.get(f"{MOCK}/user", json={"login": "goldthread-bot"})
    path = f"/repos/{REPO}/issues/5/comments"
    moved(api, "POST", path, f"{API}/repositories/42/issues/5/comments", status=307)
    api.post(f"{MOCK}/repositories/42/issues/5/comments", status=201, json={"id": 99, "body": "x"})
    written = gh.create_comment(_item(REPO, 5), CommentDoc(blocks=(), fingerprint="fp"))
    assert written.comment_id == "99"
    posts = [c.request for c in api.calls if c.request.method == "POST"]
    assert [urlsplit(p.url).path for p in posts] == [path, "/repositories/42/issues/5/comments"]
    assert posts[0].body == posts[1].body


def test_a_transferred_issue_comes_back_under_its_new_key(api, clock):
    moved(api, "GET", f"/repos/{REPO}/issues/5", f"{API}/repositories/42/issues/12")
    api.get(f"{MOCK}/repositories/42/issues/12", json=in_new_repo(12))
    [item] = make_connector(clock).get([f"{REPO}#5"])
    assert item.ref == f"gh:{NEW}#12"


def test_deleted_and_unreadable_issues_are_left_out(api, clock):
    api.get(f"{MOCK}/repos/{REPO}/issues/5", status=410, json={"message": "This issue was deleted"})
    api.get(f"{MOCK}/repos/{REPO}/issues/6", status=404, json={"message": "Not Found"})
    assert make_connector(clock).get([f"{REPO}#5", f"{REPO}#6"]) == []


@pytest.mark.parametrize(
    ("location", "why"),
    [
        ("https://elsewhere.example/repositories/42/issues/5", "another host"),
        (None, "without a Location"),
        (f"{API}/repos/{REPO}/issues/5", "loop"),
    ],
)
def test_a_bad_redirect_is_an_error_naming_the_item_and_is_not_followed(api, clock, location, why):
    moved(api, "GET", f"/repos/{REPO}/issues/5", location)
    with pytest.raises(SkippableError, match=why) as caught:
        make_connector(clock).get([f"{REPO}#5"])
    assert f"gh:{REPO}#5" in str(caught.value)
    assert all("elsewhere" not in c.request.url for c in api.calls)


def test_a_write_to_a_transferred_issue_is_not_repeated_where_it_went(api, clock):
    path = f"/repos/{REPO}/issues/5/labels"
    moved(api, "POST", path, f"{API}/repositories/42/issues/12/labels")
    api.get(f"{MOCK}/repos/{REPO}/labels/flag", json={"name": "flag"})
    with pytest.raises(SkippableError, match="not repeated"):
        make_connector(clock).add_label(_item(REPO, 5), "flag")
    assert [c for c in api.calls if "/repositories/" in c.request.url] == []


def test_check_names_a_renamed_repository(api, clock):
    api.get(f"{MOCK}/user", json={"login": "goldthread-bot"})
    moved(api, "GET", f"/repos/{REPO}", f"{API}/repositories/42")
    api.get(f"{MOCK}/repositories/42", json={"id": 42, "full_name": NEW})
    gh = make_connector(clock)
    assert gh.check().split(";")[0] == "goldthread-bot"
    assert gh.scope().renamed == ((REPO, NEW),)


def _item(repo: str, number: int) -> WorkItem:
    ctx = ParseContext("gh", repo, (), SourceIndex(), SourceIndex())
    return parse_issue(issue_payload(number, comments=1), ctx)
