"""Building the image with the guide's own podman and buildah commands, and
reading back what the builder made of the Dockerfile.

The commands are taken from docs/deploy.md as written and run by a shell at
the repository's root; only the machine's needs are added after them: the
stand-in base (``--build-arg PYTHON_IMAGE=``) and the proxy's certificates
(:meth:`~image_check.machine.Machine.build_mounts`). The Dockerfile is used
as it is.
"""

from __future__ import annotations

import json
import re
import shlex
import tomllib
from datetime import UTC, datetime, timedelta
from typing import Any

from deploy_manifests import DOCKERFILE, console_commands, dockerfile, exec_form, final_stage

from image_check.machine import Machine
from image_check.steps import ROOT, Timings, ensure, run

GUIDE = ROOT / "docs" / "deploy.md"
OCI = "org.opencontainers.image."


def guide_build_commands() -> list[str]:
    """The guide's ``buildah build`` and ``podman build`` commands, podman's last
    (its build, with every label argument, is the one checked)."""
    found: dict[str, list[str]] = {"buildah": [], "podman": []}
    for command in console_commands(GUIDE):
        words = shlex.split(command, comments=True)
        if len(words) > 1 and words[0] in found and words[1] == "build":
            found[words[0]].append(command)
    ensure(found["podman"], "docs/deploy.md shows no podman build command")
    ensure(found["buildah"], "docs/deploy.md shows no buildah build command")
    return [*found["buildah"], *found["podman"]]


def with_options(command: str, options: list[str]) -> str:
    """``command`` with ``options`` put before its build context, the last word
    (buildah takes no option after it)."""
    body, space, context = command.rpartition(" ")
    ensure(space and context == ".", f"not a build of the repository's root: {command}")
    return f"{body} {shlex.join(options)} {context}"


def built_tag(command: str) -> str:
    words = shlex.split(command, comments=True)
    tag = words[words.index("-t") + 1]
    return tag if "/" in tag else f"localhost/{tag}"


def inspect(machine: Machine, image: str) -> dict[str, Any] | None:
    done = run(["podman", "image", "inspect", image], env=machine.env, check=False)
    if done.returncode != 0:
        return None
    found: list[dict[str, Any]] = json.loads(done.stdout)
    return found[0]


def build(machine: Machine, base: str, timings: Timings) -> str:
    """Build with each of the guide's commands; the image's name."""
    commands = guide_build_commands()
    image = built_tag(commands[-1])
    before = inspect(machine, image)
    extra = ["--build-arg", f"PYTHON_IMAGE={base}", *machine.build_mounts()]
    for command in commands:
        with timings.step(f"build: {shlex.split(command)[0]} build (from docs/deploy.md)"):
            run(["bash", "-c", with_options(command, extra)], env=machine.env, timeout=900)
    after = inspect(machine, image)
    ensure(after is not None, f"the build left no image {image}")
    if before is not None and after is not None and before["Id"] != after["Id"]:
        run(["podman", "rmi", before["Id"]], env=machine.env, check=False)  # superseded
    return image


def declared_labels() -> list[str]:
    (label,) = [i.arguments for i in final_stage(dockerfile(DOCKERFILE)) if i.keyword == "LABEL"]
    return re.findall(r"([\w.\-]+)=", label)


def check_image(machine: Machine, image: str, base: str, timings: Timings) -> None:
    """Labels filled, health check kept, a non-root user; the size reported."""
    info = inspect(machine, image)
    ensure(info is not None, f"no image {image}")
    assert info is not None
    config = info.get("Config") or {}
    labels: dict[str, str] = info.get("Labels") or config.get("Labels") or {}
    for name in declared_labels():
        value = labels.get(name, "")
        ensure(value and value != "unknown", f"label {name} is {value!r}")
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    head = run(["git", "rev-parse", "HEAD"]).stdout.strip()
    ensure(labels[OCI + "version"] == project["version"], f"version label {labels}")
    ensure(labels[OCI + "revision"] == head, f"revision label {labels[OCI + 'revision']}")
    ensure(labels[OCI + "base.name"] == base, f"base.name label {labels[OCI + 'base.name']}")
    created = datetime.fromisoformat(labels[OCI + "created"])
    ensure(abs(datetime.now(UTC) - created) < timedelta(hours=1), f"created label {created}")
    health = (info.get("Healthcheck") or config.get("Healthcheck") or {}).get("Test") or []
    (wanted,) = [
        i.arguments for i in final_stage(dockerfile(DOCKERFILE)) if i.keyword == "HEALTHCHECK"
    ]
    ensure(health == ["CMD", *exec_form(wanted.split(" CMD ", 1)[1])], f"health check {health}")
    user = str(config.get("User", ""))
    ensure(re.fullmatch(r"[1-9]\d*:[1-9]\d*", user), f"the image's user is {user!r}")
    standin = inspect(machine, base)
    size = int(info["Size"])
    timings.fact(f"image {image}: {size / 1e6:.0f} MB")
    if standin is not None:
        timings.fact(
            f"  of which the stand-in base {base}: {int(standin['Size']) / 1e6:.0f} MB,"
            f" goldthread and its dependencies: {(size - int(standin['Size'])) / 1e6:.0f} MB"
        )
    shown = {k.removeprefix(OCI): v for k, v in sorted(labels.items()) if k.startswith(OCI)}
    shown.pop("description", None)
    timings.fact("labels: " + ", ".join(f"{k}={v}" for k, v in shown.items()))
