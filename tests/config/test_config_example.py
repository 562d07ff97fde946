"""config.example.toml documents every key and is itself a valid config."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from pydantic import BaseModel

from goldthread.config import (
    EmailTarget,
    GitHubSource,
    JiraSource,
    OwnerSettings,
    Settings,
    WebhookTarget,
    load_settings,
)

EXAMPLE = Path(__file__).resolve().parents[2] / "config.example.toml"

# Every key README.md#configuration names, as table.key (sources split by type).
SPEC_KEYS = {
    "store": ["url"],
    "github": [
        "name", "type", "base_url", "token_env", "token_file", "app_id", "private_key_file",
        "private_key_env", "installation_id", "repos", "include_pull_requests",
    ],
    "jira": [
        "name", "type", "url", "auth", "email", "token_env", "projects", "jql",
        "parent_link_types",
    ],
    "rules": ["layer", "labels", "types", "sources"],
    "trace": ["default_layer", "allow_layer_skip", "reference_patterns"],
    "policy": ["exempt_labels", "exempt_types", "skip_closed", "grace_period"],
    "writeback": [
        "enabled", "dry_run", "label", "comment", "on_resolve", "max_writes_per_run",
        "writes_per_minute", "confirm_large",
    ],
    "daemon": ["poll_interval", "full_resync_interval"],
    "server": [
        "host", "port", "admin_host", "admin_port", "dashboard_token_env",
        "github_webhook_secret_env", "jira_webhook_secret_env", "max_body_bytes",
    ],
    "owners": ["team", "sources", "repos", "projects", "components", "labels", "notify"],
    "notify": [
        "name", "type", "url_env", "smtp_host", "smtp_port", "starttls", "username",
        "password_env", "from", "to",
    ],
    "digest": ["every", "at", "timezone"],
}  # fmt: skip


def documented_keys() -> dict[str, set[str]]:
    """Per table (sources by type), the keys set or shown commented out."""
    keys: dict[str, set[str]] = {}
    table = ""
    for line in EXAMPLE.read_text(encoding="utf-8").splitlines():
        if header := re.match(r"^\[\[?(\w+)\]\]?", line):
            table = header[1]
        elif key := re.match(r"^#?\s*(\w+)\s*=", line):
            keys.setdefault(table, set()).add(key[1])
    return keys


def test_the_example_loads_when_the_variables_it_names_are_set(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    for name in ("GITHUB_TOKEN", "JIRA_TOKEN", "GITHUB_WEBHOOK_SECRET", "JIRA_WEBHOOK_SECRET"):
        monkeypatch.setenv(name, f"value-of-{name}")
    settings = load_settings(EXAMPLE)
    assert [source.name for source in settings.sources] == ["gh", "jira"]


def test_every_spec_key_appears_in_the_example() -> None:
    documented = documented_keys()
    sources = documented["sources"]
    missing = [
        f"{table}.{key}"
        for table, keys in SPEC_KEYS.items()
        for key in keys
        if key not in documented.get(table, sources if table in ("github", "jira") else set())
    ]
    assert missing == []


def _fields(model: type[BaseModel]) -> set[str]:
    return {info.alias or name for name, info in model.model_fields.items()}


def test_every_key_goldthread_accepts_is_documented_in_the_example() -> None:
    documented = documented_keys()
    undocumented = [
        f"{group}.{key}"
        for group, info in Settings.model_fields.items()
        if group not in ("sources", "rules", "owners", "notify")
        and isinstance(info.annotation, type)
        and issubclass(info.annotation, BaseModel)
        for key in _fields(info.annotation) - documented.get(group, set())
    ]
    undocumented += [
        f"sources.{key}"
        for key in (_fields(GitHubSource) | _fields(JiraSource)) - documented["sources"]
    ]
    undocumented += [f"owners.{key}" for key in _fields(OwnerSettings) - documented["owners"]]
    undocumented += [
        f"notify.{key}"
        for key in (_fields(WebhookTarget) | _fields(EmailTarget)) - documented["notify"]
    ]
    assert undocumented == []
    assert set(Settings.model_fields) == set(documented) - {""}
