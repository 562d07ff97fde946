"""The deploy guide's commands are read the way their tools read them, and
name what the deploy files say.

The ``docker`` commands go to the real Docker client, pointed at an engine
that does not exist: a command the client accepts gets as far as trying to
reach the engine, one it cannot parse is refused before that. (No Docker
engine runs on the test machines; ``make image-check`` runs the podman and
buildah commands for real.)
"""

from __future__ import annotations

import os
import re
import shlex
import shutil
import subprocess
from pathlib import Path

import pytest
from deploy_manifests import DOCKERFILE, ROOT, console_commands, dockerfile

GUIDE = ROOT / "docs" / "deploy.md"
REACHED_THE_ENGINE = "Cannot connect to the Docker daemon"


def docker_client() -> str:
    found = shutil.which("docker")
    assert found, "the docker client is missing: it parses the guide's docker commands"
    return found


def docker_reads(command: str, tmp_path: Path) -> subprocess.CompletedProcess[str]:
    """Run ``command`` in a shell at the repository's root, with ``docker``
    pointed at a socket nobody listens on."""
    env = {
        **os.environ,
        "DOCKER_HOST": f"unix://{tmp_path / 'no-engine.sock'}",
        "DOCKER_CONFIG": str(tmp_path / "docker-config"),
        "DOCKER_BUILDKIT": "0",  # the client's own parser; BuildKit would need buildx
        "PATH": f"{Path(docker_client()).parent}:{os.environ['PATH']}",
    }
    return subprocess.run(
        ["bash", "-c", command],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


def guide_commands(tool: str, *subcommands: str) -> list[str]:
    found = []
    for command in console_commands(GUIDE):
        words = shlex.split(command, comments=True)
        if words[:1] == [tool] and (not subcommands or words[1:2] in ([s] for s in subcommands)):
            found.append(command)
    return found


def test_the_guide_shows_how_to_build_with_docker_podman_and_buildah() -> None:
    assert guide_commands("docker", "build")
    assert guide_commands("podman", "build")
    assert guide_commands("buildah", "build")
    assert guide_commands("docker", "run")


@pytest.mark.parametrize("command", guide_commands("docker", "build", "run"))
def test_each_docker_command_of_the_guide_is_accepted_by_the_docker_client(
    command: str, tmp_path: Path
) -> None:
    result = docker_reads(command, tmp_path)
    assert REACHED_THE_ENGINE in result.stderr + result.stdout, result.stderr


def test_the_docker_check_refuses_build_arguments_run_together(tmp_path: Path) -> None:
    result = docker_reads(
        "docker build -f deploy/Dockerfile -t goldthread:0.1.0 "
        "--build-arg VERSION=0.1.0 REVISION=abc CREATED=now .",
        tmp_path,
    )
    assert REACHED_THE_ENGINE not in result.stderr
    assert "requires 1 argument" in result.stderr


def build_options(command: str) -> list[str]:
    words = shlex.split(re.sub(r"\$\([^)]*\)", "x", command), comments=True)
    return words[2:]


@pytest.mark.parametrize(
    "command", [*guide_commands("podman", "build"), *guide_commands("buildah", "build")]
)
def test_podman_and_buildah_builds_keep_the_health_check(command: str) -> None:
    options = build_options(command)
    assert "--format" in options
    assert options[options.index("--format") + 1] == "docker"
    assert options[options.index("-f") + 1] == str(DOCKERFILE.relative_to(ROOT))


@pytest.mark.parametrize("command", guide_commands("docker", "build"))
def test_every_build_argument_the_guide_passes_is_one_the_dockerfile_declares(
    command: str,
) -> None:
    declared = {i.arguments.split("=", 1)[0] for i in dockerfile(DOCKERFILE) if i.keyword == "ARG"}
    options = build_options(command)
    given = [options[i + 1].split("=", 1)[0] for i, o in enumerate(options) if o == "--build-arg"]
    assert given
    assert set(given) <= declared


def test_the_guide_names_the_base_image_the_dockerfile_pins() -> None:
    (pinned,) = [
        i.arguments.split("=", 1)[1]
        for i in dockerfile(DOCKERFILE)
        if i.keyword == "ARG" and i.stage == -1 and i.arguments.startswith("PYTHON_IMAGE=")
    ]
    named = set(re.findall(r"python:3[\w.-]*", GUIDE.read_text(encoding="utf-8")))
    assert named == {pinned}
