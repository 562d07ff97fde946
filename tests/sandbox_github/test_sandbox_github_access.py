"""Authentication, rate limits, faults and Enterprise paths, as PyGithub sees them."""

from __future__ import annotations

from collections.abc import Iterator

import github
import jwt
import pytest
import requests
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from sandbox_github_helpers import FakeClock, client, seed

from goldthread.sandbox.faults import FaultPlan
from goldthread.sandbox.github import GitHubStandIn


def test_a_wrong_token_is_refused_as_bad_credentials(stand_in: GitHubStandIn) -> None:
    g = client(stand_in, token="wrong")
    with pytest.raises(github.BadCredentialsException):
        _ = g.get_user().login


def test_bearer_and_token_schemes_are_both_accepted(stand_in: GitHubStandIn) -> None:
    for scheme in ("token", "Bearer"):
        answer = requests.get(
            f"{stand_in.api_url}/user",
            headers={"Authorization": f"{scheme} sandbox-token"},
            timeout=5,
        )
        assert answer.json()["login"] == "goldthread-bot"


def test_each_request_counts_down_the_remaining_budget(
    stand_in: GitHubStandIn, gh_client: github.Github
) -> None:
    stand_in.load([seed(1)])
    gh_client.get_repo("acme/web").get_issue(1)
    assert gh_client.rate_limiting == (4998, 5000)
    core = gh_client.get_rate_limit().resources.core
    assert (core.remaining, core.limit, core.used) == (4998, 5000, 2)


def test_an_exhausted_budget_answers_403_until_the_hour_is_over(clock: FakeClock) -> None:
    with GitHubStandIn(rate_limit=2, now=clock) as gh:
        g = client(gh)
        gh.load([seed(1)])
        g.get_repo("acme/web").get_issue(1)
        with pytest.raises(github.RateLimitExceededException) as limited:
            g.get_repo("acme/web")
        assert limited.value.status == 403
        assert limited.value.headers["x-ratelimit-remaining"] == "0"
        assert limited.value.data["message"].startswith("API rate limit exceeded for user")
        clock.advance(3601)
        assert g.get_repo("acme/web").full_name == "acme/web"
        assert g.rate_limiting == (1, 2)


def test_reset_header_is_an_hour_after_the_window_opened(
    stand_in: GitHubStandIn, gh_client: github.Github, clock: FakeClock
) -> None:
    _ = gh_client.get_user().login
    assert gh_client.rate_limiting_resettime == int(clock() + 3600)


def test_injected_403_is_github_secondary_limit_with_retry_after(
    stand_in: GitHubStandIn, gh_client: github.Github
) -> None:
    stand_in.faults = FaultPlan(fail_next=1, statuses=[403], retry_after=7)
    with pytest.raises(github.RateLimitExceededException) as limited:
        _ = gh_client.get_user().login
    assert limited.value.headers["retry-after"] == "7"
    assert limited.value.data["message"].startswith("You have exceeded a secondary rate limit")
    assert gh_client.get_user().login == "goldthread-bot"


@pytest.fixture
def enterprise(clock: FakeClock) -> Iterator[GitHubStandIn]:
    with GitHubStandIn(enterprise=True, now=clock) as gh:
        gh.load([seed(n) for n in range(1, 151)])
        yield gh


def test_enterprise_serves_under_api_v3_and_pages_there(enterprise: GitHubStandIn) -> None:
    assert enterprise.api_url.endswith("/api/v3")
    g = client(enterprise)
    issues = list(g.get_repo("acme/web").get_issues())
    assert len(issues) == 150
    assert issues[0].url.startswith(f"{enterprise.base_url}/api/v3/repos/acme/web/issues/")
    issues[0].create_comment("on GHES")
    pages = enterprise.requests("GET", "/api/v3/repos/acme/web/issues")
    assert len(pages) == 2


def test_enterprise_root_paths_are_not_found(enterprise: GitHubStandIn) -> None:
    answer = requests.get(
        f"{enterprise.base_url}/repos/acme/web",
        headers={"Authorization": "token sandbox-token"},
        timeout=5,
    )
    assert answer.status_code == 404


@pytest.fixture
def real_time_stand_in() -> Iterator[GitHubStandIn]:
    """PyGithub judges token expiry by the real clock, so this one keeps real time."""
    with GitHubStandIn() as gh:
        yield gh


def test_app_installation_token_is_fetched_once_and_works_for_the_api(
    real_time_stand_in: GitHubStandIn,
) -> None:
    stand_in = real_time_stand_in
    stand_in.load([seed(1)])
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    pem = key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    ).decode()
    app = github.Auth.AppAuth(123, pem)
    integration = github.GithubIntegration(
        auth=app, base_url=stand_in.api_url, seconds_between_requests=None
    )
    installation = integration.get_repo_installation("acme", "web")
    g = github.Github(
        auth=app.get_installation_auth(installation.id),
        base_url=stand_in.api_url,
        retry=None,
        seconds_between_requests=None,
    )
    assert g.get_repo("acme/web").get_issue(1).title == "Issue 1"
    assert g.get_repo("acme/web").get_issue(1).number == 1
    tokens = stand_in.requests("POST", "/app/installations/1/access_tokens")
    assert len(tokens) == 1
    assert (
        jwt.get_unverified_header(tokens[0].headers["authorization"].split()[1])["alg"] == "RS256"
    )


def test_app_routes_refuse_a_plain_token(stand_in: GitHubStandIn) -> None:
    answer = requests.post(
        f"{stand_in.api_url}/app/installations/1/access_tokens",
        headers={"Authorization": "Bearer sandbox-token"},
        timeout=5,
    )
    assert answer.status_code == 401


def test_installation_token_expires_after_an_hour(
    stand_in: GitHubStandIn, clock: FakeClock
) -> None:
    made = requests.post(
        f"{stand_in.api_url}/app/installations/1/access_tokens",
        headers={"Authorization": "Bearer a.b.c"},
        timeout=5,
    ).json()
    headers = {"Authorization": f"token {made['token']}"}
    assert requests.get(f"{stand_in.api_url}/user", headers=headers, timeout=5).ok
    clock.advance(3601)
    expired = requests.get(f"{stand_in.api_url}/user", headers=headers, timeout=5)
    assert expired.status_code == 401
