"""Reading a repository: payloads in, WorkItems out, at the promised cost."""

from __future__ import annotations

import json
from datetime import timedelta
from urllib.parse import parse_qs, urlsplit

import pytest
import responses
from gh_contract_support import (
    API,
    MOCK,
    REPO,
    START,
    fixture,
    issue_payload,
    make_connector,
    newest_first,
    rate_headers,
    stamped,
)

import goldthread
from goldthread.clock import FakeClock
from goldthread.connectors.github import GitHubConnector
from goldthread.core.model import LinkKind
from goldthread.errors import SkippableError

LIST = f"{MOCK}/repos/{REPO}/issues"


def test_an_issue_from_the_list_becomes_a_work_item(api, gh):
    api.get(LIST, json=[issue_payload()], headers=rate_headers())
    [item] = list(gh.read(REPO, None))
    assert item.ref == "gh:octocat/Hello-World#1347"
    assert item.key == "octocat/Hello-World#1347"
    assert item.url == "https://github.com/octocat/Hello-World/issues/1347"
    assert item.title == "Found a bug"
    assert item.labels == ("bug",)
    assert item.state == "open"
    assert item.status == "completed"
    assert item.external_id == "1001347"
    assert item.comment_count == 0
    assert item.created_at.isoformat() == "2011-04-22T13:33:48+00:00"
    assert item.type is None
    assert item.parents == ()


def test_pull_requests_are_skipped_unless_asked_for(api, clock):
    pr = fixture("rest/issue-items.json")[0]  # the spec's item carries `pull_request`
    api.get(LIST, json=[pr])
    assert list(make_connector(clock).read(REPO, None)) == []
    [item] = list(make_connector(clock, include_pull_requests=True).read(REPO, None))
    assert item.is_pull_request


def test_labels_given_as_plain_strings_are_read(api, gh):
    api.get(LIST, json=[issue_payload(labels=["vision", "okr-1"])])
    [item] = list(gh.read(REPO, None))
    assert item.labels == ("vision", "okr-1")


def test_payloads_without_type_or_parent_fields_still_parse(api, gh):
    payload = issue_payload(type=None, parent_issue_url=None, sub_issues_summary=None, body=None)
    api.get(LIST, json=[payload])
    [item] = list(gh.read(REPO, None))
    assert (item.type, item.parents, item.body) == (None, (), "")


def test_issue_type_and_sub_issue_parent_are_read(api, gh):
    typed = fixture("webhooks/issues.typed.json")["issue"]["type"]
    parent_url = f"{API}/repos/{REPO}/issues/12"  # added: the list gives the parent as a URL
    api.get(LIST, json=[issue_payload(type=typed, parent_issue_url=parent_url)])
    [item] = list(gh.read(REPO, None))
    assert item.type == "Feature"
    [link] = item.parents
    assert (link.kind, link.target) == (LinkKind.SUB_ISSUE, "gh:octocat/Hello-World#12")


def test_a_parent_in_an_unread_repository_is_a_missing_parent(api, gh):
    parent_url = f"{API}/repos/elsewhere/private/issues/3"
    api.get(LIST, json=[issue_payload(parent_issue_url=parent_url)])
    [item] = list(gh.read(REPO, None))
    assert [(p.kind, p.target) for p in item.parents] == [(LinkKind.SUB_ISSUE, None)]


def test_body_references_follow_the_sub_issue_parent(api, gh):
    body = "Some context\nPart of PLAT-7\nparent: #40"
    parent_url = f"{API}/repos/{REPO}/issues/12"
    api.get(LIST, json=[issue_payload(body=body, parent_issue_url=parent_url)])
    [item] = list(gh.read(REPO, None))
    assert [p.target for p in item.parents] == [
        "gh:octocat/Hello-World#12",
        "jira:PLAT-7",
        "gh:octocat/Hello-World#40",
    ]
    assert item.parents[1].kind is LinkKind.BODY_REFERENCE


def test_the_list_is_asked_for_every_state_newest_change_first_in_pages_of_100(api, gh):
    api.get(LIST, json=[])
    list(gh.read(REPO, None))
    query = parse_qs(urlsplit(api.calls[0].request.url).query)
    assert query == {
        "state": ["all"],
        "sort": ["updated"],
        "direction": ["desc"],
        "per_page": ["100"],
    }


def test_requests_pin_the_api_version_and_name_goldthread(api, gh):
    api.get(LIST, json=[])
    list(gh.read(REPO, None))
    headers = api.calls[0].request.headers
    assert headers["X-GitHub-Api-Version"] == "2022-11-28"
    assert headers["User-Agent"] == f"goldthread/{goldthread.__version__}"
    assert headers["Authorization"] == "token t0ken-for-tests"


def test_a_full_read_costs_one_request_per_hundred_issues(api, gh):
    issues = newest_first(250)
    for page in range(3):
        link = f'<{LIST}?page={page + 2}>; rel="next"' if page < 2 else ""
        api.get(
            LIST if page == 0 else f"{LIST}?page={page + 1}",
            json=issues[page * 100 : (page + 1) * 100],
            headers={"Link": link} if link else {},
            match=[responses.matchers.query_param_matcher({"page": str(page + 1)})] if page else [],
        )
    items = list(gh.read(REPO, None))
    assert len(items) == 250
    assert gh.stats.requests == 3


def test_an_incremental_read_stops_at_the_first_issue_older_than_the_cursor(api, clock):
    first = make_connector(clock)
    api.get(LIST, json=newest_first(3), headers={"ETag": 'W/"one"'})
    read = first.read(REPO, None)
    list(read)
    changed = [stamped(9, START + timedelta(minutes=30)), *newest_first(3)]
    api.replace(responses.GET, LIST, json=changed, headers={"ETag": 'W/"two"', "Link": "<x>"})
    second = make_connector(clock)
    items = list(second.read(REPO, read.cursor))
    # the cursor sits one minute before the last change seen: #3 and #2 fall in the overlap
    assert [i.key for i in items] == [f"{REPO}#9", f"{REPO}#3", f"{REPO}#2"]
    assert second.stats.requests == 1


def test_an_unchanged_repository_is_answered_304_and_keeps_its_cursor(api, gh):
    api.get(LIST, json=newest_first(2), headers={"ETag": 'W/"abc"', **rate_headers(4990)})
    read = gh.read(REPO, None)
    list(read)
    api.replace(responses.GET, LIST, status=304, headers=rate_headers(4990))
    again = gh.read(REPO, read.cursor)
    assert list(again) == []
    assert api.calls[1].request.headers["If-None-Match"] == 'W/"abc"'
    assert again.cursor == read.cursor
    assert gh.stats.not_modified == 1


def test_the_cursor_is_capped_at_the_poll_start_and_moved_back_by_the_overlap(api, clock):
    future = stamped(1, START + timedelta(minutes=90))  # an issue clock ahead of ours
    api.get(LIST, json=[future], headers={"ETag": 'W/"e"'})
    read = make_connector(clock).read(REPO, None)
    list(read)
    cursor = json.loads(read.cursor or "")
    assert cursor["since"] == "2026-03-01T11:59:00+00:00"
    assert cursor["etag"] == 'W/"e"'


def test_a_garbled_cursor_means_a_full_read(api, gh):
    api.get(LIST, json=newest_first(2))
    assert len(list(gh.read(REPO, "not json"))) == 2
    assert "If-None-Match" not in api.calls[0].request.headers


@pytest.mark.parametrize("status", [404, 403])
def test_a_repository_that_cannot_be_read_fails_that_repository(api, gh, status):
    api.get(LIST, status=status, json={"message": "Not Found" if status == 404 else "denied"})
    with pytest.raises(SkippableError) as caught:
        list(gh.read(REPO, None))
    assert caught.value.status == status


def test_get_returns_fresh_items_and_omits_missing_ones(api, gh):
    api.get(f"{MOCK}/repos/{REPO}/issues/5", json=issue_payload(5))
    api.get(f"{MOCK}/repos/{REPO}/issues/6", status=404, json={"message": "Not Found"})
    items = gh.get([f"{REPO}#5", f"{REPO}#6"])
    assert [i.key for i in items] == [f"{REPO}#5"]


def test_an_owner_wildcard_lists_the_token_users_repositories_private_ones_included(api, clock):
    listed = [{"full_name": n, "private": n == "acme/api"} for n in ("acme/web", "acme/api", "x/y")]
    api.get(f"{MOCK}/user/repos", json=listed)
    connector = make_connector(clock, repos=("acme/*", "acme/web", "other/one"))
    assert connector.scopes() == ["acme/api", "acme/web", "other/one"]
    user_calls = [c.request.url for c in api.calls if "/user/repos" in c.request.url]
    assert len(user_calls) == 1
    assert "affiliation=owner%2Ccollaborator%2Corganization_member" in user_calls[0]
    assert not [c for c in api.calls if "/users/" in c.request.url]


def test_an_owner_wildcard_falls_back_to_the_organisations_repositories(api, clock):
    api.get(f"{MOCK}/user/repos", json=[{"full_name": "me/dots"}])
    api.get(f"{MOCK}/orgs/acme/repos", json=[{"full_name": "acme/web"}])
    assert make_connector(clock, repos=("acme/*",)).scopes() == ["acme/web"]


def test_an_owner_wildcard_of_nobody_readable_fails_that_source(api, clock):
    api.get(f"{MOCK}/user/repos", json=[])
    api.get(f"{MOCK}/orgs/octo/repos", status=404, json={"message": "Not Found"})
    with pytest.raises(SkippableError, match="octo"):
        make_connector(clock, repos=("octo/*",)).scopes()


def test_check_names_the_token_user(api, gh):
    api.get(f"{MOCK}/user", json=fixture("rest/issue-items.json")[0]["user"])
    api.get(f"{MOCK}/repos/{REPO}", json={"full_name": REPO})
    assert gh.check().split(";")[0] == "octocat"
    assert gh.scope().renamed == ()


def test_budget_reports_the_last_rate_limit_headers(api, gh: GitHubConnector, clock: FakeClock):
    api.get(LIST, json=[], headers=rate_headers(4321))
    list(gh.read(REPO, None))
    budget = gh.budget()
    assert budget is not None
    assert (budget.remaining, budget.limit) == (4321, 5000)


def test_a_next_page_on_another_host_is_refused_and_never_sent_there(api, gh):
    elsewhere = "https://collector.example/repos/octocat/Hello-World/issues?page=2"
    api.get(LIST, json=newest_first(100), headers={"Link": f'<{elsewhere}>; rel="next"'})
    with pytest.raises(SkippableError, match=r"another host \(collector\.example\); not followed"):
        list(gh.read(REPO, None))
    assert [urlsplit(c.request.url).hostname for c in api.calls] == ["api.github.com"]
