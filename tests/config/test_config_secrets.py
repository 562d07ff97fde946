"""Secrets come from variables or mounted files, only when a command needs them."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from goldthread.config import Settings, known_secret_values, resolve_secrets
from goldthread.errors import ConfigError

TOKEN = "ghp_test0000000000000000000000000000token"


def settings(**data: Any) -> Settings:
    return Settings(**data)


def github(**changes: Any) -> dict[str, Any]:
    return {"name": "gh", "type": "github", "repos": ["acme/web"], **changes}


def test_a_source_token_is_read_from_the_named_variable() -> None:
    resolved = resolve_secrets(
        settings(sources=[github(token_env="GH_TOKEN")]),
        sources=True,
        webhooks=False,
        environ={"GH_TOKEN": TOKEN},
    )
    assert resolved.tokens["gh"].get_secret_value() == TOKEN
    assert TOKEN not in repr(resolved)


def test_a_source_token_is_read_from_a_mounted_file_without_its_trailing_newline(
    tmp_path: Path,
) -> None:
    secret = tmp_path / "github-token"
    secret.write_text(TOKEN + "\n", encoding="utf-8")
    resolved = resolve_secrets(
        settings(sources=[github(token_file=str(secret))]), sources=True, webhooks=False, environ={}
    )
    assert resolved.tokens["gh"].get_secret_value() == TOKEN


def test_a_github_app_key_is_read_from_its_file(tmp_path: Path) -> None:
    pem = tmp_path / "app.pem"
    pem.write_text("-----BEGIN RSA PRIVATE KEY-----\nMIIEabc\n-----END RSA PRIVATE KEY-----\n")
    config = settings(sources=[github(app_id=1, private_key_file=str(pem))])
    resolved = resolve_secrets(config, sources=True, webhooks=False, environ={})
    assert "MIIEabc" in resolved.app_keys["gh"].get_secret_value()
    assert resolved.tokens == {}


def test_every_secret_that_does_not_resolve_is_an_error_naming_its_key(tmp_path: Path) -> None:
    empty = tmp_path / "empty"
    empty.write_text("\n")
    config = settings(
        sources=[
            github(token_env="GH_TOKEN"),
            {**github(name="ghe", token_file=str(tmp_path / "missing"))},
            {**github(name="ghx", token_file=str(empty))},
        ],
        server={"github_webhook_secret_env": ["HOOK_NEW", "HOOK_OLD"]},
    )
    with pytest.raises(ConfigError) as caught:
        resolve_secrets(
            config, sources=True, webhooks=True, environ={"HOOK_NEW": "s3cret", "GH_TOKEN": " "}
        )
    assert caught.value.problems == [
        "sources[0].token_env: environment variable GH_TOKEN is empty",
        f"sources[1].token_file: cannot read {tmp_path / 'missing'}: No such file or directory",
        f"sources[2].token_file: {empty} is empty",
        "server.github_webhook_secret_env[1]: environment variable HOOK_OLD is not set",
    ]


def test_only_the_secrets_a_command_uses_are_resolved() -> None:
    config = settings(
        sources=[github(token_env="UNSET_TOKEN")],
        server={"github_webhook_secret_env": "UNSET_HOOK"},
    )
    without_any = resolve_secrets(config, sources=False, webhooks=False, environ={})
    assert without_any.tokens == {}
    with pytest.raises(ConfigError) as caught:
        resolve_secrets(config, sources=False, webhooks=True, environ={})
    assert caught.value.problems == [
        "server.github_webhook_secret_env: environment variable UNSET_HOOK is not set"
    ]


def test_webhook_secrets_from_variables_and_files_are_all_kept_for_rotation(
    tmp_path: Path,
) -> None:
    old = tmp_path / "old"
    old.write_text("old-secret")
    config = settings(
        server={"jira_webhook_secret_env": "NEW_HOOK", "jira_webhook_secret_file": str(old)}
    )
    resolved = resolve_secrets(config, sources=False, webhooks=True, environ={"NEW_HOOK": "new"})
    assert [s.get_secret_value() for s in resolved.jira_webhook_secrets] == ["new", "old-secret"]
    assert resolved.github_webhook_secrets == ()


def test_known_secret_values_hold_every_secret_for_the_log_redactor(tmp_path: Path) -> None:
    pem = tmp_path / "app.pem"
    pem_body = "MIIEowIBAAKCAQEAq1234567890abcdef"
    pem.write_text(f"-----BEGIN RSA PRIVATE KEY-----\n{pem_body}\n-----END RSA PRIVATE KEY-----\n")
    config = settings(
        store={"url": "postgresql://gt:db%2Fpass@db/goldthread"},
        sources=[
            github(token_env="GH_TOKEN"),
            github(name="app", app_id=1, private_key_file=str(pem)),
        ],
        server={"github_webhook_secret_env": "HOOK"},
    )
    resolved = resolve_secrets(
        config, sources=True, webhooks=True, environ={"GH_TOKEN": TOKEN, "HOOK": "hook-secret"}
    )
    values = known_secret_values(resolved)
    assert {TOKEN, "hook-secret", "db/pass", pem_body} <= set(values)


def test_digest_targets_secrets_are_read_only_for_notifying_and_all_are_redacted() -> None:
    hook = "https://hooks.slack.example/services/T000/B000/XXXXsecretXXXX"
    config = settings(
        notify=[
            {"name": "chat", "type": "slack", "url_env": "CHAT_URL"},
            {"name": "card", "type": "teams", "url_env": "TEAMS_URL"},
            {
                "name": "mail",
                "type": "email",
                "smtp_host": "smtp.example",
                "username": "bot",
                "password_env": "SMTP_PASSWORD",
                "from": "gt@acme.example",
                "to": ["a@acme.example"],
            },
        ]
    )
    environ = {"CHAT_URL": hook, "SMTP_PASSWORD": "smtp-pass-1"}
    assert resolve_secrets(config, sources=False, webhooks=False, environ=environ).notify == {}
    with pytest.raises(ConfigError) as raised:
        resolve_secrets(config, sources=False, webhooks=False, environ=environ, notify=True)
    assert raised.value.problems == ["notify[1].url_env: environment variable TEAMS_URL is not set"]
    environ["TEAMS_URL"] = "https://acme.webhook.office.example/workflows/abc/triggers/manual"
    resolved = resolve_secrets(config, sources=False, webhooks=False, environ=environ, notify=True)
    values = set(known_secret_values(resolved))
    assert {hook, "smtp-pass-1", "/services/T000/B000/XXXXsecretXXXX"} <= values
    assert "/workflows/abc/triggers/manual" in values


def test_a_password_over_a_connection_in_clear_is_refused() -> None:
    from pydantic import ValidationError

    from goldthread.config.loading import describe

    with pytest.raises(ValidationError) as raised:
        settings(
            notify=[
                {
                    "name": "mail",
                    "type": "email",
                    "smtp_host": "smtp.example",
                    "starttls": False,
                    "username": "bot",
                    "password_env": "P",
                    "from": "gt@acme.example",
                    "to": ["a@acme.example"],
                }
            ]
        )
    lines = [describe(error) for error in raised.value.errors()]
    assert lines == [
        "notify[0].starttls: must be true with a username: the password would cross in clear"
    ]
