"""What this machine needs for containers to run, kept out of the project's files.

* **runc, not crun.** The machine mounts cgroups in the hybrid layout (v1
  controllers, v2 beside them), which crun refuses; runc runs there.
* **Process limits.** Each container asks for its ``RLIMIT_NOFILE`` and
  ``RLIMIT_NPROC``, podman's default being 1048576 of each; a process
  without ``CAP_SYS_RESOURCE`` may not raise a hard limit, so runc fails
  ("error setting rlimits") wherever the host's hard limits are lower. The
  containers get the host's hard open-files limit, and a process limit well
  below podman's own (it lowered it to 32768 where this was written).
* **The TLS-intercepting proxy.** Package downloads during the build go
  through a proxy whose certificate authority is in the host's bundle, not
  in the base image's: the host's bundle is mounted over the image's for the
  build's ``RUN`` steps (never copied into a layer).

All three go into a containers.conf of this check's own (``CONTAINERS_CONF``),
read by podman, buildah and podman-compose alike, or into the build's
command line; the Dockerfile and the Compose file stay as users get them.
"""

from __future__ import annotations

import os
import resource
import socket
from dataclasses import dataclass
from pathlib import Path

from image_check import tools
from image_check.steps import CheckError

CA_BUNDLE = Path("/etc/ssl/certs/ca-certificates.crt")
PROCESS_LIMIT = 4096
OPEN_FILES_CEILING = 1048576


@dataclass(frozen=True, slots=True)
class Machine:
    """The environment every container tool runs with, and how to reach the host."""

    env: dict[str, str]
    ca_bundle: Path
    host_address: str

    def build_mounts(self) -> list[str]:
        """``podman build`` options that let ``RUN`` steps trust the proxy."""
        return ["--volume", f"{self.ca_bundle}:{CA_BUNDLE}:ro"]


def hard_limit(which: int, ceiling: int) -> int:
    _, hard = resource.getrlimit(which)
    return ceiling if hard == resource.RLIM_INFINITY else min(hard, ceiling)


def containers_conf() -> str:
    files = hard_limit(resource.RLIMIT_NOFILE, OPEN_FILES_CEILING)
    processes = hard_limit(resource.RLIMIT_NPROC, PROCESS_LIMIT)
    return (
        "# Written by make image-check for this machine (see .ci/image_check/machine.py).\n"
        "[containers]\n"
        f'default_ulimits = ["nofile={files}:{files}", "nproc={processes}:{processes}"]\n'
        "\n[engine]\n"
        'runtime = "runc"\n'
    )


def host_address() -> str:
    """The host's own address on its default route: reachable from the
    containers (through their bridge) and from the host itself."""
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as probe:
        try:
            probe.connect(("203.0.113.1", 9))  # no packet is sent: this only picks a route
        except OSError as error:
            raise CheckError(f"no IPv4 route to find the host's address: {error}") from error
        return str(probe.getsockname()[0])


def prepare(workdir: Path) -> Machine:
    conf = workdir / "containers.conf"
    conf.write_text(containers_conf(), encoding="utf-8")
    bundle = Path(os.environ.get("SSL_CERT_FILE") or CA_BUNDLE)
    if not bundle.is_file():
        raise CheckError(f"no certificate bundle at {bundle} to mount into the build")
    # buildah keeps no layer cache unless asked; with one, podman's build reuses its layers.
    env = {
        **os.environ,
        "CONTAINERS_CONF": str(conf),
        "BUILDAH_LAYERS": "true",
        "PATH": f"{tools.BIN}:{os.environ['PATH']}",  # podman-compose and checkov
    }
    return Machine(env=env, ca_bundle=bundle, host_address=host_address())
