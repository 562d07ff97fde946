"""The wheel, built and installed exactly as the container image does it,
starts ``goldthread run`` against the sandbox and reports itself ready.

No Docker engine runs here, so the image itself is never built; instead the
files the Dockerfile copies go to a scratch build context, the same
``deploy/install-venv.sh`` builds the wheel and installs it (pinned by
constraints.txt) into a fresh virtualenv, and the installed console script
runs with the image's environment, working directory and config path
replaced by scratch ones.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest
from deploy_manifests import DEPLOY, DOCKERFILE, ROOT, dockerfile, env_pairs, final_stage

from goldthread.config import CONFIG_ENV
from goldthread.sandbox.control import Sandbox
from goldthread.sandbox.org import generate

READY_WITHIN_SECONDS = 60


def build_context(target: Path) -> Path:
    """Copy what the Dockerfile's build stage copies, to where it copies it."""
    for instruction in dockerfile(DOCKERFILE):
        if instruction.keyword != "COPY" or instruction.stage != 0:
            continue
        *sources, _ = instruction.arguments.split()
        for source in sources:
            path = ROOT / source
            destination = target / source
            destination.parent.mkdir(parents=True, exist_ok=True)
            if path.is_dir():
                shutil.copytree(path, destination, ignore=shutil.ignore_patterns("__pycache__"))
            else:
                shutil.copy2(path, destination)
    return target


def image_environment(venv: Path) -> dict[str, str]:
    """The final stage's ENV, with the image's virtualenv swapped for ``venv``."""
    env: dict[str, str] = {}
    for instruction in final_stage(dockerfile(DOCKERFILE)):
        if instruction.keyword == "ENV":
            env.update(env_pairs(instruction.arguments))
    env["PATH"] = f"{venv / 'bin'}:{os.environ['PATH']}"
    return env


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.fixture
def sandbox() -> Iterator[Sandbox]:
    with Sandbox() as running:
        running.load(generate(60, seed=7))
        yield running


def status_of(url: str) -> int:
    try:
        with urllib.request.urlopen(url, timeout=5) as answer:
            return int(answer.status)
    except urllib.error.HTTPError as error:
        return error.code
    except (urllib.error.URLError, ConnectionError, TimeoutError):
        return 0


def wait_until_ready(process: subprocess.Popen[bytes], url: str) -> int:
    """Poll ``url`` until it answers 200, the process exits, or time is up.

    The pause between polls is a wait on the process itself, so an early
    exit ends the wait at once.
    """
    status = 0
    for _ in range(READY_WITHIN_SECONDS * 4):
        status = status_of(url)
        if status == 200:
            return status
        try:
            process.wait(timeout=0.25)
        except subprocess.TimeoutExpired:
            continue
        return -1
    return status


@pytest.mark.slow
@pytest.mark.timeout(600)
def test_the_installed_wheel_serves_readyz_against_the_sandbox(
    tmp_path: Path, sandbox: Sandbox
) -> None:
    context = build_context(tmp_path / "context")
    venv = tmp_path / "venv"
    install = subprocess.run(
        ["sh", str(DEPLOY / "install-venv.sh"), str(context), str(venv), str(tmp_path / "wheels")],
        env={**os.environ, "PYTHON": sys.executable},
        capture_output=True,
        text=True,
        check=False,
    )
    assert install.returncode == 0, install.stdout[-3000:] + install.stderr[-3000:]
    assert (venv / "bin" / "goldthread").exists()

    data = tmp_path / "data"  # the image's WORKDIR and volume
    data.mkdir()
    config = tmp_path / "goldthread.toml"
    config.write_text(sandbox.config_toml("sqlite:///goldthread.db"), encoding="utf-8")
    port = free_port()
    env = {
        **image_environment(venv),
        **sandbox.env(),
        CONFIG_ENV: str(config),
        "GOLDTHREAD_SERVER__PORT": str(port),
        "HOME": str(data),
    }
    log = (tmp_path / "goldthread.log").open("wb")
    process = subprocess.Popen(
        [str(venv / "bin" / "goldthread"), "run"],
        cwd=data,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    try:
        status = wait_until_ready(process, f"http://127.0.0.1:{port}/readyz")
        healthz = status_of(f"http://127.0.0.1:{port}/healthz")
    finally:
        process.terminate()
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        log.close()
    output = (tmp_path / "goldthread.log").read_text(encoding="utf-8", errors="replace")
    assert status == 200, output[-4000:]
    assert healthz == 200
    assert (data / "goldthread.db").exists()
    assert process.returncode == 0, output[-4000:]
