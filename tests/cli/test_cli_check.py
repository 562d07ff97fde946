"""`goldthread check`: validate, show the resolved config, never a secret."""

from __future__ import annotations

import sys
from pathlib import Path
from types import ModuleType, SimpleNamespace
from typing import Any

import pytest
from click.testing import CliRunner, Result

from goldthread.cli import EXIT_ERRORS, EXIT_OK, EXIT_UNTRACED, EXIT_USAGE, cli
from goldthread.core.scope import SourceScope
from goldthread.errors import FatalSourceError

GITHUB_TOKEN = "ghp_cli0000000000000000000000000000000001"
JIRA_TOKEN = "jira-pat-0000000000000000000000000000002"
HOOK_SECRET = "hook-secret-0000000003"
SECRETS = (GITHUB_TOKEN, JIRA_TOKEN, HOOK_SECRET)


def run(args: list[str], env: dict[str, str] | None = None) -> Result:
    return CliRunner().invoke(cli, args, env=env, catch_exceptions=False)


def assert_no_secret(result: Result) -> None:
    for secret in SECRETS:
        assert secret not in result.stdout
        assert secret not in result.stderr


def test_exit_statuses_are_those_of_the_spec() -> None:
    assert (EXIT_OK, EXIT_ERRORS, EXIT_USAGE, EXIT_UNTRACED) == (0, 1, 2, 3)


def test_a_valid_config_is_shown_resolved_with_secrets_redacted(
    config_path: Path, secret_env: dict[str, str]
) -> None:
    result = run(["--config", str(config_path), "check"], env=secret_env)
    assert result.exit_code == 0, result.stderr
    assert f"config OK ({config_path})" in result.stdout
    assert "gh (github)" in result.stdout
    assert "jira (jira)" in result.stdout
    assert "credentials: token resolved ([redacted])" in result.stdout
    assert "webhooks: github on (1 secret), jira off (404)" in result.stdout
    assert_no_secret(result)


def test_a_store_password_given_by_the_environment_is_not_shown(
    config_path: Path, secret_env: dict[str, str]
) -> None:
    env = {**secret_env, "GOLDTHREAD_STORE__URL": "postgresql://gt:pa55word@db:5432/gt"}
    result = run(["--config", str(config_path), "check"], env=env)
    assert result.exit_code == 0, result.stderr
    assert "postgresql://gt:[redacted]@db:5432/gt" in result.stdout
    assert "pa55word" not in result.stdout


def test_a_bad_config_exits_2_with_one_line_per_problem(config_path: Path) -> None:
    config_path.write_text(
        config_path.read_text() + '\n[daemon]\npoll_interval = "5 minutes"\nspeed = 3\n'
    )
    result = run(["--config", str(config_path), "check"])
    assert result.exit_code == EXIT_USAGE
    assert result.stdout == ""
    assert sorted(result.stderr.splitlines()) == [
        "goldthread: config error: daemon.poll_interval: '5 minutes' is not a duration "
        "(use 90s, 5m, 1h, 1d, 1h30m)",
        "goldthread: config error: daemon.speed: unknown key",
    ]


def test_a_missing_secret_exits_2_naming_its_key_and_prints_no_other_secret(
    config_path: Path,
) -> None:
    result = run(["--config", str(config_path), "check"], env={"GT_CLI_HOOK": HOOK_SECRET})
    assert result.exit_code == EXIT_USAGE
    assert result.stderr.splitlines() == [
        "goldthread: config error: sources[0].token_env: "
        "environment variable GT_CLI_GITHUB_TOKEN is not set"
    ]
    assert_no_secret(result)


def test_a_missing_config_file_named_by_goldthread_config_exits_2(tmp_path: Path) -> None:
    result = run(["check"], env={"GOLDTHREAD_CONFIG": str(tmp_path / "absent.toml")})
    assert result.exit_code == EXIT_USAGE
    assert result.stderr == (
        f"goldthread: config error: {tmp_path / 'absent.toml'}: config file not found\n"
    )


def test_online_check_without_connectors_says_so_and_fails(
    config_path: Path, secret_env: dict[str, str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setitem(sys.modules, "goldthread.sync.connecting", None)  # not importable
    result = run(["--config", str(config_path), "check", "--online"], env=secret_env)
    assert result.exit_code == EXIT_ERRORS
    assert "online checks need the connectors" in result.stderr


class FakeConnector:
    def __init__(self, name: str, failure: str | None = None) -> None:
        self.name = name
        self.failure = failure

    def check(self) -> str:
        if self.failure:
            raise FatalSourceError(self.failure, source=self.name, status=401)
        return "goldthread-bot"

    def scope(self) -> SourceScope:
        return SourceScope(self.name, repos=("acme/web",))


def test_online_check_reports_each_source_and_fails_if_any_fails_without_leaking(
    config_path: Path, secret_env: dict[str, str], monkeypatch: pytest.MonkeyPatch
) -> None:
    seen: dict[str, Any] = {}

    def build_connectors(settings: Any, secrets: Any) -> list[FakeConnector]:
        seen["tokens"] = {name: value.get_secret_value() for name, value in secrets.tokens.items()}
        return [
            FakeConnector("gh"),
            FakeConnector("jira", failure=f"401 for Bearer {JIRA_TOKEN}"),
        ]

    module = ModuleType("goldthread.sync.connecting")
    vars(module).update(SimpleNamespace(build_connectors=build_connectors).__dict__)
    monkeypatch.setitem(sys.modules, "goldthread.sync.connecting", module)
    result = run(["--config", str(config_path), "check", "--online"], env=secret_env)
    assert result.exit_code == EXIT_ERRORS
    assert seen["tokens"] == {"gh": GITHUB_TOKEN, "jira": JIRA_TOKEN}
    assert "gh: ok, authenticated as goldthread-bot" in result.stdout
    assert "jira: FAILED: 401 for Bearer [redacted]" in result.stdout
    assert_no_secret(result)


def test_help_lists_check_and_needs_no_config() -> None:
    result = run(["--help"])
    assert result.exit_code == 0
    assert "check" in result.stdout
    assert "--log-format" in result.stdout


def test_the_installed_console_script_maps_config_errors_to_exit_2(tmp_path: Path) -> None:
    import subprocess

    script = Path(sys.executable).with_name("goldthread")
    bad = tmp_path / "bad.toml"
    bad.write_text("[store]\nurl = 'mysql://x'\n")
    done = subprocess.run(
        [str(script), "--config", str(bad), "check"],
        capture_output=True,
        text=True,
        check=False,
        timeout=60,
    )
    assert done.returncode == EXIT_USAGE
    assert done.stderr.startswith("goldthread: config error: store.url: use sqlite:///PATH")


def test_check_says_where_the_dashboard_is_and_whether_it_needs_a_token(
    config_path: Path, secret_env: dict[str, str]
) -> None:
    token = "dashboard-token-cli-000000000000001"
    env = {
        **secret_env,
        "GT_CLI_DASHBOARD": token,
        "GOLDTHREAD_SERVER__DASHBOARD_TOKEN_ENV": "GT_CLI_DASHBOARD",
    }
    result = run(["--config", str(config_path), "check"], env=env)

    assert result.exit_code == 0, result.stderr
    assert (
        "admin listener: 127.0.0.1:9090 (dashboard and /metrics; Bearer token required ([redacted]))"
        in result.stdout
    )
    assert token not in result.stdout + result.stderr


def test_a_dashboard_token_variable_that_is_not_set_is_a_config_error_naming_its_key(
    config_path: Path, secret_env: dict[str, str]
) -> None:
    env = {**secret_env, "GOLDTHREAD_SERVER__DASHBOARD_TOKEN_ENV": "GT_CLI_NO_SUCH_TOKEN"}
    result = run(["--config", str(config_path), "check"], env=env)

    assert result.exit_code == EXIT_USAGE
    assert result.stderr.splitlines() == [
        "goldthread: config error: server.dashboard_token_env: "
        "environment variable GT_CLI_NO_SUCH_TOKEN is not set"
    ]


def test_the_admin_listener_cannot_share_the_webhook_port(config_path: Path) -> None:
    result = run(
        ["--config", str(config_path), "check"], env={"GOLDTHREAD_SERVER__ADMIN_PORT": "8080"}
    )

    assert result.exit_code == EXIT_USAGE
    assert "server.admin_port: must differ from server.port (8080)" in result.stderr
