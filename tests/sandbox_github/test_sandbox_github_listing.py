"""Listing issues through the real PyGithub client: pages, filters, order, ETags."""

from __future__ import annotations

from datetime import timedelta

import github
from sandbox_github_helpers import T0, seed

from goldthread.sandbox.github import GitHubStandIn


def load_many(gh: GitHubStandIn, count: int = 250) -> None:
    gh.load([seed(n, is_pull_request=n % 50 == 0) for n in range(1, count + 1)])


def test_250_issues_come_back_in_three_pages_of_at_most_100(
    stand_in: GitHubStandIn, gh_client: github.Github
) -> None:
    load_many(stand_in)
    issues = list(gh_client.get_repo("acme/web").get_issues(state="all"))
    assert len(issues) == 250
    pages = stand_in.requests("GET", "/repos/acme/web/issues")
    assert len(pages) == 3
    assert "page=3" in pages[-1].query


def test_default_order_is_newest_created_first_and_asc_reverses_it(
    stand_in: GitHubStandIn, gh_client: github.Github
) -> None:
    load_many(stand_in, 5)
    repo = gh_client.get_repo("acme/web")
    assert [i.number for i in repo.get_issues()] == [5, 4, 3, 2, 1]
    assert [i.number for i in repo.get_issues(direction="asc")] == [1, 2, 3, 4, 5]


def test_sort_by_updated_follows_the_latest_change(
    stand_in: GitHubStandIn, gh_client: github.Github
) -> None:
    load_many(stand_in, 3)
    stand_in.set_body("acme/web", 1, "edited just now")
    repo = gh_client.get_repo("acme/web")
    assert [i.number for i in repo.get_issues(sort="updated")] == [1, 3, 2]


def test_since_returns_only_issues_updated_at_or_after_it(
    stand_in: GitHubStandIn, gh_client: github.Github
) -> None:
    load_many(stand_in, 10)
    since = T0 + timedelta(hours=8, minutes=8)  # exactly issue 8's updated_at
    issues = gh_client.get_repo("acme/web").get_issues(state="all", since=since)
    assert sorted(i.number for i in issues) == [8, 9, 10]


def test_state_filter_defaults_to_open(stand_in: GitHubStandIn, gh_client: github.Github) -> None:
    load_many(stand_in, 3)
    stand_in.set_state("acme/web", 2, "closed")
    repo = gh_client.get_repo("acme/web")
    assert [i.number for i in repo.get_issues()] == [3, 1]
    assert [i.number for i in repo.get_issues(state="closed")] == [2]
    assert len(list(repo.get_issues(state="all"))) == 3


def test_label_filter_requires_every_listed_label(
    stand_in: GitHubStandIn, gh_client: github.Github
) -> None:
    stand_in.load([seed(1, labels=["a", "b"]), seed(2, labels=["a"]), seed(3)])
    repo = gh_client.get_repo("acme/web")
    assert [i.number for i in repo.get_issues(labels=["a"])] == [2, 1]
    assert [i.number for i in repo.get_issues(labels=["a", "b"])] == [1]


def test_pull_requests_are_listed_and_marked(
    stand_in: GitHubStandIn, gh_client: github.Github
) -> None:
    load_many(stand_in, 100)
    issues = list(gh_client.get_repo("acme/web").get_issues(state="all"))
    prs = [i.number for i in issues if i.pull_request is not None]
    assert prs == [100, 50]


def test_list_items_are_complete_so_reading_fields_sends_no_extra_request(
    stand_in: GitHubStandIn, gh_client: github.Github
) -> None:
    stand_in.load([seed(1, type="Epic"), seed(2, parent=("acme/web", 1))])
    issues = list(gh_client.get_repo("acme/web").get_issues())
    stand_in.clear_log()
    assert [(i.number, i.type.name if i.type else None) for i in issues] == [
        (2, None),
        (1, "Epic"),
    ]
    assert issues[0].parent_issue_url.endswith("/issues/1")
    assert issues[1].sub_issues_summary.total == 1
    assert stand_in.requests() == []


def test_single_page_has_no_link_header_and_middle_page_has_all_rels(
    stand_in: GitHubStandIn, gh_client: github.Github
) -> None:
    load_many(stand_in)
    requester = gh_client.requester
    url = f"{stand_in.api_url}/repos/acme/web/issues"
    _, one, _ = requester.requestJson("GET", url, {"state": "all", "labels": "none-has-it"})
    _, middle, _ = requester.requestJson("GET", url, {"state": "all", "per_page": 100, "page": 2})
    assert "link" not in one
    rels = {part.split("; ")[1] for part in middle["link"].split(", ")}
    assert rels == {'rel="prev"', 'rel="next"', 'rel="last"', 'rel="first"'}


def test_unchanged_list_answers_304_and_costs_no_rate_point(
    stand_in: GitHubStandIn, gh_client: github.Github
) -> None:
    load_many(stand_in, 5)
    requester = gh_client.requester
    url = f"{stand_in.api_url}/repos/acme/web/issues"
    params = {"state": "all", "sort": "updated", "per_page": 100}
    status, headers, _ = requester.requestJson("GET", url, params)
    assert status == 200
    assert headers["etag"].startswith('W/"')
    again, headers304, body = requester.requestJson(
        "GET", url, params, headers={"If-None-Match": headers["etag"]}
    )
    assert (again, body) == (304, "")
    assert headers304["x-ratelimit-remaining"] == headers["x-ratelimit-remaining"]


def test_a_change_gives_a_new_etag_and_a_full_answer(
    stand_in: GitHubStandIn, gh_client: github.Github
) -> None:
    load_many(stand_in, 5)
    requester = gh_client.requester
    url = f"{stand_in.api_url}/repos/acme/web/issues"
    _, headers, _ = requester.requestJson("GET", url, {"state": "all"})
    stand_in.set_labels("acme/web", 3, ["layer/vision"])
    status, changed, body = requester.requestJson(
        "GET", url, {"state": "all"}, headers={"If-None-Match": headers["etag"]}
    )
    assert status == 200
    assert changed["etag"] != headers["etag"]
    assert "layer/vision" in body


def test_repositories_of_an_owner_are_listed_for_wildcard_expansion(
    stand_in: GitHubStandIn, gh_client: github.Github
) -> None:
    stand_in.load([seed(1, repo="acme/web"), seed(1, repo="acme/api"), seed(1, repo="other/x")])
    stand_in.add_repo("acme/empty")
    names = [r.full_name for r in gh_client.get_organization("acme").get_repos()]
    assert names == ["acme/api", "acme/empty", "acme/web"]
    assert [r.name for r in gh_client.get_user("other").get_repos()] == ["x"]


def test_unknown_repository_and_issue_are_404(
    stand_in: GitHubStandIn, gh_client: github.Github
) -> None:
    stand_in.load([seed(1)])
    try:
        gh_client.get_repo("acme/missing")
    except github.UnknownObjectException:
        pass
    else:
        raise AssertionError("expected 404")
    repo = gh_client.get_repo("acme/web")
    try:
        repo.get_issue(99)
    except github.UnknownObjectException:
        return
    raise AssertionError("expected 404")
