"""Rate limits and failures: one retry policy, exact Retry-After, errors translated."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
import requests
import responses
from jira_contract_helpers import api, connector, issue, site

from goldthread.clock import FakeClock
from goldthread.connectors.jira.errors import retry_after_seconds
from goldthread.errors import FatalSourceError, RateLimitedError, RetriableError

OK = {"issues": [], "isLast": True}


def search_calls(rsps: responses.RequestsMock) -> int:
    return sum(1 for c in rsps.calls if "/search" in c.request.url)


def limited(status: int, retry_after: str | None) -> responses.Response:
    headers = {"Retry-After": retry_after} if retry_after is not None else {}
    return responses.Response(
        responses.GET,
        "https://acme.atlassian.net/rest/api/3/search/jql",
        status=status,
        headers=headers,
        json={},
    )


@pytest.mark.parametrize("status", [429, 503])
@pytest.mark.parametrize("seconds", ["7", "45", "120"])
def test_a_limited_search_waits_exactly_retry_after_then_succeeds(rsps, status, seconds):
    site(rsps, cloud=True)
    rsps.add(limited(status, seconds))
    rsps.get(
        api("https://acme.atlassian.net", "3", "search/jql"),
        json={"issues": [issue("PLAT-1", 1)], "isLast": True},
    )
    clock = FakeClock()

    items = list(connector(cloud=True, clock=clock).read("PLAT", None))

    assert [i.key for i in items] == ["PLAT-1"]
    assert clock.sleeps == [float(seconds)]
    assert search_calls(rsps) == 2  # the library itself did not retry


def test_without_retry_after_the_waits_back_off(rsps):
    site(rsps, cloud=True)
    for _ in range(3):
        rsps.add(limited(429, None))
    rsps.get(api("https://acme.atlassian.net", "3", "search/jql"), json=OK)
    clock = FakeClock()

    list(connector(cloud=True, clock=clock).read("PLAT", None))

    assert len(clock.sleeps) == 3
    assert clock.sleeps[0] >= 60.0
    assert clock.sleeps[0] < clock.sleeps[1] < clock.sleeps[2]


def test_a_rate_limit_that_never_lifts_surfaces_as_rate_limited(rsps):
    site(rsps, cloud=True)
    rsps.add(limited(429, "5"))
    clock = FakeClock()
    with pytest.raises(RateLimitedError) as caught:
        list(connector(cloud=True, clock=clock).read("PLAT", None))
    assert caught.value.retry_after == 5.0
    assert clock.sleeps == [5.0] * 4


def test_a_retry_after_date_is_honoured_to_the_second():
    now = datetime(2026, 3, 2, 12, 0, 0, tzinfo=UTC)
    assert retry_after_seconds({"Retry-After": "Mon, 02 Mar 2026 12:00:30 GMT"}, now) == 30.0
    assert retry_after_seconds({"Retry-After": "2.5"}, now) == 2.5
    assert retry_after_seconds({}, now) is None


def test_bad_credentials_are_fatal_and_not_retried(rsps):
    rsps.get(
        api("https://acme.atlassian.net", "2", "serverInfo"),
        status=401,
        json={"errorMessages": ["unauthorized"]},
    )
    clock = FakeClock()
    with pytest.raises(FatalSourceError) as caught:
        connector(cloud=True, clock=clock).check()
    assert caught.value.status == 401
    assert clock.sleeps == []
    assert len(rsps.calls) == 1


def test_a_dropped_connection_is_retried(rsps):
    site(rsps, cloud=True)
    rsps.get(
        api("https://acme.atlassian.net", "3", "search/jql"), body=requests.ConnectionError("reset")
    )
    rsps.get(api("https://acme.atlassian.net", "3", "search/jql"), json=OK)
    clock = FakeClock()
    list(connector(cloud=True, clock=clock).read("PLAT", None))
    assert len(clock.sleeps) == 1


def test_a_server_error_that_persists_is_retriable_for_the_caller(rsps):
    site(rsps, cloud=True)
    rsps.get(api("https://acme.atlassian.net", "3", "search/jql"), status=500, body="oops")
    with pytest.raises(RetriableError) as caught:
        list(connector(cloud=True, clock=FakeClock()).read("PLAT", None))
    assert caught.value.status == 500


def test_a_truncated_answer_is_retried(rsps):
    site(rsps, cloud=True)
    rsps.get(api("https://acme.atlassian.net", "3", "search/jql"), body='{"issues": [{"id"')
    rsps.get(api("https://acme.atlassian.net", "3", "search/jql"), json=OK)
    clock = FakeClock()
    list(connector(cloud=True, clock=clock).read("PLAT", None))
    assert len(clock.sleeps) == 1


def test_error_messages_never_carry_the_token(rsps):
    site(rsps, cloud=True)
    rsps.get(
        api("https://acme.atlassian.net", "3", "search/jql"),
        status=404,
        json={"errorMessages": ["nope"]},
    )
    source = connector(cloud=True, clock=FakeClock())
    with pytest.raises(Exception) as caught:
        list(source.read("PLAT", None))
    assert "s3cret-token" not in str(caught.value)
    assert "s3cret-token" not in repr(source.options)


def test_the_budget_reflects_the_last_rate_limit_headers(rsps):
    site(rsps, cloud=True)
    rsps.get(
        api("https://acme.atlassian.net", "3", "search/jql"),
        json=OK,
        headers={
            "X-RateLimit-Limit": "100",
            "X-RateLimit-Remaining": "42",
            "X-RateLimit-Reset": "2026-03-02T10:15Z",
        },
    )
    source = connector(cloud=True)
    list(source.read("PLAT", None))
    budget = source.budget()
    assert budget is not None
    assert (budget.remaining, budget.limit) == (42, 100)
    assert budget.reset_at == datetime(2026, 3, 2, 10, 15, tzinfo=UTC)
