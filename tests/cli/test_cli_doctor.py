"""``check --online`` as a doctor, against the sandbox: per source what goldthread
may read and write, its link kinds, budget and webhook setup, each problem with
its fix; a problem ends the check with status 1, a warning does not."""

from __future__ import annotations

import tomllib
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import tomli_w
from click.testing import CliRunner, Result
from support_keys import app_private_key

from goldthread.cli import EXIT_ERRORS, EXIT_OK, cli
from goldthread.sandbox.control import Sandbox
from goldthread.sandbox.org import generate


@pytest.fixture
def sandbox() -> Iterator[Sandbox]:
    with Sandbox() as sandbox:
        sandbox.load(generate(20, seed=5))
        yield sandbox


def doctor(sandbox: Sandbox, tmp_path: Path, change: Any = None, **env: str) -> Result:
    config = tomllib.loads(sandbox.config_toml(f"sqlite:///{tmp_path / 'gt.db'}"))
    if change is not None:
        change(config)
    path = tmp_path / "goldthread.toml"
    path.write_text(tomli_w.dumps(config), encoding="utf-8")
    return CliRunner().invoke(
        cli, ["--config", str(path), "check", "--online"], env={**sandbox.env(), **env}
    )


def lines(result: Result, source: str) -> list[str]:
    return [line for line in result.stdout.splitlines() if line.startswith(f"{source}:")]


def test_a_healthy_sandbox_says_what_each_source_can_do_and_exits_0(
    sandbox: Sandbox, tmp_path: Path
) -> None:
    result = doctor(sandbox, tmp_path)
    assert result.exit_code == EXIT_OK, result.stdout
    gh, jira = lines(result, "gh"), lines(result, "jira")
    assert "gh:   read: 2 repositories: acme/web, acme/api" in gh
    assert "gh:   write: labels and comments (token scopes: repo)" in gh
    assert any(
        line.startswith("gh:   budget: 4,9") and "of 5,000 requests left" in line for line in gh
    )
    assert "jira:   read: PLAT: may read, label and comment" in jira
    assert "jira:   links: parent_link_types implements: on this site" in jira
    assert any("webhooks: off (the route answers 404)" in line for line in gh + jira)


def test_a_token_that_cannot_write_is_a_problem_with_its_fix(
    sandbox: Sandbox, tmp_path: Path
) -> None:
    sandbox.github.token_scopes = ("public_repo", "read:org")
    sandbox.github.store.permissions["acme/api"] = {"admin": False, "push": False, "pull": True}
    result = doctor(sandbox, tmp_path)
    assert result.exit_code == EXIT_ERRORS
    gh = lines(result, "gh")
    assert (
        "gh: warning: write: public repositories only (token scopes: public_repo, read:org)" in gh
    )
    assert "gh: problem: write: cannot label issues in acme/api (read access only)" in gh
    assert (
        "gh:     fix: give goldthread's account Triage (or Write) access to those repositories"
        in gh
    )
    assert "1 source(s) with problems" in result.stdout


def test_with_write_back_off_missing_write_access_is_only_a_warning(
    sandbox: Sandbox, tmp_path: Path
) -> None:
    sandbox.github.token_scopes = ()
    result = doctor(sandbox, tmp_path, lambda c: c["writeback"].update(enabled=False))
    assert result.exit_code == EXIT_OK
    assert any(
        line.startswith("gh: warning: write: nothing: the token's scopes (none)")
        for line in lines(result, "gh")
    )


def test_a_github_app_without_issues_write_is_told_how_to_grant_it(
    sandbox: Sandbox, tmp_path: Path
) -> None:
    sandbox.github.app_permissions = {"issues": "read", "metadata": "read"}

    def as_app(config: dict[str, Any]) -> None:
        github = config["sources"][0]
        del github["token_env"]
        github.update(app_id=1, private_key_env="GT_APP_KEY")

    result = doctor(sandbox, tmp_path, as_app, GT_APP_KEY=app_private_key())
    assert result.exit_code == EXIT_ERRORS
    gh = lines(result, "gh")
    assert "gh: ok, authenticated as goldthread[bot]" in gh
    assert "gh: problem: write: the App is granted issues: read; it cannot label or comment" in gh
    assert any("fix: grant the App Issues: Read and write" in line for line in gh)


def test_jira_projects_are_examined_one_by_one(sandbox: Sandbox, tmp_path: Path) -> None:
    sandbox.jira.deny("WEB", "EDIT_ISSUES")
    sandbox.jira.lock_labels("PLAT")
    result = doctor(
        sandbox, tmp_path, lambda c: c["sources"][1].update(parent_link_types=["contributes to"])
    )
    assert result.exit_code == EXIT_ERRORS
    jira = lines(result, "jira")
    assert "jira: problem: write: WEB: no EDIT_ISSUES for its label" in jira
    assert "jira:     fix: give goldthread's account EDIT_ISSUES in WEB's permission scheme" in jira
    assert any(
        line.startswith("jira: warning: write: labels cannot be written in PLAT") for line in jira
    )
    assert (
        "jira: problem: links: parent_link_types names contributes to, which this site does not have"
        in jira
    )
    assert any("Implements (implements)" in line for line in jira)


def test_a_configured_webhook_secret_shows_the_setup_the_service_expects(
    sandbox: Sandbox, tmp_path: Path
) -> None:
    result = doctor(
        sandbox,
        tmp_path,
        lambda c: c["server"].update(github_webhook_secret_env="GT_HOOK"),
        GT_HOOK="a-secret-value-1",
    )
    assert result.exit_code == EXIT_OK
    assert any(
        "webhooks: expects deliveries at https://<your host>:8080/webhooks/github" in line
        and "events Issues and Sub-issues" in line
        for line in lines(result, "gh")
    )
    assert "a-secret-value-1" not in result.stdout
