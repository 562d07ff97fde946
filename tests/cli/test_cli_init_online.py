"""``goldthread init --online`` against the sandbox (Jira Cloud and Data Center,
GitHub.com-like and Enterprise Server): it proposes scope and rules from what the
trackers show, explains them, tries them read-only, and writes a valid config."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner, Result
from init_helpers import written
from support_openapi import Description, github, jira
from support_sandbox import init_online_args, tracker_writes

from goldthread.cli import EXIT_USAGE, cli
from goldthread.config import GitHubSource, JiraSource
from goldthread.sandbox.control import Sandbox
from goldthread.sandbox.http import LoggedRequest
from goldthread.sandbox.org import generate


@pytest.fixture(params=[("cloud", None), ("dc", "3.17"), ("cloud", "3.13")], ids=str)
def sandbox(request: pytest.FixtureRequest) -> Iterator[Sandbox]:
    mode, version = request.param
    with Sandbox(
        jira_mode=mode, github_enterprise=version is not None, github_version=version or "3.19"
    ) as sandbox:
        sandbox.load(generate(40, seed=11, jira_mode=mode))
        sandbox.github.record_bodies = sandbox.jira.record_bodies = True
        yield sandbox


def init_online(sandbox: Sandbox, *extra: str) -> Result:
    args = init_online_args(sandbox, *extra)
    return CliRunner().invoke(cli, args, env=sandbox.env(), catch_exceptions=False)


def undocumented(sandbox: Sandbox) -> list[str]:
    """Requests and answers of the run that the official descriptions do not allow
    (Data Center's v2 checked against v3, path for path)."""
    version = sandbox.github.enterprise_version if sandbox.github.enterprise else None
    described = github(f"ghes-{version}" if version else "api.github.com")
    found = {p for e in sandbox.github.requests() for p in _problems(described, e, e.path)}
    for entry in sandbox.jira.requests():
        found.update(
            _problems(jira(), entry, entry.path.replace("/rest/api/2/", "/rest/api/3/", 1))
        )
    return sorted(found)


def _problems(description: Description, entry: LoggedRequest, path: str) -> list[str]:
    found = description.check_request(entry.method, path, entry.query, entry.body)
    if 200 <= entry.status < 300:
        found += description.check_answer(entry.method, path, entry.status, entry.answer)
    return found


def test_init_online_proposes_scope_and_rules_tries_them_and_writes_nothing_else(
    sandbox: Sandbox, tmp_path: Path
) -> None:
    result = init_online(sandbox)
    assert result.exit_code == 0, result.output
    settings = written(tmp_path / "goldthread.toml")
    github, jira = settings.sources
    assert isinstance(github, GitHubSource)
    assert isinstance(jira, JiraSource)
    assert sorted(github.repos) == ["acme/api", "acme/web"]
    assert jira.projects == ["PLAT", "WEB"]
    assert jira.parent_link_types == ["Implements"]
    rules = {(r.layer, tuple(r.labels), tuple(r.types), tuple(r.sources)) for r in settings.rules}
    assert ("vision", ("vision",), (), ()) in rules
    assert ("vision", (), ("Initiative",), ("jira",)) in rules  # the top of the hierarchy
    assert ("strategy", (), ("Epic",), ("jira",)) in rules
    text = (tmp_path / "goldthread.toml").read_text()
    assert "# Labels in use that look vision- or OKR-like: `vision` on" in text
    in_use = [line for line in text.splitlines() if line.startswith("# Labels in use: ")]
    assert len(in_use) == 2
    assert not any("goldthread:untraced" in line for line in in_use)  # its own label is no evidence
    assert "# Initiative (jira): hierarchy level 2, the top (above Epic)" in text
    assert "With these rules (" in result.stdout
    assert "The most common reasons:" in result.stdout
    assert "orphan/no-parent" in result.stdout
    assert tracker_writes(sandbox) == []  # read-only, and no trial store in the directory
    assert undocumented(sandbox) == []
    assert sorted(p.name for p in tmp_path.iterdir()) == [
        "goldthread.schema.json",
        "goldthread.toml",
    ]


def test_github_issue_types_are_proposed_where_the_server_has_them(
    sandbox: Sandbox, tmp_path: Path
) -> None:
    assert init_online(sandbox).exit_code == 0
    settings = written(tmp_path / "goldthread.toml")
    github_epics = [r for r in settings.rules if r.sources == ["gh"] and "Epic" in r.types]
    text = (tmp_path / "goldthread.toml").read_text()
    if not sandbox.github.enterprise:
        assert "# Issue types of acme: Bug, Epic, Feature, Task." in text
        assert github_epics
    elif sandbox.github.features.issue_types:
        assert "lists no issue types: the types seen on issues count" in text
        assert github_epics
    else:
        assert "GitHub Enterprise Server 3.13 has no issue types" in text
        assert not github_epics


def test_hierarchy_levels_come_from_the_site_or_from_epic_and_parent_links(
    sandbox: Sandbox, tmp_path: Path
) -> None:
    """Cloud states hierarchyLevel; Data Center does not, so its levels are seen
    from what Epic Link and Parent Link point at."""
    assert init_online(sandbox).exit_code == 0
    text = (tmp_path / "goldthread.toml").read_text()
    top = "# Initiative (jira): hierarchy level 2, the top (above Epic), "
    if sandbox.jira.cloud:
        assert top + "the site's hierarchyLevel" in text
        assert "the parent field holds every level" in text
    else:
        assert top + "seen from Epic/Parent Links" in text
        assert "# Epic Link field: customfield_" in text


def test_a_token_that_is_not_set_is_a_usage_error(tmp_path: Path) -> None:
    result = CliRunner().invoke(
        cli, ["init", "--online", "--yes", "--github-token-env", "GT_UNSET_TOKEN"]
    )
    assert result.exit_code == EXIT_USAGE
    assert "$GT_UNSET_TOKEN is not set" in result.stderr
    assert list(tmp_path.iterdir()) == []
