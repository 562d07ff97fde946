"""The first minute: a command that reads trackers with nothing to read says where
it looked and how to make a config, instead of finishing having done nothing."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from goldthread.cli import EXIT_USAGE, cli
from goldthread.sandbox.control import GITHUB_TOKEN_ENV, Sandbox
from goldthread.sandbox.org import generate


@pytest.mark.parametrize(
    "args", [["backfill"], ["sync"], ["run"], ["check", "--online"], ["backfill", "--dry-run"]]
)
def test_without_a_config_a_tracker_command_exits_2_and_leaves_no_store(
    tmp_path: Path, args: list[str]
) -> None:
    result = CliRunner().invoke(cli, args, catch_exceptions=False)
    assert result.exit_code == EXIT_USAGE
    assert result.stdout == ""
    assert result.stderr.splitlines() == [
        "goldthread: config error: sources: none configured; looked for "
        f"{tmp_path.resolve() / 'goldthread.toml'} (the default): not found; "
        "GOLDTHREAD_SOURCES is not set",
        "goldthread: write one with `goldthread init` (`goldthread init --online` discovers "
        "your repositories and projects), or name it with --config PATH or GOLDTHREAD_CONFIG",
    ]
    assert list(tmp_path.iterdir()) == []


def test_a_config_file_without_sources_is_named_as_read(tmp_path: Path) -> None:
    config = tmp_path / "team.toml"
    config.write_text('[writeback]\nlabel = "untraced"\n', encoding="utf-8")
    result = CliRunner().invoke(cli, ["--config", str(config), "backfill"])
    assert result.exit_code == EXIT_USAGE
    assert f"read {config.resolve()} (--config); GOLDTHREAD_SOURCES is not set" in result.stderr
    assert not (tmp_path / "goldthread.db").exists()


def test_environment_only_configuration_naming_sources_still_works(tmp_path: Path) -> None:
    with Sandbox() as sandbox:
        sandbox.load(generate(12, seed=3))
        sources = [
            {
                "name": "gh",
                "type": "github",
                "base_url": sandbox.github_url,
                "token_env": GITHUB_TOKEN_ENV,
                "repos": ["acme/*"],
            }
        ]
        env = {
            **{k: v for k, v in os.environ.items() if not k.startswith("GOLDTHREAD_")},
            **sandbox.env(),
            "GOLDTHREAD_SOURCES": json.dumps(sources),
            "GOLDTHREAD_STORE__URL": f"sqlite:///{tmp_path / 'env.db'}",
            "GOLDTHREAD_LOG_LEVEL": "warning",
        }
        done = subprocess.run(
            [sys.executable, "-m", "goldthread", "backfill", "--no-writeback"],
            env=env,
            cwd=tmp_path,
            capture_output=True,
            text=True,
            timeout=60,
            check=False,
        )
    assert done.returncode == 0, done.stderr
    github_items = sum(1 for ref in sandbox.expected() if ref.startswith("gh:"))
    assert f"goldthread backfill: {github_items} items" in done.stdout
