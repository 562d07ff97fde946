"""CLI tests run in an empty directory with no GOLDTHREAD_* variables, and
leave logging as they found it."""

from __future__ import annotations

import logging
import os
from collections.abc import Iterator
from pathlib import Path

import pytest
import structlog

CONFIG = """
[[sources]]
name = "gh"
type = "github"
token_env = "GT_CLI_GITHUB_TOKEN"
repos = ["acme/web"]

[[sources]]
name = "jira"
type = "jira"
url = "https://acme.atlassian.net"
auth = "bearer"
token_file = "{token_file}"
projects = ["PLAT"]

[server]
github_webhook_secret_env = "GT_CLI_HOOK"
"""

GITHUB_TOKEN = "ghp_cli0000000000000000000000000000000001"
JIRA_TOKEN = "jira-pat-0000000000000000000000000000002"
HOOK_SECRET = "hook-secret-0000000003"


@pytest.fixture(autouse=True)
def isolated(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Iterator[None]:
    for name in list(os.environ):
        if name.startswith("GOLDTHREAD_"):
            monkeypatch.delenv(name)
    monkeypatch.chdir(tmp_path)
    root = logging.getLogger()
    handlers, level = list(root.handlers), root.level
    jira = logging.getLogger("jira")  # the jira client quiets it to CRITICAL when built
    jira_level = jira.level
    yield
    root.handlers[:] = handlers
    root.setLevel(level)
    jira.setLevel(jira_level)
    structlog.reset_defaults()


@pytest.fixture
def config_path(tmp_path: Path) -> Path:
    """A valid config: a GitHub token from a variable, a Jira PAT from a file."""
    token_file = tmp_path / "jira-token"
    token_file.write_text(JIRA_TOKEN + "\n", encoding="utf-8")
    path = tmp_path / "goldthread.toml"
    path.write_text(CONFIG.format(token_file=token_file), encoding="utf-8")
    return path


@pytest.fixture
def secret_env() -> dict[str, str]:
    """The variables the config names, set."""
    return {"GT_CLI_GITHUB_TOKEN": GITHUB_TOKEN, "GT_CLI_HOOK": HOOK_SECRET}
