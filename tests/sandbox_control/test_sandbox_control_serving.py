"""A running sandbox, read by the real clients and driven through the control API."""

from __future__ import annotations

import hashlib
import hmac
import json
import tomllib

import github
import pytest
import requests
from jira import JIRA
from sandbox_control_helpers import call, hook_receiver

from goldthread.sandbox.control import GITHUB_TOKEN_ENV, JIRA_TOKEN_ENV, Sandbox
from goldthread.sandbox.faults import FaultPlan
from goldthread.sandbox.org import generate


def _github(sandbox: Sandbox) -> github.Github:
    return github.Github(
        auth=github.Auth.Token(sandbox.github_token),
        base_url=sandbox.github_url,
        per_page=100,
        retry=None,
        seconds_between_requests=None,
        seconds_between_writes=None,
    )


def _jira(sandbox: Sandbox) -> JIRA:
    return JIRA(
        server=sandbox.jira_url,
        basic_auth=(sandbox.jira_email, sandbox.jira_token),
        max_retries=0,
    )


def test_pygithub_lists_every_seeded_issue_of_each_repository(sandbox: Sandbox) -> None:
    assert sandbox.org is not None
    client = _github(sandbox)
    try:
        for repo in sandbox.org.repos:
            listed = {i.number for i in client.get_repo(repo).get_issues(state="all")}
            seeded = {s.number for s in sandbox.org.github if s.repo == repo}
            assert listed == seeded
    finally:
        client.close()


def test_the_jira_client_finds_every_seeded_issue(sandbox: Sandbox) -> None:
    assert sandbox.org is not None
    client = _jira(sandbox)
    try:
        found = client.search_issues("project in (PLAT, WEB)", maxResults=False, fields="labels")
        assert {issue.key for issue in found} == {s.key for s in sandbox.org.jira}
    finally:
        client.close()


def test_a_label_set_through_the_control_api_is_what_pygithub_then_reads(
    sandbox: Sandbox,
) -> None:
    base = sandbox.control_url
    status, _ = call(
        f"{base}/control/github/set_labels",
        "POST",
        {"repo": "acme/web", "number": 1, "labels": ["customer", "goldthread:untraced"]},
    )
    client = _github(sandbox)
    try:
        labels = {label.name for label in client.get_repo("acme/web").get_issue(1).labels}
    finally:
        client.close()

    assert status == 200
    assert labels == {"customer", "goldthread:untraced"}
    assert call(f"{base}/control/items/github/acme/web/1")[1]["labels"] == [
        "customer",
        "goldthread:untraced",
    ]


def test_a_jira_issue_created_and_linked_through_the_control_api_is_served(
    sandbox: Sandbox,
) -> None:
    base = sandbox.control_url
    status, created = call(
        f"{base}/control/jira/create_issue",
        "POST",
        {"project": "WEB", "type": "Story", "summary": "New work", "parent_key": "PLAT-2"},
    )
    key = created["key"]
    link_status, link = call(
        f"{base}/control/jira/add_link",
        "POST",
        {"type_name": "Implements", "outward_key": key, "inward_key": "PLAT-3"},
    )
    issue = sandbox.jira.issue(key)

    assert (status, link_status) == (201, 201)
    assert issue["fields"]["summary"] == "New work"
    assert issue["fields"]["parent"]["key"] == "PLAT-2"
    assert any(entry["id"] == str(link["id"]) for entry in issue["fields"]["issuelinks"])


def test_control_api_answers_unknown_operations_and_issues_plainly(sandbox: Sandbox) -> None:
    base = sandbox.control_url

    assert call(f"{base}/control/github/drop_table", "POST", {})[0] == 404
    assert call(f"{base}/control/items/github/acme/web/999999")[0] == 404
    assert call(f"{base}/control/items/jira/NOPE-1")[0] == 404
    assert call(f"{base}/control/jira/set_labels", "POST", {"wrong": 1})[0] == 400


def test_the_expected_verdicts_are_served_for_every_item(sandbox: Sandbox) -> None:
    assert sandbox.org is not None
    status, expected = call(f"{sandbox.control_url}/control/expected")

    assert status == 200
    assert len(expected) == len(sandbox.org.expected)
    assert expected["jira:PLAT-1"] == {"verdict": "traced", "reason": "vision"}


def test_faults_set_through_the_control_api_fail_the_next_requests(sandbox: Sandbox) -> None:
    base = sandbox.control_url
    call(f"{base}/control/faults", "POST", {"github": {"fail_next": 1, "statuses": [502]}})
    headers = {"Authorization": f"token {sandbox.github_token}"}
    url = f"{sandbox.github_url}/repos/acme/web/issues/1"

    first = requests.get(url, headers=headers, timeout=10)
    second = requests.get(url, headers=headers, timeout=10)
    call(f"{base}/control/faults", "POST", {"github": None})

    assert (first.status_code, second.status_code) == (502, 200)
    assert sandbox.github.faults is None
    assert call(f"{base}/control/faults", "POST", {"jira": {"nonsense": 1}})[0] == 400


def test_the_request_log_shows_what_the_clients_asked_without_credentials(
    sandbox: Sandbox,
) -> None:
    sandbox.set_faults(jira=FaultPlan())
    requests.get(
        f"{sandbox.jira_url}/rest/api/2/issue/PLAT-1",
        auth=(sandbox.jira_email, sandbox.jira_token),
        timeout=10,
    )

    status, log = call(f"{sandbox.control_url}/control/requests?tracker=jira")

    assert status == 200
    assert set(log) == {"jira"}
    assert [(r["method"], r["path"], r["status"]) for r in log["jira"]] == [
        ("GET", "/rest/api/2/issue/PLAT-1", 200)
    ]
    assert sandbox.jira_token not in json.dumps(log)


def test_mutations_through_the_control_api_send_signed_webhooks(sandbox: Sandbox) -> None:
    base = sandbox.control_url
    with hook_receiver() as hook:
        call(
            f"{base}/control/webhooks",
            "POST",
            {
                "github_url": f"{hook.url}/github",
                "github_secret": "gh-secret",
                "jira_url": f"{hook.url}/jira",
                "jira_secret": "jira-secret",
            },
        )
        call(
            f"{base}/control/github/set_body",
            "POST",
            {"repo": "acme/web", "number": 1, "body": "x"},
        )
        call(f"{base}/control/jira/set_labels", "POST", {"key": "WEB-1", "labels": ["customer"]})
        status, flushed = call(f"{base}/control/flush", "POST", {"timeout": 10})
        received = {d.path: d for d in hook.received}

    assert (status, flushed) == (200, {"github": True, "jira": True})
    gh, jira = received["/github"], received["/jira"]
    gh_digest = hmac.new(b"gh-secret", gh.body, hashlib.sha256).hexdigest()
    assert gh.headers["x-hub-signature-256"] == f"sha256={gh_digest}"
    assert gh.headers["x-github-event"] == "issues"
    jira_digest = hmac.new(b"jira-secret", jira.body, hashlib.sha256).hexdigest()
    assert jira.headers["x-hub-signature"] == f"sha256={jira_digest}"
    assert json.loads(jira.body)["issue"]["key"] == "WEB-1"
    assert sandbox.env()["GOLDTHREAD_SANDBOX_GITHUB_WEBHOOK_SECRET"] == "gh-secret"


@pytest.mark.parametrize("jira_mode", ["cloud", "dc"])
def test_the_config_points_goldthread_at_the_running_stand_ins(jira_mode: str) -> None:
    with Sandbox(jira_mode=jira_mode, github_enterprise=True) as sandbox:
        sandbox.load(generate(50, seed=2, jira_mode=jira_mode))
        config = tomllib.loads(
            sandbox.config_toml(
                "sqlite:///sandbox.db",
                writeback=False,
                github_webhook_secret_env="GH_HOOK",
            )
        )
        env = sandbox.env()

    gh, jira = config["sources"]
    assert gh["base_url"] == sandbox.github_url
    assert gh["base_url"].endswith("/api/v3")
    assert gh["repos"] == ["acme/web", "acme/api"]
    assert env[gh["token_env"]] == sandbox.github_token
    assert gh["token_env"] == GITHUB_TOKEN_ENV
    assert jira["url"] == sandbox.jira_url
    assert jira["auth"] == ("basic" if jira_mode == "cloud" else "bearer")
    assert ("email" in jira) == (jira_mode == "cloud")
    assert env[jira["token_env"]] == sandbox.jira_token
    assert jira["token_env"] == JIRA_TOKEN_ENV
    assert jira["projects"] == ["PLAT", "WEB"]
    assert jira["parent_link_types"] == ["implements"]
    assert config["writeback"]["enabled"] is False
    assert config["server"]["github_webhook_secret_env"] == "GH_HOOK"
    assert "jira_webhook_secret_env" not in config["server"]


def test_a_data_center_sandbox_answers_the_bearer_token() -> None:
    org = generate(50, seed=2, jira_mode="dc")
    with Sandbox(jira_mode="dc") as sandbox:
        sandbox.load(org)
        client = JIRA(server=sandbox.jira_url, token_auth=sandbox.jira_token, max_retries=0)
        try:
            found = client.search_issues("project = WEB", maxResults=False)
        finally:
            client.close()

    assert {issue.key for issue in found} == {s.key for s in org.jira if s.key.startswith("WEB-")}


def test_the_control_api_makes_an_issue_redirect_in_a_loop_elsewhere_or_nowhere(
    sandbox: Sandbox,
) -> None:
    base = sandbox.control_url
    path = "/repos/acme/web/issues/1/comments"
    auth = {"Authorization": f"token {sandbox.github_token}"}
    answers = {}
    for kind in ("loop", "other-host", "no-location"):
        body = {"repo": "acme/web", "number": 1, "kind": kind}
        assert call(f"{base}/control/github/bad_redirect", "POST", body)[0] == 200
        read = requests.get(
            sandbox.github_url + path, headers=auth, allow_redirects=False, timeout=10
        )
        write = requests.post(
            sandbox.github_url + path, headers=auth, allow_redirects=False, timeout=10
        )
        answers[kind] = (read.status_code, write.status_code, read.headers.get("Location"))
    assert answers == {
        "loop": (301, 307, sandbox.github_url + path),
        "other-host": (301, 307, "https://elsewhere.example" + path),
        "no-location": (301, 307, None),
    }
    body = {"repo": "acme/web", "number": 1, "kind": "sideways"}
    assert call(f"{base}/control/github/bad_redirect", "POST", body)[0] == 422
    assert call(f"{base}/control/github/bad_redirect", "POST", {**body, "kind": None})[0] == 200
    assert requests.get(sandbox.github_url + path, headers=auth, timeout=10).status_code == 200
