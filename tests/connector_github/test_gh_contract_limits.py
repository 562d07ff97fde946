"""Rate limits and errors: waits exactly as told, one retry policy, one error tree."""

from __future__ import annotations

from datetime import timedelta

import pytest
import requests
import responses
from gh_contract_support import MOCK, REPO, START, make_connector, rate_headers
from github import GithubException

from goldthread.clock import FakeClock
from goldthread.connectors.github.errors import translate
from goldthread.errors import (
    FatalSourceError,
    RateLimitedError,
    RetriableError,
    SkippableError,
)

LIST = f"{MOCK}/repos/{REPO}/issues"
SECONDARY = (
    "You have exceeded a secondary rate limit. Please wait a few minutes before you try again."
)


def _then_ok(api: responses.RequestsMock, first: dict) -> None:
    api.add(responses.GET, LIST, **first)
    api.add(responses.GET, LIST, json=[])


def test_a_429_waits_exactly_the_retry_after(api, gh, clock: FakeClock):
    _then_ok(
        api, {"status": 429, "json": {"message": "slow down"}, "headers": {"retry-after": "7"}}
    )
    list(gh.read(REPO, None))
    assert clock.sleeps == [7.0]
    assert len(api.calls) == 2


def test_a_secondary_limit_403_waits_the_retry_after(api, gh, clock: FakeClock):
    headers = {"retry-after": "42", **rate_headers(4000)}
    _then_ok(api, {"status": 403, "json": {"message": SECONDARY}, "headers": headers})
    list(gh.read(REPO, None))
    assert clock.sleeps == [42.0]


def test_a_spent_primary_budget_waits_until_the_reset(api, gh, clock: FakeClock):
    reset = START + timedelta(seconds=1234)
    headers = rate_headers(0, reset=reset)
    body = {"message": "API rate limit exceeded for user ID 1."}
    _then_ok(api, {"status": 403, "json": body, "headers": headers})
    list(gh.read(REPO, None))
    assert clock.sleeps == [1234.0]


def test_a_secondary_limit_without_hints_backs_off_from_a_minute(api, gh, clock: FakeClock):
    _then_ok(api, {"status": 403, "json": {"message": SECONDARY}, "headers": rate_headers(4000)})
    list(gh.read(REPO, None))
    [wait] = clock.sleeps
    assert 60.0 <= wait <= 75.0


def test_reads_slow_down_before_the_primary_budget_runs_out(api, gh, clock: FakeClock):
    reset = START + timedelta(seconds=1000)
    api.get(LIST, json=[], headers=rate_headers(100, reset=reset))
    list(gh.read(REPO, None))
    assert clock.sleeps == []
    list(gh.read(REPO, None))
    assert clock.sleeps == [10.0]  # 1000 s left, 100 requests left: one every 10 s


def test_server_errors_are_retried_by_one_policy_only(api, gh, clock: FakeClock):
    _then_ok(api, {"status": 502, "json": {"message": "bad gateway"}})
    list(gh.read(REPO, None))
    assert len(api.calls) == 2  # PyGithub's own retries are off: no hidden extra attempts


def test_retries_stop_after_the_configured_attempts(api, gh):
    api.get(LIST, status=500, json={"message": "boom"})
    with pytest.raises(RetriableError):
        list(gh.read(REPO, None))
    assert len(api.calls) == 4


def test_bad_credentials_fail_the_source_without_retrying(api, gh):
    api.get(LIST, status=401, json={"message": "Bad credentials"})
    with pytest.raises(FatalSourceError):
        list(gh.read(REPO, None))
    assert len(api.calls) == 1


def test_a_dropped_connection_is_retried(api, gh):
    api.add(responses.GET, LIST, body=requests.exceptions.ConnectionError("reset"))
    api.add(responses.GET, LIST, json=[])
    assert list(gh.read(REPO, None)) == []
    assert len(api.calls) == 2


def test_a_cut_off_answer_is_retried(api, gh):
    api.add(responses.GET, LIST, body='[{"number": 1, "tit')
    api.add(responses.GET, LIST, json=[])
    assert list(gh.read(REPO, None)) == []


def test_every_request_carries_a_timeout(api, clock: FakeClock):
    api.get(LIST, json=[])
    connector = make_connector(clock, timeout=12.5)
    list(connector.read(REPO, None))
    assert api.calls[0].request.req_kwargs["timeout"] == 13


@pytest.mark.parametrize(
    ("status", "headers", "kind"),
    [
        (404, {}, SkippableError),
        (410, {}, SkippableError),
        (422, {}, SkippableError),
        (403, {}, SkippableError),
        (401, {}, FatalSourceError),
        (500, {}, RetriableError),
        (503, {}, RetriableError),
        (429, {}, RateLimitedError),
        (403, {"retry-after": "3"}, RateLimitedError),
        (403, {"x-ratelimit-remaining": "0"}, RateLimitedError),
    ],
)
def test_github_errors_are_translated_by_status_and_headers(status, headers, kind):
    error = GithubException(status, {"message": "whatever"}, headers)
    translated = translate(error, source="gh", now=START)
    assert type(translated) is kind
    assert translated.status == status
    assert translated.source == "gh"


def test_a_translated_rate_limit_carries_the_exact_wait():
    reset = int((START + timedelta(seconds=90)).timestamp())
    error = GithubException(
        403, {}, {"x-ratelimit-remaining": "0", "x-ratelimit-reset": str(reset)}
    )
    translated = translate(error, source="gh", now=START)
    assert isinstance(translated, RateLimitedError)
    assert translated.retry_after == 90.0
