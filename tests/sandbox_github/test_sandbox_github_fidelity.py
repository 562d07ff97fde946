"""The GitHub stand-in is as strict as GitHub: content-creation limits, with and
without Retry-After, and Enterprise Server by version."""

from __future__ import annotations

import pytest
import requests
from sandbox_github_helpers import TOKEN, FakeClock, seed

from goldthread.sandbox.github import GitHubStandIn


def post_comment(gh: GitHubStandIn, number: int) -> requests.Response:
    return requests.post(
        f"{gh.api_url}/repos/acme/web/issues/{number}/comments",
        json={"body": "hello"},
        headers={"Authorization": f"token {TOKEN}"},
        timeout=5,
    )


@pytest.mark.parametrize("retry_after", [True, False])
def test_content_beyond_80_a_minute_is_refused_as_a_secondary_limit(
    stand_in: GitHubStandIn, clock: FakeClock, retry_after: bool
) -> None:
    stand_in.load([seed(1)])
    limit = stand_in.limit_content(retry_after=retry_after)
    assert all(post_comment(stand_in, 1).status_code == 201 for _ in range(80))

    refused = post_comment(stand_in, 1)

    assert refused.status_code == 403
    assert "secondary rate limit" in refused.json()["message"]
    assert ("retry-after" in refused.headers) is retry_after
    assert limit.refused == 1
    assert len(stand_in.comments("acme/web", 1)) == 80  # a refused request leaves nothing
    clock.advance(61)
    assert post_comment(stand_in, 1).status_code == 201


def test_the_hour_holds_at_most_500(stand_in: GitHubStandIn, clock: FakeClock) -> None:
    stand_in.load([seed(1)])
    stand_in.limit_content()
    for _ in range(500):
        assert post_comment(stand_in, 1).status_code == 201
        clock.advance(7)  # 500 within 3,500 s: the hour is full
    assert post_comment(stand_in, 1).status_code == 403
    clock.advance(3600)
    assert post_comment(stand_in, 1).status_code == 201


@pytest.mark.parametrize(("version", "hierarchy"), [("3.13", False), ("3.17", True)])
def test_enterprise_server_serves_what_its_version_has(version: str, hierarchy: bool) -> None:
    with GitHubStandIn(token=TOKEN, enterprise=True, enterprise_version=version) as gh:
        gh.load([seed(1, type="Epic"), seed(2, parent=("acme/web", 1))])
        headers = {"Authorization": f"token {TOKEN}"}
        child = requests.get(f"{gh.api_url}/repos/acme/web/issues/2", headers=headers, timeout=5)
        parent = requests.get(
            f"{gh.api_url}/repos/acme/web/issues/2/parent", headers=headers, timeout=5
        )
    assert child.headers["X-GitHub-Enterprise-Version"] == f"{version}.0"
    assert ("parent_issue_url" in child.json()) is hierarchy
    assert ("type" in child.json()) is hierarchy
    assert parent.status_code == 404  # no Enterprise Server version has the endpoint
