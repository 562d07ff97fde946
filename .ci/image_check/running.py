"""The image run against the sandbox serving on the host.

Each container gets what docs/deploy.md tells users to give it: a
read-only root filesystem, a ``/tmp`` tmpfs, a ``/data`` volume and the
config mounted read-only. podman's ``--read-only`` also mounts tmpfs on
``/run`` and ``/var/tmp`` unless told not to; it is told not to, so the check
sees what Docker's ``--read-only`` gives.
"""

from __future__ import annotations

import json
import socket
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from support_sandbox import expected_flags, flag_state

from goldthread.config import ServerSettings
from goldthread.sandbox.control import Sandbox
from goldthread.sandbox.faults import FaultPlan
from goldthread.sandbox.org import generate
from image_check.machine import Machine
from image_check.steps import Timings, ensure, http_status, run, wait_until

NAME = "goldthread-image-check"
CONFIG = "/etc/goldthread/goldthread.toml"
STOP_TIMEOUT = 30  # what deploy/compose.yaml and the Kubernetes manifests give
SLOW_PAGE = 3.0  # seconds per Jira search page while a poll is stopped

# Run inside the container: the writable mounts and directories it finds.
WRITABLE = """
import json, os
virtual = ("/proc", "/sys", "/dev")
mounts = []
for line in open("/proc/self/mountinfo"):
    fields = line.split()
    if "rw" in fields[5].split(",") and not fields[4].startswith(virtual):
        mounts.append(fields[4])
writable = []
for top, dirs, _ in os.walk("/"):
    dirs[:] = [d for d in dirs if os.path.join(top, d) not in virtual]
    if os.access(top, os.W_OK):
        writable.append(top)
try:
    open("/probe", "w").close()
    root = "written"
except OSError as error:
    root = error.strerror
print(json.dumps({"mounts": mounts, "writable": writable, "root": root}))
"""

# Run inside the container: the status a URL answers with (0: no answer).
ADMIN_PROBE = """
import urllib.error, urllib.request
try:
    print(urllib.request.urlopen({url!r}, timeout=5).status)
except urllib.error.HTTPError as error:
    print(error.code)
except OSError:
    print(0)
"""


@dataclass
class Scene:
    machine: Machine
    image: str
    sandbox: Sandbox
    config: Path

    def podman(self, *args: str, check: bool = True, timeout: float = 120) -> str:
        return run(["podman", *args], env=self.machine.env, check=check, timeout=timeout).stdout

    def options(self, volume: str) -> list[str]:
        env = [item for k, v in self.sandbox.env().items() for item in ("-e", f"{k}={v}")]
        return [
            "--read-only",
            "--read-only-tmpfs=false",
            "--tmpfs",
            "/tmp",
            "--volume",
            f"{volume}:/data",
            "--volume",
            f"{self.config}:{CONFIG}:ro",
            *env,
        ]


@contextmanager
def sandbox_on_host(machine: Machine, workdir: Path) -> Iterator[tuple[Sandbox, Path]]:
    """The sandbox serving a seeded organisation on the host's address."""
    sandbox = Sandbox()
    sandbox.load(generate(200, seed=7))
    sandbox.start(host=machine.host_address)
    try:
        config = workdir / "goldthread.toml"
        config.write_text(sandbox.config_toml("sqlite:///goldthread.db"), encoding="utf-8")
        config.chmod(0o644)
        yield sandbox, config
    finally:
        sandbox.stop()


def cleanup(scene: Scene) -> None:
    for suffix in ("backfill", "run", "stop"):
        scene.podman("rm", "--force", f"{NAME}-{suffix}", check=False)
        scene.podman("volume", "rm", "--force", f"{NAME}-{suffix}", check=False)


def check_backfill(scene: Scene) -> None:
    volume = f"{NAME}-backfill"
    scene.podman("volume", "create", volume)
    done = run(
        [
            "podman",
            "run",
            "--rm",
            "--name",
            volume,
            *scene.options(volume),
            scene.image,
            "backfill",
        ],
        env=scene.machine.env,
        timeout=300,
    )
    ensure("goldthread backfill:" in done.stdout, f"no summary:\n{done.stdout[-2000:]}")
    ensure(flag_state(scene.sandbox) == expected_flags(scene.sandbox), "not flagged as expected")
    mountpoint = scene.podman("volume", "inspect", "--format", "{{.Mountpoint}}", volume)
    ensure((Path(mountpoint.strip()) / "goldthread.db").is_file(), "no store in the /data volume")


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def check_service(scene: Scene, timings: Timings) -> None:
    name = f"{NAME}-run"
    scene.podman("volume", "create", name)
    port = free_port()
    webhooks = ServerSettings().port
    scene.podman(
        "run", "--detach", "--name", name, *scene.options(name),
        "--env", "GOLDTHREAD_SERVER__HOST=0.0.0.0", "--publish", f"127.0.0.1:{port}:{webhooks}",
        scene.image,
    )  # fmt: skip
    base = f"http://127.0.0.1:{port}"
    wait_until(lambda: http_status(f"{base}/healthz") == 200, 60, "/healthz to answer 200")
    wait_until(lambda: http_status(f"{base}/readyz") == 200, 60, "/readyz to answer 200")
    check_admin_listener(scene, name, base)
    scene.podman("healthcheck", "run", name)  # no systemd here to run it on its timer
    health = scene.podman("inspect", "--format", "{{.State.Health.Status}}", name).strip()
    ensure(health == "healthy", f"the HEALTHCHECK says {health!r}")
    status = scene.podman("exec", name, "cat", "/proc/1/status")
    ids = {line.split(":")[0]: line.split()[1:] for line in status.splitlines()[:12]}
    ensure(set(ids["Uid"]) == {"10001"} and set(ids["Gid"]) == {"10001"}, f"ids {ids}")
    found = json.loads(scene.podman("exec", name, "python", "-c", WRITABLE))
    ensure(sorted(found["mounts"]) == ["/data", "/tmp"], f"writable mounts {found['mounts']}")
    outside = [d for d in found["writable"] if not d.startswith(("/data", "/tmp"))]
    ensure(not outside, f"writable outside /data and /tmp: {outside}")
    ensure(found["root"] == "Read-only file system", f"writing to / gave {found['root']!r}")
    seconds = stop(scene, name)
    timings.fact(f"idle service: SIGTERM to exit 0 in {seconds:.1f} s")


def check_admin_listener(scene: Scene, name: str, base: str) -> None:
    """The dashboard and /metrics answer on the container's loopback (the admin
    listener's default address) and not on the published webhook port."""
    port = ServerSettings().admin_port
    for path in ("/", "/metrics"):
        ensure(http_status(f"{base}{path}") == 404, f"the webhook port serves {path}")
        probe = ADMIN_PROBE.format(url=f"http://127.0.0.1:{port}{path}")

        def answered(probe: str = probe) -> bool:
            return scene.podman("exec", name, "python", "-c", probe).strip() == "200"

        # The dashboard answers 503 until the first evaluation has rendered it.
        wait_until(answered, 90, f"{path} on the admin listener in the container")


def stop(scene: Scene, name: str) -> float:
    """``podman stop`` with the deployments' timeout; the seconds it took."""
    started = time.monotonic()
    scene.podman("stop", "--time", str(STOP_TIMEOUT), name, timeout=STOP_TIMEOUT + 30)
    seconds = time.monotonic() - started
    code = scene.podman("inspect", "--format", "{{.State.ExitCode}}", name).strip()
    ensure(code == "0", f"{name} exited {code} on SIGTERM")
    ensure(seconds < STOP_TIMEOUT, f"{name} took {seconds:.0f} s to stop")
    logs = container_log(scene, name)
    ensure('"service.stopped"' in logs, f"{name} did not say it stopped:\n{logs[-2000:]}")
    return seconds


def container_log(scene: Scene, name: str) -> str:
    """What the container wrote, to stdout and stderr (goldthread logs to stderr)."""
    done = run(["podman", "logs", name], env=scene.machine.env)
    return done.stdout + done.stderr


def searches(sandbox: Sandbox) -> int:
    return len(sandbox.jira.requests(path_contains="search"))


def check_stop_during_poll(scene: Scene, timings: Timings) -> None:
    """SIGTERM while the first poll reads Jira slowly: it stops between pages."""
    name = f"{NAME}-stop"
    scene.podman("volume", "create", name)
    pages = sum(-(-count // 100) for count in jira_counts(scene.sandbox).values())
    scene.sandbox.set_faults(jira=FaultPlan(latency=SLOW_PAGE, path_contains="search"))
    try:
        scene.sandbox.clear_request_log()
        scene.podman("run", "--detach", "--name", name, *scene.options(name), scene.image)
        wait_until(lambda: searches(scene.sandbox) >= 1, 90, "the poll's first Jira page")
        answered = searches(scene.sandbox)
        seconds = stop(scene, name)
    finally:
        scene.sandbox.set_faults()
    made = searches(scene.sandbox)
    ensure(made <= answered + 1 and made < pages, f"{made} of {pages} pages asked for")
    logs = container_log(scene, name)
    ensure('"poll.stopped"' in logs, f"no poll.stopped in the log:\n{logs[-2000:]}")
    timings.fact(
        f"SIGTERM during a poll ({SLOW_PAGE:.0f} s per Jira page): exit 0 in {seconds:.1f} s,"
        f" {made} of {pages} pages read"
    )


def jira_counts(sandbox: Sandbox) -> dict[str, int]:
    org = sandbox.org
    assert org is not None
    counts = dict.fromkeys(org.projects, 0)
    for issue in org.jira:
        counts[issue.key.split("-")[0]] += 1
    return counts
