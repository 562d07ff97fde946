"""Loading goldthread.toml with environment overrides, and reporting problems."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from pathlib import Path

import pytest

from goldthread.config import GitHubSource, JiraSource, load_settings
from goldthread.errors import ConfigError


def problems_of(path: Path) -> list[str]:
    with pytest.raises(ConfigError) as caught:
        load_settings(path)
    return caught.value.problems


def test_a_toml_file_is_loaded_with_spec_defaults_for_everything_left_out(
    write_config: Callable[[str], Path], minimal: str
) -> None:
    settings = load_settings(write_config(minimal))
    github, jira = settings.sources
    assert isinstance(github, GitHubSource)
    assert isinstance(jira, JiraSource)
    assert github.base_url == "https://api.github.com"
    assert jira.auth == "basic"
    assert settings.store.url == "sqlite:///goldthread.db"
    assert settings.daemon.poll_interval == timedelta(minutes=5)
    assert settings.daemon.full_resync_interval == timedelta(hours=24)
    assert settings.writeback.label == "goldthread:untraced"
    assert settings.writeback.max_writes_per_run == 500
    assert settings.server.port == 8080
    assert settings.server.max_body_bytes == 2 * 1024 * 1024
    assert settings.trace.default_layer == "execution"
    assert settings.policy.exempt_labels == ["no-trace"]
    assert [rule.layer for rule in settings.rules] == ["vision", "strategy", "strategy"]


def test_environment_variables_with_double_underscore_nesting_beat_the_file(
    write_config: Callable[[str], Path], monkeypatch: pytest.MonkeyPatch, minimal: str
) -> None:
    path = write_config(
        minimal + '\n[daemon]\npoll_interval = "5m"\nfull_resync_interval = "12h"\n'
    )
    monkeypatch.setenv("GOLDTHREAD_DAEMON__POLL_INTERVAL", "30s")
    monkeypatch.setenv("GOLDTHREAD_STORE__URL", "postgresql://gt@db.internal/goldthread")
    settings = load_settings(path)
    assert settings.daemon.poll_interval == timedelta(seconds=30)
    assert settings.daemon.full_resync_interval == timedelta(hours=12)
    assert settings.store.url == "postgresql://gt@db.internal/goldthread"


def test_goldthread_config_names_the_file_when_no_path_is_given(
    write_config: Callable[[str], Path],
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
    minimal: str,
) -> None:
    elsewhere = tmp_path / "elsewhere.toml"
    elsewhere.write_text(minimal + "\n[server]\nport = 9000\n", encoding="utf-8")
    monkeypatch.setenv("GOLDTHREAD_CONFIG", str(elsewhere))
    assert load_settings().server.port == 9000


def test_the_default_file_may_be_absent_but_a_named_file_must_exist(tmp_path: Path) -> None:
    assert load_settings().sources == []
    assert problems_of(tmp_path / "nope.toml") == [
        f"{tmp_path / 'nope.toml'}: config file not found"
    ]


def test_malformed_toml_is_reported_with_the_file_name(
    write_config: Callable[[str], Path], minimal: str
) -> None:
    path = write_config("[store\nurl = 1\n")
    [line] = problems_of(path)
    assert line.startswith(f"{path}: not valid TOML")


def test_an_unknown_key_is_an_error_naming_its_dotted_path(
    write_config: Callable[[str], Path], minimal: str
) -> None:
    text = "colour = 'blue'\n" + minimal + "\n[daemon]\npoll_intervl = '5m'\n"
    assert sorted(problems_of(write_config(text))) == [
        "colour: unknown key",
        "daemon.poll_intervl: unknown key",
    ]


def test_an_unknown_key_inside_a_source_names_the_source_by_index(
    write_config: Callable[[str], Path], minimal: str
) -> None:
    text = minimal.replace('projects = ["PLAT"]', 'projects = ["PLAT"]\ncolour = "blue"')
    assert problems_of(write_config(text)) == ["sources[1].colour: unknown key"]


def test_a_mistyped_environment_override_is_an_unknown_key_too(
    write_config: Callable[[str], Path], monkeypatch: pytest.MonkeyPatch, minimal: str
) -> None:
    monkeypatch.setenv("GOLDTHREAD_DAEMON__POLL_INTERVL", "30s")
    assert problems_of(write_config(minimal)) == ["daemon.poll_intervl: unknown key"]


def test_every_problem_is_reported_at_once(
    write_config: Callable[[str], Path], minimal: str
) -> None:
    text = (
        minimal.replace('name = "jira"', 'name = "gh"')
        + """
[[rules]]
layer = "top"

[daemon]
poll_interval = "5 minutes"

[writeback]
on_resolve = "archive"
writes_per_minute = 0

[server]
port = 70000
"""
    )
    problems = problems_of(write_config(text))
    assert sorted(problems) == sorted(
        [
            "rules[0].layer: 'top' is not one of 'vision', 'strategy' or 'execution'",
            "writeback.on_resolve: 'archive' is not one of 'update', 'delete' or 'keep'",
            "writeback.writes_per_minute: must be greater than 0 (got 0)",
            "daemon.poll_interval: '5 minutes' is not a duration (use 90s, 5m, 1h, 1d, 1h30m)",
            "server.port: must be less than or equal to 65535 (got 70000)",
            "sources[1].name: duplicate source name 'gh' (see sources[0])",
        ]
    )


def test_a_list_from_the_environment_must_be_json_and_the_error_says_so(
    write_config: Callable[[str], Path], monkeypatch: pytest.MonkeyPatch, minimal: str
) -> None:
    monkeypatch.setenv("GOLDTHREAD_POLICY__EXEMPT_LABELS", "no-trace")
    [line] = problems_of(write_config(minimal))
    assert line.startswith('environment: error parsing value for field "policy"')
    assert line.endswith('lists and tables from the environment are JSON, e.g. ["a", "b"])')


def test_webhook_secret_variables_may_be_listed_comma_separated_in_the_environment(
    write_config: Callable[[str], Path], monkeypatch: pytest.MonkeyPatch, minimal: str
) -> None:
    monkeypatch.setenv("GOLDTHREAD_SERVER__GITHUB_WEBHOOK_SECRET_ENV", "HOOK_NEW,HOOK_OLD")
    settings = load_settings(write_config(minimal))
    assert settings.server.github_webhook_secret_env == ["HOOK_NEW", "HOOK_OLD"]
