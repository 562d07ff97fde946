"""``python -m goldthread.sandbox`` as a separate process, as benchmarks and people run it."""

from __future__ import annotations

import json
import signal
import subprocess
import sys
import tomllib
from collections.abc import Iterator
from pathlib import Path

import pytest
from sandbox_control_helpers import call

from goldthread.sandbox.__main__ import parse_args

READY_LINE = "Stop with Ctrl-C."


def start(tmp_path: Path) -> subprocess.Popen[str]:
    """The sandbox in a subprocess, returned once it said it serves."""
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "goldthread.sandbox",
            "--size",
            "200",
            "--jira-mode",
            "dc",
            "--ready-file",
            str(tmp_path / "ready.json"),
            "--write-config",
            str(tmp_path / "conf" / "goldthread.toml"),
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    assert process.stdout is not None
    for line in process.stdout:
        if line.strip() == READY_LINE:
            break
    return process


@pytest.fixture
def running(tmp_path: Path) -> Iterator[tuple[subprocess.Popen[str], Path]]:
    process = start(tmp_path)
    try:
        yield process, tmp_path
    finally:
        if process.poll() is None:
            process.kill()
        process.communicate(timeout=30)


def test_the_sandbox_process_serves_and_exits_cleanly_on_sigterm(
    running: tuple[subprocess.Popen[str], Path],
) -> None:
    process, folder = running
    ready = json.loads((folder / "ready.json").read_text())

    status, expected = call(f"{ready['control_url']}/control/expected")
    process.send_signal(signal.SIGTERM)
    _, errors = process.communicate(timeout=30)

    assert status == 200
    assert len(expected) >= 200
    assert process.returncode == 0, errors
    assert ready["jira_mode"] == "dc"
    assert ready["env"]["GOLDTHREAD_SANDBOX_JIRA_TOKEN"]


def test_the_written_config_names_the_served_urls_and_a_store_beside_it(
    running: tuple[subprocess.Popen[str], Path],
) -> None:
    process, folder = running
    ready = json.loads((folder / "ready.json").read_text())
    config = tomllib.loads((folder / "conf" / "goldthread.toml").read_text())
    process.send_signal(signal.SIGINT)
    process.communicate(timeout=30)

    assert [s["type"] for s in config["sources"]] == ["github", "jira"]
    assert config["sources"][0]["base_url"] == ready["github_url"]
    assert config["sources"][1]["url"] == ready["jira_url"]
    assert config["sources"][1]["auth"] == "bearer"
    assert config["store"]["url"] == f"sqlite:///{folder / 'conf' / 'goldthread-sandbox.db'}"
    assert process.returncode == 0


def test_the_entry_point_defaults_to_two_hundred_items_on_free_ports() -> None:
    args = parse_args([])

    assert (args.size, args.jira_mode, args.enterprise) == (200, "cloud", False)
    assert (args.github_port, args.jira_port, args.control_port) == (0, 0, 0)


def test_the_entry_point_refuses_an_empty_organisation(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exit_:
        parse_args(["--size", "0"])

    assert exit_.value.code == 2
    assert "--size" in capsys.readouterr().err


def test_the_ready_file_is_there_only_while_the_sandbox_serves(tmp_path: Path) -> None:
    ready = tmp_path / "ready.json"
    ready.write_text('{"github_url": "http://127.0.0.1:1"}\n')  # left by a killed run
    process = start(tmp_path)
    try:
        served = json.loads(ready.read_text())
        process.send_signal(signal.SIGTERM)
        process.communicate(timeout=30)
    finally:
        if process.poll() is None:
            process.kill()
            process.communicate(timeout=30)

    assert served["github_url"] != "http://127.0.0.1:1"
    assert process.returncode == 0
    assert not ready.exists()
