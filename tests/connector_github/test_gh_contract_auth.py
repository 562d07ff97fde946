"""Authentication: personal tokens, GitHub App installations, Enterprise Server."""

from __future__ import annotations

from datetime import timedelta

import jwt
import pytest
import responses
from gh_contract_support import REPO, START, make_connector

from goldthread.clock import FakeClock
from goldthread.connectors.github import GitHubOptions
from goldthread.core.references import SourceIndex

MOCK = "https://api.github.com:443"


def _token_answer(token: str, expires_in: timedelta) -> dict:
    expires = (START + expires_in).strftime("%Y-%m-%dT%H:%M:%SZ")
    return {"token": token, "expires_at": expires}


def _app(clock: FakeClock, app_key: str, **extra):
    return make_connector(clock, token=None, app_id=321, private_key=app_key, **extra)


def test_an_app_finds_the_installation_mints_a_token_and_reads_with_it(api, clock, app_key):
    api.get(f"{MOCK}/orgs/octocat/installation", status=404, json={"message": "Not Found"})
    api.get(f"{MOCK}/users/octocat/installation", json={"id": 99})
    api.post(
        f"{MOCK}/app/installations/99/access_tokens",
        status=201,
        json=_token_answer("ghs_one", timedelta(hours=1)),
    )
    api.get(f"{MOCK}/repos/{REPO}/issues", json=[])
    list(_app(clock, app_key).read(REPO, None))
    org_lookup, user_lookup, mint, listing = (c.request for c in api.calls)
    assert org_lookup.headers["Authorization"].startswith("Bearer ")
    scheme, signed = user_lookup.headers["Authorization"].split(" ")
    claims = jwt.decode(signed, options={"verify_signature": False})
    assert scheme == "Bearer"
    assert claims["iss"] == "321"
    assert claims["exp"] - claims["iat"] <= 600
    assert mint.headers["Authorization"].startswith("Bearer ")
    assert listing.headers["Authorization"] == "token ghs_one"


def test_the_installation_token_is_reused_then_minted_again_before_expiry(api, clock, app_key):
    tokens = f"{MOCK}/app/installations/7/access_tokens"
    api.add(responses.POST, tokens, status=201, json=_token_answer("ghs_a", timedelta(hours=1)))
    api.add(responses.POST, tokens, status=201, json=_token_answer("ghs_b", timedelta(hours=2)))
    api.get(f"{MOCK}/repos/{REPO}/issues", json=[])
    connector = _app(clock, app_key, installation_id=7)
    list(connector.read(REPO, None))
    list(connector.read(REPO, None))
    clock.advance(56 * 60)  # inside the five-minute margin before the hour is up
    list(connector.read(REPO, None))
    auth = [c.request.headers["Authorization"] for c in api.calls if c.request.method == "GET"]
    assert auth == ["token ghs_a", "token ghs_a", "token ghs_b"]


def test_options_need_a_token_or_an_app():
    with pytest.raises(ValueError, match="token"):
        GitHubOptions(name="gh", index=SourceIndex())


def test_options_never_show_secrets():
    options = GitHubOptions(name="gh", index=SourceIndex(), token="sekrit-value")
    assert "sekrit" not in repr(options)


def test_enterprise_server_is_reached_under_its_api_prefix(api, clock):
    base = "https://ghe.example.com/api/v3"
    api.get("https://ghe.example.com:443/api/v3/repos/octocat/Hello-World/issues", json=[])
    connector = make_connector(clock, base_url=base)
    assert list(connector.read(REPO, None)) == []
    assert api.calls[0].request.headers["X-GitHub-Api-Version"] == "2022-11-28"


def test_an_app_knows_its_own_comments_by_its_bot_login(api, clock, app_key):
    api.get(f"{MOCK}/app", json={"slug": "goldthread"})
    connector = _app(clock, app_key, installation_id=7, repos=())
    assert connector.check().split(";")[0] == "goldthread[bot]"
    assert api.calls[0].request.headers["Authorization"].startswith("Bearer ")
