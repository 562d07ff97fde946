"""The Compose ``sandbox`` profile, brought up and down with podman-compose.

It runs the project's deploy/compose.yaml as users get it, under a project
name of this check's own, with the image the build just tagged.

goldthread-sandbox shares the sandbox's network namespace and its admin
listener (the dashboard and ``/metrics``) listens on every address in it, so
the sandbox service publishes that port, and only that one, on the host's
loopback: the dashboard is reachable from this host and from nowhere else,
and the webhook listener is not published at all.
"""

from __future__ import annotations

import json
import socket
import time
from urllib.parse import urlsplit

from goldthread.config import ServerSettings
from image_check.machine import Machine
from image_check.steps import (
    CheckError,
    Timings,
    ensure,
    http_status,
    http_text,
    run,
    wait_until,
)

COMPOSE = ["podman-compose", "--project-name", "goldthread-image-check"]
FILE = ["--file", "deploy/compose.yaml", "--profile", "sandbox"]
SERVICES = ("sandbox", "goldthread-sandbox")
DASHBOARD = "http://127.0.0.1:8081/"
"""Where the profile serves goldthread's dashboard: goldthread-sandbox's admin
listener, published by the sandbox service on the host's loopback."""


def compose(machine: Machine, *args: str, timeout: float = 180) -> str:
    return run([*COMPOSE, *FILE, *args], env=machine.env, timeout=timeout).stdout


def container(service: str) -> str:
    return f"goldthread-image-check_{service}_1"


def port_is_free(url: str) -> bool:
    address = urlsplit(url)
    with socket.socket() as probe:
        return probe.connect_ex((str(address.hostname), int(address.port or 80))) != 0


def published(machine: Machine, service: str) -> dict[str, list[tuple[str, str]]]:
    """What ``service``'s container publishes: container port -> (host address, port)."""
    text = run(
        ["podman", "inspect", "--format", "{{json .NetworkSettings.Ports}}", container(service)],
        env=machine.env,
    ).stdout
    ports = json.loads(text) or {}
    return {
        port: [(b["HostIp"], b["HostPort"]) for b in bindings or []]
        for port, bindings in ports.items()
        if bindings
    }


def check_only_the_dashboard_is_published(machine: Machine) -> None:
    """The admin port on the host's loopback, as DASHBOARD says, and nothing else.

    goldthread-sandbox is in the sandbox's network namespace: what the
    sandbox publishes is all that reaches either of them from outside."""
    address = urlsplit(DASHBOARD)
    admin = f"{ServerSettings().admin_port}/tcp"
    expected = {admin: [(str(address.hostname), str(address.port))]}
    found = published(machine, "sandbox")
    ensure(found == expected, f"the sandbox profile publishes {found}, not {expected}")


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
        metrics = http_status(f"{DASHBOARD}metrics")
        ensure(metrics == 200, f"/metrics beside the dashboard answered {metrics}")
        check_only_the_dashboard_is_published(machine)
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
            f"compose sandbox profile: dashboard and /metrics on {DASHBOARD} (loopback only);"
            f" down with exit 0 in {seconds:.1f} s"
        )
    finally:
        compose(machine, "down", "--volumes")
