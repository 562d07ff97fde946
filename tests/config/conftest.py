"""Shared helpers for the config tests: a clean environment and a TOML writer."""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path

import pytest

MINIMAL = """
[[sources]]
name = "gh"
type = "github"
token_env = "GT_TEST_GITHUB_TOKEN"
repos = ["acme/web"]

[[sources]]
name = "jira"
type = "jira"
url = "https://acme.atlassian.net"
email = "bot@acme.example"
token_env = "GT_TEST_JIRA_TOKEN"
projects = ["PLAT"]
"""


@pytest.fixture(autouse=True)
def clean_environment(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """No GOLDTHREAD_* variable of the outer shell leaks in; cwd has no config."""
    for name in list(os.environ):
        if name.startswith("GOLDTHREAD_"):
            monkeypatch.delenv(name)
    monkeypatch.chdir(tmp_path)


@pytest.fixture
def write_config(tmp_path: Path) -> Callable[[str], Path]:
    def write(text: str) -> Path:
        path = tmp_path / "goldthread.toml"
        path.write_text(text, encoding="utf-8")
        return path

    return write


@pytest.fixture
def minimal() -> str:
    """A valid config with one GitHub and one Jira source."""
    return MINIMAL
