"""``python -m image_check``: every step, in order, stopping at the first failure."""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path

from image_check import building, composing, machine, posture, running, standin, tools
from image_check.steps import CheckError, Timings


def check(workdir: Path, timings: Timings) -> None:
    helpers = tools.Tools()
    helpers.start()  # in the background, while the base is made and the image built
    try:
        here, image = build(workdir, timings)
        with running.sandbox_on_host(here, workdir) as (sandbox, config):
            scene = running.Scene(here, image, sandbox, config)
            run(scene, timings)
        with timings.step("tools: checkov and podman-compose"):
            helpers.ready()
        with timings.step("compose: the sandbox profile up and down"):
            composing.check_compose(here, timings)
        with timings.step("posture: checkov on the Kubernetes objects and the Dockerfile"):
            posture.check_posture(here, workdir, timings)
    finally:
        helpers.stop()


def build(workdir: Path, timings: Timings) -> tuple[machine.Machine, str]:
    """The machine made ready, the image built and checked: (machine, image)."""
    with timings.step("machine: runc, process limits, proxy certificates"):
        here = machine.prepare(workdir)
    with timings.step("stand-in base image"):
        base, made = standin.ensure_standin(here)
        timings.fact(f"stand-in base {base}: {'made now' if made else 'kept from an earlier run'}")
    image = building.build(here, base, timings)
    with timings.step("image: labels, health check, user, size"):
        building.check_image(here, image, base, timings)
    return here, image


def run(scene: running.Scene, timings: Timings) -> None:
    """The image's commands in containers, against the sandbox on the host."""
    running.cleanup(scene)
    try:
        with timings.step("backfill in the container"):
            running.check_backfill(scene)
        with timings.step("run: /healthz, /readyz, HEALTHCHECK, uid, read-only root, SIGTERM"):
            running.check_service(scene, timings)
        with timings.step("run: SIGTERM during a poll"):
            running.check_stop_during_poll(scene, timings)
    finally:
        running.cleanup(scene)


def main() -> int:
    timings = Timings()
    with tempfile.TemporaryDirectory(prefix="goldthread-image-check-") as scratch:
        try:
            check(Path(scratch), timings)
        except CheckError as failure:
            print(f"image-check: FAILED: {failure}", file=sys.stderr)
            return 1
    print(timings.summary())
    return 0


if __name__ == "__main__":
    sys.exit(main())
