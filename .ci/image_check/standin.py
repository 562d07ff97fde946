"""A stand-in for the pinned Python base image, made from Debian's packages.

The Dockerfile's base (``python:3.11.13-slim-bookworm``) comes from a
container registry, which this machine cannot reach. The stand-in is Debian
of the same release (bookworm) with its Python of the same minor version
(3.11), made with debootstrap and imported into podman's storage; it offers
what the Dockerfile uses of the base: ``python3`` with ``pip`` and
``venv``, ``python``, ``groupadd``/``useradd`` and ``install``. It stands in
for the base here only: images for production are built on the real one.

It is made once and kept: a later run finds it by name and by the label
recording how it was made, and makes it again only when that changed.
"""

from __future__ import annotations

import hashlib
import re
import shutil
import subprocess
import tempfile
from pathlib import Path

from image_check.machine import Machine
from image_check.steps import ROOT, CheckError, run

DOCKERFILE = ROOT / "deploy" / "Dockerfile"
MIRROR = "http://deb.debian.org/debian"
PACKAGES = ("python3", "python3-pip", "python3-venv", "python-is-python3", "ca-certificates")
RECIPE_LABEL = "goldthread.standin.recipe"
TRIMMED = ("var/cache/apt/archives", "var/lib/apt/lists", "usr/share/doc", "usr/share/man")


def pinned_base() -> tuple[str, str, str]:
    """The Dockerfile's default base, its Python minor version and its Debian release."""
    text = DOCKERFILE.read_text(encoding="utf-8")
    match = re.search(r"(?m)^ARG PYTHON_IMAGE=(python:(\d+\.\d+)\.\d+-slim-([a-z]+))\S*$", text)
    if match is None:
        raise CheckError("deploy/Dockerfile pins no python:X.Y.Z-slim-<release> base")
    return match.group(1), match.group(2), match.group(3)


def image_name() -> str:
    _, minor, release = pinned_base()
    return f"localhost/goldthread-python-standin:{minor}-{release}"


def recipe() -> str:
    _, minor, release = pinned_base()
    text = " ".join([release, minor, MIRROR, *PACKAGES, *TRIMMED])
    return hashlib.sha256(text.encode()).hexdigest()[:16]


def existing_recipe(machine: Machine, name: str) -> str | None:
    done = run(
        ["podman", "image", "inspect", "--format", f'{{{{index .Labels "{RECIPE_LABEL}"}}}}', name],
        env=machine.env,
        check=False,
    )
    return done.stdout.strip() if done.returncode == 0 else None


def ensure_standin(machine: Machine) -> tuple[str, bool]:
    """The stand-in's name, and whether it had to be made now."""
    name = image_name()
    if existing_recipe(machine, name) == recipe():
        return name, False
    with tempfile.TemporaryDirectory(prefix="goldthread-standin-", dir="/var/tmp") as scratch:
        rootfs = Path(scratch) / "rootfs"
        bootstrap(rootfs)
        import_rootfs(machine, rootfs, name)
    return name, True


def bootstrap(rootfs: Path) -> None:
    _, minor, release = pinned_base()
    # dpkg without an fsync per file: a scratch tree, made again if anything breaks.
    unsafe_io = rootfs / "etc" / "dpkg" / "dpkg.cfg.d" / "goldthread-standin"
    unsafe_io.parent.mkdir(parents=True)
    unsafe_io.write_text("force-unsafe-io\n", encoding="utf-8")
    run(
        [
            "debootstrap",
            "--variant=minbase",
            f"--include={','.join(PACKAGES)}",
            release,
            str(rootfs),
            MIRROR,
        ],
        timeout=900,
    )
    version = run(
        [
            "chroot",
            str(rootfs),
            "python3",
            "-c",
            "import sys; print('%d.%d' % sys.version_info[:2])",
        ]
    ).stdout.strip()
    if version != minor:
        raise CheckError(f"Debian {release} has Python {version}; the base pins {minor}")
    unsafe_io.unlink()
    for part in TRIMMED:
        target = rootfs / part
        if target.is_dir():
            shutil.rmtree(target)
            target.mkdir(parents=True)


def import_rootfs(machine: Machine, rootfs: Path, name: str) -> None:
    base, _, release = pinned_base()
    changes = [
        "ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin",
        "ENV LANG=C.UTF-8",
        'CMD ["python3"]',
        f"LABEL {RECIPE_LABEL}={recipe()}",
        f'LABEL org.opencontainers.image.description="Debian {release} standing in for {base}"',
    ]
    options = [item for change in changes for item in ("--change", change)]
    with subprocess.Popen(["tar", "-C", str(rootfs), "-c", "."], stdout=subprocess.PIPE) as tar:
        done = subprocess.run(
            ["podman", "import", *options, "-", name],
            stdin=tar.stdout,
            env=machine.env,
            capture_output=True,
            text=True,
            timeout=600,
            check=False,
        )
    if tar.returncode != 0 or done.returncode != 0:
        raise CheckError(f"importing the stand-in failed: {done.stderr[-2000:]}")
