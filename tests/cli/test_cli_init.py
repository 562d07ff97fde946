"""``goldthread init`` without --online: flags for scripts, questions for people,
and a commented config that the schema and the real loader both accept."""

from __future__ import annotations

from pathlib import Path

from click.testing import CliRunner
from init_helpers import written

from goldthread.cli import EXIT_USAGE, cli
from goldthread.config import GitHubSource, JiraSource

FLAGS = [
    "--repos",
    "acme/web,acme/*",
    "--jira-url",
    "https://acme.atlassian.net",
    "--jira-email",
    "bot@acme.example",
    "--projects",
    "PLAT,web",
]


def test_flags_and_yes_write_a_valid_commented_config_without_asking(tmp_path: Path) -> None:
    result = CliRunner().invoke(cli, ["init", "--yes", *FLAGS], catch_exceptions=False)
    assert result.exit_code == 0, result.stderr
    assert "Next: set $GITHUB_TOKEN, $JIRA_TOKEN" in result.stdout
    settings = written(tmp_path / "goldthread.toml")
    github, jira = settings.sources
    assert isinstance(github, GitHubSource)
    assert isinstance(jira, JiraSource)
    assert (github.base_url, github.token_env, github.repos) == (
        "https://api.github.com",
        "GITHUB_TOKEN",
        ["acme/web", "acme/*"],
    )
    assert (jira.auth, jira.email, jira.token_env, jira.projects) == (
        "basic",
        "bot@acme.example",
        "JIRA_TOKEN",
        ["PLAT", "WEB"],
    )
    assert [rule.layer for rule in settings.rules] == ["vision", "strategy", "strategy"]
    assert "# Visions: items labelled `vision`" in (tmp_path / "goldthread.toml").read_text()


def test_questions_fill_in_what_the_flags_do_not_give(tmp_path: Path) -> None:
    answers = "\n".join(
        [
            "both",
            "https://ghe.example.com/api/v3",
            "GHE_TOKEN",
            "platform/*",
            "https://jira.example.com",
            "",  # bearer: the default for a site outside atlassian.net
            "",  # JIRA_TOKEN
            "ops, plat",
        ]
    )
    result = CliRunner().invoke(cli, ["init", "-o", "team.toml"], input=answers + "\n")
    assert result.exit_code == 0, result.output
    github, jira = written(tmp_path / "team.toml").sources
    assert isinstance(github, GitHubSource)
    assert isinstance(jira, JiraSource)
    assert (github.base_url, github.token_env, github.repos) == (
        "https://ghe.example.com/api/v3",
        "GHE_TOKEN",
        ["platform/*"],
    )
    assert (jira.auth, jira.email, jira.projects) == ("bearer", None, ["OPS", "PLAT"])


def test_with_yes_a_missing_answer_is_a_usage_error_and_nothing_is_written(
    tmp_path: Path,
) -> None:
    result = CliRunner().invoke(cli, ["init", "--yes", "--jira-url", "https://acme.atlassian.net"])
    assert result.exit_code == EXIT_USAGE
    assert "--jira-email is needed with --yes" in result.stderr
    nothing = CliRunner().invoke(cli, ["init", "--yes"])
    assert nothing.exit_code == EXIT_USAGE
    assert "say which trackers" in nothing.stderr
    assert list(tmp_path.iterdir()) == []


def test_a_value_the_loader_refuses_exits_2_naming_the_key(tmp_path: Path) -> None:
    result = CliRunner().invoke(cli, ["init", "--yes", "--repos", "not a repo"])
    assert result.exit_code == EXIT_USAGE
    assert "config error: sources[0].repos[0]: 'not a repo' is not a repository" in result.stderr
    assert list(tmp_path.iterdir()) == []


def test_an_existing_config_is_kept_unless_forced(tmp_path: Path) -> None:
    mine = tmp_path / "goldthread.toml"
    mine.write_text("# mine\n", encoding="utf-8")
    kept = CliRunner().invoke(cli, ["init", "--yes", *FLAGS])
    assert kept.exit_code == EXIT_USAGE
    assert "goldthread.toml exists" in kept.stderr
    assert mine.read_text() == "# mine\n"
    forced = CliRunner().invoke(cli, ["init", "--yes", "--force", *FLAGS])
    assert forced.exit_code == 0
    assert written(mine).sources
