"""The suite's own instruments can see what they look for: a request sent
before Retry-After ran out, and a secret in any of its encodings."""

from __future__ import annotations

import base64

from reliability_helpers import RETRY_AFTER, retry_after_violations
from test_reliability_secrets import GITHUB_TOKEN, JIRA_TOKEN, leaks

from goldthread.sandbox.http import LoggedRequest


def logged(status: int, at: float) -> LoggedRequest:
    return LoggedRequest("GET", "/repos/acme/web/issues", "", status, at, {})


def test_a_request_sent_before_retry_after_ran_out_is_a_violation() -> None:
    early = [logged(429, 100.0), logged(200, 100.0 + RETRY_AFTER / 2)]
    patient = [logged(403, 100.0), logged(200, 100.0 + RETRY_AFTER)]
    assert len(retry_after_violations(early)) == 1
    assert retry_after_violations(patient) == []


def test_the_leak_search_finds_a_secret_plain_encoded_or_as_basic_auth() -> None:
    email = "bot@acme.example"
    assert leaks(f"token={GITHUB_TOKEN}", email)
    assert leaks(base64.b64encode(f"{email}:{JIRA_TOKEN}".encode()).decode(), email)
    assert leaks("nothing to see", email) == []
