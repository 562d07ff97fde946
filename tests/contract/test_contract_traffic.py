"""Every request goldthread sends, and every answer the stand-ins give, checked
against the trackers' official descriptions (GitHub's REST description as
published on npm, pinned; Atlassian's Jira Cloud v3 OpenAPI).

The traffic is recorded while the real CLI runs against the sandbox: a first
backfill, a sync after people fixed and broke some items, ``check --online``
(the doctor) and ``init --online`` (discovery and a read-only trial). A request must be an operation of the description, with
documented query parameters only (an ``expand`` the operation does not list
included) and a body of the documented schema; an answer must match the
schema of its status. Data Center speaks REST v2, which has no published
description: its traffic is checked against the v3 one, path for path.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from support_openapi import Description, github, jira
from support_sandbox import Workspace, init_online_args

from goldthread.clock import FakeClock
from goldthread.connectors.github import GitHubConnector, GitHubOptions
from goldthread.core.references import GitHubSourceInfo, SourceIndex
from goldthread.sandbox.control import Sandbox
from goldthread.sandbox.github import GitHubStandIn
from goldthread.sandbox.http import LoggedRequest, StandIn
from goldthread.sandbox.org import generate
from goldthread.sandbox.seeds import GitHubIssueSeed


def problems(stand_in: StandIn, description: Description, *, v2_as_v3: bool = False) -> list[str]:
    """What in the stand-in's recorded traffic the description does not allow."""
    found: list[str] = []
    for entry in stand_in.requests():
        path = _as_v3(entry) if v2_as_v3 else entry.path
        found += description.check_request(entry.method, path, entry.query, entry.body)
        if 200 <= entry.status < 300:
            found += description.check_answer(entry.method, path, entry.status, entry.answer)
    return sorted(set(found))


def _as_v3(entry: LoggedRequest) -> str:
    return entry.path.replace("/rest/api/2/", "/rest/api/3/", 1)


def operations(stand_in: StandIn, description: Description) -> set[str]:
    found = set()
    for entry in stand_in.requests():
        op = description.operation(entry.method, _as_v3(entry))
        if op is not None:
            found.add(f"{op.method} {op.template}")
    return found


@pytest.fixture(params=["cloud", "dc"])
def recorded(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Workspace]:
    """A sandbox that went through a backfill, people's changes, a sync, a check
    and a backfill with the store lost."""
    mode = request.param
    with Sandbox(jira_mode=mode) as sandbox:
        sandbox.load(generate(40, seed=7, jira_mode=mode))
        sandbox.github.record_bodies = sandbox.jira.record_bodies = True
        space = Workspace(sandbox, tmp_path)
        space.config.write_text(sandbox.config_toml(f"sqlite:///{space.store}"))
        assert space.run("backfill", "--yes").returncode == 0
        _people_change_things(sandbox)
        assert space.run("sync").returncode == 0
        assert space.run("check", "--online").returncode == 0
        proposed = str(space.directory / "proposed.toml")
        assert space.run(*init_online_args(sandbox, "--output", proposed)).returncode == 0
        for path in space.directory.glob(f"{space.store.name}*"):
            path.unlink()  # the store lost: goldthread finds its comments on the items
        assert space.run("backfill", "--yes").returncode == 0
        yield space


def _people_change_things(sandbox: Sandbox) -> None:
    """Resolve a flagged item on each tracker, flag a traced one."""
    expected = sandbox.expected()
    flagged = [ref for ref, (verdict, _) in expected.items() if verdict in ("orphan", "broken")]
    gh_ref = next(ref for ref in flagged if ref.startswith("gh:"))
    repo, _, number = gh_ref.partition(":")[2].partition("#")
    sandbox.github.set_labels(repo, int(number), ["no-trace"])
    jira_key = next(ref for ref in flagged if ref.startswith("jira:")).partition(":")[2]
    sandbox.jira.set_labels(jira_key, ["no-trace"])
    traced = next(r for r, (v, _) in expected.items() if v == "traced" and r.startswith("jira:"))
    sandbox.jira.set_parent(traced.partition(":")[2], None)


def test_all_traffic_is_as_the_official_descriptions_have_it(recorded: Workspace) -> None:
    """One recorded run per Jira deployment, both trackers checked."""
    github_stand_in, jira_stand_in = recorded.sandbox.github, recorded.sandbox.jira
    described = github("api.github.com")
    assert problems(github_stand_in, described) == []
    assert problems(jira_stand_in, jira(), v2_as_v3=True) == []
    assert {
        "GET /repos/{owner}/{repo}/issues",
        "POST /repos/{owner}/{repo}/issues/{issue_number}/labels",
        "DELETE /repos/{owner}/{repo}/issues/{issue_number}/labels/{name}",
        "POST /repos/{owner}/{repo}/issues/{issue_number}/comments",
        "GET /user",
        "GET /user/repos",
        "GET /orgs/{org}/issue-types",
    } <= operations(github_stand_in, described)
    assert {
        "GET /rest/api/3/myself",
        "PUT /rest/api/3/issue/{issueIdOrKey}",
        "POST /rest/api/3/issue/{issueIdOrKey}/comment",
        "GET /rest/api/3/issue/{issueIdOrKey}/comment",
        "GET /rest/api/3/issue/{issueIdOrKey}/editmeta",
        "GET /rest/api/3/mypermissions",
        "GET /rest/api/3/issueLinkType",
        "GET /rest/api/3/issuetype",
        "GET /rest/api/3/project/search" if jira_stand_in.cloud else "GET /rest/api/3/project",
        "POST /rest/api/3/comment/list"
        if jira_stand_in.cloud
        else "GET /rest/api/3/comment/{commentId}/properties/{propertyKey}",
    } <= operations(jira_stand_in, jira())


def test_the_check_catches_the_undocumented_expansion_goldthread_once_sent() -> None:
    """The checker itself: ``expand=properties`` is documented on /comment/list only."""
    v3 = jira()
    listing = "/rest/api/3/issue/PLAT-1/comment"
    assert v3.check_request("GET", listing, "expand=properties", b"")
    assert v3.check_request("GET", listing, "expand=renderedBody", b"") == []
    assert (
        v3.check_request("POST", "/rest/api/3/comment/list", "expand=properties", b'{"ids":[1]}')
        == []
    )


def test_the_app_and_owner_endpoints_are_as_described(app_key: str, tmp_path: Path) -> None:
    """What a GitHub App with ``acme/*`` sends: the App, its installation, a token,
    the installation's repositories, the rate limit."""
    stand_in = GitHubStandIn()
    stand_in.record_bodies = True
    with stand_in:
        when = datetime(2026, 1, 5, tzinfo=UTC)
        stand_in.load([GitHubIssueSeed("acme/web", 1, "One", "", [], when, when)])
        options = GitHubOptions(
            name="gh",
            index=SourceIndex(github=(GitHubSourceInfo("gh", stand_in.web_host, ("acme/*",)),)),
            base_url=stand_in.api_url,
            app_id=11,
            private_key=app_key,
            repos=("acme/*",),
        )
        connector = GitHubConnector(options, FakeClock())
        connector.check()
        [scope] = connector.scopes()
        assert len(list(connector.read(scope, None))) == 1
    description = github("api.github.com")
    assert problems(stand_in, description) == []
    assert {
        "GET /app",
        "GET /orgs/{org}/installation",
        "POST /app/installations/{installation_id}/access_tokens",
        "GET /installation/repositories",
        "GET /rate_limit",
    } <= operations(stand_in, description)
