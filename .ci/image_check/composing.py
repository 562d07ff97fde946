"""The Compose ``sandbox`` profile, brought up and down with podman-compose.

It runs the project's deploy/compose.yaml as users get it, under a project
name of this check's own, with the image the build just tagged.
"""

from __future__ import annotations

import socket
import time

from image_check.machine import Machine
from image_check.steps import CheckError, Timings, ensure, http_text, run, wait_until

COMPOSE = ["podman-compose", "--project-name", "goldthread-image-check"]
FILE = ["--file", "deploy/compose.yaml", "--profile", "sandbox"]
SERVICES = ("sandbox", "goldthread-sandbox")
DASHBOARD = "http://127.0.0.1:8081/"
"""Where the profile serves goldthread's dashboard (the sandbox's published port)."""


def compose(machine: Machine, *args: str, timeout: float = 180) -> str:
    return run([*COMPOSE, *FILE, *args], env=machine.env, timeout=timeout).stdout


def container(service: str) -> str:
    return f"goldthread-image-check_{service}_1"


def port_is_free(url: str) -> bool:
    host, _, port = url.split("/")[2].partition(":")
    with socket.socket() as probe:
        return probe.connect_ex((host, int(port))) != 0


def dashboard() -> str | None:
    try:
        status, kind, body = http_text(DASHBOARD)
    except OSError:
        return None
    return body if status == 200 and kind.startswith("text/html") else None


def check_compose(machine: Machine, timings: Timings) -> None:
    compose(machine, "down", "--volumes")  # whatever an interrupted run left
    if not port_is_free(DASHBOARD):
        raise CheckError(f"something else listens on {DASHBOARD}; the profile publishes it")
    try:
        compose(machine, "up", "--detach", "goldthread-sandbox")
        page = wait_until(dashboard, 90, f"the dashboard on {DASHBOARD}")
        ensure("goldthread" in page.lower(), "the dashboard page does not name goldthread")
        started = time.monotonic()
        compose(machine, "stop", timeout=120)
        seconds = time.monotonic() - started
        for service in SERVICES:
            code = run(
                ["podman", "inspect", "--format", "{{.State.ExitCode}}", container(service)],
                env=machine.env,
            ).stdout.strip()
            ensure(code == "0", f"{service} exited {code} when the profile went down")
        timings.fact(
            f"compose sandbox profile: dashboard served; down with exit 0 in {seconds:.1f} s"
        )
    finally:
        compose(machine, "down", "--volumes")
